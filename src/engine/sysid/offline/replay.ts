/**
 * Replaying a logged trajectory through the arm model: the log is cut into short segments, each
 * started from the logged joint state and driven by the logged commands (shifted by a candidate
 * delay), and the simulated joint velocities and positions are compared with the logged ones.
 * Short segments keep a replay from drifting away from the log (multiple shooting), so the error
 * measures the model, not the accumulated drift of an open-loop torque replay.
 */
import { ArmModel, type ArmParameters } from '../armModel';
import type { JointTrajectory } from '../logs/trajectory';

/** Segment length, s: long enough for friction and inertia to shape the motion, short enough not to drift. */
export const SEGMENT_S = 0.3;
/** A sampling gap longer than this many median periods ends a segment (dropped messages). */
const GAP_FACTOR = 3;

export interface Segment {
  readonly start: number;
  /** Samples after the start that are compared (the segment ends at sample start + length). */
  readonly length: number;
}

export class Replay {
  readonly joints: number;
  readonly samplePeriodS: number;
  readonly segments: readonly Segment[];
  /** Logged values the replay is compared with, in residual order. */
  readonly observed: Float64Array;
  /** Position errors are divided by the segment duration so they count like velocity errors. */
  readonly positionWeight: number;
  /** True when the replay is driven by the measured joint torques instead of the commands. */
  readonly drivenByMeasuredEffort: boolean;
  private readonly initialVelocity: readonly Float64Array[];
  /** The torque input: times and per-joint values, held from each time until the next. */
  private readonly inputTimeS: Float64Array;
  private readonly inputNm: readonly Float64Array[];
  private readonly model = new ArmModel();
  private readonly q = new Float64Array(3);
  private readonly dq = new Float64Array(3);
  private readonly tau = new Float64Array(3);
  private readonly state = new Float64Array(6);

  constructor(
    private readonly log: JointTrajectory,
    /** The torque input, when not the log's own commands or measured torques. */
    input?: { readonly timeS: Float64Array; readonly valuesNm: readonly Float64Array[] },
  ) {
    this.joints = log.joints.length;
    const t = log.timeS;
    const n = t.length;
    const periods = Array.from({ length: n - 1 }, (_, k) => t[k + 1]! - t[k]!).sort((a, b) => a - b);
    this.samplePeriodS = periods[Math.floor(periods.length / 2)]!;
    const perSegment = Math.max(2, Math.round(SEGMENT_S / this.samplePeriodS));
    // the first usable sample: a command must be in force there (commands may start later than states)
    let first = 0;
    while (first < n && t[first]! < log.command.timeS[0]!) first++;
    const segments: Segment[] = [];
    let s = first;
    while (s < n - 1) {
      let length = 0;
      while (length < perSegment && s + length < n - 1 && t[s + length + 1]! - t[s + length]! <= GAP_FACTOR * this.samplePeriodS) length++;
      if (length >= 2) segments.push({ start: s, length });
      s += Math.max(1, length);
    }
    this.segments = segments;
    this.positionWeight = 1 / (perSegment * this.samplePeriodS);
    // a measured effort is the torque applied over the period ending at its sample: it drives
    // [t_k-1, t_k]; commands are held from the time they were sent
    this.drivenByMeasuredEffort = log.effortNm !== undefined;
    if (input) {
      this.inputTimeS = input.timeS;
      this.inputNm = input.valuesNm;
    } else if (log.effortNm) {
      this.inputTimeS = t.subarray(0, n - 1);
      this.inputNm = log.effortNm.map((e) => e.subarray(1));
    } else {
      this.inputTimeS = log.command.timeS;
      this.inputNm = log.command.values;
    }
    this.initialVelocity = log.velocityRadPerS ?? log.positionRad.map((p) => centralDifference(p, t));
    const perSample = this.channels();
    this.observed = new Float64Array(this.residualCount);
    let r = 0;
    for (const seg of segments) {
      for (let k = 1; k <= seg.length; k++) {
        const i = seg.start + k;
        for (let j = 0; j < this.joints; j++) {
          if (log.velocityRadPerS) this.observed[r++] = log.velocityRadPerS[j]![i]!;
          this.observed[r++] = log.positionRad[j]![i]! * this.positionWeight;
        }
      }
    }
    if (r !== this.residualCount || perSample <= 0) throw new Error('replay: residual layout mismatch');
  }

  /** Values compared per sample and joint: velocity (when logged) and position. */
  channels(): number {
    return this.log.velocityRadPerS ? 2 : 1;
  }

  get residualCount(): number {
    let samples = 0;
    for (const seg of this.segments) samples += seg.length;
    return samples * this.joints * this.channels();
  }

  /** Seconds of log the segments cover. */
  get coveredS(): number {
    let samples = 0;
    for (const seg of this.segments) samples += seg.length;
    return samples * this.samplePeriodS;
  }

  /**
   * Simulated values, in the order of `observed`, for parameters p and a command delay: during
   * [t_k, t_k+1] the joints feel the command that was in force at t_k - delayS.
   */
  simulate(p: ArmParameters, delayS: number, out: Float64Array): void {
    const log = this.log;
    const t = log.timeS;
    const cmdTime = this.inputTimeS;
    const cmd = this.inputNm;
    const J = this.joints;
    const velocity = log.velocityRadPerS !== undefined;
    this.model.setParameters(p);
    let r = 0;
    for (const seg of this.segments) {
      for (let j = 0; j < J; j++) {
        this.q[j] = log.positionRad[j]![seg.start]!;
        this.dq[j] = this.initialVelocity[j]![seg.start]!;
      }
      this.model.setState(this.q, this.dq);
      // the command in force: the last one sent at or before t - delay (zero-order hold)
      let c = lastAtOrBefore(cmdTime, t[seg.start]! - delayS);
      for (let k = 0; k < seg.length; k++) {
        const i = seg.start + k;
        const due = t[i]! - delayS + 1e-9;
        while (c + 1 < cmdTime.length && cmdTime[c + 1]! <= due) c++;
        for (let j = 0; j < J; j++) this.tau[j] = c >= 0 ? cmd[j]![c]! : 0;
        this.model.step(this.tau, t[i + 1]! - t[i]!);
        this.model.readState(this.state);
        for (let j = 0; j < J; j++) {
          if (velocity) out[r++] = this.state[J + j]!;
          out[r++] = this.state[j]! * this.positionWeight;
        }
      }
    }
  }
}

/** Index of the last time <= t in a sorted array, or -1. */
function lastAtOrBefore(times: Float64Array, t: number): number {
  let lo = 0;
  let hi = times.length - 1;
  if (times[0]! > t + 1e-9) return -1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (times[mid]! <= t + 1e-9) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/** Velocity by central differences of positions (one-sided at the ends), rad/s. */
function centralDifference(p: Float64Array, t: Float64Array): Float64Array {
  const n = p.length;
  const v = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const a = Math.max(0, i - 1);
    const b = Math.min(n - 1, i + 1);
    v[i] = (p[b]! - p[a]!) / (t[b]! - t[a]!);
  }
  return v;
}
