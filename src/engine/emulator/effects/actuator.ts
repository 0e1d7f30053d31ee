/**
 * Actuator gain error and torque saturation: the true position gain and torque of each motor differ
 * from the nominal ones, and the motor cannot exceed its saturation torque.
 */

/** The true position gain, N·m/rad, of a motor whose nominal gain is `stiffness`. */
export function trueStiffness(stiffnessNmPerRad: number, gainError: number): number {
  return stiffnessNmPerRad * (1 + gainError);
}

/** The true torque limit, N·m: the scaled motor strength, capped by the saturation torque when set (> 0). */
export function trueTorqueLimit(motorStrengthNm: number, gainError: number, torqueLimitNm: number): number {
  const scaled = motorStrengthNm * (1 + gainError);
  return torqueLimitNm > 0 ? Math.min(scaled, torqueLimitNm) : scaled;
}

/** The torque a PD position motor applies (what an effort sensor reads), N·m, saturated at limitNm. */
export function motorTorque(targetRad: number, positionRad: number, velocityRadPerS: number, stiffness: number, damping: number, limitNm: number): number {
  const tau = stiffness * (targetRad - positionRad) - damping * velocityRadPerS;
  return Math.max(-limitNm, Math.min(limitNm, tau));
}
