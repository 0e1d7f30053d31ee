/**
 * What the Experiments tree shows of a run, read from its folder alone (run.json, eval.json,
 * eval-real.json): status, sim and real success, the transfer gap and its verdict. Pure file
 * reading with no `vscode` import, so the tree stays a thin adapter and this is tested in plain Node.
 * A half-written or foreign folder gives an 'unreadable' summary instead of throwing: one bad run
 * must not hide the others.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { transferGap, type GapVerdict } from './gapReport';
import type { EvaluationReport } from '../evaluate/report';
import { errorCell, visualGapOf, type VisualGapRow } from './visualGap';
import { PERCEPTION_MODEL_FILES } from '../perception/modelFiles';
import type { RunRecord, RunStatus } from '../runs/runStore';
import { pct } from '../../common/format';

export interface RunSummary {
  readonly runId: string;
  readonly dir: string;
  readonly status: RunStatus | 'unreadable';
  readonly experimentName?: string;
  readonly createdAt?: string;
  readonly updatedAt?: string;
  readonly sim?: EvaluationReport;
  readonly real?: EvaluationReport;
  /** Where the real episodes ran. */
  readonly realAddress?: string;
  /** sim minus real success, percentage points. */
  readonly gapPoints?: number;
  readonly verdict?: GapVerdict;
  readonly uncertain?: boolean;
  readonly hasPolicy: boolean;
  /** The puck perception models in the run (perception.json), when there are any. */
  readonly perception?: readonly VisualGapRow[];
  readonly iterations?: number;
  readonly reason?: string;
  readonly error?: string;
}

function readJson<T>(path: string): T | undefined {
  if (!existsSync(path)) return undefined;
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as T;
  } catch {
    return undefined;
  }
}

const isReport = (value: unknown): value is EvaluationReport =>
  typeof value === 'object' && value !== null && typeof (value as EvaluationReport).success_rate === 'number' && Array.isArray((value as EvaluationReport).success_ci);

export function readRunSummary(dir: string): RunSummary {
  const runId = dir.split(/[\\/]/).filter(Boolean).pop() ?? dir;
  const hasPolicy = existsSync(join(dir, 'policy.onnx'));
  const record = readJson<RunRecord>(join(dir, 'run.json'));
  if (!record || typeof record.status !== 'string') {
    return { runId, dir, status: 'unreadable', hasPolicy, error: existsSync(join(dir, 'run.json')) ? 'run.json does not parse' : 'no run.json' };
  }
  const simRaw = readJson<unknown>(join(dir, 'eval.json'));
  const realRaw = readJson<{ report?: unknown; address?: string }>(join(dir, 'eval-real.json'));
  const sim = isReport(simRaw) ? simRaw : undefined;
  const real = isReport(realRaw?.report) ? realRaw.report : undefined;
  const gap = sim && real ? transferGap(sim, real) : undefined;
  const perception = visualGapOf(dir)?.rows;
  return {
    runId: record.runId ?? runId,
    dir,
    status: record.status,
    experimentName: record.experimentName,
    createdAt: record.createdAt,
    updatedAt: record.updatedAt,
    sim,
    real,
    realAddress: realRaw?.address,
    gapPoints: gap?.successPoints,
    verdict: gap?.verdict,
    uncertain: gap?.uncertain,
    hasPolicy,
    ...(perception ? { perception } : {}),
    iterations: record.result?.iterations,
    reason: record.result?.reason,
    error: record.error,
  };
}

/** Runs of one experiment (`<runsDir>/<experiment>/`), newest first; folders without run.json are skipped. */
export function listRuns(experimentRunsDir: string): RunSummary[] {
  if (!existsSync(experimentRunsDir)) return [];
  const runs: { summary: RunSummary; time: number }[] = [];
  for (const entry of readdirSync(experimentRunsDir, { withFileTypes: true })) {
    if (!entry.isDirectory()) continue;
    const dir = join(experimentRunsDir, entry.name);
    if (!existsSync(join(dir, 'run.json'))) continue;
    const summary = readRunSummary(dir);
    const time = Date.parse(summary.createdAt ?? '') || statSync(dir).mtimeMs;
    runs.push({ summary, time });
  }
  // run ids start with a sortable timestamp; the name breaks ties between runs of the same second
  return runs.sort((a, b) => b.time - a.time || b.summary.runId.localeCompare(a.summary.runId)).map((r) => r.summary);
}

/** One line beside the run's name: "sim 85% · real 60% · gap 25 pts moderate". */
export function runDescription(run: RunSummary): string {
  if (run.status === 'unreadable') return run.error ?? 'unreadable';
  const parts: string[] = [];
  if (run.status === 'running') parts.push('training…');
  else if (run.status !== 'completed') parts.push(run.status);
  if (run.sim) parts.push(`sim ${pct(run.sim.success_rate, 0)}`);
  if (run.real) parts.push(`real ${pct(run.real.success_rate, 0)}`);
  if (run.gapPoints !== undefined) parts.push(`gap ${run.gapPoints.toFixed(0)} pts ${run.verdict}${run.uncertain ? '?' : ''}`);
  const vision = perceptionLine(run);
  if (vision) parts.push(vision);
  if (parts.length === 0) parts.push(run.hasPolicy ? 'not evaluated' : 'no policy yet');
  return parts.join(' · ');
}

/** The tooltip's lines (Markdown): started and updated times, the figures with their intervals. */
export function runTooltipLines(run: RunSummary, formatTime: (iso: string) => string = (iso) => new Date(iso).toLocaleString()): string[] {
  const lines = [`**${run.runId}** — ${run.status}`];
  if (run.createdAt) lines.push(`Started ${formatTime(run.createdAt)}`);
  if (run.updatedAt && run.updatedAt !== run.createdAt) lines.push(`Updated ${formatTime(run.updatedAt)}`);
  if (run.iterations !== undefined) lines.push(`${run.iterations} iterations${run.reason ? ` (${run.reason.replace(/_/g, ' ')})` : ''}`);
  const ci = (r: EvaluationReport): string => `${pct(r.success_rate, 0)} [${pct(r.success_ci[0], 0)}, ${pct(r.success_ci[1], 0)}] over ${r.episodes} episodes`;
  if (run.sim) lines.push(`Sim success ${ci(run.sim)}`);
  if (run.real) lines.push(`Real success ${ci(run.real)}${run.realAddress ? ` on ${run.realAddress}` : ''}`);
  if (run.gapPoints !== undefined) lines.push(`Transfer gap ${run.gapPoints.toFixed(1)} points: ${run.verdict}${run.uncertain ? ' (too few episodes to be sure)' : ''}`);
  for (const row of run.perception ?? []) {
    const randomized = row.randomization === undefined ? '' : row.randomization ? ', visual randomization' : ', nominal look';
    lines.push(`Perception \`${row.model}\`${randomized}: sim ${errorCell(row.simTest)} · real ${errorCell(row.real)}${row.afterAdaptation ? ` · DANN ${errorCell(row.beforeAdaptation)} → ${errorCell(row.afterAdaptation)}` : ''} (mean / p95)`);
  }
  if (run.error) lines.push(`Error: ${run.error}`);
  return lines;
}

/**
 * The perception model's mean error in the run's one line, the randomized model first: on real
 * images when measured (after DANN when adapted), else on sim images.
 */
function perceptionLine(run: RunSummary): string | undefined {
  const rows = run.perception ?? [];
  const row = rows.find((r) => r.model === PERCEPTION_MODEL_FILES.randomized) ?? rows.find((r) => r.real ?? r.afterAdaptation) ?? rows.find((r) => r.simTest) ?? rows[0];
  if (!row) return undefined;
  const cm = (x: number): string => `${x.toFixed(1)} cm`;
  if (row.afterAdaptation) return `vision real ${cm(row.beforeAdaptation!.meanCm)} → ${cm(row.afterAdaptation.meanCm)} DANN`;
  if (row.real) return `vision real ${cm(row.real.meanCm)}`;
  if (row.simTest) return `vision sim ${cm(row.simTest.meanCm)}`;
  return 'vision model';
}
