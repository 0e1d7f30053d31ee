/**
 * The command-to-torque delay, from a log with both the commands and the measured joint torques:
 * the shift (a whole number of sample periods, refined by a parabola) at which the commands,
 * scaled by a per-joint gain, best explain the measured torques. The gain is the actuator's torque
 * error (1 = the motor applies what it is told).
 */
import type { JointTrajectory } from '../logs/trajectory';

export interface CommandDelay {
  readonly delayS: number;
  readonly gridS: number;
  readonly stdS: number;
  /** Measured torque per commanded torque, per joint. */
  readonly gain: readonly number[];
}

export function commandDelay(log: JointTrajectory, samplePeriodS: number, maxDelayS: number): CommandDelay {
  const effort = log.effortNm!;
  const t = log.timeS;
  const n = t.length;
  const cmdTime = log.command.timeS;
  const J = log.joints.length;
  const candidates = Math.max(1, Math.floor(maxDelayS / samplePeriodS + 1e-9) + 1);
  const errors: number[] = [];
  const gains: number[][] = [];
  for (let m = 0; m < candidates; m++) {
    const d = m * samplePeriodS;
    const sxy = new Array<number>(J).fill(0);
    const sxx = new Array<number>(J).fill(0);
    const syy = new Array<number>(J).fill(0);
    let c = -1;
    // the torque measured at t_k+1 was applied over [t_k, t_k+1], from the command in force at t_k - d
    for (let k = 0; k < n - 1; k++) {
      const due = t[k]! - d + 1e-9;
      while (c + 1 < cmdTime.length && cmdTime[c + 1]! <= due) c++;
      if (c < 0) continue;
      for (let j = 0; j < J; j++) {
        const x = log.command.values[j]![c]!;
        const y = effort[j]![k + 1]!;
        sxy[j] += x * y;
        sxx[j] += x * x;
        syy[j] += y * y;
      }
    }
    let error = 0;
    const gain: number[] = [];
    for (let j = 0; j < J; j++) {
      const g = sxx[j]! > 0 ? sxy[j]! / sxx[j]! : 0;
      gain.push(g);
      error += syy[j]! - g * sxy[j]!;
    }
    errors.push(error);
    gains.push(gain);
  }
  let best = 0;
  for (let m = 1; m < candidates; m++) if (errors[m]! < errors[best]!) best = m;
  let delay = best * samplePeriodS;
  if (best > 0 && best < candidates - 1) {
    const [a, b, c] = [errors[best - 1]!, errors[best]!, errors[best + 1]!];
    const curvature = a - 2 * b + c;
    if (curvature > 0) delay += ((0.5 * (a - c)) / curvature) * samplePeriodS;
  }
  return { delayS: Math.max(0, delay), gridS: best * samplePeriodS, stdS: samplePeriodS / Math.sqrt(12), gain: gains[best]! };
}
