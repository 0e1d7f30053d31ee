/**
 * A fixed-capacity delay line for actions: what goes in at control step t comes out at step
 * t + delaySteps. Before the first action arrives the motors receive zeros (hold the target).
 */
export class ActionDelayLine {
  private readonly buffer: Float64Array;
  private readonly capacitySteps: number;
  private head = 0;
  private delaySteps = 0;

  constructor(
    private readonly actionSize: number,
    maxDelaySteps: number,
  ) {
    this.capacitySteps = maxDelaySteps + 1;
    this.buffer = new Float64Array(this.capacitySteps * actionSize);
  }

  /** Empty the line and set its delay (0 = pass straight through). */
  reset(delaySteps: number): void {
    this.setDelay(delaySteps);
    this.buffer.fill(0);
    this.head = 0;
  }

  /** Change the delay mid-episode, keeping what is queued (a shorter delay skips some actions). */
  setDelay(delaySteps: number): void {
    if (!Number.isInteger(delaySteps) || delaySteps < 0 || delaySteps >= this.capacitySteps) {
      throw new Error(`action delay ${delaySteps} is outside 0..${this.capacitySteps - 1} control steps`);
    }
    this.delaySteps = delaySteps;
  }

  /** Push this step's action and write the action due now into out. */
  push(action: ArrayLike<number>, out: Float64Array): void {
    const n = this.actionSize;
    const write = this.head * n;
    for (let i = 0; i < n; i++) this.buffer[write + i] = action[i];
    let readSlot = this.head - this.delaySteps;
    if (readSlot < 0) readSlot += this.capacitySteps;
    const read = readSlot * n;
    for (let i = 0; i < n; i++) out[i] = this.buffer[read + i];
    this.head = this.head + 1 === this.capacitySteps ? 0 : this.head + 1;
  }
}
