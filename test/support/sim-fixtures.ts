/** Experiments for the sim tests: the example's full randomization, or none. */
import type { Experiment, RandomizationEntry } from '../../src/engine/config/experiment';
import type { TaskName } from '../../src/engine/config/taskCatalog';
import { createEnv } from '../../src/engine/sim/simEnv';
import { Rng } from '../../src/engine/util/rng';

function entry(partial: Partial<RandomizationEntry> & Pick<RandomizationEntry, 'name' | 'group' | 'distribution' | 'operation'>): RandomizationEntry {
  return { size: 1, resample: 'episode', ...partial };
}

/** The example randomization of push (friction, mass, restitution, damping, gains, delay, noise). */
export const EXAMPLE_RANDOMIZATION: readonly RandomizationEntry[] = [
  entry({ name: 'friction', group: 'physics', distribution: 'uniform', range: [0.5, 1.5], operation: 'scale' }),
  entry({ name: 'object_mass', group: 'physics', distribution: 'uniform', range: [0.8, 1.2], operation: 'scale' }),
  entry({ name: 'restitution', group: 'physics', distribution: 'uniform', range: [0, 0.3], operation: 'abs' }),
  entry({ name: 'linear_damping', group: 'physics', distribution: 'uniform', range: [0.5, 2.0], operation: 'scale' }),
  entry({ name: 'angular_damping', group: 'physics', distribution: 'uniform', range: [0.5, 2.0], operation: 'scale' }),
  entry({ name: 'joint_damping', group: 'physics', distribution: 'uniform', range: [0.5, 2.0], operation: 'scale' }),
  entry({ name: 'joint_stiffness', group: 'dynamics', distribution: 'uniform', range: [0.8, 1.2], operation: 'scale' }),
  entry({ name: 'action_delay', group: 'dynamics', distribution: 'randint', range: [0, 3], operation: 'abs' }),
  entry({ name: 'action_noise', group: 'dynamics', distribution: 'uniform', range: [0.01, 0.05], operation: 'abs' }),
];

/** Every physics and dynamics parameter at once, plus two visual ones (stored for the renderer). */
export const FULL_RANDOMIZATION: readonly RandomizationEntry[] = [
  ...EXAMPLE_RANDOMIZATION,
  entry({ name: 'link_mass', group: 'physics', distribution: 'uniform', range: [0.8, 1.2], operation: 'scale' }),
  entry({ name: 'table_height', group: 'physics', distribution: 'uniform', range: [0.73, 0.77], operation: 'abs' }),
  entry({ name: 'motor_strength', group: 'dynamics', distribution: 'uniform', range: [0.8, 1.2], operation: 'scale' }),
  entry({ name: 'action_timestep', group: 'dynamics', distribution: 'uniform', range: [0.9, 1.1], operation: 'scale' }),
  entry({ name: 'observation_noise', group: 'dynamics', distribution: 'uniform', range: [0, 0.005], operation: 'abs' }),
  entry({ name: 'object_color', group: 'visuals', distribution: 'uniform', range: [0, 1], operation: 'abs', size: 3 }),
  entry({ name: 'light_intensity', group: 'visuals', distribution: 'uniform', range: [0.5, 1.5], operation: 'scale' }),
];

export function experimentFor(task: TaskName, randomization: readonly RandomizationEntry[] = [], seed = 7): Experiment {
  return {
    name: `sim-test-${task}`,
    task,
    seed,
    policy: { type: 'mlp', hidden: [], activation: 'tanh', history: 0, observationNormalization: true, observation: 'state' },
    training: {
      algorithm: 'ars', maxEnvSteps: 1, workers: 1, directions: 1, topDirections: 1, stepSize: 0.02,
      explorationNoise: 0.03, evalEveryIterations: 1, evalEpisodes: 1, checkpointEveryIterations: 1, targetSuccess: 0.95,
    },
    randomization,
    stages: [],
    evaluation: { episodes: 1, maxSteps: 150, randomized: true, realEpisodes: 0 },
  };
}

/**
 * Run episodes with a fixed pseudo-random action sequence and return every observation, reward
 * and termination as one Float64Array (bitwise comparison of whole runs).
 */
export async function traceRun(task: TaskName, seed: number, episodeSeeds: readonly number[], steps: number): Promise<Float64Array> {
  const env = await createEnv(experimentFor(task, FULL_RANDOMIZATION, seed), { randomize: true });
  const out: number[] = [];
  const action = new Float64Array(env.actionSize);
  for (const episodeSeed of episodeSeeds) {
    // actions depend on the episode alone, so an episode's trace can be compared across runs
    const actions = new Rng(episodeSeed ^ 0x5eed);
    env.reset(episodeSeed);
    out.push(...env.observation);
    for (let t = 0; t < steps; t++) {
      for (let i = 0; i < action.length; i++) action[i] = actions.uniform(-1, 1);
      const r = env.step(action);
      out.push(...env.observation, r.reward, r.done ? 1 : 0);
      if (r.done) break;
    }
  }
  env.dispose();
  return Float64Array.from(out);
}
