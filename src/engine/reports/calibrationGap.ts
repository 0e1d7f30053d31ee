/**
 * The gap report's "calibration" section: the calibrated nominal values a run was trained with (the
 * experiment's `calibration` block, from system identification), and whether calibrating shrank the
 * transfer gap: the run's sibling runs of the same experiment, evaluated on the same robot, grouped
 * into "before" (trained without a calibration block) and "after" (trained with this run's).
 *
 * One training seed says little (seed-to-seed spread of real success is 10-20 points here), so each
 * group reports the mean gap over its runs with the spread between runs, and the real success pooled
 * over every real episode of the group with its 95% interval.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Calibration } from '../config/experiment';
import type { RunRecord } from '../runs/runStore';
import { wilsonInterval } from '../evaluate/confidence';
import type { EvaluationReport } from '../evaluate/report';
import { pct } from '../../common/format';

const RUN_FILE = 'run.json';
const SIM_FILE = 'eval.json';
const REAL_FILE = 'eval-real.json';

export interface CalibratedValue {
  readonly parameter: string;
  readonly target?: string;
  readonly value: number;
}

/** One run of a comparison group: its sim and real success and the gap between them. */
export interface CalibrationRun {
  readonly runId: string;
  readonly seed: number;
  readonly simSuccess: number;
  readonly realSuccess: number;
  readonly realEpisodes: number;
  /** sim success minus real success, percentage points. */
  readonly gapPoints: number;
  /** Why the real evaluation ended early (a safety halt), when it did: fewer episodes, a wider gap interval. */
  readonly halted?: string;
}

export interface CalibrationGroup {
  readonly runs: readonly CalibrationRun[];
  readonly meanGapPoints: number;
  /** Sample standard deviation of the runs' gaps, points (0 for a single run). */
  readonly gapSpreadPoints: number;
  readonly meanSimSuccess: number;
  readonly meanRealSuccess: number;
  /** Real success over every real episode of the group, with its 95% Wilson interval. */
  readonly pooledRealSuccess: number;
  readonly pooledRealCi: [number, number];
  readonly realEpisodes: number;
}

export interface CalibrationComparison {
  /** The robot both groups were evaluated on: the emulator's profile, or the robot's address. */
  readonly robot: string;
  readonly before: CalibrationGroup;
  readonly after: CalibrationGroup;
  /** after.meanGapPoints − before.meanGapPoints (the signed gap's change). */
  readonly gapChangePoints: number;
  /**
   * |after.meanGapPoints| − |before.meanGapPoints|: negative when calibration shrank the gap's size.
   * A gap that turned from +5 to −3 (the robot now beats the randomized sim) shrank by 2, not by 8.
   */
  readonly gapSizeChangePoints: number;
  /** Pooled real success after minus before, points. */
  readonly realSuccessChangePoints: number;
  /** The comparison in one sentence, the same in every view of the report. */
  readonly verdict: string;
}

export interface CalibrationSection {
  readonly source?: string;
  readonly date?: string;
  readonly values: readonly CalibratedValue[];
  /** Absent until the folder holds an uncalibrated run of the experiment evaluated on the same robot. */
  readonly comparison?: CalibrationComparison;
}

interface RealRecord {
  readonly report: EvaluationReport;
  readonly address: string;
  readonly profile?: string;
}

interface SiblingRun {
  readonly record: RunRecord;
  readonly sim: EvaluationReport;
  readonly real: RealRecord;
}

/** The section for the run in `runDir`, or undefined when its experiment has no calibration block. */
export function calibrationSectionOf(runDir: string): CalibrationSection | undefined {
  const own = readRun(runDir);
  const calibration = own?.record.experiment.calibration ?? readRecord(runDir)?.experiment.calibration;
  if (!calibration) return undefined;
  const section: CalibrationSection = {
    ...(calibration.source !== undefined ? { source: calibration.source } : {}),
    ...(calibration.date !== undefined ? { date: calibration.date } : {}),
    values: calibratedValues(calibration),
  };
  if (!own) return section;
  const robot = robotOf(own.real);
  const key = calibrationKey(calibration);
  const before: SiblingRun[] = [];
  const after: SiblingRun[] = [];
  for (const sibling of siblingRuns(dirname(runDir))) {
    if (sibling.record.experimentName !== own.record.experimentName || sibling.record.task !== own.record.task) continue;
    if (robotOf(sibling.real) !== robot) continue;
    const theirs = sibling.record.experiment.calibration;
    if (!theirs) before.push(sibling);
    else if (calibrationKey(theirs) === key) after.push(sibling);
    // a run with another calibration belongs to neither group
  }
  if (before.length === 0 || after.length === 0) return section;
  const b = groupOf(before);
  const a = groupOf(after);
  const gapSizeChangePoints = Math.abs(a.meanGapPoints) - Math.abs(b.meanGapPoints);
  const realSuccessChangePoints = 100 * (a.pooledRealSuccess - b.pooledRealSuccess);
  return {
    ...section,
    comparison: { robot, before: b, after: a, gapChangePoints: a.meanGapPoints - b.meanGapPoints, gapSizeChangePoints, realSuccessChangePoints, verdict: verdictOf(b, a, gapSizeChangePoints, realSuccessChangePoints) },
  };
}

function verdictOf(b: CalibrationGroup, a: CalibrationGroup, sizeChange: number, realChange: number): string {
  // at the precision shown: a change that prints as 0.0 is no change
  const tenths = (x: number): number => Math.round(x * 10) / 10 || 0;
  const signed = (x: number): string => `${tenths(x) > 0 ? '+' : ''}${tenths(x).toFixed(1)}`;
  const gap = `Calibration ${tenths(sizeChange) < 0 ? 'shrank' : 'did not shrink'} the transfer gap: ${b.meanGapPoints.toFixed(1)} → ${a.meanGapPoints.toFixed(1)} points (its size ${signed(sizeChange)}).`;
  // whether the real success moved beyond what the episodes can tell apart
  const apart = a.pooledRealCi[0] > b.pooledRealCi[1] || a.pooledRealCi[1] < b.pooledRealCi[0];
  const real = `Real success ${pct(b.pooledRealSuccess)} → ${pct(a.pooledRealSuccess)} (${signed(realChange)} points; the 95% intervals ${apart ? 'do not overlap' : 'overlap: within the noise'}).`;
  return `${gap} ${real}`;
}

export function calibratedValues(calibration: Calibration): CalibratedValue[] {
  const out: CalibratedValue[] = [];
  for (const [parameter, value] of Object.entries(calibration.parameters)) {
    if (typeof value === 'number') out.push({ parameter, value });
    else for (const [target, v] of Object.entries(value)) out.push({ parameter, target, value: v });
  }
  return out;
}

/** Calibrations are the same when they set the same values (source and date aside). */
function calibrationKey(calibration: Calibration): string {
  return JSON.stringify(calibratedValues(calibration).sort((x, y) => `${x.parameter}.${x.target ?? ''}`.localeCompare(`${y.parameter}.${y.target ?? ''}`)));
}

function robotOf(real: RealRecord): string {
  return real.profile ?? real.address;
}

function readRecord(runDir: string): RunRecord | undefined {
  try {
    return JSON.parse(readFileSync(join(runDir, RUN_FILE), 'utf8')) as RunRecord;
  } catch {
    return undefined;
  }
}

/** A run folder with a sim and a real evaluation, or undefined (unfinished, unevaluated, unreadable). */
function readRun(runDir: string): SiblingRun | undefined {
  if (!existsSync(join(runDir, SIM_FILE)) || !existsSync(join(runDir, REAL_FILE))) return undefined;
  const record = readRecord(runDir);
  if (!record?.experiment) return undefined;
  try {
    const sim = JSON.parse(readFileSync(join(runDir, SIM_FILE), 'utf8')) as EvaluationReport;
    const real = JSON.parse(readFileSync(join(runDir, REAL_FILE), 'utf8')) as RealRecord;
    if (typeof sim.success_rate !== 'number' || typeof real.report?.success_rate !== 'number') return undefined;
    return { record, sim, real };
  } catch {
    return undefined; // a half-written or broken file must not take the report down
  }
}

function siblingRuns(folder: string): SiblingRun[] {
  let names: string[];
  try {
    names = readdirSync(folder, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name);
  } catch {
    return [];
  }
  const out: SiblingRun[] = [];
  for (const name of names.sort()) {
    const run = readRun(join(folder, name));
    if (run) out.push(run);
  }
  return out;
}

function groupOf(runs: readonly SiblingRun[]): CalibrationGroup {
  const rows: CalibrationRun[] = runs.map(({ record, sim, real }) => ({
    runId: record.runId,
    seed: record.seed,
    simSuccess: sim.success_rate,
    realSuccess: real.report.success_rate,
    realEpisodes: real.report.episodes,
    gapPoints: 100 * (sim.success_rate - real.report.success_rate),
    ...(real.report.halted ? { halted: real.report.halted } : {}),
  }));
  const gaps = rows.map((r) => r.gapPoints);
  const meanGap = average(gaps);
  const spread = gaps.length > 1 ? Math.sqrt(gaps.reduce((s, g) => s + (g - meanGap) ** 2, 0) / (gaps.length - 1)) : 0;
  const episodes = rows.reduce((s, r) => s + r.realEpisodes, 0);
  const successes = runs.reduce((s, r) => s + successesOf(r.real.report), 0);
  return {
    runs: rows,
    meanGapPoints: meanGap,
    gapSpreadPoints: spread,
    meanSimSuccess: average(rows.map((r) => r.simSuccess)),
    meanRealSuccess: average(rows.map((r) => r.realSuccess)),
    pooledRealSuccess: episodes > 0 ? successes / episodes : 0,
    pooledRealCi: wilsonInterval(successes, episodes),
    realEpisodes: episodes,
  };
}

function successesOf(report: EvaluationReport): number {
  const stored = (report as { successes?: number }).successes;
  return typeof stored === 'number' ? stored : Math.round(report.success_rate * report.episodes);
}

function average(values: readonly number[]): number {
  return values.length > 0 ? values.reduce((s, v) => s + v, 0) / values.length : 0;
}

function valueText(v: CalibratedValue): string {
  return `${v.parameter}${v.target ? ` (${v.target})` : ''} = ${Number(v.value.toPrecision(4))}`;
}

/** "12.3 ± 4.5 points over 3 runs" */
export function groupGapText(g: CalibrationGroup): string {
  return `${g.meanGapPoints.toFixed(1)} ± ${g.gapSpreadPoints.toFixed(1)} points over ${g.runs.length} run${g.runs.length === 1 ? '' : 's'}`;
}

export function calibrationMarkdown(section: CalibrationSection): string[] {
  const lines = ['## Calibration', ''];
  const from = [section.source ? `from \`${section.source}\`` : '', section.date ? `measured ${section.date}` : ''].filter(Boolean).join(', ');
  lines.push(`Trained with calibrated nominal values${from ? ` (${from})` : ''}: ${section.values.map(valueText).join(', ')}.`, '');
  const c = section.comparison;
  if (!c) {
    lines.push('No run of this experiment without calibration was evaluated on the same robot, so there is no before/after comparison yet.', '');
    return lines;
  }
  lines.push(`Before and after calibration, on ${c.robot} (mean over runs ± standard deviation between runs; real success pooled over all real episodes, 95% interval):`, '');
  lines.push('| | Runs | Sim success | Real success (pooled) | Transfer gap |', '|---|---|---|---|---|');
  for (const [label, g] of [['Before (no calibration)', c.before], ['After (this calibration)', c.after]] as const) {
    lines.push(`| ${label} | ${g.runs.length} | ${pct(g.meanSimSuccess)} | ${pct(g.pooledRealSuccess)} [${pct(g.pooledRealCi[0])}, ${pct(g.pooledRealCi[1])}] of ${g.realEpisodes} | ${g.meanGapPoints.toFixed(1)} ± ${g.gapSpreadPoints.toFixed(1)} points |`);
  }
  lines.push('');
  lines.push(`**${c.verdict}**`, '');
  lines.push('| Run | Group | Seed | Sim | Real | Gap (points) |', '|---|---|---|---|---|---|');
  for (const [label, g] of [['before', c.before], ['after', c.after]] as const) {
    for (const r of g.runs) lines.push(`| ${r.runId} | ${label} | ${r.seed} | ${pct(r.simSuccess)} | ${pct(r.realSuccess)} (${r.realEpisodes}${r.halted ? ', halted' : ''}) | ${r.gapPoints.toFixed(1)} |`);
  }
  lines.push('');
  const halted = [...c.before.runs, ...c.after.runs].filter((r) => r.halted);
  if (halted.length) lines.push(`Halted evaluations (fewer real episodes; the pooled real success weighs them by their episodes): ${halted.map((r) => `${r.runId} ${r.halted}`).join('; ')}.`, '');
  return lines;
}
