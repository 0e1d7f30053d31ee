/**
 * Friction points for the report's chart, from a log: at every sample, the commanded torque minus
 * the torque the fitted links need for the logged acceleration (inverse dynamics) is the torque
 * friction absorbed; averaged in velocity bins, these are the log's counterpart of a sweep's
 * steady-state points.
 */
import { ArmModel } from '../armModel';
import type { LogFit } from './logFit';
import type { JointTrajectory } from '../logs/trajectory';
import type { FrictionPoint } from '../types';

const BINS = 20;
/** Samples per bin below which a bin is left out (too noisy to plot). */
const MIN_PER_BIN = 5;

/** `input`: the torque that drove the replay, held from each time, delayed by `delayS`. */
export function frictionPoints(log: JointTrajectory, fit: LogFit, input: { readonly timeS: Float64Array; readonly valuesNm: readonly Float64Array[] }, delayS: number): FrictionPoint[][] {
  const J = log.joints.length;
  const n = log.timeS.length;
  const t = log.timeS;
  const model = new ArmModel();
  model.setParameters({
    viscousNmsPerRad: fit.viscousNmsPerRad.map((e) => e.value),
    coulombNm: fit.coulombNm.map((e) => e.value),
    linkMassKg: fit.linkMassKg.map((e) => e.value),
  });
  const velocity = log.velocityRadPerS ?? log.positionRad.map((p) => Float64Array.from(p, (_, i) => (i > 0 ? (p[i]! - p[i - 1]!) / (t[i]! - t[i - 1]!) : 0)));
  const samples: { v: number; f: number }[][] = Array.from({ length: J }, () => []);
  const q = new Float64Array(J);
  const dq = new Float64Array(J);
  const ddq = new Float64Array(J);
  const tau = new Float64Array(J);
  let c = -1;
  const cmdTime = input.timeS;
  for (let i = 1; i < n - 1; i++) {
    const due = t[i]! - delayS + 1e-9;
    while (c + 1 < cmdTime.length && cmdTime[c + 1]! <= due) c++;
    if (c < 0) continue;
    for (let j = 0; j < J; j++) {
      q[j] = log.positionRad[j]![i]!;
      dq[j] = velocity[j]![i]!;
      ddq[j] = (velocity[j]![i + 1]! - velocity[j]![i - 1]!) / (t[i + 1]! - t[i - 1]!);
    }
    model.inverseDynamics(q, dq, ddq, tau);
    for (let j = 0; j < J; j++) samples[j]!.push({ v: dq[j]!, f: input.valuesNm[j]![c]! - tau[j]! });
  }
  return samples.map((points) => binByVelocity(points));
}

/** Mean velocity and torque in bins of equal sample count, sorted by velocity. */
function binByVelocity(points: { v: number; f: number }[]): FrictionPoint[] {
  const sorted = points.slice().sort((a, b) => a.v - b.v);
  const per = Math.floor(sorted.length / BINS);
  if (per < MIN_PER_BIN) return [];
  const out: FrictionPoint[] = [];
  for (let b = 0; b < BINS; b++) {
    const bin = sorted.slice(b * per, (b + 1) * per);
    const v = bin.reduce((s, p) => s + p.v, 0) / bin.length;
    const f = bin.reduce((s, p) => s + p.f, 0) / bin.length;
    out.push({ torqueNm: f, velocityRadPerS: v });
  }
  return out;
}
