/**
 * An ONNX policy (ours or foreign) on the experiment's task in sim: `sim2real eval`, Evaluate in Sim,
 * a training run's final evaluation, a pipeline stage's.
 */
import type { Experiment } from '../config/experiment';
import { taskInfoFor } from '../config/robotModel';
import { OnnxPolicy } from '../policy/onnxPolicy';
import { loadEnvFactory } from './envFactory';
import type { EvaluationReport } from './report';
import { runEpisodes } from './runEpisodes';

export interface EvaluateOnnxOptions {
  readonly episodes: number;
  readonly seed: number;
  readonly randomized: boolean;
  readonly signal?: AbortSignal;
  readonly envModule?: string;
  readonly onEpisode?: (index: number) => void;
}

export async function evaluateOnnxPolicy(file: string, experiment: Experiment, options: EvaluateOnnxOptions): Promise<EvaluationReport> {
  const task = taskInfoFor(experiment);
  const policy = await OnnxPolicy.load(file, task);
  const createEnv = await loadEnvFactory(options.envModule);
  const env = await createEnv(experiment, { randomize: options.randomized });
  try {
    return await runEpisodes(env, policy, {
      episodes: options.episodes,
      seed: options.seed,
      maxSteps: experiment.evaluation.maxSteps,
      randomized: options.randomized,
      task: experiment.task,
      policy: file,
      ...(options.signal ? { signal: options.signal } : {}),
      ...(options.onEpisode ? { onEpisode: options.onEpisode } : {}),
    });
  } finally {
    env.dispose();
    await policy.dispose();
  }
}
