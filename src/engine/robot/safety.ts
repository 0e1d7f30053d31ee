/**
 * The safety layer: every joint command passes `checkCommand` before it leaves the engine. Pure: the
 * caller supplies the last measured joint state and the last command sent, and gets back either the
 * command to send (clipped and speed-limited) or the violation that must trigger a protective stop.
 *
 * Two kinds of limit:
 * - limits on what we ask (position range, rate of change, commanded speed): clipped when
 *   `clipActions` is on, violations otherwise;
 * - limits on what the robot does or would do (measured position, velocity, effort, commanded tip
 *   outside the workspace, non-finite numbers): always violations, because clipping cannot make
 *   them safe.
 *
 * The speed limit for the first episodes of a session (x0.5 for 3 episodes in the seed workflow:
 * a human watches the first runs at reduced speed) scales the commanded speed and step size.
 */
import type { SafetyConfig } from '../config/experiment';

export type SafetyLimit =
  | 'non_finite'
  | 'command_size'
  | 'joint_position_limit'
  | 'joint_velocity_limit'
  | 'effort_limit'
  | 'rate_of_change_limit'
  | 'speed_limit'
  | 'workspace_limit';

export interface SafetyViolation {
  readonly limit: SafetyLimit;
  /** The joint concerned, when one is. */
  readonly joint?: string;
  readonly value: number | readonly number[];
  /** The bound that was crossed: a number, or [low, high]. */
  readonly bound: number | readonly [number, number] | { x: readonly [number, number]; y: readonly [number, number] };
  /** One line for logs and the console, naming the limit and the values. */
  readonly message: string;
}

export interface ClipNote {
  readonly limit: 'joint_position_limit' | 'rate_of_change_limit';
  readonly joint: string;
  readonly requested: number;
  readonly sent: number;
}

export type SafetyVerdict =
  | { readonly ok: true; readonly command: Float64Array; readonly clipped: readonly ClipNote[]; readonly speedScale: number }
  | { readonly ok: false; readonly violation: SafetyViolation };

export interface MeasuredJoints {
  /** rad */
  readonly position: ArrayLike<number>;
  /** rad/s; may be empty when the robot does not report it */
  readonly velocity: ArrayLike<number>;
  /** N·m; may be empty */
  readonly effort: ArrayLike<number>;
}

export interface SafetyInput {
  /** Joint position targets the policy asks for, rad. */
  readonly command: ArrayLike<number>;
  /** What was last sent (rad); undefined at the start of an episode: the measured position is used. */
  readonly previousCommand?: ArrayLike<number>;
  readonly measured: MeasuredJoints;
  readonly jointNames: readonly string[];
  /** 0-based index of the episode within this session (speed limit for the first ones). */
  readonly episodeIndex: number;
  /** Time between commands, s. */
  readonly controlPeriodS: number;
  /** Tip position of a joint configuration, m, in the base frame; needed for workspace bounds. */
  readonly tipPosition?: (q: ArrayLike<number>) => { x: number; y: number };
}

/** Measured positions may exceed the limits by this much (encoder noise, overshoot) before it is a violation, rad. */
export const MEASURED_POSITION_MARGIN_RAD = 0.05;
/**
 * Measured joint speed may exceed the commanded-speed limit by this factor before it is a violation:
 * commands are clipped to the limit, and a tracking controller overshoots a little (speed
 * monitoring on industrial arms sits above the commanded limit for the same reason).
 */
export const MEASURED_VELOCITY_FACTOR = 1.25;

export function speedScaleFor(config: SafetyConfig, episodeIndex: number): number {
  return episodeIndex < config.limitedEpisodes ? config.speedScale : 1;
}

export function checkCommand(input: SafetyInput, config: SafetyConfig): SafetyVerdict {
  const { command, measured, jointNames } = input;
  const n = jointNames.length;
  const violation = (v: SafetyViolation): SafetyVerdict => ({ ok: false, violation: v });
  const name = (i: number): string => jointNames[i] ?? `joint${i}`;

  if (command.length !== n) {
    return violation({ limit: 'command_size', value: command.length, bound: n, message: `command_size: ${command.length} values for ${n} joints` });
  }
  for (let i = 0; i < n; i++) {
    if (!Number.isFinite(command[i])) {
      return violation({ limit: 'non_finite', joint: name(i), value: command[i], bound: n,
        message: `non_finite: ${name(i)} command is ${command[i]} (NaN and infinities are never sent)` });
    }
  }
  const state = checkMeasured(measured, jointNames, config);
  if (state) return violation(state);

  const scale = speedScaleFor(config, input.episodeIndex);
  // the per-step change allowed: the rate-of-change limit and the commanded-speed limit, both scaled
  const maxDelta = Math.min(config.maxCommandDelta, config.maxJointVelocity * input.controlPeriodS) * scale;
  const reference = input.previousCommand ?? measured.position;
  const out = new Float64Array(n);
  const clipped: ClipNote[] = [];

  for (let i = 0; i < n; i++) {
    let target = command[i];
    const [lo, hi] = config.jointPositionLimits[i] ?? [-Infinity, Infinity];
    if (target < lo || target > hi) {
      if (!config.clipActions) {
        return violation({ limit: 'joint_position_limit', joint: name(i), value: target, bound: [lo, hi],
          message: `joint_position_limit: ${name(i)} command ${fmt(target)} rad, outside [${fmt(lo)}, ${fmt(hi)}] rad` });
      }
      const sent = Math.min(hi, Math.max(lo, target));
      clipped.push({ limit: 'joint_position_limit', joint: name(i), requested: target, sent });
      target = sent;
    }
    const delta = target - reference[i];
    if (Math.abs(delta) > maxDelta) {
      if (!config.clipActions) {
        const limit: SafetyLimit = scale < 1 && Math.abs(delta) <= maxDelta / scale ? 'speed_limit' : 'rate_of_change_limit';
        return violation({ limit, joint: name(i), value: delta, bound: maxDelta,
          message: `${limit}: ${name(i)} command changes by ${fmt(delta)} rad in one step, limit ±${fmt(maxDelta)} rad` +
            (scale < 1 ? ` (speed x${scale} for the first ${config.limitedEpisodes} episodes)` : '') });
      }
      const sent = reference[i] + Math.sign(delta) * maxDelta;
      clipped.push({ limit: 'rate_of_change_limit', joint: name(i), requested: target, sent });
      target = sent;
    }
    out[i] = target;
  }

  if (config.workspace && input.tipPosition) {
    const tip = input.tipPosition(out);
    const { x, y } = config.workspace;
    if (!(tip.x >= x[0] && tip.x <= x[1] && tip.y >= y[0] && tip.y <= y[1])) {
      return violation({ limit: 'workspace_limit', value: [tip.x, tip.y], bound: config.workspace,
        message: `workspace_limit: commanded tip at (${fmt(tip.x)}, ${fmt(tip.y)}) m, outside x [${fmt(x[0])}, ${fmt(x[1])}] m, y [${fmt(y[0])}, ${fmt(y[1])}] m` });
    }
  }
  return { ok: true, command: out, clipped, speedScale: scale };
}

/**
 * What the robot is doing, from its last joint state: position, speed and effort within their limits.
 * Never clipped away: a violation here means a protective stop.
 */
export function checkMeasured(measured: MeasuredJoints, jointNames: readonly string[], config: SafetyConfig): SafetyViolation | undefined {
  const n = jointNames.length;
  const name = (i: number): string => jointNames[i] ?? `joint${i}`;
  if (measured.position.length !== n) {
    return { limit: 'command_size', value: measured.position.length, bound: n, message: `command_size: measured state has ${measured.position.length} joints, expected ${n}` };
  }
  for (let i = 0; i < n; i++) {
    const q = measured.position[i];
    const [lo, hi] = config.jointPositionLimits[i] ?? [-Infinity, Infinity];
    if (!Number.isFinite(q) || q < lo - MEASURED_POSITION_MARGIN_RAD || q > hi + MEASURED_POSITION_MARGIN_RAD) {
      return { limit: 'joint_position_limit', joint: name(i), value: q, bound: [lo, hi],
        message: `joint_position_limit: ${name(i)} measured at ${fmt(q)} rad, outside [${fmt(lo)}, ${fmt(hi)}] rad` };
    }
    const v = measured.velocity[i];
    const vMax = config.maxJointVelocity * MEASURED_VELOCITY_FACTOR;
    if (v !== undefined && (!Number.isFinite(v) || Math.abs(v) > vMax)) {
      return { limit: 'joint_velocity_limit', joint: name(i), value: v, bound: vMax,
        message: `joint_velocity_limit: ${name(i)} moving at ${fmt(v)} rad/s, limit ±${fmt(vMax)} rad/s (max_joint_velocity ${fmt(config.maxJointVelocity)} x${MEASURED_VELOCITY_FACTOR})` };
    }
    const e = measured.effort[i];
    if (e !== undefined && (!Number.isFinite(e) || Math.abs(e) > config.maxEffort)) {
      return { limit: 'effort_limit', joint: name(i), value: e, bound: config.maxEffort,
        message: `effort_limit: ${name(i)} effort ${fmt(e)} N·m, limit ±${fmt(config.maxEffort)} N·m` };
    }
  }
  return undefined;
}

export interface EffortInput {
  /** The joints commanded (names from `jointNames`) and their torques, N·m. */
  readonly joints: readonly string[];
  readonly torquesNm: ArrayLike<number>;
  readonly measured: MeasuredJoints;
  readonly jointNames: readonly string[];
}

export type EffortVerdict =
  | { readonly ok: true; readonly torquesNm: Float64Array }
  | { readonly ok: false; readonly violation: SafetyViolation };

/**
 * The safety layer for effort (torque) commands. A torque beyond max_effort is a violation, never
 * clipped: a torque request that large means the caller's arithmetic is wrong, and a clipped torque
 * would hide it. The robot's measured state must be within the limits, as for position commands
 * (a joint driven by torque is only stopped by this check, so callers send at every control step).
 */
export function checkEffortTorques(input: EffortInput, config: SafetyConfig): EffortVerdict {
  const { joints, torquesNm, jointNames } = input;
  const violation = (v: SafetyViolation): EffortVerdict => ({ ok: false, violation: v });
  if (joints.length === 0 || torquesNm.length !== joints.length) {
    return violation({ limit: 'command_size', value: torquesNm.length, bound: joints.length, message: `command_size: ${torquesNm.length} torques for ${joints.length} joints` });
  }
  const out = new Float64Array(joints.length);
  for (let k = 0; k < joints.length; k++) {
    const joint = joints[k]!;
    if (!jointNames.includes(joint)) {
      return violation({ limit: 'command_size', joint, value: k, bound: jointNames.length, message: `command_size: no joint '${joint}' (joints: ${jointNames.join(', ')})` });
    }
    const tau = torquesNm[k];
    if (!Number.isFinite(tau)) {
      return violation({ limit: 'non_finite', joint, value: tau, bound: config.maxEffort, message: `non_finite: ${joint} torque is ${tau} (NaN and infinities are never sent)` });
    }
    if (Math.abs(tau) > config.maxEffort) {
      return violation({ limit: 'effort_limit', joint, value: tau, bound: config.maxEffort, message: `effort_limit: ${joint} torque command ${fmt(tau)} N·m, limit ±${fmt(config.maxEffort)} N·m` });
    }
    out[k] = tau;
  }
  const state = checkMeasured(input.measured, jointNames, config);
  if (state) return violation(state);
  return { ok: true, torquesNm: out };
}

function fmt(v: number): string {
  return Number.isFinite(v) ? v.toFixed(3) : String(v);
}
