/**
 * The inertia of one joint, live, with the friction its sweep just identified subtracted: torque
 * pulses from rest for a joint that takes many joint states to settle (shoulder, elbow), or blocks of
 * an alternating torque (oscillation.ts) for one that settles within a few (the wrist), where a pulse
 * would carry I in its first few states only. The inertias give the link masses (parameters.ts).
 */
import { median, pulseInertia, SysidError, trialEstimate } from '../frictionFit';
import { monotonicMs } from '../../util/clock';
import type { SysidLink } from './liveLink';
import { fmt, GUARD_SPEED_FRACTION, identificationPose, moveToPose, settle, STALL_MARGIN_S, SWEEP_TOP_FRACTION, window, withoutOutliers } from './procedure';
import type { Sweep } from './friction';
import { oscillationInertia } from './oscillation';
import type { JointInertiaFit } from '../types';

/**
 * Torque pulses from rest, alternating in direction, each from the end of the range it moves away
 * from. Each pulse gives I by fitting v = v0 + F/I over the samples while the torque acted, F the
 * integral of the torque less the friction just identified.
 */
export async function inertiaPulses(link: SysidLink, j: number, sweep: Sweep, trials: number, delayS: number): Promise<JointInertiaFit> {
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
 * inertia: the wrist (its time constant a few joint states; the sweep's runs see little of the rise),
 * not the elbow (tens of states).
 */
export const OSCILLATE_BELOW_STATES = 20;
/** Half an alternation, control periods: about two time constants, within these bounds. */
const OSCILLATION_HALF_STEPS: readonly [number, number] = [3, 6];
/**
 * Each block of the oscillation lasts this long, s: a trial of its own, and a chance to re-centre.
 * Shorter blocks scattered more on a noisy effort sensor (docs/system-identification.md).
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
export async function inertiaOscillation(link: SysidLink, j: number, sweep: Sweep, blocks: number, delayS: number): Promise<JointInertiaFit> {
  const name = link.jointNames[j]!;
  const [lo, hi] = link.windowRad[j]!;
  const b = sweep.fit.viscousNmsPerRad.value;
  const c = sweep.fit.coulombNm.value;
  const vTop = SWEEP_TOP_FRACTION * link.safety.maxJointVelocity;
  const vGuard = GUARD_SPEED_FRACTION * link.safety.maxJointVelocity;
  // held, it would settle at vTop: the fastest the sweep drove the joint (a stalled link leaves a
  // torque in force); the alternation keeps it below that
  const torque = Math.min(0.5 * link.safety.maxEffort, (c + b * vTop) / sweep.gain);
  // half an alternation about two time constants: the joint nearly settles before each reversal
  // (shorter halves read I high; longer ones give fewer reversals, so more noise)
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
