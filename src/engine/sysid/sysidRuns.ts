/**
 * System identification results on disk: `<runs>/<experiment>/sysid-<stamp>/sysid.json`, next to the
 * experiment's training runs. Reading, checking and finding the newest one, with no `vscode`
 * import, for the engine job that writes them, the tree, the coverage diagnostics and the report.
 * A file that is not a result (half-written, foreign, an older format) reads as undefined with the
 * reason, never as a wrong number.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { SYSID_FILE, type SysidResult } from './types';

export const SYSID_RUN_PREFIX = 'sysid-';

/** `sysid-20261125-150000`, sortable, from the moment the identification finished. */
export function newSysidRunId(now = new Date()): string {
  return SYSID_RUN_PREFIX + now.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
}

export interface SysidRun {
  readonly runId: string;
  readonly dir: string;
  readonly file: string;
  readonly result?: SysidResult;
  /** Why the file could not be used, when it could not. */
  readonly error?: string;
  /** For ordering: the result's createdAt, else the file's modification time, ms. */
  readonly time: number;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isFiniteNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const isEstimate = (v: unknown): boolean => isObject(v) && isFiniteNumber(v.value) && isFiniteNumber(v.stdError);

/** The checks every reader relies on: the shape of a SysidResult, numbers finite. */
export function sysidResultProblem(value: unknown): string | undefined {
  if (!isObject(value)) return 'not a JSON object';
  if (value.version !== 1) return `unknown version ${JSON.stringify(value.version)}`;
  if (typeof value.experiment !== 'string' || typeof value.task !== 'string' || typeof value.createdAt !== 'string') return 'experiment, task or createdAt missing';
  if (!Array.isArray(value.identified)) return "'identified' is not a list";
  for (const [i, id] of value.identified.entries()) {
    if (!isObject(id) || typeof id.parameter !== 'string' || !isFiniteNumber(id.value) || !isFiniteNumber(id.stdError) || (id.target !== undefined && typeof id.target !== 'string')) {
      return `identified[${i}] is not a parameter with a finite value and standard error`;
    }
  }
  if (!Array.isArray(value.friction) || !Array.isArray(value.inertia)) return "'friction' or 'inertia' is not a list";
  for (const [i, f] of value.friction.entries()) {
    if (!isObject(f) || typeof f.joint !== 'string' || !isEstimate(f.viscousNmsPerRad) || !isEstimate(f.coulombNm) || !Array.isArray(f.points) || !Array.isArray(f.residualsNm)) {
      return `friction[${i}] is not a friction fit`;
    }
  }
  for (const [i, f] of value.inertia.entries()) {
    if (!isObject(f) || typeof f.joint !== 'string' || !isEstimate(f.inertiaKgM2) || !Array.isArray(f.trialsKgM2)) return `inertia[${i}] is not an inertia fit`;
  }
  if (value.delay !== undefined && (!isObject(value.delay) || !isFiniteNumber(value.delay.meanMs) || !Array.isArray(value.delay.samplesMs))) return "'delay' is not a delay fit";
  if (!Array.isArray(value.warnings)) return "'warnings' is not a list";
  return undefined;
}

export function readSysidResult(file: string): { result?: SysidResult; error?: string } {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    return { error: `${file}: ${(e as Error).message}` };
  }
  const problem = sysidResultProblem(raw);
  return problem ? { error: `${file}: ${problem}` } : { result: raw as SysidResult };
}

/** The identification runs of one experiment (`<runs>/<experiment>/`), newest first. */
export function listSysidRuns(experimentRunsDir: string): SysidRun[] {
  if (!existsSync(experimentRunsDir)) return [];
  const runs: SysidRun[] = [];
  for (const entry of readdirSync(experimentRunsDir, { withFileTypes: true })) {
    if (!entry.isDirectory() || !entry.name.startsWith(SYSID_RUN_PREFIX)) continue;
    const dir = join(experimentRunsDir, entry.name);
    const file = join(dir, SYSID_FILE);
    if (!existsSync(file)) continue;
    const { result, error } = readSysidResult(file);
    const created = result ? Date.parse(result.createdAt) : Number.NaN;
    runs.push({ runId: entry.name, dir, file, result, error, time: Number.isNaN(created) ? statSync(file).mtimeMs : created });
  }
  return runs.sort((a, b) => b.time - a.time || b.runId.localeCompare(a.runId));
}

/** The newest readable result of an experiment, if any. */
export function newestSysidRun(experimentRunsDir: string): SysidRun | undefined {
  return listSysidRuns(experimentRunsDir).find((run) => run.result !== undefined);
}
