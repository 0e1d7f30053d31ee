/**
 * Evaluation on a robot (or the reality emulator): the same evaluator as in sim, over RobotEnv, so
 * every command passes the safety layer and the report has the same shape.
 */
import type { Experiment } from '../config/experiment';
import { OnnxPolicy } from '../learn/onnxPolicy';
import { connectRobotEnv } from '../robot/robotEnv';
import { TASKS } from '../config/taskCatalog';
import type { EvaluationReport } from './report';
import { runEpisodes } from './runEpisodes';

export interface RobotEvaluationOptions {
  readonly episodes: number;
  readonly seed: number;
  /** Addresses the user configured; `url` must be one of them. */
  readonly allowedAddresses: readonly string[];
  readonly signal?: AbortSignal;
  readonly onEpisode?: (index: number) => void;
  readonly eventLogPath?: string;
}

export async function evaluateOnRobot(policyFile: string, experiment: Experiment, url: string, options: RobotEvaluationOptions): Promise<EvaluationReport> {
  const policy = await OnnxPolicy.load(policyFile, TASKS[experiment.task]);
  try {
    const env = await connectRobotEnv(experiment, url, { allowedAddresses: options.allowedAddresses, eventLogPath: options.eventLogPath });
    try {
      // After an aborted episode the robot stays halted until a person re-arms it: the evaluation
      // ends there and says why, rather than counting episodes that could not start as failures.
      const report = await runEpisodes(env, policy, {
        episodes: options.episodes,
        seed: options.seed,
        maxSteps: experiment.evaluation.maxSteps,
        randomized: false,
        task: experiment.task,
        policy: policyFile,
        ...(options.signal ? { signal: options.signal } : {}),
        ...(options.onEpisode ? { onEpisode: options.onEpisode } : {}),
        haltReason: () => env.lastAbortReason,
      });
      return env.lastAbortReason === undefined ? report : { ...report, halted: `after episode ${report.episodes} of ${options.episodes}: ${env.lastAbortReason}` };
    } finally {
      env.dispose();
    }
  } finally {
    await policy.dispose();
  }
}
