/**
 * System identification results on disk: `<runs>/<experiment>/sysid-<stamp>/sysid.json`, next to the
 * experiment's training runs. Reading, checking and finding the newest one, with no `vscode`
 * import, for the engine job that writes them, the tree, the coverage diagnostics and the report.
 * A file that is not a result (half-written, foreign, an older format) reads as undefined with the
 * reason, never as a wrong number.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { sysidResultProblem } from './resultCheck';
import { SYSID_FILE, type SysidResult } from './types';

export { sysidResultProblem };

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
