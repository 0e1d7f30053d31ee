/**
 * System identification from a recorded log (`sim2real sysid FILE --log LOG.csv|LOG.mcap`): read
 * the joint states and torque commands, replay the commands through the arm's dynamics with
 * candidate friction, link masses and delay, and keep the values whose replay matches the logged
 * motion best (logFit.ts). The result uses the same types and parameter names as the live side.
 */
import { readFileSync } from 'node:fs';
import { extname, resolve } from 'node:path';
import type { Experiment } from '../../config/experiment';
import { parameterInfo } from '../../config/parameters';
import { TASK_DEFINITIONS } from '../../sim/tasks';
import { LINK_NAMES } from '../../sim/tasks/tableScene';
import { jointInertiaCoefficients } from '../armModel';
import { appliedTorque } from './appliedTorque';
import { commandDelay, type CommandDelay } from './commandDelay';
import { frictionPoints } from './frictionPoints';
import { fitLog, MIN_FITTED_MASS_KG } from './logFit';
import { parseCsvLog } from '../logs/csv';
import { logMappingFor } from '../logs/mapping';
import { parseMcapLog } from '../logs/mcap';
import { LogError, type JointTrajectory } from '../logs/trajectory';
import { Replay } from './replay';
import type { DelayFit, IdentifiedParameter, JointFrictionFit, JointInertiaFit, SysidResult } from '../types';

/** Shortest log the fit accepts, s of joint states: enough segments for 9 unknowns and a delay. */
export const MIN_LOG_S = 4;
/** A joint must reach this speed and reverse this often for its friction to be told apart. */
const MIN_PEAK_SPEED_RAD_PER_S = 0.05;
const MIN_REVERSALS = 4;

export interface OfflineOptions {
  readonly signal?: AbortSignal;
  readonly onProgress?: (p: { fraction?: number; message: string }) => void;
}

export async function identifyFromLog(experiment: Experiment, experimentFile: string, logFile: string, options: OfflineOptions = {}): Promise<SysidResult> {
  const format = logFormat(logFile);
  const mapping = logMappingFor(experiment);
  let bytes: Buffer;
  try {
    bytes = readFileSync(logFile);
  } catch (e) {
    throw new LogError(`${logFile}: cannot read the log: ${(e as Error).message}`);
  }
  options.onProgress?.({ fraction: 0, message: `reading ${format.toUpperCase()} log` });
  const log = format === 'csv' ? parseCsvLog(bytes.toString('utf8'), mapping, logFile) : parseMcapLog(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength), mapping, logFile);
  return identifyFromTrajectory(experiment, experimentFile, log, { file: logFile, format }, mapping.maxDelayMs, options);
}

/** The fit and its report for a trajectory already read (shared by the readers and the tests). */
export async function identifyFromTrajectory(
  experiment: Experiment,
  experimentFile: string,
  log: JointTrajectory,
  source: { file: string; format: 'csv' | 'mcap' },
  maxDelayMs: number,
  options: OfflineOptions = {},
): Promise<SysidResult> {
  checkFittable(log, source.file);
  // With measured torques: the commands, delayed and scaled to what the motors applied, drive the
  // replay (noise-free, unlike the torque sensor); without: the commands, with the delay searched.
  const probe = new Replay(log);
  const coarse = log.effortNm ? commandDelay(log, probe.samplePeriodS, maxDelayMs / 1000) : undefined;
  const applied = coarse ? appliedTorque(log, coarse, probe.samplePeriodS) : undefined;
  const replay = applied ? new Replay(log, applied) : probe;
  if (applied && coarse) {
    options.onProgress?.({ fraction: 0.05, message: `applied torque rebuilt from ${log.command.timeS.length} commands and the measured torques (delay about ${(coarse.gridS * 1000).toFixed(0)} ms)` });
  }
  const lag = coarse && applied ? delayFromSamples(applied.delaySamplesMs, coarse, applied.gain) : undefined;
  if (replay.coveredS < MIN_LOG_S) {
    throw new LogError(`${source.file}: only ${replay.coveredS.toFixed(2)} s of joint states lie after the first command; the fit needs at least ${MIN_LOG_S} s`);
  }
  const joints = log.joints;
  const J = joints.length;
  const nominal = (name: string) => parameterInfo(name)!.nominal as number;
  // yield once so a caller's progress handler and cancellation get a turn before the CPU-bound fit
  await new Promise((r) => setImmediate(r));
  // with measured torques the replay needs no delay; the delay is where the commands line up with them
  const measured = lag !== undefined;
  const fit = fitLog(replay, joints, {
    maxDelayS: measured ? 0 : maxDelayMs / 1000,
    initial: {
      viscousNmsPerRad: new Array<number>(J).fill(nominal('joint_damping')),
      coulombNm: new Array<number>(J).fill(Math.max(nominal('joint_friction') ?? 0, 0.02)),
      linkMassKg: new Array<number>(J).fill(nominal('link_mass')),
    },
    signal: options.signal,
    onProgress: options.onProgress,
  });

  const warnings: string[] = [];
  for (let j = 0; j < J; j++) {
    const ratio = fit.rmsErrorPerJoint[j]! / Math.max(1e-12, fit.rmsSignalPerJoint[j]!);
    if (ratio > 0.5) {
      throw new LogError(
        `the fit did not converge for joint '${joints[j]}': the replay misses the logged motion by ${(100 * ratio).toFixed(0)}% (RMS); are the commands joint torques in N·m (command_kind) and the columns in joint order?`,
      );
    }
    if (ratio > 0.15) warnings.push(`joint '${joints[j]}': the replay misses the logged motion by ${(100 * ratio).toFixed(0)}% (RMS); the model may lack an effect of this robot`);
  }
  fit.linkMassKg.forEach((m, j) => {
    if (m.value <= MIN_FITTED_MASS_KG * 1.001) {
      throw new LogError(`the fit did not converge: the mass of ${LINK_NAMES[j]} (after joint '${joints[j]}') went to its lower bound ${MIN_FITTED_MASS_KG} kg; the log does not show that link's inertia`);
    }
  });
  joints.forEach((joint, j) => {
    if (fit.viscousNmsPerRad[j]!.value === 0) warnings.push(`joint '${joint}': viscous friction fitted as 0 (its lower bound): the log shows none, or the joint moved too little`);
    if (fit.coulombNm[j]!.value === 0) warnings.push(`joint '${joint}': Coulomb friction fitted as 0 (its lower bound): the log shows none, or the joint moved too little`);
  });
  if (!log.velocityRadPerS) warnings.push('the log has no joint velocities: fitted to positions only, with velocities from finite differences');

  const masses = fit.linkMassKg.map((m) => m.value);
  const straight = new Array<number>(J).fill(0);
  const inertia: JointInertiaFit[] = joints.map((joint, j) => {
    const a = jointInertiaCoefficients(j, straight);
    let value = 0;
    let variance = 0;
    for (let k = 0; k < J; k++) {
      value += a[k]! * masses[k]!;
      for (let l = 0; l < J; l++) variance += a[k]! * a[l]! * fit.massCovariance[k]![l]!;
    }
    return { joint, inertiaKgM2: { value, stdError: Math.sqrt(Math.max(0, variance)) }, trialsKgM2: [] };
  });

  const points = applied ? frictionPoints(log, fit, applied, 0) : frictionPoints(log, fit, { timeS: log.command.timeS, valuesNm: log.command.values }, fit.delayGridS);
  const friction: JointFrictionFit[] = joints.map((joint, j) => {
    const b = fit.viscousNmsPerRad[j]!;
    const c = fit.coulombNm[j]!;
    const residuals = points[j]!.map((p) => p.torqueNm - (b.value * p.velocityRadPerS + c.value * Math.sign(p.velocityRadPerS)));
    return {
      joint,
      viscousNmsPerRad: b,
      coulombNm: c,
      points: points[j]!,
      residualsNm: residuals,
      rmsResidualNm: residuals.length ? Math.sqrt(residuals.reduce((s, r) => s + r * r, 0) / residuals.length) : 0,
      iterations: fit.iterations,
    };
  });

  const delayFit = lag ?? { delayS: fit.delayS, gridS: fit.delayGridS, stdS: fit.delayStdS, gain: undefined, samplesMs: [fit.delayGridS * 1000] };
  if (lag) {
    lag.gain.forEach((g, j) => {
      if (Math.abs(g - 1) > 0.02) warnings.push(`joint '${joints[j]}' applies ${(100 * g).toFixed(1)}% of the commanded torque (actuator gain error, from the measured torques; the replay applies it)`);
    });
  }
  if (applied) {
    applied.deadPeriods.forEach((dead, j) => {
      if (dead > 0) warnings.push(`joint '${joints[j]}' loses the torque for ${dead} sample period(s) after each reversal (backlash take-up, seen in the measured torques; the replay includes it)`);
    });
    applied.measuredFraction.forEach((f, j) => {
      if (f > 0.05) warnings.push(`joint '${joints[j]}': ${(100 * f).toFixed(0)}% of the measured torques match no command (saturation?); the replay used the noisy measurements there`);
    });
  } else warnings.push('the log has no measured joint torques (effort): the commands drive the replay, so an actuator gain error scales friction and inertia alike');
  const controlPeriodMs = TASK_DEFINITIONS[experiment.task].controlPeriodS * 1000;
  const delayMs = delayFit.delayS * 1000;
  const delay: DelayFit = {
    meanMs: delayMs,
    stdMs: delayFit.stdS * 1000,
    medianMs: delayFit.gridS * 1000,
    controlPeriodMs,
    meanSteps: delayMs / controlPeriodMs,
    samplesMs: delayFit.samplesMs,
  };

  const identified: IdentifiedParameter[] = [
    ...joints.map((joint, j) => ({ parameter: 'joint_damping', target: joint, value: fit.viscousNmsPerRad[j]!.value, stdError: fit.viscousNmsPerRad[j]!.stdError, unit: 'N·m·s/rad' })),
    ...joints.map((joint, j) => ({ parameter: 'joint_friction', target: joint, value: fit.coulombNm[j]!.value, stdError: fit.coulombNm[j]!.stdError, unit: 'N·m' })),
    ...fit.linkMassKg.map((m, j) => ({ parameter: 'link_mass', target: LINK_NAMES[j]!, value: m.value, stdError: m.stdError, unit: 'kg' })),
    { parameter: 'action_delay', value: Math.round(delay.meanSteps), stdError: delay.stdMs / controlPeriodMs / Math.sqrt(delay.samplesMs.length), unit: 'control steps' },
  ];

  return {
    version: 1,
    experimentFile: resolve(experimentFile),
    experiment: experiment.name,
    task: experiment.task,
    source: { kind: 'log', file: resolve(source.file), format: source.format },
    createdAt: new Date().toISOString(),
    friction,
    inertia,
    delay,
    identified,
    warnings,
  };
}

/** The delay from per-command samples: their mean, spread and median. */
function delayFromSamples(samplesMs: readonly number[], coarse: CommandDelay, gain: readonly number[]): CommandDelay & { samplesMs: readonly number[] } {
  if (samplesMs.length < 2) return { ...coarse, gain, samplesMs: [coarse.gridS * 1000] };
  const mean = samplesMs.reduce((s, v) => s + v, 0) / samplesMs.length;
  const std = Math.sqrt(samplesMs.reduce((s, v) => s + (v - mean) ** 2, 0) / (samplesMs.length - 1));
  const sorted = samplesMs.slice().sort((a, b) => a - b);
  return { delayS: mean / 1000, gridS: sorted[Math.floor(sorted.length / 2)]! / 1000, stdS: std / 1000, gain, samplesMs };
}

export function logFormat(file: string): 'csv' | 'mcap' {
  const ext = extname(file).toLowerCase();
  if (ext === '.csv') return 'csv';
  if (ext === '.mcap') return 'mcap';
  throw new LogError(`${file}: unsupported log extension '${ext || '(none)'}'; use a .csv or .mcap log`);
}

/** Refuse logs the fit cannot use, naming what is missing. */
function checkFittable(log: JointTrajectory, file: string): void {
  if (log.command.kind !== 'effort') {
    throw new LogError(
      `${file}: command_kind is '${log.command.kind}': the log fit needs joint torque (effort) commands; behind a position controller the joints' viscous friction is hidden by the controller's own damping`,
    );
  }
  const n = log.timeS.length;
  const duration = n > 1 ? log.timeS[n - 1]! - log.timeS[0]! : 0;
  if (n < 3 || duration < MIN_LOG_S) {
    throw new LogError(`${file}: the log is too short to fit: ${n} joint-state samples over ${duration.toFixed(2)} s; record at least ${MIN_LOG_S} s of motion`);
  }
  if (log.command.timeS.length === 0) throw new LogError(`${file}: the log has no commands`);
  for (let j = 0; j < log.joints.length; j++) {
    const p = log.positionRad[j]!;
    let peak = 0;
    let reversals = 0;
    let lastSign = 0;
    for (let i = 1; i < n; i++) {
      const v = log.velocityRadPerS ? log.velocityRadPerS[j]![i]! : (p[i]! - p[i - 1]!) / (log.timeS[i]! - log.timeS[i - 1]!);
      peak = Math.max(peak, Math.abs(v));
      const sign = Math.abs(v) > MIN_PEAK_SPEED_RAD_PER_S ? Math.sign(v) : 0;
      if (sign !== 0 && lastSign !== 0 && sign !== lastSign) reversals++;
      if (sign !== 0) lastSign = sign;
    }
    if (peak < MIN_PEAK_SPEED_RAD_PER_S || reversals < MIN_REVERSALS) {
      throw new LogError(
        `${file}: joint '${log.joints[j]}' barely moves (peak speed ${peak.toFixed(3)} rad/s, ${reversals} reversals): its friction and inertia cannot be identified; excite it to at least ${MIN_PEAK_SPEED_RAD_PER_S} rad/s in both directions, ${MIN_REVERSALS} times`,
      );
    }
  }
}
