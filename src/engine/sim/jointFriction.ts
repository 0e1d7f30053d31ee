/**
 * Joint friction the simulator does not model: Coulomb (dry) friction, tau = -c·sign(v), and the
 * viscous part, tau = -b·v (the usual friction model of system identification). sign() is smoothed
 * over a small velocity band so the torque does not chatter around zero speed in a discrete step.
 */

/** Below this joint speed the Coulomb torque ramps linearly instead of switching, rad/s. */
export const COULOMB_SMOOTHING_RAD_PER_S = 0.01;

export function frictionTorqueNm(velocityRadPerS: number, coulombNm: number, viscousNmsPerRad: number): number {
  const v = velocityRadPerS;
  const dry = coulombNm * Math.max(-1, Math.min(1, v / COULOMB_SMOOTHING_RAD_PER_S));
  return -dry - viscousNmsPerRad * v;
}
