/**
 * The live fits in the experiment's parameter names, with standard errors: b and c per joint, the
 * link masses the inertias imply (the experiment describes the arm by its links' masses, not by
 * inertias about joints), and the delay in whole control steps.
 */
import { JOINT_COUNT } from '../../sim/tasks/arm';
import { LINK_NAMES } from '../../sim/tasks/tableScene';
import { jointInertiaCoefficients } from '../armModel';
import { fmt } from './procedure';
import type { DelayFit, IdentifiedParameter, JointFrictionFit, JointInertiaFit } from '../types';

/**
 * The experiment's parameters: b -> joint_damping, c -> joint_friction per joint; link masses from
 * the inertias (I_j = sum over links i >= j of m_i·a_ji(q), armModel.ts), solved from the wrist
 * inwards, so a link's mass needs every joint from it outwards; delay -> action_delay in whole steps.
 */
export function identifiedParameters(friction: readonly JointFrictionFit[], inertia: readonly JointInertiaFit[], delay: DelayFit | undefined, controlPeriodMs: number, warnings: string[]): IdentifiedParameter[] {
  const out: IdentifiedParameter[] = [];
  for (const f of friction) out.push({ parameter: 'joint_damping', target: f.joint, value: f.viscousNmsPerRad.value, stdError: f.viscousNmsPerRad.stdError, unit: 'N·m·s/rad' });
  for (const f of friction) out.push({ parameter: 'joint_friction', target: f.joint, value: f.coulombNm.value, stdError: f.coulombNm.stdError, unit: 'N·m' });
  const masses = linkMasses(inertia, warnings);
  for (let i = 0; i < JOINT_COUNT; i++) {
    const m = masses[i];
    if (m) out.push({ parameter: 'link_mass', target: LINK_NAMES[i]!, value: m.value, stdError: m.stdError, unit: 'kg' });
  }
  if (delay) out.push({ parameter: 'action_delay', value: Math.round(delay.meanMs / controlPeriodMs), stdError: delay.stdMs / controlPeriodMs, unit: 'control steps' });
  return out;
}

export function linkMasses(inertia: readonly JointInertiaFit[], warnings: string[]): ({ value: number; stdError: number } | undefined)[] {
  const names = ['shoulder', 'elbow', 'wrist'];
  const masses: ({ value: number; stdError: number } | undefined)[] = new Array(JOINT_COUNT).fill(undefined);
  for (let j = JOINT_COUNT - 1; j >= 0; j--) {
    const fit = inertia.find((f) => f.joint === names[j]);
    if (!fit) continue;
    const pose = fit.poseRad ?? [0, 0, 0];
    const a = jointInertiaCoefficients(j, pose);
    let rest = fit.inertiaKgM2.value;
    let variance = fit.inertiaKgM2.stdError ** 2;
    let known = true;
    for (let i = j + 1; i < JOINT_COUNT; i++) {
      const m = masses[i];
      if (!m) {
        known = false;
        break;
      }
      rest -= a[i]! * m.value;
      variance += (a[i]! * m.stdError) ** 2;
    }
    if (!known) {
      warnings.push(`link_mass of ${LINK_NAMES[j]} not solved: it needs the inertia of every joint beyond ${names[j]} (identify them too)`);
      continue;
    }
    const value = rest / a[j]!;
    if (!(value > 0)) {
      warnings.push(`link_mass of ${LINK_NAMES[j]} came out ${fmt(value)} kg from the inertias: the arm's links differ from the model's cuboids; not reported`);
      continue;
    }
    masses[j] = { value, stdError: Math.sqrt(variance) / a[j]! };
  }
  return masses;
}
