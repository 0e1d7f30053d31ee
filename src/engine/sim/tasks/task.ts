/**
 * A task is data plus a few pure functions (STYLE habit 12): which scene it needs, how an episode
 * starts, what the policy observes, the reward and the success test. The env owns the world and
 * the randomization; the emulator can reuse the same scene and observation code.
 */
import type { TaskInfo } from '../../config/taskCatalog';
import type { Rng } from '../../util/rng';
import type { TableScene } from './tableScene';

/** Where an episode starts; reused between episodes (written in place). */
export interface EpisodeStart {
  readonly jointAnglesRad: Float64Array;
  /** Puck start on the table, m (push only). */
  readonly puckXY: Float64Array;
  /** Goal (push) or target (reach) on the table plane, m. */
  readonly goalXY: Float64Array;
}

export function newEpisodeStart(): EpisodeStart {
  return { jointAnglesRad: new Float64Array(3), puckXY: new Float64Array(2), goalXY: new Float64Array(2) };
}

export interface ObservationLayout {
  readonly jointPosition: number;
  readonly jointVelocity: number;
  readonly tip: number;
  readonly objectPosition?: number;
  readonly objectVelocity?: number;
}

export interface TaskDefinition {
  readonly info: TaskInfo;
  readonly withPuck: boolean;
  /** Control period, s (the nominal action_timestep). */
  readonly controlPeriodS: number;
  /** Physics steps per control step. */
  readonly decimation: number;
  /** Largest joint-target change per control step for an action of +-1, rad. */
  readonly maxTargetStepRad: number;
  /**
   * Where the sensed quantities sit in the observation (indices of their first entry): the arm's
   * joint angles, joint velocities and fingertip xy, and the tracked object's xy and velocity xy
   * (push). The simulator's sensor model (sensing.ts) and the robot's episodes fill these.
   */
  readonly observationLayout: ObservationLayout;
  /** Draw the episode's start (only from rng). */
  sampleStart(rng: Rng, start: EpisodeStart): void;
  /** The true (noise-free) observation of the scene, in catalog order. */
  observe(scene: TableScene, start: EpisodeStart, out: Float64Array): void;
  /** Reward for the control step that produced this (noise-free) observation. */
  reward(observation: Float64Array): number;
  success(observation: Float64Array): boolean;
}
