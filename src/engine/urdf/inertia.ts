/**
 * Mass properties of rigid bodies made of several links: the combined mass, centre of mass and
 * inertia (parallel-axis theorem), and the principal moments and axes that Rapier takes.
 */
import type { Inertial, InertiaTensor } from './model';
import { matrixOf, quatMultiply, type Quat, type Transform, type Vec3 } from './transform';

export interface MassProperties {
  readonly massKg: number;
  readonly centerOfMass: Vec3;
  /** About the centre of mass, in the body frame's axes. */
  readonly inertia: InertiaTensor;
}

/** Combine links' inertials, each placed in the body frame by its link's transform. */
export function combineInertials(parts: readonly { inertial: Inertial; linkInBody: Transform }[]): MassProperties | undefined {
  let mass = 0;
  const c = [0, 0, 0];
  const placed = parts.map(({ inertial, linkInBody }) => {
    const r = matrixOf(linkInBody.q);
    const o = inertial.origin.p;
    const p = [
      linkInBody.p[0] + r[0]! * o[0] + r[1]! * o[1] + r[2]! * o[2],
      linkInBody.p[1] + r[3]! * o[0] + r[4]! * o[1] + r[5]! * o[2],
      linkInBody.p[2] + r[6]! * o[0] + r[7]! * o[1] + r[8]! * o[2],
    ];
    mass += inertial.massKg;
    for (let k = 0; k < 3; k++) c[k] += inertial.massKg * p[k]!;
    return { m: inertial.massKg, p, tensor: rotateTensor(tensorMatrix(inertial.inertia), quatMultiply(linkInBody.q, inertial.origin.q)) };
  });
  if (mass <= 0) return undefined;
  for (let k = 0; k < 3; k++) c[k] /= mass;
  const total = new Array<number>(9).fill(0);
  for (const { m, p, tensor } of placed) {
    const d = [p[0]! - c[0]!, p[1]! - c[1]!, p[2]! - c[2]!];
    const dd = d[0]! * d[0]! + d[1]! * d[1]! + d[2]! * d[2]!;
    for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) total[3 * i + j] += tensor[3 * i + j]! + m * ((i === j ? dd : 0) - d[i]! * d[j]!);
  }
  return {
    massKg: mass,
    centerOfMass: [c[0]!, c[1]!, c[2]!],
    inertia: { ixx: total[0]!, ixy: total[1]!, ixz: total[2]!, iyy: total[4]!, iyz: total[5]!, izz: total[8]! },
  };
}

export function tensorMatrix(i: InertiaTensor): number[] {
  return [i.ixx, i.ixy, i.ixz, i.ixy, i.iyy, i.iyz, i.ixz, i.iyz, i.izz];
}

/** R I Rᵀ. */
function rotateTensor(tensor: readonly number[], q: Quat): number[] {
  const r = matrixOf(q);
  const ri = new Array<number>(9).fill(0);
  for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) for (let k = 0; k < 3; k++) ri[3 * i + j] += r[3 * i + k]! * tensor[3 * k + j]!;
  const out = new Array<number>(9).fill(0);
  for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) for (let k = 0; k < 3; k++) out[3 * i + j] += ri[3 * i + k]! * r[3 * j + k]!;
  return out;
}

/**
 * Principal moments and the rotation whose columns are the principal axes (cyclic Jacobi on the
 * symmetric 3×3 tensor; converges in a handful of sweeps).
 */
export function principalAxes(i: InertiaTensor): { moments: Vec3; frame: Quat } {
  const a = tensorMatrix(i);
  const v = [1, 0, 0, 0, 1, 0, 0, 0, 1];
  for (let sweep = 0; sweep < 50; sweep++) {
    const off = Math.abs(a[1]!) + Math.abs(a[2]!) + Math.abs(a[5]!);
    if (off < 1e-18 * (Math.abs(a[0]!) + Math.abs(a[4]!) + Math.abs(a[8]!) + 1e-30)) break;
    for (const [p, q] of [[0, 1], [0, 2], [1, 2]] as const) {
      const apq = a[3 * p + q]!;
      if (Math.abs(apq) < 1e-300) continue;
      const theta = (a[3 * q + q]! - a[3 * p + p]!) / (2 * apq);
      const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
      const cs = 1 / Math.sqrt(t * t + 1);
      const sn = t * cs;
      for (let k = 0; k < 3; k++) {
        const akp = a[3 * k + p]!;
        const akq = a[3 * k + q]!;
        a[3 * k + p] = cs * akp - sn * akq;
        a[3 * k + q] = sn * akp + cs * akq;
      }
      for (let k = 0; k < 3; k++) {
        const apk = a[3 * p + k]!;
        const aqk = a[3 * q + k]!;
        a[3 * p + k] = cs * apk - sn * aqk;
        a[3 * q + k] = sn * apk + cs * aqk;
      }
      for (let k = 0; k < 3; k++) {
        const vkp = v[3 * k + p]!;
        const vkq = v[3 * k + q]!;
        v[3 * k + p] = cs * vkp - sn * vkq;
        v[3 * k + q] = sn * vkp + cs * vkq;
      }
    }
  }
  // A proper rotation: flip the last axis if the eigenvectors came out left-handed.
  const det = v[0]! * (v[4]! * v[8]! - v[5]! * v[7]!) - v[1]! * (v[3]! * v[8]! - v[5]! * v[6]!) + v[2]! * (v[3]! * v[7]! - v[4]! * v[6]!);
  if (det < 0) for (let k = 0; k < 3; k++) v[3 * k + 2] = -v[3 * k + 2]!;
  return { moments: [a[0]!, a[4]!, a[8]!], frame: quatFromMatrix(v) };
}

function quatFromMatrix(m: readonly number[]): Quat {
  const trace = m[0]! + m[4]! + m[8]!;
  let x: number, y: number, z: number, w: number;
  if (trace > 0) {
    const s = 2 * Math.sqrt(trace + 1);
    w = s / 4; x = (m[7]! - m[5]!) / s; y = (m[2]! - m[6]!) / s; z = (m[3]! - m[1]!) / s;
  } else if (m[0]! > m[4]! && m[0]! > m[8]!) {
    const s = 2 * Math.sqrt(1 + m[0]! - m[4]! - m[8]!);
    w = (m[7]! - m[5]!) / s; x = s / 4; y = (m[1]! + m[3]!) / s; z = (m[2]! + m[6]!) / s;
  } else if (m[4]! > m[8]!) {
    const s = 2 * Math.sqrt(1 + m[4]! - m[0]! - m[8]!);
    w = (m[2]! - m[6]!) / s; x = (m[1]! + m[3]!) / s; y = s / 4; z = (m[5]! + m[7]!) / s;
  } else {
    const s = 2 * Math.sqrt(1 + m[8]! - m[0]! - m[4]!);
    w = (m[3]! - m[1]!) / s; x = (m[2]! + m[6]!) / s; y = (m[5]! + m[7]!) / s; z = s / 4;
  }
  const n = Math.hypot(x, y, z, w);
  return [x / n, y / n, z / n, w / n];
}
