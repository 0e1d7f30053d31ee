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
  // Zᵀ X and Zᵀ y, Z = [1, cos, sin], X = [1, d, v]
  const zx = [new Float64Array(3), new Float64Array(3), new Float64Array(3)];
  const zy = new Float64Array(3);
  let m = 0;
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
    const x = [1, (v - v0) / dt, v];
    const y = e - coulombNm * Math.sign(v) - viscousNmsPerRad * v0;
    const phase = omegaRadPerS * (now.stampS - t0);
    const z = [1, Math.cos(phase), Math.sin(phase)];
    for (let a = 0; a < 3; a++) {
      zy[a]! += z[a]! * y;
      for (let c = 0; c < 3; c++) zx[a]![c]! += z[a]! * x[c]!;
    }
    m++;
  }
  if (m < MIN_OSCILLATION_EQUATIONS) return { inertiaKgM2: NaN, equations: m };
  const p = solve3(zx.map((row) => Array.from(row)), Array.from(zy));
  const inertia = p?.[1];
  return { inertiaKgM2: inertia !== undefined && inertia > 0 ? inertia : NaN, equations: m };
}

/** Gaussian elimination with partial pivoting; undefined when singular. */
function solve3(a: number[][], b: number[]): number[] | undefined {
  const n = b.length;
  const m = a.map((row, i) => [...row, b[i]!]);
  for (let col = 0; col < n; col++) {
    let pivot = col;
    for (let r = col + 1; r < n; r++) if (Math.abs(m[r]![col]!) > Math.abs(m[pivot]![col]!)) pivot = r;
    [m[col], m[pivot]] = [m[pivot]!, m[col]!];
    const d = m[col]![col]!;
    if (!(Math.abs(d) > 1e-15)) return undefined;
    for (let c = col; c <= n; c++) m[col]![c]! /= d;
    for (let r = 0; r < n; r++) {
      if (r === col) continue;
      const f = m[r]![col]!;
      for (let c = col; c <= n; c++) m[r]![c]! -= f * m[col]![c]!;
    }
  }
  return m.map((row) => row[n]!);
}

function medianOf(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const n = s.length;
  return n === 0 ? NaN : n % 2 ? s[(n - 1) / 2]! : 0.5 * (s[n / 2 - 1]! + s[n / 2]!);
}
