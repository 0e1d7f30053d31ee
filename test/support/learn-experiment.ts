/** A valid `reach` experiment built in code, for trainer tests (the YAML loader is tested elsewhere). */
import type { Experiment, TrainingConfig } from '../../src/engine/config/experiment';

export function reachExperiment(training: Partial<TrainingConfig> = {}, seed = 7): Experiment {
  return {
    name: 'reach-test',
    task: 'reach',
    seed,
    policy: { type: 'mlp', hidden: [], activation: 'tanh', history: 0, observationNormalization: true, observation: 'state' },
    training: {
      algorithm: 'ars',
      maxEnvSteps: 20_000,
      workers: 0,
      directions: 8,
      topDirections: 8,
      stepSize: 0.02,
      explorationNoise: 0.03,
      evalEveryIterations: 5,
      evalEpisodes: 10,
      checkpointEveryIterations: 2,
      targetSuccess: 1.01,
      ...training,
    },
    randomization: [],
    stages: [],
    evaluation: { episodes: 20, maxSteps: 500, randomized: true, realEpisodes: 0 },
  };
}
