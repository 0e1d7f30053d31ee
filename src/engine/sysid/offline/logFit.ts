/**
 * Fitting the arm's friction, link masses and command delay to a logged trajectory: for each
 * candidate delay (a whole number of sample periods up to the configured maximum) a short
 * Levenberg-Marquardt fit of the continuous parameters, then a full fit at the best delay.
 * Standard errors come from the Jacobian at the optimum, robust to the errors' correlation within
 * a replayed segment (sandwich covariance with the segments as clusters).
 */
import { levenbergMarquardt } from 'ml-levenberg-marquardt';
import type { ArmParameters } from '../armModel';
import { LogError } from '../logs/trajectory';
import { Replay } from './replay';

/** Scale of each unknown, so LM's additive damping treats them alike: b N·m·s/rad, c N·m, m kg. */
const SCALE = { viscous: 0.1, coulomb: 0.1, mass: 0.5 } as const;
/** Lower bound of a link mass in the fit, kg. */
export const MIN_FITTED_MASS_KG = 0.01;
const MAX = { viscous: 50, coulomb: 50, mass: 50 } as const;
const SEARCH_ITERATIONS = 6;
const FINAL_ITERATIONS = 25;

export interface LogFitOptions {
  readonly maxDelayS: number;
  /** Starting point (nominal values of the experiment). */
  readonly initial: ArmParameters;
  readonly signal?: AbortSignal;
  readonly onProgress?: (p: { fraction?: number; message: string }) => void;
}

export interface LogFit {
  readonly viscousNmsPerRad: readonly { value: number; stdError: number }[];
  readonly coulombNm: readonly { value: number; stdError: number }[];
  readonly linkMassKg: readonly { value: number; stdError: number }[];
  /** Covariance of the link masses, kg² (for inertia standard errors). */
  readonly massCovariance: readonly (readonly number[])[];
  /** Delay on the sample grid and refined between grid points by a parabola through the errors, s. */
  readonly delayS: number;
  readonly delayGridS: number;
  readonly delayStdS: number;
  readonly samplePeriodS: number;
  readonly iterations: number;
  /** RMS of the velocity (or position) error and of the logged signal, per joint. */
  readonly rmsErrorPerJoint: readonly number[];
  readonly rmsSignalPerJoint: readonly number[];
  readonly residualCount: number;
  readonly coveredS: number;
}

export function fitLog(replay: Replay, joints: readonly string[], options: LogFitOptions): LogFit {
  const J = joints.length;
  const P = 3 * J;
  const y = replay.observed;
  const x = Array.from({ length: y.length }, (_, i) => i);
  const simulated = new Float64Array(y.length);
  const toParameters = (theta: ArrayLike<number>): ArmParameters => ({
    viscousNmsPerRad: Array.from({ length: J }, (_, j) => theta[j]! * SCALE.viscous),
    coulombNm: Array.from({ length: J }, (_, j) => theta[J + j]! * SCALE.coulomb),
    linkMassKg: Array.from({ length: J }, (_, j) => theta[2 * J + j]! * SCALE.mass),
  });
  const initial = [
    ...Array.from(options.initial.viscousNmsPerRad, (v) => v / SCALE.viscous),
    ...Array.from(options.initial.coulombNm, (v) => Math.max(v, 0.01) / SCALE.coulomb),
    ...Array.from(options.initial.linkMassKg, (v) => v / SCALE.mass),
  ];
  const minValues = [...new Array<number>(2 * J).fill(0), ...new Array<number>(J).fill(MIN_FITTED_MASS_KG / SCALE.mass)];
  const maxValues = [...new Array<number>(J).fill(MAX.viscous / SCALE.viscous), ...new Array<number>(J).fill(MAX.coulomb / SCALE.coulomb), ...new Array<number>(J).fill(MAX.mass / SCALE.mass)];

  let delayS = 0;
  let cacheKey = '';
  // progress by replays: each LM iteration makes P + 1 (Jacobian and step), then 2P for the errors
  const candidateCount = Math.max(1, Math.floor(options.maxDelayS / replay.samplePeriodS + 1e-9) + 1);
  const expectedReplays = (candidateCount * SEARCH_ITERATIONS + FINAL_ITERATIONS) * (P + 2) + 2 * P;
  let replays = 0;
  const model = (theta: number[]) => {
    const key = theta.join(',') + '@' + delayS;
    if (key !== cacheKey) {
      if (options.signal?.aborted) throw abortError();
      replay.simulate(toParameters(theta), delayS, simulated);
      cacheKey = key;
      if (++replays % 25 === 0) options.onProgress?.({ fraction: 0.05 + (0.9 * Math.min(replays, expectedReplays)) / expectedReplays, message: `replay ${replays} of about ${expectedReplays}` });
    }
    return (i: number) => simulated[i]!;
  };
  const fitAt = (delay: number, start: number[], iterations: number) => {
    delayS = delay;
    cacheKey = '';
    return levenbergMarquardt({ x, y }, model, {
      initialValues: start,
      minValues,
      maxValues,
      damping: 1e-2,
      gradientDifference: 1e-4,
      maxIterations: iterations,
      errorTolerance: 1e-12,
    });
  };

  // delay search on the sample grid
  const grid = replay.samplePeriodS;
  const candidates = candidateCount;
  const errors: number[] = [];
  const starts: number[][] = [];
  for (let m = 0; m < candidates; m++) {
    if (candidates > 1) options.onProgress?.({ fraction: 0.05 + (0.9 * replays) / expectedReplays, message: `delay ${(m * grid * 1000).toFixed(0)} ms: short fit` });
    const r = fitAt(m * grid, initial, SEARCH_ITERATIONS);
    errors.push(r.parameterError);
    starts.push(r.parameterValues);
  }
  let best = 0;
  for (let m = 1; m < candidates; m++) if (errors[m]! < errors[best]!) best = m;
  if (!Number.isFinite(errors[best]!)) throw new LogError('the fit diverged at every candidate delay (the replay blew up): check that the commands are joint torques in N·m');
  options.onProgress?.({
    fraction: 0.05 + (0.9 * replays) / expectedReplays,
    message: candidates > 1 ? `best delay ${(best * grid * 1000).toFixed(0)} ms; Levenberg-Marquardt fit of friction and link masses` : 'Levenberg-Marquardt fit of friction and link masses',
  });
  const final = fitAt(best * grid, starts[best]!, FINAL_ITERATIONS);
  const theta = final.parameterValues;
  if (!theta.every(Number.isFinite) || !Number.isFinite(final.parameterError)) {
    throw new LogError(`the fit did not converge (error ${final.parameterError}) after ${final.iterations} iterations`);
  }

  // refine the delay between grid points: vertex of the parabola through the neighbouring errors
  let refined = best * grid;
  if (best > 0 && best < candidates - 1) {
    const [a, b, c] = [errors[best - 1]!, errors[best]!, errors[best + 1]!];
    const curvature = a - 2 * b + c;
    if (curvature > 0) refined += (0.5 * (a - c) / curvature) * grid;
  }

  // Jacobian at the optimum (central differences, scaled units) -> covariance
  delayS = best * grid;
  replay.simulate(toParameters(theta), delayS, simulated);
  const base = Float64Array.from(simulated);
  const jac: Float64Array[] = [];
  for (let p = 0; p < P; p++) {
    const step = 1e-4 * Math.max(1, Math.abs(theta[p]!));
    const plus = theta.slice();
    const minus = theta.slice();
    plus[p] += step;
    minus[p] = Math.max(0, minus[p]! - step);
    const column = new Float64Array(y.length);
    replay.simulate(toParameters(plus), delayS, simulated);
    column.set(simulated);
    replay.simulate(toParameters(minus), delayS, simulated);
    const width = plus[p]! - minus[p]!;
    for (let i = 0; i < y.length; i++) column[i] = (column[i]! - simulated[i]!) / width;
    jac.push(column);
  }
  let ssr = 0;
  for (let i = 0; i < y.length; i++) ssr += (y[i]! - base[i]!) ** 2;
  const dof = Math.max(1, y.length - P);
  const jtj: number[][] = Array.from({ length: P }, (_, a) => Array.from({ length: P }, (_, b) => dot(jac[a]!, jac[b]!)));
  const inverse = invert(jtj);
  if (!inverse) {
    const flat = jtj.map((row, p) => [p, row[p]!] as const).sort((u, v) => u[1] - v[1])[0]!;
    throw new LogError(`the fit did not converge: ${describeParameter(flat[0], joints)} has no effect on the replayed motion (the log does not excite it)`);
  }
  // Errors within a segment are correlated (a replay's error carries on), so the textbook
  // s^2 (J^T J)^-1 is far too optimistic; the segments are independent: cluster-robust
  // (sandwich) covariance (J^T J)^-1 (sum over segments of g g^T) (J^T J)^-1, g = J_seg^T r_seg,
  // scaled by the larger of it and the textbook one.
  const meat: number[][] = Array.from({ length: P }, () => new Array<number>(P).fill(0));
  const perSample = J * replay.channels();
  let offset = 0;
  const g = new Array<number>(P).fill(0);
  for (const seg of replay.segments) {
    const end = offset + seg.length * perSample;
    for (let p = 0; p < P; p++) {
      let sum = 0;
      const column = jac[p]!;
      for (let i = offset; i < end; i++) sum += column[i]! * (y[i]! - base[i]!);
      g[p] = sum;
    }
    for (let a = 0; a < P; a++) for (let b = 0; b < P; b++) meat[a]![b] += g[a]! * g[b]!;
    offset = end;
  }
  const robust = multiply(multiply(inverse, meat), inverse);
  const textbook = ssr / dof;
  const covariance = robust.map((row, a) => row.map((v, b) => (a === b ? Math.max(v, textbook * inverse[a]![b]!) : v)));
  const scales = [...new Array<number>(J).fill(SCALE.viscous), ...new Array<number>(J).fill(SCALE.coulomb), ...new Array<number>(J).fill(SCALE.mass)];
  const estimate = (p: number) => ({ value: theta[p]! * scales[p]!, stdError: Math.sqrt(Math.max(0, covariance[p]![p]!)) * scales[p]! });

  // per-joint error against the logged signal (velocity when logged)
  const channels = replay.channels();
  const errSq = new Array<number>(J).fill(0);
  const sigSq = new Array<number>(J).fill(0);
  const counts = new Array<number>(J).fill(0);
  for (let i = 0; i < y.length; i += channels) {
    const j = Math.floor(i / channels) % J;
    errSq[j] += (y[i]! - base[i]!) ** 2;
    sigSq[j] += y[i]! ** 2;
    counts[j]++;
  }
  const massCovariance = Array.from({ length: J }, (_, a) => Array.from({ length: J }, (_, b) => covariance[2 * J + a]![2 * J + b]! * SCALE.mass * SCALE.mass));
  options.onProgress?.({ fraction: 1, message: 'fit done' });
  return {
    viscousNmsPerRad: Array.from({ length: J }, (_, j) => estimate(j)),
    coulombNm: Array.from({ length: J }, (_, j) => estimate(J + j)),
    linkMassKg: Array.from({ length: J }, (_, j) => estimate(2 * J + j)),
    massCovariance,
    delayS: Math.max(0, refined),
    delayGridS: best * grid,
    // the delay is resolved to the sample grid; its uncertainty is that of a uniform quantization
    delayStdS: grid / Math.sqrt(12),
    samplePeriodS: grid,
    iterations: final.iterations,
    rmsErrorPerJoint: errSq.map((e, j) => Math.sqrt(e / Math.max(1, counts[j]!)) / (channels === 1 ? replay.positionWeight : 1)),
    rmsSignalPerJoint: sigSq.map((e, j) => Math.sqrt(e / Math.max(1, counts[j]!)) / (channels === 1 ? replay.positionWeight : 1)),
    residualCount: y.length,
    coveredS: replay.coveredS,
  };
}

function describeParameter(p: number, joints: readonly string[]): string {
  const J = joints.length;
  if (p < J) return `the viscous friction of joint '${joints[p]}'`;
  if (p < 2 * J) return `the Coulomb friction of joint '${joints[p - J]}'`;
  return `the mass of the link after joint '${joints[p - 2 * J]}'`;
}

function multiply(a: number[][], b: number[][]): number[][] {
  return a.map((row) => b[0]!.map((_, k) => row.reduce((s, v, i) => s + v * b[i]![k]!, 0)));
}

function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}

/** Gauss-Jordan inverse with partial pivoting; undefined when (numerically) singular. */
function invert(m: number[][]): number[][] | undefined {
  const n = m.length;
  const a = m.map((row, i) => [...row, ...Array.from({ length: n }, (_, j) => (i === j ? 1 : 0))]);
  const scale = Math.max(...m.map((row, i) => Math.abs(row[i]!)));
  for (let col = 0; col < n; col++) {
    let pivot = col;
    for (let r = col + 1; r < n; r++) if (Math.abs(a[r]![col]!) > Math.abs(a[pivot]![col]!)) pivot = r;
    if (Math.abs(a[pivot]![col]!) <= 1e-12 * scale) return undefined;
    [a[col], a[pivot]] = [a[pivot]!, a[col]!];
    const d = a[col]![col]!;
    for (let k = 0; k < 2 * n; k++) a[col]![k] /= d;
    for (let r = 0; r < n; r++) {
      if (r === col) continue;
      const f = a[r]![col]!;
      if (f !== 0) for (let k = 0; k < 2 * n; k++) a[r]![k] -= f * a[col]![k]!;
    }
  }
  return a.map((row) => row.slice(n));
}

function abortError(): Error {
  const e = new Error('system identification cancelled');
  e.name = 'AbortError';
  return e;
}
