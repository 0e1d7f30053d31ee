/**
 * Evaluate any ONNX policy on a robot at an address the user typed (`sim2real eval --robot`): the
 * flag counts as configured, as the experiment's robot.address does, and nothing else is contacted.
 * Not an engine request: a message can never name an address. The motion authority asks the person
 * at the terminal (or refuses a real robot with nobody to ask); its log goes beside the policy.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { EvaluationReport } from '../evaluate/report';
import { MOTION_LOG_FILE } from '../robot/motionLog';
import { evaluateOnRobot } from '../robot/robotEvaluation';
import { configuredRobotAddresses } from '../robot/robotEnv';
import { loadValidExperiment } from './experimentInput';
import { JobInputError, type Job } from './job';

export interface EvaluatePolicyOnRobotParams {
  readonly file: string;
  readonly policy: string;
  /** The robot's address, as the user gave it. */
  readonly robot: string;
  /** [default: evaluation.real_episodes] */
  readonly episodes?: number;
  readonly seed?: number;
}

export const evaluatePolicyOnRobot: Job<EvaluatePolicyOnRobotParams, EvaluationReport> = async (params, context) => {
  const experiment = loadValidExperiment(params.file, { builtInArmOnly: 'Evaluation on a robot' });
  if (!existsSync(params.policy)) throw new JobInputError(`No such policy file: ${params.policy}`);
  return evaluateOnRobot(params.policy, experiment, params.robot, {
    episodes: params.episodes ?? experiment.evaluation.realEpisodes,
    seed: params.seed ?? experiment.seed,
    allowedAddresses: configuredRobotAddresses(experiment, params.robot),
    signal: context.signal,
    attendance: context.attendance,
    motionLogPath: join(dirname(params.policy), MOTION_LOG_FILE),
  });
};
