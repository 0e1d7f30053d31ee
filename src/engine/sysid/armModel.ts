/**
 * The arm's rigid-body dynamics for replaying logged torques: the planar 3-link chain of
 * sim/tasks/arm.ts (cuboid links, joints at the link ends, gravity out of the plane), with joint
 * viscous friction b, Coulomb friction c and link masses m as the unknowns.
 *
 * Why not replay through Rapier: a fit needs a few hundred replays of a log, and a Rapier world
 * steps a hundred times slower than this model (docs/benchmarks.md, "System identification's
 * replay"). It integrates like the emulator's effort mode does in Rapier:
 * applied and viscous torques as an impulse from the pre-step speed, Coulomb friction as a capped
 * velocity constraint, and the step split into substeps as Rapier's TGS solver splits it.
 */
import { ARM, JOINT_COUNT } from '../sim/tasks/arm';

const N = JOINT_COUNT;
const LINK_WIDTH_M = 2 * ARM.linkHalfWidthM;

/** Unknowns of the replay, per joint (b, c) and per link (m). */
export interface ArmParameters {
  readonly viscousNmsPerRad: ArrayLike<number>;
  readonly coulombNm: ArrayLike<number>;
  readonly linkMassKg: ArrayLike<number>;
}

/** Moment of inertia of link i about its own centre, per kg (cuboid about z), m². */
function centralInertiaPerKg(i: number): number {
  const l = ARM.linkLengthsM[i]!;
  return (l * l + LINK_WIDTH_M * LINK_WIDTH_M) / 12;
}

/**
 * Inertia about joint j's axis with the joints beyond it held rigid, at joint angles q (kg·m²):
 * what a torque pulse on joint j alone meets. Linear in the masses: sum over links of m_i * a_i.
 */
export function jointInertiaCoefficients(j: number, q: ArrayLike<number>): number[] {
  const coefficients = new Array<number>(N).fill(0);
  // positions of each link's centre relative to joint j, in the frame of link j
  let phi = 0;
  let x = 0;
  let y = 0;
  for (let i = j; i < N; i++) {
    if (i > j) phi += q[i]!;
    const half = ARM.linkLengthsM[i]! / 2;
    const cx = x + Math.cos(phi) * half;
    const cy = y + Math.sin(phi) * half;
    coefficients[i] = centralInertiaPerKg(i) + cx * cx + cy * cy;
    x += 2 * Math.cos(phi) * half;
    y += 2 * Math.sin(phi) * half;
  }
  return coefficients;
}

/**
 * Integrates the arm in absolute link angles theta (theta_i = q_1 + ... + q_i), where the mass
 * matrix is M_jk = H_jk cos(theta_j - theta_k) + delta_jk I_j with H_jk = sum_i m_i a_ij a_ik.
 */
export class ArmModel {
  private readonly H = new Float64Array(N * N);
  private readonly centralI = new Float64Array(N);
  private readonly b = new Float64Array(N);
  private readonly c = new Float64Array(N);
  private readonly theta = new Float64Array(N);
  private readonly omega = new Float64Array(N);
  private readonly A = new Float64Array(N * N);
  private readonly rhs = new Float64Array(N);
  private readonly jointTorque = new Float64Array(N);
  private readonly delta = new Float64Array(N);
  private readonly W = new Float64Array(N * N);
  private readonly lambda = new Float64Array(N);

  constructor(private readonly substeps = 4) {}

  setParameters(p: ArmParameters): void {
    const L = ARM.linkLengthsM;
    for (let j = 0; j < N; j++) {
      this.b[j] = p.viscousNmsPerRad[j]!;
      this.c[j] = p.coulombNm[j]!;
      this.centralI[j] = p.linkMassKg[j]! * centralInertiaPerKg(j);
      for (let k = 0; k < N; k++) {
        let h = 0;
        for (let i = Math.max(j, k); i < N; i++) {
          // lever of theta_j on link i's centre: the whole link before i, half of link i itself
          const aj = j < i ? L[j]! : L[i]! / 2;
          const ak = k < i ? L[k]! : L[i]! / 2;
          h += p.linkMassKg[i]! * aj * ak;
        }
        this.H[j * N + k] = h;
      }
    }
  }

  /** Start from joint angles (rad) and joint velocities (rad/s). */
  setState(q: ArrayLike<number>, dq: ArrayLike<number>): void {
    let t = 0;
    let w = 0;
    for (let i = 0; i < N; i++) {
      t += q[i]!;
      w += dq[i]!;
      this.theta[i] = t;
      this.omega[i] = w;
    }
  }

  /** Joint angles and velocities into out[0..N) and out[N..2N). */
  readState(out: Float64Array): void {
    for (let i = 0; i < N; i++) {
      out[i] = this.theta[i]! - (i > 0 ? this.theta[i - 1]! : 0);
      out[N + i] = this.omega[i]! - (i > 0 ? this.omega[i - 1]! : 0);
    }
  }

  /**
   * Joint torques (N·m) that produce joint accelerations ddq at state (q, dq) on the bare links,
   * friction aside: what the motors must supply beyond friction (inverse dynamics).
   */
  inverseDynamics(q: ArrayLike<number>, dq: ArrayLike<number>, ddq: ArrayLike<number>, out: Float64Array): void {
    this.setState(q, dq);
    const { theta, omega } = this;
    const Q = this.rhs;
    for (let j = 0; j < N; j++) {
      let f = 0;
      for (let k = 0; k < N; k++) {
        let a = 0;
        for (let i = 0; i <= k; i++) a += ddq[i]!;
        const d = theta[j]! - theta[k]!;
        const hjk = this.H[j * N + k]!;
        f += (hjk * Math.cos(d) + (j === k ? this.centralI[j]! : 0)) * a + hjk * Math.sin(d) * omega[k]! * omega[k]!;
      }
      Q[j] = f;
    }
    // Q_j = tau_j - tau_{j+1}  =>  tau_j = Q_j + Q_{j+1} + ...
    let sum = 0;
    for (let j = N - 1; j >= 0; j--) {
      sum += Q[j]!;
      out[j] = sum;
    }
  }

  /**
   * Advance dtS with joint torques tau (N·m) held over the step, as the plant does it: the applied
   * torque minus the viscous torque at the pre-step speed goes in as an impulse, then the step is
   * integrated in substeps where Coulomb friction is a velocity constraint whose impulse is capped
   * at c·h (Rapier's friction motor): it holds a joint at rest below the breakaway torque.
   */
  step(tau: ArrayLike<number>, dtS: number): void {
    const { theta, omega, b, c } = this;
    const A = this.A;
    const rhs = this.rhs;
    const q = this.jointTorque;
    for (let i = 0; i < N; i++) q[i] = tau[i]! - b[i]! * (omega[i]! - (i > 0 ? omega[i - 1]! : 0));
    this.massMatrix();
    for (let j = 0; j < N; j++) rhs[j] = dtS * (q[j]! - (j + 1 < N ? q[j + 1]! : 0));
    solve3(A, rhs, this.delta);
    for (let j = 0; j < N; j++) omega[j] += this.delta[j]!;
    const h = dtS / this.substeps;
    for (let s = 0; s < this.substeps; s++) {
      this.massMatrix();
      for (let j = 0; j < N; j++) {
        let r = 0;
        for (let k = 0; k < N; k++) r -= this.H[j * N + k]! * Math.sin(theta[j]! - theta[k]!) * omega[k]! * omega[k]!;
        rhs[j] = h * r;
      }
      solve3(A, rhs, this.delta);
      for (let j = 0; j < N; j++) omega[j] += this.delta[j]!;
      this.coulomb(h);
      for (let i = 0; i < N; i++) theta[i] += h * omega[i]!;
    }
  }

  /** M(theta) into A. */
  private massMatrix(): void {
    const { theta, A } = this;
    for (let j = 0; j < N; j++) {
      for (let k = 0; k < N; k++) A[j * N + k] = this.H[j * N + k]! * Math.cos(theta[j]! - theta[k]!) + (j === k ? this.centralI[j]! : 0);
    }
  }

  /** Projected Gauss-Seidel on the joints' relative speeds, impulses within +-c·h (A holds M). */
  private coulomb(h: number): void {
    const { omega, c, A } = this;
    if (c[0] === 0 && c[1] === 0 && c[2] === 0) return;
    const W = this.W;
    const col = this.rhs;
    const out = this.delta;
    // W column i = M^-1 s_i, s_i the generalized direction of joint i's torque (+1 on link i, -1 on i-1)
    for (let i = 0; i < N; i++) {
      col.fill(0);
      col[i] = 1;
      if (i > 0) col[i - 1] = -1;
      solve3(A, col, out);
      for (let j = 0; j < N; j++) W[j * N + i] = out[j]!;
    }
    const lambda = this.lambda;
    lambda.fill(0);
    for (let iteration = 0; iteration < 6; iteration++) {
      for (let i = 0; i < N; i++) {
        if (c[i] === 0) continue;
        const rate = omega[i]! - (i > 0 ? omega[i - 1]! : 0);
        const k = W[i * N + i]! - (i > 0 ? W[(i - 1) * N + i]! : 0);
        const limit = c[i]! * h;
        const next = Math.max(-limit, Math.min(limit, lambda[i]! - rate / k));
        const d = next - lambda[i]!;
        lambda[i] = next;
        for (let j = 0; j < N; j++) omega[j] += W[j * N + i]! * d;
      }
    }
  }
}

/** Solve the 3x3 system A x = r by Cramer's rule (A is symmetric positive definite here). */
function solve3(A: Float64Array, r: Float64Array, x: Float64Array): void {
  const [a, b, c, d, e, f, g, h, i] = A as unknown as number[];
  const co0 = e! * i! - f! * h!;
  const co1 = f! * g! - d! * i!;
  const co2 = d! * h! - e! * g!;
  const det = a! * co0 + b! * co1 + c! * co2;
  const r0 = r[0]!;
  const r1 = r[1]!;
  const r2 = r[2]!;
  x[0] = (r0 * co0 + b! * (f! * r2 - r1 * i!) + c! * (r1 * h! - e! * r2)) / det;
  x[1] = (a! * (r1 * i! - f! * r2) + r0 * co1 + c! * (d! * r2 - r1 * g!)) / det;
  x[2] = (a! * (e! * r2 - r1 * h!) + b! * (r1 * g! - d! * r2) + r0 * co2) / det;
}
