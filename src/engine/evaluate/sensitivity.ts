/**
 * Per-parameter sensitivity: for each randomized parameter, the policy's sim success with that one
 * parameter fixed at points across and beyond its randomization range, every other parameter at its
 * nominal value. A curve that falls off inside or just outside the range names a parameter the
 * policy is fragile to: the first to measure on the robot, and the first range to widen.
 *
 * Every point runs the same evaluation episodes (same seeds: same starts and goals), so differences
 * between points come from the parameter, not from luck. Episode counts are kept small (10 per point
 * by default) because a sweep has tens of points: the curves show trends, and each point carries its
 * 95% interval so a reader can see how little one point proves.
 */
import { nominalValue } from '../config/nominal';
import type { Experiment, RandomizationEntry } from '../config/experiment';
import { parameterInfo } from '../config/parameters';
import type { Policy } from '../policy/policy';
import type { Env } from '../sim/env';
import { resolveValue } from '../sim/randomizer';
import { createEnv as createSimEnv } from '../sim/simEnv';
import { runEpisodes } from './runEpisodes';

export const SENSITIVITY_FILE = 'sensitivity.json';

export interface SensitivityPoint {
  /** The value drawn in the entry's own terms (a scale factor, an offset or an absolute value). */
  readonly raw: number | string;
  /** The parameter's resulting value (operation applied to the nominal, clamped to its limits). */
  readonly value: number | string;
  /** Inside the randomization range the policy was trained on. */
  readonly inRange: boolean;
  readonly successRate: number;
  readonly successCi: [number, number];
  readonly avgReturn: number;
  readonly episodes: number;
}

export interface ParameterSensitivity {
  readonly name: string;
  readonly group: RandomizationEntry['group'];
  readonly unit: string;
  readonly operation: RandomizationEntry['operation'];
  readonly distribution: RandomizationEntry['distribution'];
  /** The trained range in raw terms (for gaussian: mean ± 2 std). */
  readonly range?: readonly [number, number];
  readonly targets?: readonly string[];
  readonly points: readonly SensitivityPoint[];
  /** Best in-range success minus worst success anywhere, percentage points: how fragile the policy is. */
  readonly dropPoints: number;
}

export interface SensitivityReport {
  readonly format: 'sim2real-sensitivity/1';
  readonly experiment: string;
  readonly task: string;
  readonly policy: string;
  readonly createdAt: string;
  readonly seed: number;
  readonly episodesPerPoint: number;
  /** Every parameter at its nominal value. */
  readonly nominal: { readonly successRate: number; readonly successCi: [number, number]; readonly avgReturn: number };
  readonly parameters: readonly ParameterSensitivity[];
  /** Entries not swept, and why (visual parameters are invisible to a state-observation policy). */
  readonly skipped: readonly { readonly name: string; readonly reason: string }[];
}

type EnvFactory = (experiment: Experiment, options: { randomize: boolean }) => Env | Promise<Env>;

export interface SensitivityOptions {
  /** Episodes per point [default: 10]. */
  readonly episodes?: number;
  /** Points per numeric parameter, half inside the range and the outer two beyond it [default: 5]. */
  readonly points?: number;
  /** [default: the experiment's seed] */
  readonly seed?: number;
  readonly signal?: AbortSignal;
  /** Called before each point (for progress). */
  readonly onPoint?: (done: number, total: number, label: string) => void;
  /** [default: the built-in simulator] */
  readonly createEnv?: EnvFactory;
  /** Shown as the report's policy. */
  readonly policyLabel?: string;
}

export const SENSITIVITY_DEFAULTS = { episodes: 10, points: 5 } as const;

interface Sweep {
  readonly entry: RandomizationEntry;
  readonly range?: readonly [number, number];
  readonly raws: { raw: number | string; inRange: boolean }[];
}

/**
 * Raw points for an entry: evenly across its range plus one point half a range-width beyond each
 * end (geometric spacing for log_uniform, whole numbers for randint). Points that clamp to the same
 * parameter value are dropped later.
 */
export function sweepPoints(entry: RandomizationEntry, count: number = SENSITIVITY_DEFAULTS.points): { raw: number | string; inRange: boolean }[] {
  const inside = Math.max(2, count - 2);
  if (entry.distribution === 'choice') return (entry.values ?? []).map((raw) => ({ raw, inRange: true }));
  if (entry.distribution === 'gaussian') {
    const mean = entry.mean ?? 0;
    const std = entry.std ?? 1;
    return [-3, ...spread(-2, 2, inside), 3].map((k) => ({ raw: mean + k * std, inRange: Math.abs(k) <= 2 }));
  }
  const [low, high] = entry.range ?? [0, 0];
  if (entry.distribution === 'log_uniform' && low > 0) {
    const ratio = Math.sqrt(high / low);
    const logs = spread(Math.log(low), Math.log(high), inside);
    return [{ raw: low / ratio, inRange: false }, ...logs.map((l) => ({ raw: Math.exp(l), inRange: true })), { raw: high * ratio, inRange: false }];
  }
  const half = (high - low) / 2;
  const raws = [{ raw: low - half, inRange: false }, ...spread(low, high, inside).map((raw) => ({ raw, inRange: true })), { raw: high + half, inRange: false }];
  if (entry.distribution === 'randint') return raws.map((p) => ({ raw: Math.round(p.raw), inRange: p.inRange }));
  return raws;
}

function spread(from: number, to: number, count: number): number[] {
  if (count <= 1 || from === to) return [from];
  return Array.from({ length: count }, (_, i) => from + ((to - from) * i) / (count - 1));
}

/** The entry pinned to one raw value, through the simulator's own randomizer (no special path). */
function pinned(entry: RandomizationEntry, raw: number | string): RandomizationEntry {
  return typeof raw === 'string' ? { ...entry, distribution: 'choice', values: [raw] } : { ...entry, distribution: 'uniform', range: [raw, raw], values: undefined };
}

export async function sweepSensitivity(experiment: Experiment, policy: Policy, options: SensitivityOptions = {}): Promise<SensitivityReport> {
  const episodes = options.episodes ?? SENSITIVITY_DEFAULTS.episodes;
  const seed = options.seed ?? experiment.seed;
  const create = options.createEnv ?? createSimEnv;
  const skipped: { name: string; reason: string }[] = [];
  const sweeps: Sweep[] = [];
  for (const entry of experiment.randomization) {
    const info = parameterInfo(entry.name);
    if (!info) {
      skipped.push({ name: entry.name, reason: 'unknown parameter' });
      continue;
    }
    if (entry.group === 'visuals' && experiment.policy.observation === 'state') {
      skipped.push({ name: entry.name, reason: 'visual: a state-observation policy never sees it' });
      continue;
    }
    // drop points that clamp to a value already swept (e.g. a scale below zero for a friction)
    const seen = new Set<string>();
    const raws = sweepPoints(entry, options.points).filter((p) => {
      const key = String(resolveValue(info, entry.operation, p.raw, nominalValue(info, entry.targets?.[0], experiment.calibration)));
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
    const range: [number, number] | undefined =
      entry.distribution === 'gaussian' ? [(entry.mean ?? 0) - 2 * (entry.std ?? 1), (entry.mean ?? 0) + 2 * (entry.std ?? 1)] : entry.range ? [entry.range[0], entry.range[1]] : undefined;
    sweeps.push({ entry, range, raws });
  }
  const total = 1 + sweeps.reduce((n, s) => n + s.raws.length, 0);
  let done = 0;

  const evaluate = async (randomization: readonly RandomizationEntry[], label: string) => {
    options.onPoint?.(done, total, label);
    const env = await create({ ...experiment, randomization }, { randomize: true });
    try {
      const report = await runEpisodes(env, policy, {
        episodes,
        seed,
        maxSteps: experiment.evaluation.maxSteps,
        randomized: true,
        task: experiment.task,
        policy: options.policyLabel ?? 'policy',
        ...(options.signal ? { signal: options.signal } : {}),
      });
      done += 1;
      return report;
    } finally {
      env.dispose();
    }
  };

  const nominal = await evaluate([], 'every parameter nominal');
  const parameters: ParameterSensitivity[] = [];
  for (const sweep of sweeps) {
    const info = parameterInfo(sweep.entry.name)!;
    const points: SensitivityPoint[] = [];
    for (const { raw, inRange } of sweep.raws) {
      // the value the simulator uses: on the calibrated nominal where the experiment has one (first target)
      const value = resolveValue(info, sweep.entry.operation, raw, nominalValue(info, sweep.entry.targets?.[0], experiment.calibration));
      const report = await evaluate([pinned(sweep.entry, raw)], `${sweep.entry.name} = ${typeof value === 'number' ? +value.toPrecision(4) : value}`);
      points.push({ raw, value, inRange, successRate: report.success_rate, successCi: report.success_ci, avgReturn: report.avg_return, episodes: report.episodes });
    }
    const bestInRange = Math.max(0, ...points.filter((p) => p.inRange).map((p) => p.successRate));
    const worst = Math.min(...points.map((p) => p.successRate));
    parameters.push({
      name: sweep.entry.name,
      group: sweep.entry.group,
      unit: info.unit,
      operation: sweep.entry.operation,
      distribution: sweep.entry.distribution,
      range: sweep.range,
      targets: sweep.entry.targets,
      points,
      dropPoints: Math.max(0, 100 * (bestInRange - worst)),
    });
  }
  return {
    format: 'sim2real-sensitivity/1',
    experiment: experiment.name,
    task: experiment.task,
    policy: options.policyLabel ?? 'policy',
    createdAt: new Date().toISOString(),
    seed,
    episodesPerPoint: episodes,
    nominal: { successRate: nominal.success_rate, successCi: nominal.success_ci, avgReturn: nominal.avg_return },
    parameters,
    skipped,
  };
}
