/**
 * The torque each motor really applied over each sample period, rebuilt from a log that has both
 * the commands and the measured torques. The torque sensor is noisy; the commands are exact but
 * arrive late (with jitter), are scaled by the actuator's gain error, and are lost while a gear
 * takes up its backlash after a reversal. So per period, the applied torque is the gain times the
 * command nearest the measurement among those in force one sample before, at or after the typical
 * delay, with the backlash's dead periods (fitted per joint) after each reversal; where that is
 * more than six noise deviations off (saturation, an effect not modelled) the measurement itself.
 * The chosen shifts are per-command delay samples.
 */
import type { CommandDelay } from './commandDelay';
import type { JointTrajectory } from '../logs/trajectory';

export interface AppliedTorque {
  /** Start of each period, s: the torque holds from here to the next sample. */
  readonly timeS: Float64Array;
  readonly valuesNm: readonly Float64Array[];
  /** The delay of the command chosen for each period where a command matched, ms. */
  readonly delaySamplesMs: readonly number[];
  /** Fraction of periods, per joint, where the measurement itself had to be used. */
  readonly measuredFraction: readonly number[];
  /** Applied per commanded torque, per joint, refitted on the periods a command explained. */
  readonly gain: readonly number[];
  /** Periods without torque after each reversal, per joint (backlash take-up). */
  readonly deadPeriods: readonly number[];
}

/** A measurement this many noise deviations from every command is taken as it is. */
const FALLBACK_SIGMAS = 6;
/** Longest backlash take-up searched, sample periods. */
const MAX_DEAD_PERIODS = 5;

export function appliedTorque(log: JointTrajectory, lag: CommandDelay, samplePeriodS: number): AppliedTorque {
  const effort = log.effortNm!;
  const t = log.timeS;
  const n = t.length;
  const J = log.joints.length;
  const cmdTime = log.command.timeS;
  const shifts = [-1, 0, 1].map((m) => lag.gridS + m * samplePeriodS).filter((d) => d >= -1e-9);
  const commandAt = (time: number): number => {
    let lo = 0;
    let hi = cmdTime.length - 1;
    if (hi < 0 || cmdTime[0]! > time + 1e-9) return -1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (cmdTime[mid]! <= time + 1e-9) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  };
  const gain = [...lag.gain];
  const sigma = new Array<number>(J).fill(0);
  const deadPeriods = new Array<number>(J).fill(0);
  let result: AppliedTorque | undefined;
  // alternate: choose the commands with the current gain and noise, then refit the gain on the
  // periods a command explained (the first gain, from all periods, is biased low by mismatches)
  for (let round = 0; round < 3; round++) {
    for (let j = 0; j < J; j++) {
      const deviations: number[] = [];
      for (let k = 0; k < n - 1; k++) {
        let best = Infinity;
        for (const d of shifts) {
          const c = commandAt(t[k]! - d);
          if (c >= 0) best = Math.min(best, Math.abs(effort[j]![k + 1]! - gain[j]! * log.command.values[j]![c]!));
        }
        if (Number.isFinite(best)) deviations.push(best);
      }
      deviations.sort((a, b) => a - b);
      sigma[j] = Math.max(1e-6, 1.4826 * (deviations[Math.floor(deviations.length / 2)] ?? 0));
    }
    const sxy = new Array<number>(J).fill(0);
    const sxx = new Array<number>(J).fill(0);
    result = choose((j, x, y) => {
      sxy[j] += x * y;
      sxx[j] += x * x;
    });
    for (let j = 0; j < J; j++) if (sxx[j]! > 0) gain[j] = sxy[j]! / sxx[j]!;
  }
  return result!;

  function choose(matched: (j: number, commanded: number, measured: number) => void): AppliedTorque {
    const values = log.joints.map(() => new Float64Array(n - 1));
    const measuredCount = new Array<number>(J).fill(0);
    const chosen = new Int32Array(n - 1).fill(-1);
    /** Squared error against the measurements of the commanded torque with `dead` periods lost at each reversal; fills `out`. */
    const takeUp = (j: number, dead: number, out: Float64Array | undefined): number => {
      let sign = 0;
      let left = 0;
      let previous = -1;
      let error = 0;
      for (let k = 0; k < n - 1; k++) {
        const c = chosen[k]!;
        const command = c >= 0 ? gain[j]! * log.command.values[j]![c]! : 0;
        if (c !== previous) {
          const s = Math.sign(command);
          if (s !== 0 && sign !== 0 && s !== sign) left = dead;
          if (s !== 0) sign = s;
          previous = c;
        }
        let value = command;
        if (left > 0) {
          value = 0;
          left--;
        }
        if (out) out[k] = value;
        error += Math.min((effort[j]![k + 1]! - value) ** 2, 9 * sigma[j]! ** 2);
      }
      return error;
    };
    const delays: number[] = [];
    let lastChosen = -1;
    for (let k = 0; k < n - 1; k++) {
      const candidates = shifts.map((d) => commandAt(t[k]! - d));
      // one shift for all joints in a period: a command reaches every joint at once
      let bestShift = -1;
      let bestCost = Infinity;
      candidates.forEach((c, s) => {
        if (c < 0) return;
        let cost = 0;
        for (let j = 0; j < J; j++) cost += Math.min(((effort[j]![k + 1]! - gain[j]! * log.command.values[j]![c]!) / sigma[j]!) ** 2, 9);
        if (cost < bestCost) {
          bestCost = cost;
          bestShift = s;
        }
      });
      const c = bestShift >= 0 ? candidates[bestShift]! : -1;
      chosen[k] = c;
      if (c >= 0 && c !== lastChosen) {
        // the first period a new command shows up in: a delay sample
        delays.push(Math.round((t[k]! - cmdTime[c]!) * 1e6) / 1000);
        lastChosen = c;
      }
    }
    for (let j = 0; j < J; j++) {
      // a gear's backlash: after the torque reverses, the motor turns through the play unloaded and
      // the joint feels nothing for a few periods; the count is fitted over all reversals at once
      let bestDead = 0;
      let bestError = Infinity;
      for (let dead = 0; dead <= MAX_DEAD_PERIODS; dead++) {
        const error = takeUp(j, dead, undefined);
        if (error < bestError - 1e-12) {
          bestError = error;
          bestDead = dead;
        }
      }
      deadPeriods[j] = bestDead;
      takeUp(j, bestDead, values[j]!);
      for (let k = 0; k < n - 1; k++) {
        const measured = effort[j]![k + 1]!;
        const c = chosen[k]!;
        if (c >= 0 && Math.abs(measured - values[j]![k]!) <= FALLBACK_SIGMAS * sigma[j]!) {
          if (values[j]![k] !== 0) matched(j, log.command.values[j]![c]!, measured);
        } else {
          // no command explains it (saturation, an effect the model lacks): trust the sensor
          values[j]![k] = measured;
          measuredCount[j]++;
        }
      }
    }
    return {
      timeS: t.subarray(0, n - 1),
      valuesNm: values,
      delaySamplesMs: delays,
      measuredFraction: measuredCount.map((m) => m / Math.max(1, n - 1)),
      gain,
      deadPeriods,
    };
  }
}
