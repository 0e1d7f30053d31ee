/**
 * The interface between a simulated (or real) task and everything that learns from or evaluates it.
 * One contract for sim and robot, so the evaluator and the trainer never know which they drive.
 */

/** Why an episode ended early. */
export type Termination = 'none' | 'success' | 'timeout' | 'exploded' | 'aborted';

/** Written in place by step(): no allocation per step. */
export interface StepResult {
  reward: number;
  done: boolean;
  success: boolean;
  termination: Termination;
}

/** The randomized values drawn for the current episode, by parameter name (vectors as arrays). */
export type EpisodeSample = Record<string, number | string | number[]>;

export interface Env {
  readonly observationSize: number;
  /** Actions are normalized to [-1, 1] per dimension. */
  readonly actionSize: number;
  readonly maxEpisodeSteps: number;
  /** The current observation (noise applied), updated in place by reset() and step(). */
  readonly observation: Float64Array;
  /** The parameter values drawn at the last reset (for reports and the renderer). */
  readonly sample: EpisodeSample;
  /** Start an episode; every random draw of the episode derives from episodeSeed. */
  reset(episodeSeed: number): void;
  step(action: ArrayLike<number>): StepResult;
  dispose(): void;
}
