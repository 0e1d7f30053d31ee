/**
 * Gear backlash as a play (hysteresis) operator on the joint position target: the output only moves
 * once the input has crossed the dead band, so after a reversal the joint lags the command by up to
 * half the band. Classic model of gear play; per joint, no allocation.
 */
export class Backlash {
  private readonly output: Float64Array;

  /** `bandRad`: total dead band per joint, rad (0 = no backlash). */
  constructor(private readonly bandRad: readonly number[]) {
    this.output = new Float64Array(bandRad.length);
  }

  /** Start with the output exactly at `q` (after a reset the gears rest engaged there). */
  reset(q: ArrayLike<number>): void {
    for (let i = 0; i < this.output.length; i++) this.output[i] = q[i];
  }

  /** One joint's output at `q` (it leaves effort mode engaged where it stands). */
  resetJoint(i: number, q: number): void {
    this.output[i] = q;
  }

  /** The target the joint really tracks when the motor side is commanded to `input`. */
  apply(i: number, input: number): number {
    const half = this.bandRad[i] / 2;
    let y = this.output[i];
    if (input - y > half) y = input - half;
    else if (y - input > half) y = input + half;
    this.output[i] = y;
    return y;
  }
}
