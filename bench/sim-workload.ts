/**
 * The timed loops of bench/sim.bench.ts, shared with its worker threads: env control steps on
 * `push` with every physics and dynamics parameter randomized, and raw `world.step()` on the same
 * scene. Actions come from a precomputed table so the policy costs nothing.
 */
import type { Experiment, RandomizationEntry } from '../src/engine/config/experiment';
import { createEnv, type SimEnv } from '../src/engine/sim/simEnv';
import { placeArm } from '../src/engine/sim/tasks/arm';
import { START_JOINT_ANGLES_RAD } from '../src/engine/sim/tasks/startPose';
import { TableScene } from '../src/engine/sim/tasks/tableScene';
import { Rng } from '../src/engine/util/rng';

const r = (name: string, group: RandomizationEntry['group'], range: [number, number], operation: RandomizationEntry['operation'], distribution: RandomizationEntry['distribution'] = 'uniform'): RandomizationEntry => ({
  name, group, distribution, range, operation, size: 1, resample: 'episode',
});

/** Every physics and dynamics parameter of parameters.ts. */
export const FULL_PUSH_RANDOMIZATION: readonly RandomizationEntry[] = [
  r('friction', 'physics', [0.5, 1.5], 'scale'),
  r('restitution', 'physics', [0, 0.3], 'abs'),
  r('object_mass', 'physics', [0.8, 1.2], 'scale'),
  r('link_mass', 'physics', [0.8, 1.2], 'scale'),
  r('linear_damping', 'physics', [0.5, 2], 'scale'),
  r('angular_damping', 'physics', [0.5, 2], 'scale'),
  r('joint_damping', 'physics', [0.5, 2], 'scale'),
  r('table_height', 'physics', [0.73, 0.77], 'abs'),
  r('joint_stiffness', 'dynamics', [0.8, 1.2], 'scale'),
  r('motor_strength', 'dynamics', [0.8, 1.2], 'scale'),
  r('action_delay', 'dynamics', [0, 3], 'abs', 'randint'),
  r('action_timestep', 'dynamics', [0.9, 1.1], 'scale'),
  r('action_noise', 'dynamics', [0.01, 0.05], 'abs'),
  r('observation_noise', 'dynamics', [0, 0.01], 'abs'),
];

export function benchExperiment(): Experiment {
  return {
    name: 'bench-push',
    task: 'push',
    seed: 1,
    policy: { type: 'mlp', hidden: [], activation: 'tanh', history: 0, observationNormalization: false, observation: 'state' },
    training: { algorithm: 'ars', maxEnvSteps: 1, workers: 1, directions: 1, topDirections: 1, stepSize: 0.02, explorationNoise: 0.03, evalEveryIterations: 1, evalEpisodes: 1, checkpointEveryIterations: 1, targetSuccess: 0.95 },
    randomization: FULL_PUSH_RANDOMIZATION,
    stages: [],
    evaluation: { episodes: 1, maxSteps: 150, randomized: true, realEpisodes: 0 },
  };
}

const ACTIONS = (() => {
  const rng = new Rng(99);
  const table = new Float64Array(4096 * 3);
  for (let i = 0; i < table.length; i++) table[i] = rng.uniform(-1, 1);
  return table;
})();

export class EnvLoop {
  private episode = 0;
  private cursor = 0;
  /** Seconds spent inside world.step() and inside resets, when instrumented. */
  physicsS = 0;
  resetS = 0;
  private constructor(readonly env: SimEnv) {
    env.reset(this.episode);
  }

  static async create(solverIterations?: number): Promise<EnvLoop> {
    return new EnvLoop(await createEnv(benchExperiment(), { randomize: true, solverIterations }));
  }

  /**
   * Time the physics and the resets inside the env's own loop (bench only: wraps the scene's
   * step and the env's reset), so the engine's share is measured in the same time window as the
   * total — robust to other jobs slowing the machine between windows. Costs ~0.1 us per call.
   */
  instrument(): void {
    const scene = this.env.scene;
    const step = scene.step.bind(scene);
    scene.step = () => {
      const t0 = performance.now();
      step();
      this.physicsS += (performance.now() - t0) / 1000;
    };
    const env = this.env;
    const reset = env.reset.bind(env);
    env.reset = (seed: number) => {
      const t0 = performance.now();
      reset(seed);
      this.resetS += (performance.now() - t0) / 1000;
    };
  }

  /** Run `steps` control steps (resetting on done, resets included); returns seconds taken. */
  run(steps: number): number {
    const env = this.env;
    const t0 = performance.now();
    for (let k = 0; k < steps; k++) {
      const action = ACTIONS.subarray(this.cursor, this.cursor + 3);
      this.cursor = (this.cursor + 3) % ACTIONS.length;
      if (env.step(action).done) env.reset(++this.episode);
    }
    return (performance.now() - t0) / 1000;
  }
}

/**
 * Joint targets of the raw loops (Rapier and MuJoCo alike): the start pose swept by ±0.5 rad with
 * a 2 s period, so the raw physics moves the arm as the env does instead of resting.
 */
export function sweepTarget(joint: number, step: number): number {
  return START_JOINT_ANGLES_RAD[joint] + 0.5 * Math.sin((2 * Math.PI * step) / 100 + joint);
}

export class RawLoop {
  readonly scene: TableScene;
  private stepIndex = 0;
  /** The env's scene at the given physics step (s) and solver iterations. */
  constructor(timestepS: number, solverIterations?: number) {
    this.scene = new TableScene({ withPuck: true, timestepS, solverIterations });
    placeArm(this.scene.arm, START_JOINT_ANGLES_RAD);
    for (let i = 0; i < 3; i++) this.scene.setJointTarget(i, START_JOINT_ANGLES_RAD[i]);
    this.scene.placePuck(0.4, 0);
  }

  /** `steps` world.step() calls, with new motor targets before each; returns seconds taken. */
  run(steps: number): number {
    const scene = this.scene;
    const world = scene.world;
    const t0 = performance.now();
    for (let k = 0; k < steps; k++) {
      const n = this.stepIndex++;
      for (let j = 0; j < 3; j++) scene.setJointTarget(j, sweepTarget(j, n));
      world.step();
    }
    return (performance.now() - t0) / 1000;
  }
}
