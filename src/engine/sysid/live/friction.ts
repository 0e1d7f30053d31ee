/**
 * The friction of one joint, live: b (viscous, `joint_damping`) and c (Coulomb, `joint_friction`)
 * from a sweep of constant-torque runs, each run's steady-state speed fitted from its approach, and
 * tau = b·v + c·sign(v) fitted through them (frictionFit.ts). The torques are in the units of the
 * robot's effort sensor (the command times a gain measured from the effort readings), so a motor's
 * gain error does not leak into b and c. The runs also give the joint's time constant I/b, which
 * chooses and sizes its inertia procedure (inertia.ts).
 */
import { fitApproach, fitFriction, mean, median, SysidError } from '../frictionFit';
import { monotonicMs } from '../../util/clock';
import type { SysidLink } from './liveLink';
import { fmt, GUARD_SPEED_FRACTION, identificationPose, moveToPose, restReadings, settle, STALL_MARGIN_S, SWEEP_TOP_FRACTION, window } from './procedure';
import type { FrictionPoint, JointFrictionFit } from '../types';

/** Lowest steady-state speed of the sweep, as a fraction of its highest (SWEEP_TOP_FRACTION). */
const SWEEP_LOW_FRACTION = 0.2;
/** Torque ramp of the breakaway probe, N·m/s. */
const BREAKAWAY_RATE_NM_PER_S = 0.25;

export interface SweepRun {
  readonly commandNm: number;
  readonly steadyRadPerS: number;
  readonly timeConstantS: number;
  /** RMS of the steady-state fit's residuals, rad/s (NaN when the joint did not move). */
  readonly fitRmsRadPerS: number;
}

/** Fewest joint states under the torque a run needs for its steady-state fit. */
const MIN_RUN_STATES = 6;
/** A run must last this many of its time constants for its steady state to count. */
const MIN_RUN_TIME_CONSTANTS = 2;
/**
 * A run is planned this many time constants long (from the previous runs' median), or as long as the
 * range allows: the states used start a delay and two samples after the torque was sent, and a run's
 * own T scatters, so shorter plans left many runs short of MIN_RUN_TIME_CONSTANTS; and the approach
 * is not quite one exponential (the held joints yield to the reaction), so runs ended sooner read the
 * speeds high (measurements in docs/system-identification.md).
 */
const RUN_TIME_CONSTANTS = 6;
/**
 * Shortest run planned, s (the range may end it sooner). The joint starting under torque, and the hold
 * that ends a run, set the held joints swinging, and the driven joint's speed with them (a slow swing,
 * a few percent of the speed, over seconds): shorter runs read the speed off by several percent
 * (measurements in docs/system-identification.md).
 */
const MIN_RUN_S = 4;
/** A run whose fit leaves more than this many times the runs' median RMS unexplained is left out of the fit. */
const RUN_RMS_OUTLIER = 2;

export interface Sweep {
  readonly fit: JointFrictionFit;
  /** Effort-sensor torque per commanded torque (1 when the robot reports no effort). */
  readonly gain: number;
  readonly runs: readonly SweepRun[];
  readonly pose: readonly number[];
  /** Velocity noise of the joint at rest, rad/s. */
  readonly noiseRadPerS: number;
  /** Median time constant I/b of the runs, s. */
  readonly timeConstantS: number;
  /** The robot's joint-state period, s. */
  readonly statePeriodS: number;
}

/**
 * The friction sweep of joint j (design in docs/system-identification.md): a breakaway ramp finds
 * roughly where it starts to move; two probe runs give a first line; then torques are chosen for
 * steady-state speeds spread evenly up to 50% of max_joint_velocity, alternating in direction, each
 * from the end of the range it moves away from, refitting the line after every run.
 */
export async function frictionSweep(link: SysidLink, j: number, points: number, delayS: number, warnings: string[], onPoint: (k: number) => void): Promise<Sweep> {
  const name = link.jointNames[j]!;
  const [lo, hi] = link.windowRad[j]!;
  const pose = identificationPose(link, j, lo);
  await moveToPose(link, pose);
  const { noise, periodS } = await restReadings(link, j);
  const vTop = SWEEP_TOP_FRACTION * link.safety.maxJointVelocity;
  const gainPairs: [number, number][] = [];
  const runs: SweepRun[] = [];
  const maxTorque = 0.5 * link.safety.maxEffort;

  // breakaway: ramp the torque until the joint moves
  const breakaway = await breakawayTorque(link, j, noise, delayS, maxTorque);
  let timeConstant = 1;
  const run = async (commandNm: number, expectedRadPerS?: number): Promise<void> => {
    const durationS = Math.min(10, Math.max(MIN_RUN_S, RUN_TIME_CONSTANTS * timeConstant));
    // a run covers about v·(duration − T) once settled; unknown speeds (the probes) take half the range
    // plus the distance the range guard keeps in hand (the speed times the delay and margins), so a
    // run that starts mid-range is not cut short before it settles
    const guard = delayS + 2 * link.controlPeriodS + STALL_MARGIN_S;
    const travel = expectedRadPerS === undefined ? 0.5 * (hi - lo) : Math.abs(expectedRadPerS) * (1.2 * Math.max(0.2, durationS - timeConstant) + guard) + 0.2;
    const r = await torqueRun(link, j, commandNm, delayS, durationS, gainPairs, travel, noise);
    if (r) {
      runs.push(r);
      timeConstant = median(runs.map((x) => x.timeConstantS).filter((t) => t > 0 && Number.isFinite(t))) || timeConstant;
    }
    onPoint(runs.length);
  };
  // probes: just above breakaway in one direction, further above in the other
  await run(Math.min(maxTorque, 1.2 * breakaway + 0.005));
  await run(-Math.min(maxTorque, 1.5 * breakaway + 0.01));
  const magnitudes = Math.ceil((points - 2) / 2);
  for (let k = 0; k < magnitudes && runs.length < points; k++) {
    for (const sign of [1, -1]) {
      if (runs.length >= points) break;
      const vTarget = vTop * (SWEEP_LOW_FRACTION + ((1 - SWEEP_LOW_FRACTION) * k) / Math.max(1, magnitudes - 1));
      const { b, c } = roughLine(runs, name);
      const command = Math.min(maxTorque, c + b * vTarget);
      await run(sign * command, vTarget);
    }
  }
  link.holdHere();
  await link.tick(200);

  const gain = effortGain(gainPairs, name, warnings);
  const sweepPoints: FrictionPoint[] = cleanRuns(runs, name, link.log).map((r) => ({ torqueNm: gain * r.commandNm, velocityRadPerS: r.steadyRadPerS }));
  const fit = fitFriction(name, sweepPoints);
  if (fit.rmsResidualNm > 0.1 * Math.max(fit.coulombNm.value, 1e-3) + 0.02 * Math.max(...sweepPoints.map((p) => Math.abs(p.torqueNm)))) {
    warnings.push(`joint '${name}': the friction model leaves ${fmt(fit.rmsResidualNm)} N·m RMS of the sweep unexplained; the joint may have friction this model lacks (Stribeck, position-dependent)`);
  }
  const timeConstantS = median(runs.map((r) => r.timeConstantS).filter((t) => Number.isFinite(t) && t > 0)) || 0.5;
  return { fit, gain, runs, pose, noiseRadPerS: noise, timeConstantS, statePeriodS: periodS };
}

/**
 * The runs the friction fit uses: every moving run but those whose steady-state fit left far more
 * unexplained than the others. The long probe runs cross most of the range, where the reaction of
 * the held joints changes with the pose: their steady state can be off by enough to move b by several
 * percent (measurements in docs/system-identification.md).
 */
function cleanRuns(runs: readonly SweepRun[], joint: string, log: (line: string) => void): SweepRun[] {
  const moving = runs.filter((r) => Math.abs(r.steadyRadPerS) > 1e-3);
  const typical = median(moving.map((r) => r.fitRmsRadPerS));
  return moving.filter((r) => {
    if (!(r.fitRmsRadPerS > RUN_RMS_OUTLIER * typical)) return true;
    log(`${joint}: ${fmt(r.commandNm)} N·m left out of the fit: its steady-state fit RMS ${fmt(r.fitRmsRadPerS)} rad/s is over ${RUN_RMS_OUTLIER} times the runs' median ${fmt(typical)}`);
    return false;
  }).concat(runs.filter((r) => !(Math.abs(r.steadyRadPerS) > 1e-3)));
}

/** Least-squares line |tau| = b·|v| + c through the runs so far (for choosing the next torque). */
function roughLine(runs: readonly SweepRun[], joint: string): { b: number; c: number } {
  const moving = runs.filter((r) => Math.abs(r.steadyRadPerS) > 1e-3);
  if (moving.length === 0) throw new SysidError(`joint '${joint}': the probe runs did not move the joint; the friction sweep cannot start`);
  const x = moving.map((r) => Math.abs(r.steadyRadPerS));
  const y = moving.map((r) => Math.abs(r.commandNm));
  if (moving.length === 1 || Math.max(...x) - Math.min(...x) < 1e-3) return { b: Math.max(1e-4, y[0]! / x[0]! / 2), c: y[0]! / 2 };
  const mx = mean(x);
  const my = mean(y);
  let sxx = 0, sxy = 0;
  for (let i = 0; i < x.length; i++) {
    sxx += (x[i]! - mx) ** 2;
    sxy += (x[i]! - mx) * (y[i]! - my);
  }
  const b = Math.max(1e-4, sxy / sxx);
  return { b, c: Math.max(0, my - b * mx) };
}

async function breakawayTorque(link: SysidLink, j: number, noise: number, delayS: number, maxTorque: number): Promise<number> {
  const name = link.jointNames[j]!;
  const threshold = Math.max(6 * noise, 0.02);
  const start = link.joints.position[j]!;
  let torque = 0;
  for (;;) {
    // by control steps, not wall time: a stalled engine must not find the torque jumped on waking
    torque += BREAKAWAY_RATE_NM_PER_S * link.controlPeriodS;
    if (torque > maxTorque) {
      link.holdHere();
      throw new SysidError(`joint '${name}' did not move under torques up to ${fmt(maxTorque)} N·m (half of max_effort); it is blocked, or its friction exceeds what the safety limits allow`);
    }
    link.effort(j, torque);
    await link.tick();
    const s = link.joints;
    if (Math.abs(s.velocity[j]!) > threshold || Math.abs(s.position[j]! - start) > 0.05) break;
  }
  link.holdHere();
  await link.tick(300);
  // the joint began to move a delay earlier than the reading that showed it
  return Math.max(0.001, torque - BREAKAWAY_RATE_NM_PER_S * delayS * 0.5);
}

/**
 * One constant-torque run of joint j, from the end of its range it moves away from; returns the
 * fitted steady state, or undefined when the joint did not move (stiction).
 */
async function torqueRun(link: SysidLink, j: number, commandNm: number, delayS: number, maxDurationS: number, gainPairs: [number, number][], travelRad: number, noiseRadPerS: number): Promise<SweepRun | undefined> {
  const name = link.jointNames[j]!;
  const [lo, hi] = link.windowRad[j]!;
  const sign = Math.sign(commandNm);
  const startAt = sign > 0 ? lo : hi;
  const here = link.joints.position[j]!;
  // start from the far end only when the run would not fit in what lies ahead
  if (sign * ((sign > 0 ? hi : lo) - here) < Math.min(travelRad, 0.9 * (hi - lo))) await moveToPose(link, identificationPose(link, j, startAt));
  await settle(link);
  const recording = link.record();
  const sentMs = monotonicMs();
  const vGuard = GUARD_SPEED_FRACTION * link.safety.maxJointVelocity;
  const end = sign > 0 ? hi : lo;
  for (;;) {
    link.effort(j, commandNm);
    await link.tick();
    const q = link.joints.position[j]!;
    const v = link.joints.velocity[j]!;
    // where the joint will be when a hold sent now takes effect
    const ahead = q + v * (delayS + 2 * link.controlPeriodS + STALL_MARGIN_S);
    if (sign * (ahead - end) >= 0 || Math.abs(v) > vGuard || (monotonicMs() - sentMs) / 1000 > maxDurationS) break;
  }
  const heldMs = monotonicMs();
  link.holdHere();
  await link.tick(100);
  // only states the robot published under this torque: after it arrived, before the hold was sent
  const samples = window(recording.stop(), sentMs + delayS * 1000, heldMs);
  if (samples.length < 6) throw new SysidError(`joint '${name}': a sweep run at ${fmt(commandNm)} N·m recorded only ${samples.length} joint states`);
  // skip the first samples: the torque may arrive late (jitter), and backlash takes up at a reversal
  const settled = samples.slice(2);
  for (const s of settled) if (s.effort.length > j) gainPairs.push([commandNm, s.effort[j]!]);
  const travel = Math.abs(samples[samples.length - 1]!.position[j]! - samples[0]!.position[j]!);
  const durationS = settled[settled.length - 1]!.stampS - settled[0]!.stampS;
  if (travel < 0.05) {
    link.log(`${name}: ${fmt(commandNm)} N·m did not move the joint (${fmt(travel)} rad in ${fmt(durationS)} s)`);
    return { commandNm, steadyRadPerS: 0, timeConstantS: NaN, fitRmsRadPerS: NaN };
  }
  if (settled.length < MIN_RUN_STATES) {
    // a run the range guard ended at once (a stall of the link, the joint already fast): one point
    // fewer, not the whole identification lost (seen on the mild wrist under load)
    link.log(`${name}: ${fmt(commandNm)} N·m: only ${settled.length} joint states under the torque; point left out`);
    return { commandNm, steadyRadPerS: 0, timeConstantS: NaN, fitRmsRadPerS: NaN };
  }
  const t0 = settled[0]!.stampS;
  const approach = fitApproach(name, { timeS: settled.map((s) => s.stampS - t0), velocityRadPerS: settled.map((s) => s.velocity[j]!) });
  link.log(`${name}: ${fmt(commandNm)} N·m -> ${fmt(approach.steadyRadPerS)} rad/s (T ${fmt(approach.timeConstantS)} s, run ${fmt(durationS)} s over ${fmt(travel)} rad, ${settled.length} states, fit RMS ${fmt(approach.rmsRadPerS)} rad/s)`);
  // Not measured: a steady state of the wrong sign; a run that does not follow the model (stick-slip
  // near breakaway, a disturbed run), whose residual is well above the sensor noise; and a run cut
  // short before two time constants (the joint crept, or the range ended it), which leaves v∞ to the
  // curvature of a short stretch where v∞ and T trade off, enough to move b by several percent
  // (docs/system-identification.md).
  if (Math.sign(approach.steadyRadPerS) !== sign || durationS < MIN_RUN_TIME_CONSTANTS * approach.timeConstantS || approach.rmsRadPerS > 3 * noiseRadPerS + 0.01) {
    link.log(`${name}: ${fmt(commandNm)} N·m gave no clean steady state (${fmt(approach.steadyRadPerS)} rad/s, T ${fmt(approach.timeConstantS)} s, fit RMS ${fmt(approach.rmsRadPerS)} rad/s); point left out`);
    return { commandNm, steadyRadPerS: 0, timeConstantS: NaN, fitRmsRadPerS: NaN };
  }
  return { commandNm, steadyRadPerS: approach.steadyRadPerS, timeConstantS: approach.timeConstantS, fitRmsRadPerS: approach.rmsRadPerS };
}

/** Effort-sensor torque per commanded torque, least squares through the origin over every run's samples. */
function effortGain(pairs: readonly [number, number][], joint: string, warnings: string[]): number {
  let scc = 0, sce = 0, see = 0;
  for (const [c, e] of pairs) {
    scc += c * c;
    sce += c * e;
    see += e * e;
  }
  if (pairs.length === 0 || see === 0 || scc === 0) {
    warnings.push(`joint '${joint}': the robot reports no joint effort; torques are in commanded units (a motor gain error goes into b, c and I)`);
    return 1;
  }
  const gain = sce / scc;
  if (!(gain > 0.3 && gain < 3)) throw new SysidError(`joint '${joint}': its effort readings are ${fmt(gain)} times the commanded torque; check the joint order and units (N·m) of the effort field`);
  if (Math.abs(gain - 1) > 0.02) warnings.push(`joint '${joint}': the motor applies ${fmt(gain)} times the commanded torque (effort sensor); results are in the sensor's N·m`);
  return gain;
}
