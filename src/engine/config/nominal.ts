/**
 * The nominal value of a parameter in one experiment: the calibrated value when the experiment's
 * `calibration` block measured it (for that target, or for all targets at once), the built-in
 * value of parameters.ts otherwise. The simulator's randomizer and the coverage check both read it.
 */
import type { Calibration } from './experiment';
import type { ParameterInfo } from './parameters';

export function nominalValue(info: ParameterInfo, target: string | undefined, calibration: Calibration | undefined): number | string {
  const calibrated = calibratedValue(calibration, info.name, target);
  return calibrated ?? info.nominal;
}

/** The calibrated value of a parameter (for a target), or undefined when none was measured. */
export function calibratedValue(calibration: Calibration | undefined, name: string, target: string | undefined): number | undefined {
  const entry = calibration?.parameters[name];
  if (typeof entry === 'number') return entry;
  if (entry === undefined || target === undefined) return undefined;
  const value = entry[target];
  return typeof value === 'number' ? value : undefined;
}
