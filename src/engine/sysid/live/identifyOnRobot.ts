/**
 * System identification on the robot link (`sim2real sysid FILE --robot URL`): sensors at rest,
 * delay, then per joint a friction sweep and its inertia (pulses, or an alternating torque for a joint
 * that settles within a few joint states), with every command through the safety layer. This file
 * is the entry point and the order of the procedures; each procedure is a file of its own:
 * sensorNoise.ts, delay.ts, friction.ts, inertia.ts, with what they share in procedure.ts and the
 * mapping to the experiment's parameters in parameters.ts. Their design is in
 * docs/system-identification.md; the fits are in ../frictionFit.ts and oscillation.ts.
 *
 * Torques are identified in the units of the robot's effort sensor (the torque the motor really
 * applies): the commanded torque times a per-joint gain measured from the effort readings, so a
 * motor's gain error does not leak into b, c and I. A robot that reports no effort is identified in
 * commanded units, with a warning.
 */
import type { Experiment } from '../../config/experiment';
import { TASK_DEFINITIONS } from '../../sim/tasks';
import { SysidError } from '../frictionFit';
import type { MotionAttendance } from '../../robot/motionAuthority';
import { SysidLink } from './liveLink';
import { fmt } from './procedure';
import { measureDelay } from './delay';
import { frictionSweep } from './friction';
import { inertiaOscillation, inertiaPulses, OSCILLATE_BELOW_STATES } from './inertia';
import { identifiedParameters } from './parameters';
import { DEFAULT_NOISE_SECONDS, measureSensorNoise, sensorParameters } from './sensorNoise';
import type { DelayFit, JointFrictionFit, JointInertiaFit, SensorNoiseFit, SysidResult } from '../types';

export { linkMasses } from './parameters';

export interface LiveOptions {
  /** Joints to identify (names); all of the arm's by default. */
  readonly joints?: readonly string[];
  /** Step commands for the delay. [default: 100] 0 skips the delay. */
  readonly delayTrials?: number;
  /** Addresses the user configured; `address` must be one of them. */
  readonly allowedAddresses: readonly string[];
  readonly signal?: AbortSignal;
  readonly onProgress?: (p: { fraction?: number; message: string }) => void;
  readonly log?: (line: string) => void;
  /** Torque levels of each friction sweep (both directions together). [default: 20] */
  readonly frictionPoints?: number;
  /** Torque pulses per joint for the inertia. [default: 6] */
  readonly inertiaTrials?: number;
  /** Seconds of readings at rest for the sensor noise (sensorNoise.ts). [default: 3] 0 skips it. */
  readonly noiseSeconds?: number;
  /** The person (or why there is none), for the robot's motion authority. */
  readonly attendance: MotionAttendance;
  /** What moves the robot, in the user's words. [default: 'system identification'] */
  readonly path?: string;
  readonly motionLogPath?: string;
}

export const DEFAULT_DELAY_TRIALS = 100;
export const DEFAULT_FRICTION_POINTS = 20;
export const DEFAULT_INERTIA_TRIALS = 6;

export async function identifyOnRobot(
  experiment: Experiment,
  experimentFile: string,
  address: string,
  options: LiveOptions,
): Promise<SysidResult> {
  const log = options.log ?? ((line: string) => process.stderr.write(line + '\n'));
  const progress = options.onProgress ?? (() => undefined);
  const joints = jointIndices(options.joints);
  const delayTrials = options.delayTrials ?? DEFAULT_DELAY_TRIALS;
  if (!Number.isInteger(delayTrials) || delayTrials < 0) throw new SysidError(`delay trials must be a whole number >= 0, got ${delayTrials}`);
  const points = options.frictionPoints ?? DEFAULT_FRICTION_POINTS;
  if (!Number.isInteger(points) || points < 6) throw new SysidError(`friction points must be a whole number >= 6, got ${points}`);
  const inertiaTrials = options.inertiaTrials ?? DEFAULT_INERTIA_TRIALS;
  if (!Number.isInteger(inertiaTrials) || inertiaTrials < 2) throw new SysidError(`inertia trials must be a whole number >= 2, got ${inertiaTrials}`);
  const noiseSeconds = options.noiseSeconds ?? DEFAULT_NOISE_SECONDS;
  if (!(noiseSeconds >= 0) || !Number.isFinite(noiseSeconds)) throw new SysidError(`noise seconds must be a number >= 0, got ${noiseSeconds}`);
  options.signal?.throwIfAborted?.();

  progress({ fraction: 0, message: `connecting to ${address}` });
  const warnings: string[] = [];
  return SysidLink.run(experiment, address, { ...options, log }, async (link) => {
    const controlPeriodMs = link.controlPeriodS * 1000;
    // the sensors first, while the arm and the object rest where the reset put them
    let sensors: SensorNoiseFit | undefined;
    if (noiseSeconds > 0) {
      progress({ fraction: 0.01, message: `sensor noise: ${noiseSeconds} s at rest` });
      sensors = await measureSensorNoise(link, noiseSeconds, TASK_DEFINITIONS[experiment.task].info.objects[0], warnings);
    }
    let delay: DelayFit | undefined;
    // the delay first: the sweeps use it to stop a joint before the end of its range
    if (delayTrials > 0) {
      progress({ fraction: 0.02, message: `delay: ${delayTrials} step commands` });
      delay = await measureDelay(link, delayTrials, (k) => progress({ fraction: 0.02 + (0.18 * k) / delayTrials, message: `delay: step ${k} of ${delayTrials}` }));
    }
    const delayS = (delay ? delay.meanMs + 2 * delay.stdMs : 100) / 1000;
    const friction: JointFrictionFit[] = [];
    const inertia: JointInertiaFit[] = [];
    for (let n = 0; n < joints.length; n++) {
      const j = joints[n]!;
      const name = link.jointNames[j]!;
      const base = 0.2 + (0.8 * n) / joints.length;
      const share = 0.8 / joints.length;
      const sweep = await frictionSweep(link, j, points, delayS, warnings, (k) => progress({ fraction: base + (0.7 * share * k) / points, message: `${name}: friction sweep, point ${k} of ${points}` }));
      friction.push(sweep.fit);
      // a pulse carries I only while the joint accelerates: a joint that settles within a few
      // joint states (the wrist) is driven back and forth instead
      const oscillate = sweep.timeConstantS < OSCILLATE_BELOW_STATES * sweep.statePeriodS;
      progress({ fraction: base + 0.7 * share, message: `${name}: inertia ${oscillate ? 'oscillation' : 'pulses'}` });
      inertia.push(oscillate ? await inertiaOscillation(link, j, sweep, inertiaTrials, delayS) : await inertiaPulses(link, j, sweep, inertiaTrials, delayS));
      log(`${name}: b ${fmt(sweep.fit.viscousNmsPerRad.value)} N·m·s/rad, c ${fmt(sweep.fit.coulombNm.value)} N·m, I ${fmt(inertia[n]!.inertiaKgM2.value)} kg·m²`);
    }
    link.holdHere();
    progress({ fraction: 1, message: 'done' });
    return {
      ...link.resultHeader(experiment, experimentFile),
      friction,
      inertia,
      ...(delay ? { delay } : {}),
      ...(sensors ? { sensors } : {}),
      identified: [...identifiedParameters(friction, inertia, delay, controlPeriodMs, warnings), ...(sensors ? sensorParameters(sensors) : [])],
      warnings,
    };
  });
}

function jointIndices(names: readonly string[] | undefined): number[] {
  const all = ['shoulder', 'elbow', 'wrist'];
  if (!names || names.length === 0) return [0, 1, 2];
  const out: number[] = [];
  for (const name of names) {
    const i = all.indexOf(name);
    if (i < 0) throw new SysidError(`no joint '${name}' on this arm (joints: ${all.join(', ')})`);
    if (!out.includes(i)) out.push(i);
  }
  return out.sort((a, b) => a - b);
}
