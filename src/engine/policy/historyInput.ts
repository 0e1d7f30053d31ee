/**
 * Builds a policy's input vector from the current observation plus the last k observations and
 * actions (layout in policySpec.ts). Memory lets a policy infer unobserved dynamics such as
 * friction or action delay from how the state responded to its last commands.
 */
import { inputSizeOf } from './policySpec';

export class HistoryInput {
  /** The input vector, rebuilt in place by build(). */
  readonly input: Float64Array;
  private readonly pastObservations: Float64Array;
  private readonly pastActions: Float64Array;

  constructor(
    readonly observationSize: number,
    readonly actionSize: number,
    readonly history: number,
  ) {
    this.input = new Float64Array(inputSizeOf({ observationSize, actionSize, history }));
    this.pastObservations = new Float64Array(observationSize * history);
    this.pastActions = new Float64Array(actionSize * history);
  }

  /**
   * Start an episode. Past observations repeat the first one (the robot was at rest there) and past
   * actions are zero, so the first input looks like a robot that has been standing still.
   */
  reset(firstObservation: ArrayLike<number>): void {
    for (let j = 0; j < this.history; j++) {
      for (let i = 0; i < this.observationSize; i++) this.pastObservations[j * this.observationSize + i] = firstObservation[i]!;
    }
    this.pastActions.fill(0);
  }

  /** The input for the current observation. */
  build(observation: ArrayLike<number>): Float64Array {
    const { input, observationSize: o, history: k } = this;
    for (let i = 0; i < o; i++) input[i] = observation[i]!;
    input.set(this.pastObservations, o);
    input.set(this.pastActions, o * (k + 1));
    return input;
  }

  /** Remember the observation just used and the action taken on it (newest first). */
  record(observation: ArrayLike<number>, action: ArrayLike<number>): void {
    const { observationSize: o, actionSize: a, history: k } = this;
    if (k === 0) return;
    this.pastObservations.copyWithin(o, 0, o * (k - 1));
    for (let i = 0; i < o; i++) this.pastObservations[i] = observation[i]!;
    this.pastActions.copyWithin(a, 0, a * (k - 1));
    for (let i = 0; i < a; i++) this.pastActions[i] = action[i]!;
  }
}
