/**
 * Evaluate a run's policy on the experiment's robot (VS Code's Evaluate on Robot): eval-real.json
 * and, with a sim evaluation beside it, report.json. The robot is the one the experiment
 * configures: an address passed along must be that one, so a run can never be pointed at another
 * machine from a message. The person answers the motion authority (on a real robot: the emergency
 * stop, then each episode's start); its decisions go to the run's motion-log.jsonl.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import * as t from '../../common/schema';
import type { EvaluationReport } from '../evaluate/report';
import type { GapReport } from '../reports/gapReport';
import { writeGapReport } from '../reports/runReport';
import { MOTION_LOG_FILE } from '../robot/motionLog';
import { evaluateOnRobot as runOnRobot } from '../robot/robotEvaluation';
import { REAL_EVALUATION_FILE, type RealEvaluationRecord } from '../runs/runStore';
import { writeJsonAtomic } from '../util/atomicFile';
import { loadValidExperiment } from './experimentInput';
import { JobInputError, type Job } from './job';
import { runPolicy } from './runFolder';

export const evaluateOnRobotParams = t.object({
  /** Absolute path of the experiment file; its robot.address is the only address allowed. */
  file: t.string(),
  /** The run folder: its policy.onnx runs, and eval-real.json (and report.json) are written there. */
  runDir: t.string(),
  /** When given, must equal the configured robot.address (a second check, not a way to pick another). */
  address: t.optional(t.string()),
  /** [default: evaluation.real_episodes] */
  episodes: t.optional(t.id()),
});
export type EvaluateOnRobotParams = t.Infer<typeof evaluateOnRobotParams>;

export interface EvaluateOnRobotResult {
  readonly real: EvaluationReport;
  readonly report?: GapReport;
}

export const evaluateOnRobot: Job<EvaluateOnRobotParams, EvaluateOnRobotResult> = async (params, context) => {
  const experiment = loadValidExperiment(params.file, { builtInArmOnly: 'Evaluation on a robot' });
  const robot = experiment.robot;
  if (!robot) throw new JobInputError(`${params.file} configures no robot: add a robot block (adapter, address, safety) first.`);
  if (params.address !== undefined && params.address !== robot.address) {
    throw new JobInputError(`Refused: ${params.address} is not the robot address this experiment configures (${robot.address}).`);
  }
  const policy = runPolicy(params.runDir);
  const episodes = params.episodes ?? experiment.evaluation.realEpisodes;
  if (episodes < 1) throw new JobInputError('evaluation.real_episodes is 0: set how many real episodes to run.');
  context.progress({ fraction: 0, message: `connecting to ${robot.address}` });
  let real: EvaluationReport;
  try {
    real = await runOnRobot(policy, experiment, robot.address, {
      episodes,
      seed: experiment.seed,
      allowedAddresses: [robot.address],
      signal: context.signal,
      eventLogPath: join(params.runDir, 'robot-events.jsonl'),
      attendance: context.attendance,
      path: 'Evaluate on Robot',
      motionLogPath: join(params.runDir, MOTION_LOG_FILE),
      onEpisode: (index) => context.progress({ fraction: (index + 1) / episodes, message: `real episode ${index + 1} of ${episodes} on ${robot.address}` }),
    });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const hint = robot.adapter === 'emulator' ? ` Is the reality emulator running there? (npx sim2real emulate${robot.profile ? ` --profile ${robot.profile}` : ''})` : '';
    throw Object.assign(new Error(`${message}${hint}`), { name: error instanceof Error ? error.name : 'Error' });
  }
  const record: RealEvaluationRecord = { report: real, address: robot.address, ...(robot.profile ? { profile: robot.profile } : {}) };
  writeJsonAtomic(join(params.runDir, REAL_EVALUATION_FILE), record);
  // the report needs a sim evaluation too; without one the real figures still stand on their own
  const report = existsSync(join(params.runDir, 'eval.json')) ? writeGapReport(params.runDir) : undefined;
  return { real, ...(report ? { report } : {}) };
};
