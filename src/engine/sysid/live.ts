/**
 * System identification on the robot link (`sim2real sysid FILE --robot URL`): sensors at rest,
 * delay, then per joint a friction sweep and its inertia (pulses, or an alternating torque for a joint
 * that settles within a few joint states), with every command through the safety layer. The
 * procedures and their design are in docs/system-identification.md; the fits are in frictionFit.ts
 * and oscillation.ts.
 *
 * Torques are identified in the units of the robot's effort sensor (the torque the motor really
 * applies): the commanded torque times a per-joint gain measured from the effort readings, so a
 * motor's gain error does not leak into b, c and I. A robot that reports no effort is identified in
 * commanded units, with a warning.
 */
import type { Experiment } from '../config/experiment';
import { TASK_DEFINITIONS } from '../sim/tasks';
import { JOINT_COUNT } from '../sim/tasks/arm';
import { LINK_NAMES } from '../sim/tasks/tableScene';
import { jointInertiaCoefficients } from './armModel';
import { fitApproach, fitFriction, mean, median, pulseInertia, stdDev, SysidError, trialEstimate } from './frictionFit';
import { monotonicMs } from '../util/clock';
import type { MotionAttendance } from '../robot/motionAuthority';
import { SysidLink, type Sample } from './liveLink';
import { oscillationInertia } from './oscillation';
import { DEFAULT_NOISE_SECONDS, measureSensorNoise, sensorParameters } from './sensorNoise';
import type { DelayFit, FrictionPoint, IdentifiedParameter, JointFrictionFit, JointInertiaFit, SensorNoiseFit, SysidResult } from './types';

export interface LiveOptions {
  /** Joints to identify (names); all of the arm's by default. */
  readonly joints?: readonly string[];
  /** Step commands for the delay. [default: 100] 0 skips the delay. */
  readonly delayTrials?: number;
  /** Addresses the user configured; `address` must be one of them. */
  readonly allowedAddresses: readonly string[];
  readonly signal?: AbortSignal;
  readonly onProgress?: (p: { fraction?: number; message: string }) => void;
  readonly log?: (line: string) => void;
  /** Torque levels of each friction sweep (both directions together). [default: 20] */
  readonly frictionPoints?: number;
  /** Torque pulses per joint for the inertia. [default: 6] */
  readonly inertiaTrials?: number;
  /** Seconds of readings at rest for the sensor noise (sensorNoise.ts). [default: 3] 0 skips it. */
  readonly noiseSeconds?: number;
  /** The person (or why there is none), for the robot's motion authority. */
  readonly attendance: MotionAttendance;
  /** What moves the robot, in the user's words. [default: 'system identification'] */
  readonly path?: string;
  readonly motionLogPath?: string;
}

export const DEFAULT_DELAY_TRIALS = 100;
export const DEFAULT_FRICTION_POINTS = 20;
export const DEFAULT_INERTIA_TRIALS = 6;
/** Joints beyond the one identified are folded to this angle (less the margin of their range), rad: a folded arm has a small inertia, so runs settle within the range. */
const FOLD_RAD = 2.3;
/** Highest steady-state speed of the sweep, as a fraction of max_joint_velocity (room above it for a stalled link). */
const SWEEP_TOP_FRACTION = 0.5;
const SWEEP_LOW_FRACTION = 0.2;
/** A run ends before the joint passes this fraction of max_joint_velocity (the safety layer stops at 1.25). */
const GUARD_SPEED_FRACTION = 0.75;
/** Extra time a run allows for the engine or the link to stall before a hold takes effect, s. */
const STALL_MARGIN_S = 0.1;
/** Torque ramp of the breakaway probe, N·m/s. */
const BREAKAWAY_RATE_NM_PER_S = 0.25;

export async function identifyOnRobot(
  experiment: Experiment,
  experimentFile: string,
  address: string,
  options: LiveOptions,
): Promise<SysidResult> {
  const log = options.log ?? ((line: string) => process.stderr.write(line + '\n'));
  const progress = options.onProgress ?? (() => undefined);
  const joints = jointIndices(options.joints);
  const delayTrials = options.delayTrials ?? DEFAULT_DELAY_TRIALS;
  if (!Number.isInteger(delayTrials) || delayTrials < 0) throw new SysidError(`delay trials must be a whole number >= 0, got ${delayTrials}`);
  const points = options.frictionPoints ?? DEFAULT_FRICTION_POINTS;
  if (!Number.isInteger(points) || points < 6) throw new SysidError(`friction points must be a whole number >= 6, got ${points}`);
  const inertiaTrials = options.inertiaTrials ?? DEFAULT_INERTIA_TRIALS;
  if (!Number.isInteger(inertiaTrials) || inertiaTrials < 2) throw new SysidError(`inertia trials must be a whole number >= 2, got ${inertiaTrials}`);
  const noiseSeconds = options.noiseSeconds ?? DEFAULT_NOISE_SECONDS;
  if (!(noiseSeconds >= 0) || !Number.isFinite(noiseSeconds)) throw new SysidError(`noise seconds must be a number >= 0, got ${noiseSeconds}`);
  options.signal?.throwIfAborted?.();

  progress({ fraction: 0, message: `connecting to ${address}` });
  const warnings: string[] = [];
  return SysidLink.run(experiment, address, { ...options, log }, async (link) => {
    const controlPeriodMs = link.controlPeriodS * 1000;
    // the sensors first, while the arm and the object rest where the reset put them
    let sensors: SensorNoiseFit | undefined;
    if (noiseSeconds > 0) {
      progress({ fraction: 0.01, message: `sensor noise: ${noiseSeconds} s at rest` });
      sensors = await measureSensorNoise(link, noiseSeconds, TASK_DEFINITIONS[experiment.task].info.objects[0], warnings);
    }
    let delay: DelayFit | undefined;
    // the delay first: the sweeps use it to stop a joint before the end of its range
    if (delayTrials > 0) {
      progress({ fraction: 0.02, message: `delay: ${delayTrials} step commands` });
      delay = await measureDelay(link, delayTrials, (k) => progress({ fraction: 0.02 + (0.18 * k) / delayTrials, message: `delay: step ${k} of ${delayTrials}` }));
    }
    const delayS = (delay ? delay.meanMs + 2 * delay.stdMs : 100) / 1000;
    const friction: JointFrictionFit[] = [];
    const inertia: JointInertiaFit[] = [];
    for (let n = 0; n < joints.length; n++) {
      const j = joints[n]!;
      const name = link.jointNames[j]!;
      const base = 0.2 + (0.8 * n) / joints.length;
      const share = 0.8 / joints.length;
      const sweep = await frictionSweep(link, j, points, delayS, warnings, (k) => progress({ fraction: base + (0.7 * share * k) / points, message: `${name}: friction sweep, point ${k} of ${points}` }));
      friction.push(sweep.fit);
      // a pulse carries I only while the joint accelerates: a joint that settles within a few
      // joint states (the wrist) is driven back and forth instead
      const oscillate = sweep.timeConstantS < OSCILLATE_BELOW_STATES * sweep.statePeriodS;
      progress({ fraction: base + 0.7 * share, message: `${name}: inertia ${oscillate ? 'oscillation' : 'pulses'}` });
      inertia.push(oscillate ? await inertiaOscillation(link, j, sweep, inertiaTrials, delayS) : await inertiaPulses(link, j, sweep, inertiaTrials, delayS));
      log(`${name}: b ${fmt(sweep.fit.viscousNmsPerRad.value)} N·m·s/rad, c ${fmt(sweep.fit.coulombNm.value)} N·m, I ${fmt(inertia[n]!.inertiaKgM2.value)} kg·m²`);
    }
    link.holdHere();
    progress({ fraction: 1, message: 'done' });
    return {
      ...link.resultHeader(experiment, experimentFile),
      friction,
      inertia,
      ...(delay ? { delay } : {}),
      ...(sensors ? { sensors } : {}),
      identified: [...identifiedParameters(friction, inertia, delay, controlPeriodMs, warnings), ...(sensors ? sensorParameters(sensors) : [])],
      warnings,
    };
  });
}

function jointIndices(names: readonly string[] | undefined): number[] {
  const all = ['shoulder', 'elbow', 'wrist'];
  if (!names || names.length === 0) return [0, 1, 2];
  const out: number[] = [];
  for (const name of names) {
    const i = all.indexOf(name);
    if (i < 0) throw new SysidError(`no joint '${name}' on this arm (joints: ${all.join(', ')})`);
    if (!out.includes(i)) out.push(i);
  }
  return out.sort((a, b) => a - b);
}

// ---------------------------------------------------------------- delay

/**
 * Repeated small position steps of the last (lightest) joint, alternating in direction, at rest
 * between them. The delay of one step is the arrival of the first joint state showing motion minus
 * the time the step was sent, less half the joint-state period (motion starts, on average, half a
 * sample before the sample that shows it).
 */
async function measureDelay(link: SysidLink, trials: number, onTrial: (k: number) => void): Promise<DelayFit> {
  const j = JOINT_COUNT - 1;
  // the arm straight, turned aside (identificationPose): the steps move the wrist only
  const home = link.windowRad.map(([lo, hi], k) => (k === 0 ? asideRad(link) : Math.min(hi, Math.max(lo, 0))));
  await moveToPose(link, home);
  const noise = await restNoise(link, j);
  const threshold = Math.max(6 * noise, 0.15 * (link.rampStepRad / link.controlPeriodS), 0.02);
  const samplesMs: number[] = [];
  const intervals: number[] = [];
  const steps = 4;
  for (let k = 0; k < trials; k++) {
    const sign = k % 2 === 0 ? 1 : -1;
    // at rest, at a phase of the robot's sampling that varies from trial to trial
    await link.tick(60 + ((k * 37) % 80));
    const start = [...link.joints.position];
    const recording = link.record();
    const sentMs = monotonicMs();
    let detectedMs: number | undefined;
    for (let m = 1; m <= steps; m++) {
      const targets = [...start];
      targets[j] = start[j]! + sign * m * link.rampStepRad;
      link.hold(targets);
      await link.tick();
    }
    const deadline = sentMs + 1500;
    while (detectedMs === undefined && monotonicMs() < deadline) {
      detectedMs = recording.samples.find((s) => s.receivedMs > sentMs && Math.abs(s.velocity[j]!) > threshold)?.receivedMs;
      if (detectedMs === undefined) await link.tick(5);
    }
    const recorded = recording.stop();
    detectedMs ??= recorded.find((s) => s.receivedMs > sentMs && Math.abs(s.velocity[j]!) > threshold)?.receivedMs;
    if (detectedMs === undefined) throw new SysidError(`joint '${link.jointNames[j]}': no motion within 1.5 s of a step command (threshold ${threshold.toFixed(3)} rad/s); is the robot moving at all?`);
    for (let s = 1; s < recorded.length; s++) intervals.push(recorded[s]!.stampS - recorded[s - 1]!.stampS);
    samplesMs.push(detectedMs - sentMs);
    await link.tick(150);
    onTrial(k + 1);
  }
  const halfSampleMs = (500 * median(intervals.filter((x) => x > 0))) || 0;
  const corrected = samplesMs.map((x) => Math.max(0, x - halfSampleMs));
  const controlPeriodMs = link.controlPeriodS * 1000;
  // mean and spread of the typical delay: a step that met a stall of the engine or the link (beyond
  // 4 median absolute deviations) stays in the samples but not in the mean the simulator will use
  const typical = withoutOutliers(corrected);
  const meanMs = mean(typical);
  return { meanMs, stdMs: stdDev(typical), medianMs: median(corrected), controlPeriodMs, meanSteps: meanMs / controlPeriodMs, samplesMs: corrected };
}

/** Velocity noise of joint j at rest, rad/s (std over a few tenths of a second). */
async function restNoise(link: SysidLink, j: number): Promise<number> {
  return (await restReadings(link, j)).noise;
}

/** Velocity noise of joint j at rest, rad/s, and the robot's joint-state period, s (median of its stamps' spacing). */
async function restReadings(link: SysidLink, j: number): Promise<{ noise: number; periodS: number }> {
  const recording = link.record();
  await link.tick(300);
  const states = recording.stop();
  const v = states.map((s) => s.velocity[j]!);
  const spacing = states.slice(1).map((s, k) => s.stampS - states[k]!.stampS).filter((x) => x > 0);
  return { noise: v.length > 2 ? stdDev(v) : 0, periodS: median(spacing) || link.controlPeriodS };
}

// ---------------------------------------------------------------- friction

interface SweepRun {
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
 * own T scatters by ±30%, so 3 left many runs short of MIN_RUN_TIME_CONSTANTS; and the approach is
 * not quite one exponential (the held joints yield to the reaction), so runs ended at 4 T read the
 * `mild` elbow's speeds 2-5% high (c 5% low) where runs over the whole range read them within 0.3%.
 */
const RUN_TIME_CONSTANTS = 6;
/**
 * Shortest run planned, s (the range may end it sooner). The joint starting under torque, and the hold
 * that ends a run, set the held joints swinging, and the driven joint's speed with them: runs of
 * 0.55 s on the `mild` wrist (I/b 66 ms) read 3-8% fast, depending on where in the range they
 * started; on the plant alone, runs capped at 2, 3 and 4 s gave the `moderate` elbow's b +1.9%,
 * +0.3% and 0.0% (a slow swing of the held shoulder, a few percent of the speed, over seconds).
 */
const MIN_RUN_S = 4;
/** A run whose fit leaves more than this many times the runs' median RMS unexplained is left out of the fit. */
const RUN_RMS_OUTLIER = 2;

interface Sweep {
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
 * The pose a joint is identified in: itself at `at`, the joints beyond it folded, the first joint
 * (the base) turned aside and those between at 0. Aside: the arm swept in front of it, through the
 * table area the task's objects stand in, and pushed the puck (live, on both profiles: a run stalled,
 * a joint stopped short of its pose), which read as friction; a joint's inertia, friction and the
 * reaction of the joints held before it do not depend on where the base points.
 */
function identificationPose(link: SysidLink, j: number, at: number): number[] {
  return link.windowRad.map(([lo, hi], k) => (k === j ? at : k === 0 ? asideRad(link) : k < j ? Math.min(hi, Math.max(lo, 0)) : Math.min(hi, FOLD_RAD)));
}

/** The base joint's angle while the joints beyond it are identified: the low end of its range. */
function asideRad(link: SysidLink): number {
  return link.windowRad[0]![0];
}

/**
 * Move to `pose` so that a joint only turns while every joint beyond it is folded: the joints beyond
 * the innermost one that must move fold (outermost first), then each joint from that one outwards
 * goes to its target, those beyond it still folded. A folded chain keeps the finger near the joint
 * that turns: moved straight (moveTo: outermost joint first, wherever the base points) the finger
 * swept through the objects in front of the arm, from the reset's start pose onwards.
 */
async function moveToPose(link: SysidLink, pose: readonly number[]): Promise<void> {
  const q = [...link.joints.position];
  const folded = link.windowRad.map(([, hi]) => Math.min(hi, FOLD_RAD));
  const first = q.findIndex((x, k) => Math.abs(x - pose[k]!) > TRANSIT_TOLERANCE_RAD);
  if (first < 0) return link.moveTo(pose);
  const waypoints: number[][] = [];
  let at = q;
  const via = (next: number[]): void => {
    if (next.some((x, k) => Math.abs(x - at[k]!) > TRANSIT_TOLERANCE_RAD)) waypoints.push(next);
    at = next;
  };
  for (let k = q.length - 1; k > first; k--) via(at.map((x, i) => (i === k ? folded[k]! : x)));
  for (let k = first; k < q.length; k++) via(at.map((x, i) => (i === k ? pose[k]! : x)));
  for (const w of waypoints) await link.moveTo(w);
  await link.moveTo(pose);
}

/** A joint this close to its target does not count as moving (transit planning only), rad. */
const TRANSIT_TOLERANCE_RAD = 0.05;

/**
 * The friction sweep of joint j (design in docs/system-identification.md): a breakaway ramp finds
 * roughly where it starts to move; two probe runs give a first line; then torques are chosen for
 * steady-state speeds spread evenly up to 50% of max_joint_velocity, alternating in direction, each
 * from the end of the range it moves away from, refitting the line after every run.
 */
async function frictionSweep(link: SysidLink, j: number, points: number, delayS: number, warnings: string[], onPoint: (k: number) => void): Promise<Sweep> {
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
 * the held joints changes with the pose; on the moderate profile their fit RMS was 3-7 times the
 * other runs' (0.07-0.13 rad/s for 0.02), and their v∞ was off by several percent, enough to move b
 * by as much.
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
  // curvature of a short stretch where v∞ and T trade off: on the moderate elbow such runs came out
  // 10-15% off their mirror runs, enough to move b by several percent.
  if (Math.sign(approach.steadyRadPerS) !== sign || durationS < MIN_RUN_TIME_CONSTANTS * approach.timeConstantS || approach.rmsRadPerS > 3 * noiseRadPerS + 0.01) {
    link.log(`${name}: ${fmt(commandNm)} N·m gave no clean steady state (${fmt(approach.steadyRadPerS)} rad/s, T ${fmt(approach.timeConstantS)} s, fit RMS ${fmt(approach.rmsRadPerS)} rad/s); point left out`);
    return { commandNm, steadyRadPerS: 0, timeConstantS: NaN, fitRmsRadPerS: NaN };
  }
  return { commandNm, steadyRadPerS: approach.steadyRadPerS, timeConstantS: approach.timeConstantS, fitRmsRadPerS: approach.rmsRadPerS };
}

/**
 * Wait, holding, until every joint is at rest: the mean velocity of each over the last tenth of a
 * second below SETTLED_RAD_PER_S (at least SETTLE_MIN_MS, at most SETTLE_MAX_MS). A hold stops the
 * driven joint within a few hundredths of a second, and its reaction sets the held joints swinging:
 * 100 ms after holding the wrist at 0.6 rad/s the elbow still turned at 0.05 rad/s, and the next
 * run's wrist read 3-8% fast for most of its 0.55 s (the `mild` wrist's b came out 5-7% low).
 */
async function settle(link: SysidLink): Promise<void> {
  const recording = link.record();
  const started = monotonicMs();
  try {
    for (;;) {
      await link.tick();
      const elapsed = monotonicMs() - started;
      const recent = recording.samples.filter((s) => s.receivedMs > monotonicMs() - 100);
      const still = recent.length >= 3 && recent[0]!.velocity.every((_, k) => Math.abs(mean(recent.map((s) => s.velocity[k]!))) < SETTLED_RAD_PER_S);
      if ((still && elapsed >= SETTLE_MIN_MS) || elapsed >= SETTLE_MAX_MS) return;
    }
  } finally {
    recording.stop();
  }
}

const SETTLED_RAD_PER_S = 0.01;
const SETTLE_MIN_MS = 150;
const SETTLE_MAX_MS = 2000;

function window(samples: readonly Sample[], fromMs: number, toMs: number): Sample[] {
  return samples.filter((s) => s.receivedMs >= fromMs && s.receivedMs <= toMs);
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

// ---------------------------------------------------------------- inertia

/**
 * Torque pulses from rest, alternating in direction, each from the end of the range it moves away
 * from. Each pulse gives I by fitting v = v0 + F/I over the samples while the torque acted, F the
 * integral of the torque less the friction just identified.
 */
async function inertiaPulses(link: SysidLink, j: number, sweep: Sweep, trials: number, delayS: number): Promise<JointInertiaFit> {
  const name = link.jointNames[j]!;
  const [lo, hi] = link.windowRad[j]!;
  const b = sweep.fit.viscousNmsPerRad.value;
  const c = sweep.fit.coulombNm.value;
  const vTop = SWEEP_TOP_FRACTION * link.safety.maxJointVelocity;
  // the sweep's runs already tell I roughly (T = I/b): size the pulse to reach vTop in about 0.4 s
  const prior = b * (median(sweep.runs.map((r) => r.timeConstantS).filter((t) => Number.isFinite(t) && t > 0)) || 0.5);
  const torque = Math.min(0.5 * link.safety.maxEffort, (c + b * 0.5 * vTop + (prior * vTop) / 0.4) / sweep.gain);
  const trialsKgM2: number[] = [];
  let pose: number[] = [];
  for (let k = 0; k < trials; k++) {
    const sign = k % 2 === 0 ? 1 : -1;
    pose = identificationPose(link, j, sign > 0 ? lo : hi);
    const here = link.joints.position[j]!;
    // from where the last pulse left the joint, unless too little of the range lies ahead
    if (sign * ((sign > 0 ? hi : lo) - here) < 0.6 * (hi - lo)) await moveToPose(link, pose);
    await settle(link);
    const recording = link.record();
    const sentMs = monotonicMs();
    const end = sign > 0 ? hi : lo;
    for (;;) {
      link.effort(j, sign * torque);
      await link.tick();
      const q = link.joints.position[j]!;
      const v = link.joints.velocity[j]!;
      const ahead = q + v * (delayS + 2 * link.controlPeriodS + STALL_MARGIN_S);
      if (sign * (ahead - end) >= 0 || Math.abs(v) > vTop || (monotonicMs() - sentMs) / 1000 > 1) break;
    }
    const heldMs = monotonicMs();
    link.holdHere();
    await link.tick(100);
    // from the first state that shows motion: states before the torque arrived (the delay varies)
    // would count torque that had not yet acted, and read as a larger inertia
    const threshold = Math.max(4 * sweep.noiseRadPerS, 0.02);
    const under = window(recording.stop(), sentMs, heldMs);
    const onset = under.findIndex((x) => Math.abs(x.velocity[j]!) > threshold);
    const samples = onset < 0 ? [] : under.slice(onset);
    if (samples.length < 5) throw new SysidError(`joint '${name}': an inertia pulse recorded only ${samples.length} joint states; the joint moved too fast for its range`);
    const t0 = samples[0]!.stampS;
    const I = pulseInertia({ timeS: samples.map((s) => s.stampS - t0), velocityRadPerS: samples.map((s) => s.velocity[j]!) }, sign * torque * sweep.gain, b, c);
    if (!Number.isFinite(I)) throw new SysidError(`joint '${name}': an inertia pulse of ${fmt(torque)} N·m did not accelerate the joint`);
    trialsKgM2.push(I);
  }
  return { joint: name, inertiaKgM2: trialEstimate(withoutOutliers(trialsKgM2)), trialsKgM2, poseRad: pose.map((q, k) => (k === j ? 0 : q)) };
}

/**
 * A joint whose time constant is this many joint-state periods or less gets the oscillation for its
 * inertia: the wrist (I/b 31 ms on `moderate`, 66 ms on `mild`; the sweep's fits read 40-90 ms, its
 * runs see little of the rise), not the elbow (0.3-0.6 s), at 10 ms per state.
 */
const OSCILLATE_BELOW_STATES = 20;
/** Half an alternation, control periods: about two time constants, within these bounds. */
const OSCILLATION_HALF_STEPS: readonly [number, number] = [3, 6];
/**
 * Each block of the oscillation lasts this long, s: a trial of its own, and a chance to re-centre.
 * On `moderate` (effort noise 0.05 N·m) 2-3 s blocks' I scattered by 4-5% live.
 */
const OSCILLATION_BLOCK_S = 4;
/** A block ends early when the joint wanders this far from the centre, rad; the next starts from the centre again. */
const OSCILLATION_WANDER_RAD = 0.5;
/** After a block the joint is moved back to the centre when it ended further than this, rad. */
const OSCILLATION_RECENTRE_RAD = 0.15;

/**
 * The inertia of a fast joint (design in docs/system-identification.md): blocks of a torque that
 * alternates in sign every `half` control periods, about a pose where the links beyond the joint
 * stand square to the one before it (there the neighbours, which yield to the reaction, couple least
 * into the joint's own equation), each block fitted by oscillationInertia (oscillation.ts).
 * The alternation follows the wall clock, not the count of control steps: its frequency on the
 * robot's clock is then the one the fit assumes, whatever the event loop's timer slack.
 */
async function inertiaOscillation(link: SysidLink, j: number, sweep: Sweep, blocks: number, delayS: number): Promise<JointInertiaFit> {
  const name = link.jointNames[j]!;
  const [lo, hi] = link.windowRad[j]!;
  const b = sweep.fit.viscousNmsPerRad.value;
  const c = sweep.fit.coulombNm.value;
  const vTop = SWEEP_TOP_FRACTION * link.safety.maxJointVelocity;
  const vGuard = GUARD_SPEED_FRACTION * link.safety.maxJointVelocity;
  // held, it would settle at vTop: the fastest the sweep drove the joint (a stalled link leaves a
  // torque in force); the alternation keeps it below that
  const torque = Math.min(0.5 * link.safety.maxEffort, (c + b * vTop) / sweep.gain);
  // half an alternation about two time constants: the joint nearly settles before each reversal (on
  // the emulator's `mild` wrist halves of 3-4 control periods read I 4-6% high, 6 periods 1.5%;
  // longer ones give fewer reversals, so more noise)
  const [fewest, most] = OSCILLATION_HALF_STEPS;
  const half = Math.min(most, Math.max(fewest, Math.round((2 * sweep.timeConstantS) / link.controlPeriodS)));
  const halfS = half * link.controlPeriodS;
  const omega = Math.PI / halfS;
  const centre = Math.min(hi, Math.max(lo, Math.PI / 2));
  const pose = identificationPose(link, j, centre);
  link.log(`${name}: inertia from ${blocks} blocks of ±${fmt(torque)} N·m alternating every ${fmt(halfS)} s about ${fmt(centre)} rad`);
  await moveToPose(link, pose);
  const trialsKgM2: number[] = [];
  for (let k = 0; k < blocks; k++) {
    if (Math.abs(link.joints.position[j]! - centre) > OSCILLATION_RECENTRE_RAD) await moveToPose(link, pose);
    await settle(link);
    // the first half is half as long, so the swing centres on where the block starts; it heads back towards the centre
    const first = link.joints.position[j]! > centre ? -1 : 1;
    const recording = link.record();
    const sentMs = monotonicMs();
    for (;;) {
      const elapsedS = (monotonicMs() - sentMs) / 1000;
      if (elapsedS > OSCILLATION_BLOCK_S) break;
      const sign = Math.floor(elapsedS / halfS + 0.5) % 2 === 0 ? first : -first;
      link.effort(j, sign * torque);
      await link.tick();
      const q = link.joints.position[j]!;
      const v = link.joints.velocity[j]!;
      if (Math.abs(v) > vGuard || Math.abs(q - centre) > OSCILLATION_WANDER_RAD) break;
    }
    const heldMs = monotonicMs();
    link.holdHere();
    await link.tick(100);
    // only states the robot published under the alternation: after the first torque arrived, before the hold was sent
    const states = window(recording.stop(), sentMs + delayS * 1000, heldMs);
    const fit = oscillationInertia(states, j, omega, b, c);
    link.log(`${name}: oscillation block ${k + 1}: I ${fmt(fit.inertiaKgM2)} kg·m² from ${fit.equations} state pairs`);
    if (Number.isFinite(fit.inertiaKgM2)) trialsKgM2.push(fit.inertiaKgM2);
  }
  if (trialsKgM2.length < 2) throw new SysidError(`joint '${name}': only ${trialsKgM2.length} of ${blocks} oscillation blocks gave an inertia (the joint left its pose, or its states came too irregularly)`);
  return { joint: name, inertiaKgM2: trialEstimate(withoutOutliers(trialsKgM2)), trialsKgM2, poseRad: pose.map((q, k) => (k === j ? 0 : q)) };
}

/** Trials within 4 median absolute deviations of the median (a pulse disturbed by a stall of the link). */
function withoutOutliers(values: readonly number[]): number[] {
  const m = median(values);
  const mad = median(values.map((v) => Math.abs(v - m)));
  const kept = values.filter((v) => Math.abs(v - m) <= 4 * 1.4826 * mad + 1e-12);
  return kept.length >= 2 ? kept : [...values];
}

// ---------------------------------------------------------------- mapping

/**
 * The experiment's parameters: b -> joint_damping, c -> joint_friction per joint; link masses from
 * the inertias (I_j = sum over links i >= j of m_i·a_ji(q), armModel.ts), solved from the wrist
 * inwards, so a link's mass needs every joint from it outwards; delay -> action_delay in whole steps.
 */
function identifiedParameters(friction: readonly JointFrictionFit[], inertia: readonly JointInertiaFit[], delay: DelayFit | undefined, controlPeriodMs: number, warnings: string[]): IdentifiedParameter[] {
  const out: IdentifiedParameter[] = [];
  for (const f of friction) out.push({ parameter: 'joint_damping', target: f.joint, value: f.viscousNmsPerRad.value, stdError: f.viscousNmsPerRad.stdError, unit: 'N·m·s/rad' });
  for (const f of friction) out.push({ parameter: 'joint_friction', target: f.joint, value: f.coulombNm.value, stdError: f.coulombNm.stdError, unit: 'N·m' });
  const masses = linkMasses(inertia, warnings);
  for (let i = 0; i < JOINT_COUNT; i++) {
    const m = masses[i];
    if (m) out.push({ parameter: 'link_mass', target: LINK_NAMES[i]!, value: m.value, stdError: m.stdError, unit: 'kg' });
  }
  if (delay) out.push({ parameter: 'action_delay', value: Math.round(delay.meanMs / controlPeriodMs), stdError: delay.stdMs / controlPeriodMs, unit: 'control steps' });
  return out;
}

export function linkMasses(inertia: readonly JointInertiaFit[], warnings: string[]): ({ value: number; stdError: number } | undefined)[] {
  const names = ['shoulder', 'elbow', 'wrist'];
  const masses: ({ value: number; stdError: number } | undefined)[] = new Array(JOINT_COUNT).fill(undefined);
  for (let j = JOINT_COUNT - 1; j >= 0; j--) {
    const fit = inertia.find((f) => f.joint === names[j]);
    if (!fit) continue;
    const pose = fit.poseRad ?? [0, 0, 0];
    const a = jointInertiaCoefficients(j, pose);
    let rest = fit.inertiaKgM2.value;
    let variance = fit.inertiaKgM2.stdError ** 2;
    let known = true;
    for (let i = j + 1; i < JOINT_COUNT; i++) {
      const m = masses[i];
      if (!m) {
        known = false;
        break;
      }
      rest -= a[i]! * m.value;
      variance += (a[i]! * m.stdError) ** 2;
    }
    if (!known) {
      warnings.push(`link_mass of ${LINK_NAMES[j]} not solved: it needs the inertia of every joint beyond ${names[j]} (identify them too)`);
      continue;
    }
    const value = rest / a[j]!;
    if (!(value > 0)) {
      warnings.push(`link_mass of ${LINK_NAMES[j]} came out ${fmt(value)} kg from the inertias: the arm's links differ from the model's cuboids; not reported`);
      continue;
    }
    masses[j] = { value, stdError: Math.sqrt(variance) / a[j]! };
  }
  return masses;
}

function fmt(v: number): string {
  return Number.isFinite(v) ? v.toPrecision(3) : String(v);
}
