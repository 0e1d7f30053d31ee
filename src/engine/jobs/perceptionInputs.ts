/** Checks the perception jobs on a robot share: the experiment, its robot (and only it), the run and its model. */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import * as t from '../../common/schema';
import type { Experiment } from '../config/experiment';
import { MODEL_FILES } from '../perception/perceptionModel';
import { requireRunDir } from '../perception/perceptionWorkerHost';
import { loadValidExperiment } from './experimentInput';
import { JobInputError } from './job';

/** A model file name inside the run folder: a message never names a path to read or write. */
export const modelName = t.string({ max: 200, pattern: /^[A-Za-z0-9][A-Za-z0-9._-]*\.onnx$/ });

/** A run's perception model, measured on the experiment's configured robot (or emulator) camera. */
export const perceptionRobotFields = {
  /** Absolute path of the experiment file; its robot.address is the only address allowed. */
  file: t.string(),
  runDir: t.string(),
  /** Model file name inside runDir [default: perception.onnx]. */
  model: t.optional(modelName),
  /** When given, must equal the configured robot.address. */
  address: t.optional(t.string()),
};

export function atLeast(value: number | undefined, min: number, name: string): void {
  if (value !== undefined && (!Number.isInteger(value) || value < min)) throw new JobInputError(`${name} must be a whole number >= ${min}, got ${value}`);
}

export function robotJobInputs(params: { readonly file: string; readonly runDir: string; readonly model?: string; readonly address?: string }): { experiment: Experiment; address: string; model: string } {
  const experiment = loadValidExperiment(params.file, { builtInArmOnly: 'Perception' });
  const robot = experiment.robot;
  if (!robot) throw new JobInputError(`${params.file} configures no robot: add a robot block (adapter, address, safety) to take camera images.`);
  if (params.address !== undefined && params.address !== robot.address) {
    throw new JobInputError(`Refused: ${params.address} is not the robot address this experiment configures (${robot.address}).`);
  }
  requireRunDir(params.runDir);
  const model = params.model ?? MODEL_FILES.randomized;
  if (!existsSync(join(params.runDir, model))) throw new JobInputError(`${params.runDir} has no perception model ${model}: run Sim2Real: Train Perception Model on it first.`);
  return { experiment, address: robot.address, model };
}

/** A failure on the robot, with a hint where the emulator may simply not be running. */
export function robotFailure(error: unknown, experiment: Experiment): Error {
  const message = error instanceof Error ? error.message : String(error);
  const robot = experiment.robot;
  const hint = robot?.adapter === 'emulator' ? ` Is the reality emulator running there? (npx sim2real emulate${robot.profile ? ` --profile ${robot.profile}` : ''})` : '';
  return (error as { robot?: boolean }).robot ? new Error(`${message}${hint}`) : error instanceof Error ? error : new Error(message);
}
