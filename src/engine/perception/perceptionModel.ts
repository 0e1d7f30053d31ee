/**
 * The perception model's procedures, shared by the jobs, the CLI and the pipeline stages: train on
 * rendered sim images (with or without the experiment's visual randomization), evaluate the
 * exported ONNX model on real images, and adapt it to real images with DANN. Each writes its model
 * files and its part of perception.json into the run folder.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { Experiment } from '../config/experiment';
import { initRapier } from '../sim/rapier';
import { deriveSeed, Rng } from '../util/rng';
import { adaptPuckNet } from './dann';
import { exportPuckNetOnnx, OnnxPuckPerception } from './perceptionOnnx';
import { readPerceptionReport, updatePerceptionReport, type PerceptionModelReport } from './perceptionReport';
import { DEFAULT_SHAPE, PuckNet, type PositionFrame, type PuckNetWeights } from './puckNet';
import { summarizeErrors, type LabelledImage, type PositionErrors } from './samples';
import { renderSimImages, type SimImageOptions } from './simImages';
import { evaluatePuckNet, trainPuckNet } from './train';
import { DEFAULT_SENSOR_RANDOMIZATION, type SensorRandomization } from './sensorRandomization';
import { visualSetupOf, type ImageLook } from './visualSetup';
import { pct } from '../../common/format';
import { SEED_STREAMS } from '../util/seedStreams';

/**
 * Where training pucks are placed, m: the push task's whole puck workspace (starts at 0.32-0.42 m
 * from the base within ±0.25 rad, goals up to 0.2 m further out) with a margin.
 */
export const PERCEPTION_FRAME: PositionFrame = { centre: [0.45, 0], halfExtent: [0.3, 0.35] };

export const MODEL_FILES = {
  randomized: 'perception.onnx',
  nominal: 'perception-no-randomization.onnx',
} as const;

/** The JS weights kept next to an ONNX model, so eval-time fine-tuning (DANN) can start from them. */
export function weightsFileOf(modelFile: string): string {
  return modelFile.replace(/\.onnx$/, '') + '.weights.json';
}

export function adaptedModelFileOf(modelFile: string): string {
  return modelFile.replace(/\.onnx$/, '') + '-dann.onnx';
}

export interface PerceptionLog {
  (line: string): void;
}

/** Fraction of the job done in [0, 1] with a one-line status, for a progress bar. */
export interface PerceptionProgress {
  (fraction: number, message: string): void;
}

export interface TrainPerceptionOptions {
  /** Labelled sim images rendered for training (per epoch with freshImagesPerEpoch). [default: 2000] */
  readonly samples?: number;
  /** [default: 9] */
  readonly epochs?: number;
  /** Draw every image's look from the experiment's `visuals` entries (false: the nominal look). [default: true] */
  readonly randomization?: boolean;
  /** [default: the experiment's seed] */
  readonly seed?: number;
  /**
   * Nominal-look images a fresh network first trains on (3 epochs) before the randomized set: from
   * scratch on randomized images alone the keypoints never left their plateau in 6 epochs on this
   * machine's budget, while the nominal red puck is found within a few. [default: samples / 3 with
   * randomization, else 0]
   */
  readonly warmupSamples?: number;
  /**
   * Render a fresh set of `samples` images every epoch (rendering costs ~1 ms an image, a tenth
   * of a training pass, and the network never sees an image twice) instead of one fixed set.
   * [default: true]
   */
  readonly freshImagesPerEpoch?: boolean;
  /**
   * With randomization, the share of randomized images rises linearly from 0 (epoch 1: nominal
   * look only) to 1 over this many epochs; the rest show the nominal look. [default: epochs / 3,
   * rounded, with freshImagesPerEpoch; 0 otherwise]
   */
  readonly curriculumEpochs?: number;
  /**
   * Share of training images showing the push task's episode start (puck at its start positions,
   * arm at its folded start pose: what the camera sees when the robot resets); the rest place the
   * puck uniformly over the perception frame and the arm anywhere. [default: 0: on the emulator a
   * half share moved the mean error from 0.89 to 0.95 cm (moderate) and 1.39 to 2.39 cm (mild)]
   */
  readonly taskStartShare?: number;
  /** Lens, sensor and table randomization on top of the experiment's visuals (false: none). [default: DEFAULT_SENSOR_RANDOMIZATION] */
  readonly sensorRandomization?: SensorRandomization | false;
  /** Start from these weights (fine-tuning) instead of a fresh network. */
  readonly initialWeights?: PuckNetWeights;
  /** Replaces the image look sampler (e.g. textures cut from real images). */
  readonly lookFor?: SimImageOptions['lookFor'];
  /** Model file name in the run folder. [default: perception.onnx or perception-no-randomization.onnx] */
  readonly modelFile?: string;
  readonly signal?: AbortSignal;
  readonly log?: PerceptionLog;
  readonly onProgress?: PerceptionProgress;
}

export interface TrainPerceptionResult {
  readonly modelPath: string;
  readonly report: PerceptionModelReport;
}

export async function trainPerceptionModel(experiment: Experiment, runDir: string, options: TrainPerceptionOptions = {}): Promise<TrainPerceptionResult> {
  await initRapier();
  const samples = options.samples ?? 2000;
  const epochs = options.epochs ?? 9;
  const randomization = options.randomization ?? true;
  const seed = options.seed ?? experiment.seed;
  if (!Number.isInteger(samples) || samples < 16) throw new Error(`samples must be a whole number >= 16, got ${samples}`);
  if (!Number.isInteger(epochs) || epochs < 1) throw new Error(`epochs must be a whole number >= 1, got ${epochs}`);
  const log = options.log ?? (() => undefined);
  const visual = visualSetupOf(experiment);
  const sensor = options.sensorRandomization ?? DEFAULT_SENSOR_RANDOMIZATION;
  const lookFor = options.lookFor ?? ((rng: Rng) => visual.look(rng, randomization, sensor));
  const fresh = options.freshImagesPerEpoch ?? true;
  const taskStartShare = options.taskStartShare ?? 0;
  const curriculumEpochs = randomization && fresh && !options.initialWeights ? options.curriculumEpochs ?? Math.round(epochs / 3) : 0;
  if (!Number.isInteger(curriculumEpochs) || curriculumEpochs < 0) throw new Error(`curriculumEpochs must be a whole number >= 0, got ${curriculumEpochs}`);
  const started = performance.now();
  const renderStart = performance.now();
  const renderEpoch = (epoch: number): LabelledImage[] => {
    const share = curriculumEpochs > 0 ? Math.min(1, epoch / curriculumEpochs) : 1;
    const mixed = (rng: Rng, index: number): ImageLook => (rng.next() < share ? lookFor(rng, index) : visual.look(rng, false));
    return renderSimImages({ count: samples, frame: PERCEPTION_FRAME, lookFor: share < 1 ? mixed : lookFor, taskStartShare, rng: new Rng(deriveSeed(seed, SEED_STREAMS.experiment.perceptionImages, fresh ? 10 + epoch : 0)), signal: options.signal });
  };
  const fixed = fresh ? undefined : renderEpoch(0);
  const test = renderSimImages({ count: 300, frame: PERCEPTION_FRAME, lookFor, taskStartShare, rng: new Rng(deriveSeed(seed, SEED_STREAMS.experiment.perceptionImages, 1)), signal: options.signal });
  log(`rendered ${fixed ? samples + 300 : 300} images (${randomization ? 'visual randomization' : 'nominal look'}) in ${((performance.now() - renderStart) / 1000).toFixed(1)} s${fresh ? `; ${samples} fresh images every epoch${curriculumEpochs > 0 ? `, randomized share rising to 1 over ${curriculumEpochs} epochs` : ''}` : ''}`);
  const init = new Rng(deriveSeed(seed, SEED_STREAMS.experiment.perceptionInit, 0));
  const net = options.initialWeights ? PuckNet.fromWeights(options.initialWeights) : new PuckNet(DEFAULT_SHAPE, PERCEPTION_FRAME, () => init.next());
  const warmupSamples = options.initialWeights || fresh ? options.warmupSamples ?? 0 : options.warmupSamples ?? (randomization ? Math.round(samples / 3) : 0);
  if (warmupSamples > 0) {
    const warm = renderSimImages({ count: warmupSamples, frame: PERCEPTION_FRAME, lookFor: (rng) => visual.look(rng, false), rng: new Rng(deriveSeed(seed, SEED_STREAMS.experiment.perceptionImages, 2)), signal: options.signal });
    const warmResult = trainPuckNet(net, warm, { epochs: 3, decayShare: 0, rng: new Rng(deriveSeed(seed, SEED_STREAMS.experiment.perceptionTraining, 1)), signal: options.signal });
    log(`warm-up on ${warmupSamples} nominal-look images: loss ${warmResult.finalLoss.toExponential(3)}, ${warmResult.seconds.toFixed(0)} s`);
  }
  // a network that already finds the puck (warm-up or fine-tuning) is refined with a smaller step:
  // at 1e-2 the first randomized epoch undid the warm-up (loss 0.44, above the mean predictor's 0.33)
  const refining = warmupSamples > 0 || options.initialWeights !== undefined;
  const result = trainPuckNet(net, fixed ?? renderEpoch, {
    epochs,
    learningRate: refining ? 3e-3 : 1e-2,
    schedule: fresh ? 'cosine' : 'step',
    rng: new Rng(deriveSeed(seed, SEED_STREAMS.experiment.perceptionTraining, 0)),
    signal: options.signal,
    onEpoch: (epoch, loss, seconds) => {
      log(`epoch ${epoch + 1}/${epochs}: loss ${loss.toExponential(3)}, ${seconds.toFixed(0)} s`);
      options.onProgress?.((epoch + 1) / epochs, `epoch ${epoch + 1} of ${epochs}: loss ${loss.toExponential(2)}`);
    },
  });
  const simTest = evaluatePuckNet(net, test);
  log(`sim test images: mean ${simTest.meanCm.toFixed(2)} cm, p95 ${simTest.p95Cm.toFixed(2)} cm`);
  const modelFile = options.modelFile ?? (randomization ? MODEL_FILES.randomized : MODEL_FILES.nominal);
  mkdirSync(runDir, { recursive: true });
  const modelPath = join(runDir, modelFile);
  writeFileSync(modelPath, exportPuckNetOnnx(net, { 'sim2real.task': experiment.task, 'sim2real.visual_randomization': String(randomization) }));
  writeFileSync(weightsFileOf(modelPath), JSON.stringify(net.toWeights()));
  const seconds = (performance.now() - started) / 1000;
  const report = updatePerceptionReport(runDir, experiment.task, modelFile, {
    training: { randomization, samples, epochs, seed, seconds, simTest, warmupSamples, freshImagesPerEpoch: fresh, curriculumEpochs, taskStartShare, sensorRandomization: randomization && sensor !== false },
  });
  log(`trained in ${result.seconds.toFixed(0)} s (${seconds.toFixed(0)} s with rendering): ${modelPath}`);
  return { modelPath, report: report.models.find((m) => m.model === modelFile)! };
}

/** Real camera images with the puck's true position, from the robot (or the reality emulator). */
export interface RealImageSource {
  /** The address the images come from. */
  readonly address: string;
  /** Where the labels come from, said plainly in the report. */
  readonly groundTruth: string;
  take(count: number, signal?: AbortSignal): Promise<LabelledImage[]>;
  close(): Promise<void>;
}

async function onnxErrors(modelPath: string, images: readonly LabelledImage[]): Promise<PositionErrors> {
  const model = await OnnxPuckPerception.load(modelPath);
  try {
    const errors: number[] = [];
    for (let start = 0; start < images.length; start += 32) {
      const batch = images.slice(start, start + 32);
      const estimates = await model.estimate(batch.map((s) => s.image));
      batch.forEach((s, b) => errors.push(Math.hypot(estimates[b]!.x - s.x, estimates[b]!.y - s.y)));
    }
    return summarizeErrors(errors);
  } finally {
    await model.release();
  }
}

export interface EvaluatePerceptionOptions {
  /** [default: 100] */
  readonly images?: number;
  readonly signal?: AbortSignal;
  readonly log?: PerceptionLog;
}

/** Runs the exported model (onnxruntime-node) on real images; merges the errors into perception.json. */
export async function evaluatePerceptionModel(experiment: Experiment, modelPath: string, source: RealImageSource, options: EvaluatePerceptionOptions = {}): Promise<PositionErrors> {
  if (!existsSync(modelPath)) throw new Error(`no perception model at ${modelPath}`);
  const count = options.images ?? 100;
  const images = await source.take(count, options.signal);
  const errors = await onnxErrors(modelPath, images);
  updatePerceptionReport(dirname(modelPath), experiment.task, basename(modelPath), {
    realImages: { errors, source: source.address, groundTruth: source.groundTruth, at: new Date().toISOString() },
  });
  options.log?.(`${errors.images} real images: mean ${errors.meanCm.toFixed(2)} cm, p95 ${errors.p95Cm.toFixed(2)} cm`);
  return errors;
}

export interface AdaptPerceptionOptions {
  /** Unlabelled real images DANN trains on. [default: 200] */
  readonly realImages?: number;
  /** Held-out real images the before/after errors are measured on. [default: 100] */
  readonly evalImages?: number;
  /** Labelled sim images. [default: 2000] */
  readonly simImages?: number;
  /**
   * Share of the sim images showing the push task's episode start, as the real images (taken after
   * resets) do. DANN aligns the feature distributions of the two domains: if the sim images spread
   * the puck and the arm wider than the real ones, the discriminator wins on the positions
   * themselves and the reversed gradient distorts them (Zhao et al. 2019). [default: 1]
   */
  readonly taskStartShare?: number;
  /** [default: 500] */
  readonly steps?: number;
  readonly seed?: number;
  readonly signal?: AbortSignal;
  readonly log?: PerceptionLog;
  readonly onProgress?: PerceptionProgress;
}

export interface AdaptPerceptionResult {
  readonly before: PositionErrors;
  readonly after: PositionErrors;
  readonly adaptedModelPath: string;
}

/** DANN from the model's weights: labelled sim images + unlabelled real ones; before/after on held-out real images. */
export async function adaptPerceptionModel(experiment: Experiment, modelPath: string, source: RealImageSource, options: AdaptPerceptionOptions = {}): Promise<AdaptPerceptionResult> {
  await initRapier();
  const weightsPath = weightsFileOf(modelPath);
  if (!existsSync(weightsPath)) throw new Error(`no weights next to ${modelPath} (expected ${weightsPath}): adapt a model trained by 'sim2real perception train'`);
  const weights = JSON.parse(readFileSync(weightsPath, 'utf8')) as PuckNetWeights;
  const net = PuckNet.fromWeights(weights);
  const runDir = dirname(modelPath);
  const modelFile = basename(modelPath);
  const log = options.log ?? (() => undefined);
  const seed = options.seed ?? experiment.seed;
  const nReal = options.realImages ?? 200;
  const nEval = options.evalImages ?? 100;
  const real = await source.take(nReal + nEval, options.signal);
  const unlabelled = real.slice(0, nReal).map((s) => s.image); // labels dropped: DANN never sees them
  const held = real.slice(nReal);
  const before = await onnxErrors(modelPath, held);
  log(`before adaptation: mean ${before.meanCm.toFixed(2)} cm, p95 ${before.p95Cm.toFixed(2)} cm on ${held.length} held-out real images`);
  const visual = visualSetupOf(experiment);
  const previous = readPerceptionReport(runDir)?.models.find((m) => m.model === modelFile);
  const randomization = previous?.training?.randomization ?? true;
  const simLook = (rng: Rng): ImageLook => visual.look(rng, randomization, previous?.training?.sensorRandomization === false ? false : undefined);
  const taskStartShare = options.taskStartShare ?? 1;
  const sim = renderSimImages({ count: options.simImages ?? 2000, frame: net.frame, lookFor: simLook, taskStartShare, rng: new Rng(deriveSeed(seed, SEED_STREAMS.experiment.adaptationImages, 0)), signal: options.signal });
  const simValidation = renderSimImages({ count: 200, frame: net.frame, lookFor: simLook, taskStartShare, rng: new Rng(deriveSeed(seed, SEED_STREAMS.experiment.adaptationImages, 1)), signal: options.signal });
  const result = adaptPuckNet(net, sim, unlabelled, {
    steps: options.steps ?? 500,
    simValidation,
    rng: new Rng(deriveSeed(seed, SEED_STREAMS.experiment.adaptationTraining, 0)),
    signal: options.signal,
    onProgress: (step, task, domain, accuracy) => {
      options.onProgress?.((step + 1) / (options.steps ?? 500), `DANN step ${step + 1} of ${options.steps ?? 500}`);
      if (step % 100 === 0) log(`dann step ${step}: task ${task.toExponential(2)}, domain ${domain.toFixed(3)}${Number.isNaN(accuracy) ? '' : `, discriminator ${pct(accuracy, 0)}`}`);
    },
  });
  const adaptedModelPath = join(runDir, adaptedModelFileOf(modelFile));
  writeFileSync(adaptedModelPath, exportPuckNetOnnx(net, { 'sim2real.task': experiment.task, 'sim2real.adapted_from': modelFile }));
  writeFileSync(weightsFileOf(adaptedModelPath), JSON.stringify(net.toWeights()));
  const after = await onnxErrors(adaptedModelPath, held);
  if (result.stoppedEarly) log(`dann stopped early: ${result.stoppedEarly}; kept the weights of step ${result.keptStep}`);
  log(`after adaptation: mean ${after.meanCm.toFixed(2)} cm, p95 ${after.p95Cm.toFixed(2)} cm (${result.seconds.toFixed(0)} s)`);
  updatePerceptionReport(runDir, experiment.task, modelFile, {
    adaptation: {
      model: basename(adaptedModelPath),
      before,
      after,
      realImagesUsed: unlabelled.length,
      simImagesUsed: sim.length,
      steps: result.steps,
      keptStep: result.keptStep,
      ...(result.stoppedEarly ? { stoppedEarly: result.stoppedEarly } : {}),
      seconds: result.seconds,
      discriminatorAccuracy: result.finalDiscriminatorAccuracy,
      source: source.address,
      at: new Date().toISOString(),
    },
  });
  return { before, after, adaptedModelPath };
}
