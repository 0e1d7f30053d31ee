/**
 * What the live procedures (identifyOnRobot.ts, delay.ts, friction.ts, inertia.ts) share: the pose a
 * joint is identified in and the moves between poses, which keep the arm folded and its base turned
 * aside so that it keeps clear of the task's objects; waiting until the arm is at rest before
 * each run; readings at rest; and the rules for their samples (the states under a command, trials
 * within 4 median absolute deviations).
 */
import { mean, median, stdDev } from '../frictionFit';
import { monotonicMs } from '../../util/clock';
import type { Sample, SysidLink } from './liveLink';

/** Joints beyond the one identified are folded to this angle (less the margin of their range), rad: a folded arm has a small inertia, so runs settle within the range. */
const FOLD_RAD = 2.3;
/** Highest steady-state speed of the sweep, as a fraction of max_joint_velocity (room above it for a stalled link). */
export const SWEEP_TOP_FRACTION = 0.5;
/** A run ends before the joint passes this fraction of max_joint_velocity (the safety layer stops at 1.25). */
export const GUARD_SPEED_FRACTION = 0.75;
/** Extra time a run allows for the engine or the link to stall before a hold takes effect, s. */
export const STALL_MARGIN_S = 0.1;

/**
 * The pose a joint is identified in: itself at `at`, the joints beyond it folded, the first joint
 * (the base) turned aside and those between at 0. Aside: pointing ahead, the arm swept through the
 * table area the task's objects stand in and pushed the puck, which read as friction; a joint's
 * inertia, friction and the reaction of the joints held before it do not depend on where the base
 * points.
 */
export function identificationPose(link: SysidLink, j: number, at: number): number[] {
  return link.windowRad.map(([lo, hi], k) => (k === j ? at : k === 0 ? asideRad(link) : k < j ? Math.min(hi, Math.max(lo, 0)) : Math.min(hi, FOLD_RAD)));
}

/** The base joint's angle while the joints beyond it are identified: the low end of its range. */
export function asideRad(link: SysidLink): number {
  return link.windowRad[0]![0];
}

/**
 * Move to `pose` so that a joint only turns while every joint beyond it is folded: the joints beyond
 * the innermost one that must move fold (outermost first), then each joint from that one outwards
 * goes to its target, those beyond it still folded. A folded chain keeps the finger near the joint
 * that turns: moved straight (moveTo: outermost joint first, wherever the base points) the finger
 * swept through the objects in front of the arm, from the reset's start pose onwards.
 */
export async function moveToPose(link: SysidLink, pose: readonly number[]): Promise<void> {
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

/** Velocity noise of joint j at rest, rad/s (std over a few tenths of a second). */
export async function restNoise(link: SysidLink, j: number): Promise<number> {
  return (await restReadings(link, j)).noise;
}

/** Velocity noise of joint j at rest, rad/s, and the robot's joint-state period, s (median of its stamps' spacing). */
export async function restReadings(link: SysidLink, j: number): Promise<{ noise: number; periodS: number }> {
  const recording = link.record();
  await link.tick(300);
  const states = recording.stop();
  const v = states.map((s) => s.velocity[j]!);
  const spacing = states.slice(1).map((s, k) => s.stampS - states[k]!.stampS).filter((x) => x > 0);
  return { noise: v.length > 2 ? stdDev(v) : 0, periodS: median(spacing) || link.controlPeriodS };
}

/**
 * Wait, holding, until every joint is at rest: the mean velocity of each over the last tenth of a
 * second below SETTLED_RAD_PER_S (at least SETTLE_MIN_MS, at most SETTLE_MAX_MS). A hold stops the
 * driven joint within a few hundredths of a second, and its reaction sets the held joints swinging
 * long enough to bias the next run's speeds (docs/system-identification.md).
 */
export async function settle(link: SysidLink): Promise<void> {
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

export function window(samples: readonly Sample[], fromMs: number, toMs: number): Sample[] {
  return samples.filter((s) => s.receivedMs >= fromMs && s.receivedMs <= toMs);
}

/** Trials within 4 median absolute deviations of the median (a pulse disturbed by a stall of the link). */
export function withoutOutliers(values: readonly number[]): number[] {
  const m = median(values);
  const mad = median(values.map((v) => Math.abs(v - m)));
  const kept = values.filter((v) => Math.abs(v - m) <= 4 * 1.4826 * mad + 1e-12);
  return kept.length >= 2 ? kept : [...values];
}

export function fmt(v: number): string {
  return Number.isFinite(v) ? v.toPrecision(3) : String(v);
}
