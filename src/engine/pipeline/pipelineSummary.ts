/**
 * What the Experiments tree shows of a pipeline, without `vscode`: the newest pipeline of an
 * experiment and one line per stage ("passed · sim 95% · real 80%"). Unit-tested in plain Node.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { isStale, readPipelineRecord, type PipelineRecord, type StageRecord } from './stateFile';
import type { StageState } from '../stages/types';
import { pct } from '../../common/format';

export interface PipelineOnDisk {
  readonly dir: string;
  readonly record: PipelineRecord;
  /** Marked running, but its process is gone: it crashed or its editor closed (resumable). */
  readonly stale: boolean;
}

/** The newest pipeline under `<runs>/<experiment>/`, if any. */
export function latestPipeline(experimentRunsDir: string): PipelineOnDisk | undefined {
  if (!existsSync(experimentRunsDir)) return undefined;
  const found: PipelineOnDisk[] = [];
  for (const entry of readdirSync(experimentRunsDir, { withFileTypes: true })) {
    if (!entry.isDirectory() || !entry.name.startsWith('pipeline-')) continue;
    const dir = join(experimentRunsDir, entry.name);
    const record = readPipelineRecord(dir);
    if (record) found.push({ dir, record, stale: isStale(record) });
  }
  // ids start with a sortable timestamp
  found.sort((a, b) => b.record.createdAt.localeCompare(a.record.createdAt) || b.record.id.localeCompare(a.record.id));
  return found[0];
}

export const STAGE_STATE_LABELS: Record<StageState, string> = {
  pending: 'pending',
  running: 'running',
  passed: 'passed',
  failed_gate: 'failed gate',
  failed: 'failed',
  cancelled: 'cancelled',
  skipped: 'skipped',
};

/** The state a stage shows: a running stage of a crashed pipeline reads "interrupted". */
export function stageLine(stage: StageRecord, stale = false): string {
  const parts = [stale && stage.state === 'running' ? 'interrupted' : STAGE_STATE_LABELS[stage.state]];
  if (stage.simSuccess !== undefined) parts.push(`sim ${pct(stage.simSuccess, 0)}`);
  if (stage.realSuccess !== undefined) parts.push(`real ${pct(stage.realSuccess, 0)}`);
  if (stage.realEpisodes > 0) parts.push(`${stage.realEpisodes} real episodes`);
  return parts.join(' · ');
}
