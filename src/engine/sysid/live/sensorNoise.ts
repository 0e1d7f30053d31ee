/**
 * Sensor noise at rest, through the robot link: with the arm held still and the object lying on the
 * table, every reading's spread about a straight line over time (a slow creep is motion, not noise)
 * is the noise the policy will see on that channel, and the tracker's stamps give its rate. The
 * results are the simulator's sensor parameters (sim/sensing.ts): joint_position_noise,
 * joint_velocity_noise, object_position_noise, object_tracking_rate.
 *
 * Why it belongs in identification: on the `moderate` emulator the tracker's noise, differenced into
 * the puck's velocity, cost a policy trained on exact observations more real success than every
 * physical mismatch together (docs/calibration.md).
 */
import type { Experiment } from '../../config/experiment';
import type { PoseStampedMsg } from '../../rosbridge/messages';
import type { MotionAttendance } from '../../robot/motionAuthority';
import { TASK_DEFINITIONS } from '../../sim/tasks';
import { SysidError } from '../frictionFit';
import { SysidLink } from './liveLink';
import type { Estimate, IdentifiedParameter, JointSensorNoise, ObjectSensorNoise, SensorNoiseFit, SysidResult } from '../types';

/** Seconds of readings at rest. [default of `sim2real sysid --noise-seconds`] */
export const DEFAULT_NOISE_SECONDS = 3;
/** Time the arm is held before the readings start, for the reset's motion to die out, ms. */
const SETTLE_MS = 500;
/** Fewest readings with distinct stamps an estimate needs. */
const MIN_READINGS = 20;
/** A joint whose fitted line moved more than this while held was not at rest, rad. */
const MOVED_RAD = 0.01;
const MOVED_M = 0.005;

export interface SensorsOnlyOptions {
  readonly allowedAddresses: readonly string[];
  /** Seconds of readings at rest. [default: 3] */
  readonly noiseSeconds?: number;
  readonly signal?: AbortSignal;
  readonly onProgress?: (p: { fraction?: number; message: string }) => void;
  readonly log?: (line: string) => void;
  /** The person (or why there is none), for the robot's motion authority. */
  readonly attendance: MotionAttendance;
  /** What moves the robot, in the user's words. [default: 'system identification'] */
  readonly path?: string;
  readonly motionLogPath?: string;
}

/**
 * Only the sensors (`sim2real sysid --sensors-only`): the robot is reset and held still, no torque is
 * commanded, a few seconds. For a robot whose friction and inertia are known, or not to be driven.
 */
export async function identifySensorsOnRobot(experiment: Experiment, experimentFile: string, address: string, options: SensorsOnlyOptions): Promise<SysidResult> {
  const seconds = options.noiseSeconds ?? DEFAULT_NOISE_SECONDS;
  if (!(seconds > 0) || !Number.isFinite(seconds)) throw new SysidError(`sensor noise needs a positive duration, got ${seconds} s`);
  const progress = options.onProgress ?? (() => undefined);
  progress({ fraction: 0, message: `connecting to ${address}` });
  const log = options.log ?? ((line: string) => process.stderr.write(line + '\n'));
  return SysidLink.run(experiment, address, { ...options, log }, async (link) => {
    const warnings: string[] = [];
    progress({ fraction: 0.1, message: `sensor noise: ${seconds} s at rest` });
    const sensors = await measureSensorNoise(link, seconds, TASK_DEFINITIONS[experiment.task].info.objects[0], warnings);
    progress({ fraction: 1, message: 'done' });
    return { ...link.resultHeader(experiment, experimentFile), friction: [], inertia: [], sensors, identified: sensorParameters(sensors), warnings };
  });
}

interface StampedPose {
  readonly stampS: number;
  readonly x: number;
  readonly y: number;
}

export async function measureSensorNoise(link: SysidLink, seconds: number, objectName: string | undefined, warnings: string[]): Promise<SensorNoiseFit> {
  if (!(seconds > 0)) throw new SysidError(`sensor noise needs a positive duration, got ${seconds} s`);
  link.holdHere();
  await link.tick(SETTLE_MS);
  const recording = link.record();
  const poses: StampedPose[] = [];
  const detachPoses = objectName === undefined ? () => false : link.link.onObjectPose((msg: PoseStampedMsg) => {
    poses.push({ stampS: msg.header.stamp.sec + msg.header.stamp.nanosec * 1e-9, x: msg.pose.position.x, y: msg.pose.position.y });
  });
  try {
    // in control periods, so a cancel is seen at once and the watchdog is fed by the link's heartbeats
    const periods = Math.ceil(seconds / link.controlPeriodS);
    for (let k = 0; k < periods; k++) await link.tick();
  } finally {
    detachPoses();
  }
  const states = distinctStamps(recording.stop());
  if (states.length < MIN_READINGS) throw new SysidError(`sensor noise: only ${states.length} joint states with distinct stamps in ${seconds} s at rest; is the robot publishing joint states?`);
  const t = states.map((s) => s.stampS);
  const joints: JointSensorNoise[] = link.jointNames.map((joint, j) => {
    const position = lineSpread(t, states.map((s) => s.position[j]!));
    const velocity = lineSpread(t, states.map((s) => s.velocity[j]!));
    if (moved(position, MOVED_RAD)) warnings.push(`sensor noise: joint '${joint}' moved ${position.travel.toFixed(3)} rad while held; its noise may include motion`);
    return { joint, positionNoiseRad: position.spread, velocityNoiseRadPerS: velocity.spread };
  });
  const object = objectName === undefined ? undefined : objectNoise(objectName, distinctStamps(poses), seconds, warnings);
  return { durationS: seconds, jointStates: states.length, joints, ...(object ? { object } : {}) };
}

function objectNoise(name: string, poses: readonly StampedPose[], seconds: number, warnings: string[]): ObjectSensorNoise {
  if (poses.length < MIN_READINGS) {
    throw new SysidError(`sensor noise: only ${poses.length} poses of the ${name} with distinct stamps in ${seconds} s; is the tracker publishing (${seconds} s needs a tracker of at least ${Math.ceil(MIN_READINGS / seconds)} Hz)?`);
  }
  const t = poses.map((p) => p.stampS);
  const x = lineSpread(t, poses.map((p) => p.x));
  const y = lineSpread(t, poses.map((p) => p.y));
  if (moved(x, MOVED_M) || moved(y, MOVED_M)) warnings.push(`sensor noise: the ${name} moved ${(100 * Math.hypot(x.travel, y.travel)).toFixed(1)} cm while measured; its noise may include motion`);
  // per axis: the two axes' variances pooled
  const value = Math.sqrt((x.spread.value ** 2 + y.spread.value ** 2) / 2);
  const positionNoiseM = { value, stdError: Math.hypot(x.spread.stdError, y.spread.stdError) / 2 };
  // the rate from the whole span (precise), its uncertainty from the intervals' scatter
  const intervals = t.slice(1).map((s, i) => s - t[i]!);
  const meanInterval = (t[t.length - 1]! - t[0]!) / intervals.length;
  const spread = Math.sqrt(intervals.reduce((a, d) => a + (d - meanInterval) ** 2, 0) / Math.max(1, intervals.length - 1));
  const rate = 1 / meanInterval;
  const trackingRateHz = { value: rate, stdError: (rate * rate * spread) / Math.sqrt(intervals.length) };
  return { object: name, positionNoiseM, trackingRateHz, poses: poses.length };
}

/** Readings in stamp order with repeated stamps dropped (a republished reading is not a new one). */
function distinctStamps<T extends { readonly stampS: number }>(readings: readonly T[]): T[] {
  const out: T[] = [];
  for (const r of readings) if (out.length === 0 || r.stampS > out[out.length - 1]!.stampS) out.push(r);
  return out;
}

/**
 * The standard deviation of values about their least-squares line over t, with its standard error
 * (sigma / sqrt(2(n - 2)) for Gaussian noise), and how far the line travelled over the span, with
 * the standard error of that travel (noise alone tilts a fitted line).
 */
export function lineSpread(t: readonly number[], values: readonly number[]): { spread: Estimate; travel: number; travelStdError: number } {
  const n = values.length;
  const tm = t.reduce((a, b) => a + b, 0) / n;
  const vm = values.reduce((a, b) => a + b, 0) / n;
  let stt = 0;
  let stv = 0;
  for (let i = 0; i < n; i++) {
    stt += (t[i]! - tm) ** 2;
    stv += (t[i]! - tm) * (values[i]! - vm);
  }
  const slope = stt > 0 ? stv / stt : 0;
  let ss = 0;
  for (let i = 0; i < n; i++) ss += (values[i]! - vm - slope * (t[i]! - tm)) ** 2;
  const sigma = Math.sqrt(ss / Math.max(1, n - 2));
  const span = t[n - 1]! - t[0]!;
  return { spread: { value: sigma, stdError: sigma / Math.sqrt(2 * Math.max(1, n - 2)) }, travel: slope * span, travelStdError: stt > 0 ? (sigma * span) / Math.sqrt(stt) : 0 };
}

/** A reading moved while held: its line travelled more than `limit` and more than noise tilts a line. */
function moved(line: { travel: number; travelStdError: number }, limit: number): boolean {
  return Math.abs(line.travel) > Math.max(limit, 4 * line.travelStdError);
}

/** The simulator's sensor parameters from the measurement. */
export function sensorParameters(fit: SensorNoiseFit): IdentifiedParameter[] {
  const out: IdentifiedParameter[] = [];
  for (const j of fit.joints) {
    out.push({ parameter: 'joint_position_noise', target: j.joint, value: j.positionNoiseRad.value, stdError: j.positionNoiseRad.stdError, unit: 'rad' });
    out.push({ parameter: 'joint_velocity_noise', target: j.joint, value: j.velocityNoiseRadPerS.value, stdError: j.velocityNoiseRadPerS.stdError, unit: 'rad/s' });
  }
  const o = fit.object;
  if (o) {
    out.push({ parameter: 'object_position_noise', target: o.object, value: o.positionNoiseM.value, stdError: o.positionNoiseM.stdError, unit: 'm' });
    out.push({ parameter: 'object_tracking_rate', target: o.object, value: o.trackingRateHz.value, stdError: o.trackingRateHz.stdError, unit: 'Hz' });
  }
  return out;
}
