/**
 * Evaluation on a robot (or the reality emulator): the same evaluator as in sim, over RobotEnv, so
 * every command passes the safety layer and the report has the same shape. The robot's motion
 * authority is asked before every episode: on a real robot a person confirms the emergency stop
 * and starts each episode (or supervised batch); the bundled emulator runs unattended.
 */
import type { Experiment } from '../config/experiment';
import { OnnxPolicy } from '../policy/onnxPolicy';
import { motionAuthorityFor, MotionRefused, type MotionAttendance } from './motionAuthority';
import { connectRobotEnv } from './robotEnv';
import { TASKS } from '../config/taskCatalog';
import type { EvaluationReport } from '../evaluate/report';
import { runEpisodes } from '../evaluate/runEpisodes';

export interface RobotEvaluationOptions {
  readonly episodes: number;
  readonly seed: number;
  /** Addresses the user configured; `url` must be one of them. */
  readonly allowedAddresses: readonly string[];
  readonly signal?: AbortSignal;
  readonly onEpisode?: (index: number) => void;
  readonly eventLogPath?: string;
  /** The person (or why there is none), for the motion authority. */
  readonly attendance: MotionAttendance;
  /** What moves the robot, in the user's words (questions and the motion log). [default: 'sim2real eval --robot'] */
  readonly path?: string;
  /** The motion log (motion-log.jsonl) of this evaluation. */
  readonly motionLogPath?: string;
}

export async function evaluateOnRobot(policyFile: string, experiment: Experiment, url: string, options: RobotEvaluationOptions): Promise<EvaluationReport> {
  const motion = motionAuthorityFor(experiment, url, options.path ?? 'sim2real eval --robot', options.attendance, options.motionLogPath);
  // a real robot with nobody to ask: refused before the policy loads or a socket opens
  motion.preflight();
  const policy = await OnnxPolicy.load(policyFile, TASKS[experiment.task]);
  try {
    const env = await connectRobotEnv(experiment, url, { allowedAddresses: options.allowedAddresses, eventLogPath: options.eventLogPath, motion });
    try {
      let notStarted: string | undefined;
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
        beforeEpisode: async (index) => {
          try {
            await env.permitEpisode(index + 1, options.episodes);
            return undefined;
          } catch (error) {
            // before the first episode nothing ran: the refusal is the answer
            if (!(error instanceof MotionRefused) || index === 0) throw error;
            notStarted = error.message;
            return notStarted;
          }
        },
      });
      if (notStarted !== undefined) return { ...report, halted: `after episode ${report.episodes} of ${options.episodes}: ${notStarted}` };
      return env.lastAbortReason === undefined ? report : { ...report, halted: `after episode ${report.episodes} of ${options.episodes}: ${env.lastAbortReason}` };
    } finally {
      env.dispose();
    }
  } finally {
    await policy.dispose();
  }
}
