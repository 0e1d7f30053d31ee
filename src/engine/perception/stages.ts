/**
 * The two perception stages of the progressive-transfer pipeline (runners for
 * src/engine/stages/types.ts):
 *
 * - `sim_real_textures`: take real camera images from the robot (resets only: the arm never moves),
 *   cut the table, puck and background from them (realTextures.ts), and train the perception model
 *   on sim renders wearing those textures under the experiment's visual randomization (fine-tuning
 *   the previous stage's model when there is one). The stage's `episodes` is the number of rendered
 *   training images. Measured on held-out real images; the policy checkpoint is carried through.
 * - `sim_real_images`: fine-tune the policy with ARS in sim where the puck position comes from the
 *   perception model reading renders of the sim state in the real textures (RealImageOverlay), so
 *   the policy learns to act on what the camera pipeline tells it. `episodes` is the ARS budget.
 */
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { train } from '../learn/trainer';
import { carriedState, openStageRun } from '../stages/stageRun';
import type { StageContext, StageOutcome, StageRunner } from '../stages/types';
import { initRapier } from '../sim/rapier';
import { SCENE_NOMINAL } from '../sim/tasks/tableScene';
import type { TextureImage } from '../vision/appearance';
import { nominalCamera } from '../vision/visualSample';
import { perceivedEnvModulePath, type PerceptionLoopExperiment } from './perceivedEnv';
import { evaluatePerceptionModel, MODEL_FILES, trainPerceptionModel, weightsFileOf, type RealImageSource } from './perceptionModel';
import type { PuckNetWeights } from './puckNet';
import { cutRealTextures, withRealTextures } from './realTextures';
import { MOTION_LOG_FILE } from '../robot/motionLog';
import { connectRealImageSource } from './robotImages';
import type { LabelledImage } from './samples';
import { visualSetupOf } from './visualSetup';
import { pct } from '../../common/format';

export const TEXTURES_DIR = 'real-textures';
/** Real images the textures are cut from, and held-out ones the model is measured on. */
const TEXTURE_IMAGES = 40;
const HELD_OUT_IMAGES = 40;

const failed = (message: string): StageOutcome => ({ state: 'failed', message, simEpisodes: 0, realEpisodes: 0, outputs: {} });
const cancelled = (message: string): StageOutcome => ({ state: 'cancelled', message, simEpisodes: 0, realEpisodes: 0, outputs: {} });

function writePng(path: string, texture: TextureImage): void {
  const png = new PNG({ width: texture.width, height: texture.height });
  for (let q = 0; q < texture.width * texture.height; q++) {
    for (let c = 0; c < 3; c++) png.data[4 * q + c] = texture.data[3 * q + c]!;
    png.data[4 * q + 3] = 255;
  }
  writeFileSync(path, PNG.sync.write(png));
}

/** A source that hands out images already taken (the held-out set). */
function fixedSource(address: string, groundTruth: string, images: readonly LabelledImage[]): RealImageSource {
  return { address, groundTruth, take: async (count) => images.slice(0, count), close: async () => undefined };
}

function previousWeights(context: StageContext): PuckNetWeights | undefined {
  const path = context.previousRunDir ? weightsFileOf(join(context.previousRunDir, MODEL_FILES.randomized)) : undefined;
  return path && existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as PuckNetWeights) : undefined;
}

/** Carry the previous stage's policy checkpoint into this stage's run, so the next stage can continue it. */
function carryPolicy(context: StageContext): boolean {
  const { store, resumed } = openStageRun(context.runDir, context.experiment);
  if (resumed && store.latestCheckpoint()) return true;
  const start = carriedState(context.previousRunDir);
  if (!start) return false;
  store.saveCheckpoint(start);
  const policy = context.previousRunDir ? join(context.previousRunDir, 'policy.onnx') : undefined;
  if (policy && existsSync(policy)) copyFileSync(policy, join(context.runDir, 'policy.onnx'));
  return true;
}

export const realTexturesStage: StageRunner = async (context) => {
  const { experiment, stage } = context;
  if (!context.robotAddress) return failed('sim_real_textures needs the robot camera: set robot.address in the experiment');
  mkdirSync(context.runDir, { recursive: true });
  const carried = carryPolicy(context);
  context.onProgress({ fraction: 0, message: `${stage.name}: taking ${TEXTURE_IMAGES + HELD_OUT_IMAGES} camera images` });
  let source: RealImageSource | undefined;
  let real: LabelledImage[];
  try {
    // each image resets the robot: its motion authority asks the person, as for real episodes
    source = await connectRealImageSource(experiment, context.robotAddress, {
      allowedAddresses: [context.robotAddress],
      signal: context.signal,
      attendance: context.attendance,
      path: `pipeline stage '${stage.name}' (${stage.kind}): camera images`,
      motionLogPath: join(context.runDir, MOTION_LOG_FILE),
      plannedImages: TEXTURE_IMAGES + HELD_OUT_IMAGES,
    });
    real = await source.take(TEXTURE_IMAGES + HELD_OUT_IMAGES, context.signal);
  } catch (error) {
    await source?.close();
    if (context.signal.aborted) return cancelled('cancelled while taking camera images');
    return failed(`camera images from ${context.robotAddress}: ${(error as Error).message}`);
  }
  const address = source.address;
  const groundTruth = source.groundTruth;
  await source.close();
  await initRapier();
  const camera = nominalCamera(experiment);
  const textures = cutRealTextures(real.slice(0, TEXTURE_IMAGES), camera, SCENE_NOMINAL.tableHeightM);
  const dir = join(context.runDir, TEXTURES_DIR);
  mkdirSync(dir, { recursive: true });
  writePng(join(dir, 'table.png'), textures.table);
  writePng(join(dir, 'puck.png'), textures.puck);
  writeFileSync(join(dir, 'background.json'), JSON.stringify({ rgb: textures.background, images: textures.images }));
  context.log(`${stage.name}: textures cut from ${textures.images} camera images into ${dir}`);
  const visual = visualSetupOf(experiment);
  try {
    const result = await trainPerceptionModel(experiment, context.runDir, {
      samples: Math.max(64, stage.episodes),
      initialWeights: previousWeights(context),
      lookFor: (rng) => {
        const look = visual.look(rng, true, false); // the cut textures carry the real lens and sensor already
        return { ...look, appearance: withRealTextures(look.appearance, textures) };
      },
      signal: context.signal,
      log: (line) => context.log(`${stage.name}: ${line}`),
    });
    const errors = await evaluatePerceptionModel(experiment, result.modelPath, fixedSource(address, groundTruth, real.slice(TEXTURE_IMAGES)), { images: HELD_OUT_IMAGES });
    return {
      state: 'passed',
      message: `perception model on ${HELD_OUT_IMAGES} held-out camera images: mean ${errors.meanCm.toFixed(2)} cm, p95 ${errors.p95Cm.toFixed(2)} cm${carried ? '' : ' (no policy checkpoint to carry on)'}`,
      simEpisodes: 0,
      realEpisodes: 0,
      outputs: {
        perception: MODEL_FILES.randomized,
        perceptionWeights: weightsFileOf(MODEL_FILES.randomized),
        textures: TEXTURES_DIR,
        ...(carried ? { checkpoints: 'checkpoints' } : {}),
      },
    };
  } catch (error) {
    if (context.signal.aborted) return cancelled('cancelled while training the perception model');
    throw error;
  }
};

export const realImagesStage: StageRunner = async (context) => {
  const { experiment, stage } = context;
  if (experiment.task !== 'push') return failed(`sim_real_images needs a task with a puck to perceive (push), not '${experiment.task}'`);
  const previous = context.previousRunDir;
  const weightsPath = previous ? weightsFileOf(join(previous, MODEL_FILES.randomized)) : undefined;
  if (!weightsPath || !existsSync(weightsPath)) {
    return failed('sim_real_images needs a perception model from the stage before it: put a sim_real_textures stage first');
  }
  const texturesDir = previous && existsSync(join(previous, TEXTURES_DIR, 'table.png')) ? join(previous, TEXTURES_DIR) : undefined;
  const loopExperiment: PerceptionLoopExperiment = { ...experiment, perceptionLoop: { weightsPath, ...(texturesDir ? { texturesDir } : {}) } };
  // the run's snapshot is what train() resumes with, so it must carry the perception loop
  const { store, resumed } = openStageRun(context.runDir, loopExperiment);
  if (!resumed) {
    const start = carriedState(previous);
    if (!start) return failed(`the previous stage (${previous}) left no policy checkpoint to fine-tune`);
    store.saveCheckpoint(start);
  }
  const result = await train(loopExperiment, {
    runDir: context.runDir,
    resume: true,
    signal: context.signal,
    maxEpisodes: stage.episodes,
    envModule: perceivedEnvModulePath(),
    onEvent: (event) => {
      if (event.type === 'progress') {
        context.onProgress({ fraction: Math.min(1, event.episodes / Math.max(1, stage.episodes)), message: `${stage.name}: ${event.episodes} of ${stage.episodes} episodes (puck from the camera), success ${pct(event.successRate, 0)}` });
      }
    },
  });
  const episodes = store.latestCheckpoint()?.episodes ?? 0;
  if (result.status === 'cancelled') return { ...cancelled(`cancelled after ${episodes} episodes; resumes from its last checkpoint`), simEpisodes: episodes };
  const sim = result.evaluation;
  return {
    state: 'passed',
    message: `policy fine-tuned on the perception model's puck estimates for ${episodes} episodes; sim success ${sim ? pct(sim.success_rate, 0) : 'not measured'}`,
    ...(sim ? { simSuccess: sim.success_rate } : {}),
    simEpisodes: episodes,
    realEpisodes: 0,
    outputs: { policy: 'policy.onnx', checkpoints: 'checkpoints', perceptionWeights: weightsPath },
  };
};
