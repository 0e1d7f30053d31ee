/**
 * Train the puck perception model on rendered sim images (perception.onnx and perception.json),
 * into a run next to its policy or into a run of its own. In a worker thread; whole or not at all.
 */
import { mkdirSync, mkdtempSync, renameSync, rmSync } from 'node:fs';
import { basename, join } from 'node:path';
import * as t from '../../common/schema';
import { engineVersions } from '../learn/trainer';
import { MODEL_FILES, weightsFileOf, type TrainPerceptionResult } from '../perception/perceptionModel';
import type { PerceptionTraining } from '../perception/perceptionReport';
import { claim, freeRunDir, publish, requireRunDir, runInWorker, stage } from '../perception/perceptionWorkerHost';
import type { RunRecord } from '../runs/runStore';
import { writeJsonAtomic } from '../util/atomicFile';
import { loadValidExperiment } from './experimentInput';
import type { Job } from './job';
import { atLeast } from './perceptionInputs';

export const perceptionTrainParams = t.object({
  /** Absolute path of the experiment file. */
  file: t.string(),
  /** Train into this run folder (next to its policy); without it a new run is made under `<runsDir>/<experiment>/`. */
  runDir: t.optional(t.string()),
  runsDir: t.string(),
  /** Labelled sim images [default: 3000]. */
  samples: t.optional(t.id()),
  /** [default: 6] */
  epochs: t.optional(t.id()),
  /** Draw the images' look from the experiment's visuals [default: true]. */
  randomization: t.optional(t.boolean()),
  seed: t.optional(t.id()),
});
export type PerceptionTrainParams = t.Infer<typeof perceptionTrainParams>;

export interface PerceptionTrainResult {
  /** 'cancelled': nothing was written (a new run's folder is removed). */
  readonly status: 'completed' | 'cancelled';
  readonly runDir: string;
  readonly modelPath?: string;
  readonly training?: PerceptionTraining;
}

export const perceptionTrain: Job<PerceptionTrainParams, PerceptionTrainResult> = async (params, context) => {
  const experiment = loadValidExperiment(params.file, { builtInArmOnly: 'Perception' });
  atLeast(params.samples, 16, 'samples');
  atLeast(params.epochs, 1, 'epochs');
  const seed = params.seed ?? experiment.seed;
  const randomization = params.randomization ?? true;
  const modelFile = randomization ? MODEL_FILES.randomized : MODEL_FILES.nominal;
  const started = new Date();
  const existing = params.runDir;
  if (existing !== undefined) requireRunDir(existing);
  const experimentDir = join(params.runsDir, experiment.name);
  mkdirSync(experimentDir, { recursive: true });
  // a new run is staged beside the runs (no run.json, so the tree skips it) and renamed into place
  const release = existing !== undefined ? claim(existing) : () => undefined;
  const staging = existing !== undefined ? stage(existing, []) : mkdtempSync(join(experimentDir, '.perception-'));
  try {
    context.log(`training the perception model ${modelFile} for ${existing ?? `a new run under ${experimentDir}`}`);
    const outcome = await runInWorker<TrainPerceptionResult>(
      experiment,
      { kind: 'train', dir: staging, samples: params.samples, epochs: params.epochs, randomization, seed },
      context.signal,
      context.progress,
      context.log,
    );
    if (outcome.status === 'cancelled') return { status: 'cancelled', runDir: existing ?? experimentDir };
    let runDir: string;
    if (existing !== undefined) {
      publish(staging, existing, [modelFile, basename(weightsFileOf(modelFile))]);
      runDir = existing;
    } else {
      runDir = freeRunDir(experimentDir, seed);
      const now = new Date().toISOString();
      const record: RunRecord = {
        format: 1,
        runId: basename(runDir),
        experimentName: experiment.name,
        task: experiment.task,
        seed,
        status: 'completed',
        createdAt: started.toISOString(),
        updatedAt: now,
        versions: engineVersions(),
        experiment,
      };
      writeJsonAtomic(join(staging, 'run.json'), record);
      renameSync(staging, runDir);
    }
    return { status: 'completed', runDir, modelPath: join(runDir, modelFile), ...(outcome.result.report.training ? { training: outcome.result.report.training } : {}) };
  } finally {
    rmSync(staging, { recursive: true, force: true });
    release();
  }
};
