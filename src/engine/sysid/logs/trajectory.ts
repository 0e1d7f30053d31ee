/**
 * A logged joint trajectory, whatever file it came from: joint states at their sample times and
 * the commands sent to the joints at theirs. Both streams are sorted in time; a command stays in
 * force until the next one (zero-order hold), as a ros2_control forward controller holds it.
 */

export type CommandKind = 'effort' | 'position';

export interface JointTrajectory {
  /** Joint names, in the experiment's joint order. */
  readonly joints: readonly string[];
  /** Joint-state sample times, s, strictly increasing. */
  readonly timeS: Float64Array;
  /** Per joint: positions at `timeS`, rad. */
  readonly positionRad: readonly Float64Array[];
  /** Per joint: velocities at `timeS`, rad/s, when the log has them. */
  readonly velocityRadPerS?: readonly Float64Array[];
  /**
   * Per joint: measured joint torque at `timeS`, N·m, when the log has it (JointState.effort): the
   * torque the motor really applied over the sample period ending there, after gain error,
   * saturation and backlash, which the command alone does not show.
   */
  readonly effortNm?: readonly Float64Array[];
  readonly command: {
    readonly kind: CommandKind;
    /** Command times, s, strictly increasing. */
    readonly timeS: Float64Array;
    /** Per joint: N·m for effort commands, rad for position commands. */
    readonly values: readonly Float64Array[];
  };
}

/** Bad input in a log: the message names the file and, where it can, the line, column, topic or joint. */
export class LogError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LogError';
  }
}

/** Throws unless `times` strictly increase; `where(i)` names sample i (a CSV line, an MCAP message). */
export function checkIncreasing(times: Float64Array, what: string, where: (i: number) => string): void {
  for (let i = 1; i < times.length; i++) {
    if (times[i] === times[i - 1]) throw new LogError(`${where(i)}: duplicate ${what} timestamp ${times[i]} s (same as the previous sample)`);
    if (times[i]! < times[i - 1]!) throw new LogError(`${where(i)}: ${what} timestamps are not sorted: ${times[i]} s comes after ${times[i - 1]} s`);
  }
}

/** Seconds per unit of a log's time column. */
export const TIME_UNIT_S = { s: 1, ms: 1e-3, us: 1e-6, ns: 1e-9 } as const;
export type TimeUnit = keyof typeof TIME_UNIT_S;
