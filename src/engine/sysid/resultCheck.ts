/**
 * Is this value a SysidResult? The shape every reader relies on (numbers finite, lists where lists
 * belong), checked before anything is drawn or applied. Pure, no I/O: the report's webview uses it too.
 */
import { isFiniteNumber, isRecord } from '../../common/guards';

const isEstimate = (v: unknown): boolean => isRecord(v) && isFiniteNumber(v.value) && isFiniteNumber(v.stdError);

/** The checks every reader relies on: the shape of a SysidResult, numbers finite. */
export function sysidResultProblem(value: unknown): string | undefined {
  if (!isRecord(value)) return 'not a JSON object';
  if (value.version !== 1) return `unknown version ${JSON.stringify(value.version)}`;
  if (typeof value.experiment !== 'string' || typeof value.task !== 'string' || typeof value.createdAt !== 'string') return 'experiment, task or createdAt missing';
  if (!Array.isArray(value.identified)) return "'identified' is not a list";
  for (const [i, id] of value.identified.entries()) {
    if (!isRecord(id) || typeof id.parameter !== 'string' || !isFiniteNumber(id.value) || !isFiniteNumber(id.stdError) || (id.target !== undefined && typeof id.target !== 'string')) {
      return `identified[${i}] is not a parameter with a finite value and standard error`;
    }
  }
  if (!Array.isArray(value.friction) || !Array.isArray(value.inertia)) return "'friction' or 'inertia' is not a list";
  for (const [i, f] of value.friction.entries()) {
    if (!isRecord(f) || typeof f.joint !== 'string' || !isEstimate(f.viscousNmsPerRad) || !isEstimate(f.coulombNm) || !Array.isArray(f.points) || !Array.isArray(f.residualsNm)) {
      return `friction[${i}] is not a friction fit`;
    }
  }
  for (const [i, f] of value.inertia.entries()) {
    if (!isRecord(f) || typeof f.joint !== 'string' || !isEstimate(f.inertiaKgM2) || !Array.isArray(f.trialsKgM2)) return `inertia[${i}] is not an inertia fit`;
  }
  if (value.delay !== undefined && (!isRecord(value.delay) || !isFiniteNumber(value.delay.meanMs) || !Array.isArray(value.delay.samplesMs))) return "'delay' is not a delay fit";
  if (value.sensors !== undefined && !isSensorNoise(value.sensors)) return "'sensors' is not a sensor noise measurement";
  if (!Array.isArray(value.warnings)) return "'warnings' is not a list";
  return undefined;
}

function isSensorNoise(v: unknown): boolean {
  if (!isRecord(v) || !isFiniteNumber(v.durationS) || !isFiniteNumber(v.jointStates) || !Array.isArray(v.joints)) return false;
  if (!v.joints.every((j) => isRecord(j) && typeof j.joint === 'string' && isEstimate(j.positionNoiseRad) && isEstimate(j.velocityNoiseRadPerS))) return false;
  const o = v.object;
  return o === undefined || (isRecord(o) && typeof o.object === 'string' && isEstimate(o.positionNoiseM) && isEstimate(o.trackingRateHz) && isFiniteNumber(o.poses));
}
