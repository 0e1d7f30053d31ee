/**
 * Test double for the trainer: a 3-D point mass steered to a random target, with the `reach` task's
 * sizes (10 observations, 3 actions) so an experiment for `reach` drives it. Deterministic per
 * episode seed; with randomization the mass varies x[0.5, 2] and observations get noise.
 * Observation: position (3), velocity (3), target (3), time left (1). Action: force per axis.
 */
import type { Experiment } from '../../src/engine/config/experiment';
import type { Env, EpisodeSample, StepResult } from '../../src/engine/sim/env';
import { Rng } from '../../src/engine/util/rng';

const DT = 0.05;
const MAX_STEPS = 100;
const SUCCESS_DISTANCE = 0.05;

export function createEnv(_experiment: Experiment, options: { randomize: boolean }): Env {
  const position = new Float64Array(3);
  const velocity = new Float64Array(3);
  const target = new Float64Array(3);
  const observation = new Float64Array(10);
  const result: StepResult = { reward: 0, done: false, success: false, termination: 'none' };
  let mass = 1;
  let steps = 0;
  let rng = new Rng(0);
  const sample: EpisodeSample = {};

  const observe = (): void => {
    const noise = options.randomize ? 0.005 : 0;
    for (let i = 0; i < 3; i++) {
      observation[i] = position[i]! + (noise ? rng.gaussian(0, noise) : 0);
      observation[3 + i] = velocity[i]!;
      observation[6 + i] = target[i]!;
    }
    observation[9] = 1 - steps / MAX_STEPS;
  };

  return {
    observationSize: 10,
    actionSize: 3,
    maxEpisodeSteps: MAX_STEPS,
    observation,
    sample,
    reset(episodeSeed: number): void {
      rng = new Rng(episodeSeed);
      for (let i = 0; i < 3; i++) {
        position[i] = rng.uniform(-0.5, 0.5);
        velocity[i] = 0;
        target[i] = rng.uniform(-0.5, 0.5);
      }
      mass = options.randomize ? rng.uniform(0.5, 2) : 1;
      sample.mass = mass;
      steps = 0;
      observe();
    },
    step(action: ArrayLike<number>): StepResult {
      let distance = 0;
      for (let i = 0; i < 3; i++) {
        const force = Math.max(-1, Math.min(1, action[i]!));
        velocity[i] = velocity[i]! * 0.95 + (DT * force * 4) / mass;
        position[i] = position[i]! + DT * velocity[i]!;
        distance += (position[i]! - target[i]!) ** 2;
      }
      distance = Math.sqrt(distance);
      steps += 1;
      result.success = distance < SUCCESS_DISTANCE;
      result.reward = -distance + (result.success ? 10 : 0);
      result.done = result.success || steps >= MAX_STEPS;
      result.termination = result.success ? 'success' : result.done ? 'timeout' : 'none';
      observe();
      return result;
    },
    dispose(): void {},
  };
}
