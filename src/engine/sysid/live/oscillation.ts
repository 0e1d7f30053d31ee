/**
 * The inertia of a joint whose time constant I/b is only a few joint-state periods (the wrist: 31 ms
 * on `moderate`, three states at 100 Hz), from a torque that alternates in sign about a pose: many
 * short accelerations instead of one pulse. Design and measurements in docs/system-identification.md.
 *
 * Each pair of consecutive joint states k-1, k gives one equation of the sampled joint,
 *   E_k − c·sign(v_k) − b·v_{k−1} = I·(v_k − v_{k−1})/Δt + β·v_k + e0,
 * E_k the measured effort over the period ending at k (the same stamp as v_k, so the link's latency
 * does not enter), the viscous torque from the velocity at the start of the period, the Coulomb
 * torque opposing the motion at its end. β takes up what the friction just identified leaves over in
 * phase with the velocity (an error in b or c, the held neighbour's drag), e0 an offset of the effort
 * sensor. Effort and velocity are both noisy, and noise on the differenced velocity would bias a
 * least-squares fit of I low; so the fit is by instrumental variables, with the instruments 1,
 * cos(ωt), sin(ωt) at the alternation's frequency ω: they follow the motion but not the noise.
 */

/** A joint state as the estimator needs it: robot stamp, every joint's velocity, every joint's effort. */
export interface OscillationState {
  readonly stampS: number;
  readonly velocity: readonly number[];
  readonly effort: readonly number[];
}

export interface OscillationFit {
  /** kg·m², NaN when the states hold too few usable equations. */
  readonly inertiaKgM2: number;
  /** Equations used (pairs of consecutive states, neither side of a velocity reversal). */
  readonly equations: number;
}

/** Fewest equations a block must give for its estimate to count. */
export const MIN_OSCILLATION_EQUATIONS = 20;

/**
 * I of joint `j` from the states of one block of the alternating torque (angular frequency ω of the
 * alternation, rad/s, on the robot's clock), with the joint's viscous b and Coulomb c (sensor units)
 * from the friction sweep.
 */
export function oscillationInertia(states: readonly OscillationState[], j: number, omegaRadPerS: number, viscousNmsPerRad: number, coulombNm: number): OscillationFit {
  const n = states.length;
  if (n < 4) return { inertiaKgM2: NaN, equations: 0 };
  const periods: number[] = [];
  for (let k = 1; k < n; k++) periods.push(states[k]!.stampS - states[k - 1]!.stampS);
  const period = medianOf(periods.filter((p) => p > 0));
  if (!(period > 0)) return { inertiaKgM2: NaN, equations: 0 };
  const t0 = states[0]!.stampS;
  const X: number[][] = [];
  const Z: number[][] = [];
  const y: number[] = [];
  for (let k = 1; k < n; k++) {
    const now = states[k]!;
    const before = states[k - 1]!;
    const dt = now.stampS - before.stampS;
    // a pair more than half a period off the usual spacing (a dropped or doubled state) is not one period of the joint
    if (!(dt > 0.5 * period && dt < 1.5 * period)) continue;
    const v = now.velocity[j]!;
    const v0 = before.velocity[j]!;
    const e = now.effort[j]!;
    // the Coulomb torque switches within a period where the velocity reverses: no clean equation
    if (!(v !== 0 && v0 !== 0 && Math.sign(v) === Math.sign(v0)) || !Number.isFinite(e)) continue;
    X.push([1, (v - v0) / dt, v]);
    y.push(e - coulombNm * Math.sign(v) - viscousNmsPerRad * v0);
    const phase = omegaRadPerS * (now.stampS - t0);
    Z.push([1, Math.cos(phase), Math.sin(phase)]);
  }
  const m = y.length;
  if (m < MIN_OSCILLATION_EQUATIONS) return { inertiaKgM2: NaN, equations: m };
  const p = twoStageLeastSquares(X, Z, y);
  const inertia = p?.[1];
  return { inertiaKgM2: inertia !== undefined && inertia > 0 ? inertia : NaN, equations: m };
}

/**
 * Instrumental variables by two-stage least squares: the regressors projected on the instruments,
 * then y regressed on the projections: p = (Xᵀ P X)⁻¹ Xᵀ P y with P = Z (ZᵀZ)⁻¹ Zᵀ.
 */
function twoStageLeastSquares(X: readonly (readonly number[])[], Z: readonly (readonly number[])[], y: readonly number[]): number[] | undefined {
  const px = X[0]!.length;
  const pz = Z[0]!.length;
  const zz = gram(Z, Z);
  const zx = gram(Z, X);
  const zy = gram(Z, y.map((v) => [v]));
  // (ZᵀZ)⁻¹ ZᵀX and (ZᵀZ)⁻¹ Zᵀy, column by column
  const a: number[][] = Array.from({ length: pz }, () => new Array<number>(px).fill(0));
  for (let c = 0; c < px; c++) {
    const col = solve(zz, zx.map((row) => row[c]!));
    if (!col) return undefined;
    for (let r = 0; r < pz; r++) a[r]![c] = col[r]!;
  }
  const w = solve(zz, zy.map((row) => row[0]!));
  if (!w) return undefined;
  // Xᵀ P X = (ZᵀX)ᵀ a, Xᵀ P y = (ZᵀX)ᵀ w
  const lhs = Array.from({ length: px }, (_, r) => Array.from({ length: px }, (_, c) => zx.reduce((s, row, i) => s + row[r]! * a[i]![c]!, 0)));
  const rhs = Array.from({ length: px }, (_, r) => zx.reduce((s, row, i) => s + row[r]! * w[i]!, 0));
  return solve(lhs, rhs);
}

/** Aᵀ B for row-major A (n×p) and B (n×q). */
function gram(A: readonly (readonly number[])[], B: readonly (readonly number[])[]): number[][] {
  const p = A[0]!.length;
  const q = B[0]!.length;
  const out = Array.from({ length: p }, () => new Array<number>(q).fill(0));
  for (let k = 0; k < A.length; k++) {
    const a = A[k]!;
    const b = B[k]!;
    for (let r = 0; r < p; r++) for (let c = 0; c < q; c++) out[r]![c]! += a[r]! * b[c]!;
  }
  return out;
}

/** Gaussian elimination with partial pivoting; undefined when singular. */
function solve(a: readonly (readonly number[])[], b: readonly number[]): number[] | undefined {
  const n = b.length;
  const m = a.map((row, i) => [...row, b[i]!]);
  for (let col = 0; col < n; col++) {
    let pivot = col;
    for (let r = col + 1; r < n; r++) if (Math.abs(m[r]![col]!) > Math.abs(m[pivot]![col]!)) pivot = r;
    [m[col], m[pivot]] = [m[pivot]!, m[col]!];
    const d = m[col]![col]!;
    if (!(Math.abs(d) > 1e-300)) return undefined;
    for (let c = col; c <= n; c++) m[col]![c]! /= d;
    for (let r = 0; r < n; r++) {
      if (r === col) continue;
      const f = m[r]![col]!;
      if (f !== 0) for (let c = col; c <= n; c++) m[r]![c]! -= f * m[col]![c]!;
    }
  }
  return m.map((row) => row[n]!);
}

function medianOf(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const n = s.length;
  return n === 0 ? NaN : n % 2 ? s[(n - 1) / 2]! : 0.5 * (s[n / 2 - 1]! + s[n / 2]!);
}
