/**
 * The command delay, live: how long after a command the joint starts to move. It holds everything
 * between the engine and the joint (link latency, the robot's controller cycle and physics step),
 * which the simulator must reproduce as `action_delay`; the friction sweeps and inertia pulses use
 * it too, to end a run before the joint passes the end of its range.
 */
import { JOINT_COUNT } from '../../sim/tasks/arm';
import { mean, median, stdDev, SysidError } from '../frictionFit';
import { monotonicMs } from '../../util/clock';
import type { SysidLink } from './liveLink';
import { asideRad, moveToPose, restNoise, withoutOutliers } from './procedure';
import type { DelayFit } from '../types';

/**
 * Repeated small position steps of the last (lightest) joint, alternating in direction, at rest
 * between them. The delay of one step is the arrival of the first joint state showing motion minus
 * the time the step was sent, less half the joint-state period (motion starts, on average, half a
 * sample before the sample that shows it).
 */
export async function measureDelay(link: SysidLink, trials: number, onTrial: (k: number) => void): Promise<DelayFit> {
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
