/**
 * Where rollouts get their environments: the built-in simulator, or a module that exports
 * `createEnv(experiment, { randomize })` with the same contract (tests use small deterministic
 * envs this way; worker threads load the module by path, so it must be a file, not a closure).
 */
import type { Experiment } from '../config/experiment';
import type { Env } from '../sim/env';
import { loadRobotModel } from '../config/robotModel';
import { createEnv as createSimEnv } from '../sim/simEnv';
import { initRapier } from '../sim/rapier';
import { UrdfReachEnv } from '../sim/urdfReachEnv';

export type EnvFactory = (experiment: Experiment, options: { randomize: boolean }) => Env | Promise<Env>;

export async function loadEnvFactory(envModule?: string): Promise<EnvFactory> {
  if (envModule) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const mod = require(envModule) as { createEnv?: EnvFactory };
    if (typeof mod.createEnv !== 'function') throw new Error(`${envModule} does not export createEnv(experiment, { randomize })`);
    return mod.createEnv;
  }
  return createTaskEnv;
}

/** The experiment's task on its robot: the built-in arm's scene, or `reach` on the URDF arm it names. */
export async function createTaskEnv(experiment: Experiment, options: { randomize: boolean }): Promise<Env> {
  const model = loadRobotModel(experiment);
  if (!model) return createSimEnv(experiment, options);
  await initRapier();
  return new UrdfReachEnv(model);
}
