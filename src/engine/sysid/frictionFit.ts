/**
 * The fits of the live procedures, pure functions over measured points:
 * - the friction model tau = b·v + c·sign(v) by Levenberg-Marquardt, standard errors from the
 *   Jacobian (covariance s²·(JᵀJ)⁻¹) and the residuals;
 * - a torque run's approach to its steady-state velocity, v(t) = v∞ + (v0 − v∞)·exp(−t/T), so a
 *   run cut short by the joint's range still gives its steady state;
 * - an inertia from a torque pulse: v(t) = v0 + F(t)/I, F the integral of the net torque.
 * Errors name the joint; a fit that cannot be trusted throws rather than return a number.
 */
import { levenbergMarquardt } from 'ml-levenberg-marquardt';
import type { Estimate, FrictionPoint, JointFrictionFit } from './types';

export class SysidError extends Error {}

/** Fewest moving sweep points the friction fit accepts (2 unknowns, and enough left to judge the fit). */
export const MIN_FRICTION_POINTS = 4;
const MAX_ITERATIONS = 200;

/** tau = b·v + c·sign(v) over the points whose joint moved (|v| > 0). */
export function fitFriction(joint: string, points: readonly FrictionPoint[]): JointFrictionFit {
  const moving = points.filter((p) => Number.isFinite(p.velocityRadPerS) && Number.isFinite(p.torqueNm) && p.velocityRadPerS !== 0);
  if (moving.length < MIN_FRICTION_POINTS) {
    throw new SysidError(`joint '${joint}': only ${moving.length} of ${points.length} sweep points moved; the friction fit needs at least ${MIN_FRICTION_POINTS} (is the joint blocked, or max_effort too low for its friction?)`);
  }
  const positive = moving.filter((p) => p.velocityRadPerS > 0).length;
  if (positive === 0 || positive === moving.length) {
    throw new SysidError(`joint '${joint}': the sweep moved the joint in one direction only; Coulomb and viscous friction cannot be told apart without both`);
  }
  const x = moving.map((p) => p.velocityRadPerS);
  const y = moving.map((p) => p.torqueNm);
  // a straight line through each direction's points is a good start: mean slope, mean offset
  const start = lineStart(x, y);
  const model = ([b, c]: number[]) => (v: number) => b! * v + c! * Math.sign(v);
  const result = levenbergMarquardt({ x, y }, model, {
    initialValues: start,
    minValues: [0, 0],
    maxValues: [1e3, 1e3],
    damping: 1e-3,
    maxIterations: MAX_ITERATIONS,
    errorTolerance: 1e-14,
    // the model is linear in b and c: the analytic Jacobian is exact
    jacobianFunction: () => (v: number) => [v, Math.sign(v)],
  });
  const [b, c] = result.parameterValues as [number, number];
  if (!Number.isFinite(b) || !Number.isFinite(c) || !Number.isFinite(result.parameterError)) {
    throw new SysidError(`joint '${joint}': the friction fit did not converge (error ${result.parameterError})`);
  }
  const residualsNm = moving.map((p) => p.torqueNm - (b * p.velocityRadPerS + c * Math.sign(p.velocityRadPerS)));
  const [seB, seC] = standardErrors(x.map((v) => [v, Math.sign(v)]), residualsNm);
  const rms = Math.sqrt(residualsNm.reduce((s, r) => s + r * r, 0) / residualsNm.length);
  return {
    joint,
    viscousNmsPerRad: { value: b, stdError: seB! },
    coulombNm: { value: c, stdError: seC! },
    points: moving,
    residualsNm,
    rmsResidualNm: rms,
    iterations: result.iterations,
  };
}

function lineStart(x: number[], y: number[]): number[] {
  // least squares of y = b·x + c·sign(x) solved directly (2x2 normal equations)
  let sxx = 0, sxs = 0, sss = 0, sxy = 0, ssy = 0;
  for (let i = 0; i < x.length; i++) {
    const s = Math.sign(x[i]!);
    sxx += x[i]! * x[i]!;
    sxs += x[i]! * s;
    sss += s * s;
    sxy += x[i]! * y[i]!;
    ssy += s * y[i]!;
  }
  const det = sxx * sss - sxs * sxs;
  if (!(Math.abs(det) > 1e-15)) return [0.1, 0.1];
  return [Math.max(0, (sxy * sss - ssy * sxs) / det), Math.max(0, (sxx * ssy - sxs * sxy) / det)];
}

/** sqrt(diag(s²·(JᵀJ)⁻¹)), s² the residual variance with the fit's degrees of freedom. */
export function standardErrors(jacobian: readonly (readonly number[])[], residuals: readonly number[]): number[] {
  const p = jacobian[0]!.length;
  const n = residuals.length;
  const jtj = Array.from({ length: p }, () => new Array<number>(p).fill(0));
  for (const row of jacobian) for (let a = 0; a < p; a++) for (let b = 0; b < p; b++) jtj[a]![b]! += row[a]! * row[b]!;
  const inverse = invert(jtj);
  const s2 = residuals.reduce((s, r) => s + r * r, 0) / Math.max(1, n - p);
  return inverse.map((row, a) => Math.sqrt(Math.max(0, s2 * row[a]!)));
}

/** Gauss-Jordan inverse of a small symmetric positive-definite matrix. */
function invert(m: number[][]): number[][] {
  const n = m.length;
  const a = m.map((row, i) => [...row, ...Array.from({ length: n }, (_, j) => (i === j ? 1 : 0))]);
  for (let col = 0; col < n; col++) {
    let pivot = col;
    for (let r = col + 1; r < n; r++) if (Math.abs(a[r]![col]!) > Math.abs(a[pivot]![col]!)) pivot = r;
    [a[col], a[pivot]] = [a[pivot]!, a[col]!];
    const d = a[col]![col]!;
    if (Math.abs(d) < 1e-300) return m.map((row) => row.map(() => Infinity));
    for (let j = 0; j < 2 * n; j++) a[col]![j]! /= d;
    for (let r = 0; r < n; r++) {
      if (r === col) continue;
      const f = a[r]![col]!;
      for (let j = 0; j < 2 * n; j++) a[r]![j]! -= f * a[col]![j]!;
    }
  }
  return a.map((row) => row.slice(n));
}

/** One run's velocity samples: time since the torque took effect, s, and the joint's velocity, rad/s. */
export interface RunSamples {
  readonly timeS: readonly number[];
  readonly velocityRadPerS: readonly number[];
}

export interface Approach {
  /** Steady-state velocity, rad/s. */
  readonly steadyRadPerS: number;
  /** Time constant of the approach, s (I/b for a joint with viscous friction). */
  readonly timeConstantS: number;
  /** RMS of the fit's residuals, rad/s. */
  readonly rmsRadPerS: number;
}

/**
 * v(t) = v∞ + (v0 − v∞)·exp(−t/T) fitted to a run. When the run lasted several T this is the mean
 * velocity at its end; when the joint's range cut it short, the curvature of the approach gives v∞.
 * For a given T the model is linear in v∞ and v0 (solved exactly), so the fit is a one-dimensional
 * search over log T (golden section): a few hundred microseconds, cheap enough to run between two
 * control steps without starving the robot's watchdog.
 */
export function fitApproach(joint: string, run: RunSamples): Approach {
  const n = run.timeS.length;
  if (n < 6) throw new SysidError(`joint '${joint}': a sweep run has only ${n} joint states; the robot publishes them too slowly or the run was cut short`);
  const t = run.timeS;
  const v = run.velocityRadPerS;
  const duration = t[n - 1]! - t[0]!;
  // residual sum of squares and the linear parameters for one T
  const solve = (T: number): { sse: number; steady: number } => {
    let s11 = 0, s12 = 0, s22 = 0, s1y = 0, s2y = 0;
    for (let k = 0; k < n; k++) {
      const e = Math.exp(-(t[k]! - t[0]!) / T);
      // v = v∞·(1 − e) + v0·e
      const a = 1 - e;
      s11 += a * a;
      s12 += a * e;
      s22 += e * e;
      s1y += a * v[k]!;
      s2y += e * v[k]!;
    }
    const det = s11 * s22 - s12 * s12;
    if (!(Math.abs(det) > 1e-18)) return { sse: Infinity, steady: NaN };
    const steady = (s1y * s22 - s2y * s12) / det;
    const start = (s11 * s2y - s12 * s1y) / det;
    let sse = 0;
    for (let k = 0; k < n; k++) {
      const e = Math.exp(-(t[k]! - t[0]!) / T);
      const r = v[k]! - (steady * (1 - e) + start * e);
      sse += r * r;
    }
    return { sse, steady };
  };
  // T from a hundredth of the run to fifty runs long (beyond that the run is a straight line)
  let lo = Math.log(Math.max(1e-3, duration / 100));
  let hi = Math.log(Math.max(1e-2, duration * 50));
  // coarse scan first: the error can have a shallow second minimum at long T
  let best = lo;
  let bestSse = Infinity;
  const scan = 40;
  for (let i = 0; i <= scan; i++) {
    const x = lo + ((hi - lo) * i) / scan;
    const sse = solve(Math.exp(x)).sse;
    if (sse < bestSse) {
      bestSse = sse;
      best = x;
    }
  }
  const width = (hi - lo) / scan;
  lo = best - width;
  hi = best + width;
  const g = (Math.sqrt(5) - 1) / 2;
  let a = hi - g * (hi - lo);
  let b = lo + g * (hi - lo);
  let fa = solve(Math.exp(a)).sse;
  let fb = solve(Math.exp(b)).sse;
  for (let i = 0; i < 60; i++) {
    if (fa < fb) {
      hi = b; b = a; fb = fa; a = hi - g * (hi - lo); fa = solve(Math.exp(a)).sse;
    } else {
      lo = a; a = b; fa = fb; b = lo + g * (hi - lo); fb = solve(Math.exp(b)).sse;
    }
  }
  const T = Math.exp((lo + hi) / 2);
  const fit = solve(T);
  if (!Number.isFinite(fit.steady) || !Number.isFinite(fit.sse)) throw new SysidError(`joint '${joint}': the steady-state fit of a sweep run did not converge`);
  return { steadyRadPerS: fit.steady, timeConstantS: T, rmsRadPerS: Math.sqrt(fit.sse / n) };
}

/**
 * I from one torque pulse: integrating I·dv/dt = tau − b·v − c·sign(v) gives v(t) = v0 + F(t)/I with
 * F the running integral of the net torque; a straight-line fit of v on F (all samples, so the
 * velocity noise averages out) has slope 1/I.
 */
export function pulseInertia(samples: { timeS: readonly number[]; velocityRadPerS: readonly number[] }, torqueNm: number, viscousNmsPerRad: number, coulombNm: number): number {
  const { timeS: t, velocityRadPerS: v } = samples;
  const n = t.length;
  if (n < 4) return NaN;
  const F = new Array<number>(n).fill(0);
  const net = (k: number): number => torqueNm - viscousNmsPerRad * v[k]! - coulombNm * Math.sign(v[k]!);
  for (let k = 1; k < n; k++) F[k] = F[k - 1]! + 0.5 * (net(k - 1) + net(k)) * (t[k]! - t[k - 1]!);
  const mf = mean(F);
  const mv = mean(v);
  let sff = 0, sfv = 0;
  for (let k = 0; k < n; k++) {
    sff += (F[k]! - mf) ** 2;
    sfv += (F[k]! - mf) * (v[k]! - mv);
  }
  const slope = sfv / sff;
  return slope > 0 ? 1 / slope : NaN;
}

export function mean(values: readonly number[]): number {
  return values.reduce((s, x) => s + x, 0) / values.length;
}

export function stdDev(values: readonly number[]): number {
  if (values.length < 2) return 0;
  const m = mean(values);
  return Math.sqrt(values.reduce((s, x) => s + (x - m) ** 2, 0) / (values.length - 1));
}

export function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const n = s.length;
  return n === 0 ? NaN : n % 2 ? s[(n - 1) / 2]! : 0.5 * (s[n / 2 - 1]! + s[n / 2]!);
}

/** Mean and standard error of the mean of trials. */
export function trialEstimate(values: readonly number[]): Estimate {
  return { value: mean(values), stdError: values.length > 1 ? stdDev(values) / Math.sqrt(values.length) : NaN };
}
