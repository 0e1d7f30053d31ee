/**
 * The pipeline's state on disk: `<runs>/<experiment>/pipeline-<id>/pipeline.json`, rewritten
 * atomically at every change, beside one run folder per stage (`<n>-<stage name>/`). The tree, the
 * gap report and a resumed pipeline read this file and nothing else, so it says everything a person
 * needs: each stage's state, run, success rates, episodes and the reason it stopped.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Experiment, StageKind } from '../config/experiment';
import { writeJsonAtomic } from '../util/atomicFile';
import type { StageState } from '../stages/types';

export const PIPELINE_FILE = 'pipeline.json';
export const PIPELINE_FORMAT = 'sim2real-pipeline/1';

export type PipelineStatus = 'running' | 'completed' | 'stopped' | 'failed' | 'failed_gate' | 'cancelled';

export interface StageRecord {
  readonly name: string;
  readonly kind: StageKind;
  readonly state: StageState;
  /** The stage's run folder, relative to the pipeline folder (absent until it starts). */
  readonly runDir?: string;
  readonly simSuccess?: number;
  readonly realSuccess?: number;
  readonly simEpisodes: number;
  readonly realEpisodes: number;
  /** Real episodes the stage plans (its share of the budget). */
  readonly plannedRealEpisodes: number;
  readonly message?: string;
  readonly startedAt?: string;
  readonly endedAt?: string;
  /** Times the stage was started again after a cancel or a crash. */
  readonly restarts: number;
}

export interface FinalEvaluationRecord {
  readonly state: 'pending' | 'running' | 'passed' | 'failed' | 'cancelled' | 'skipped';
  /** The run folder whose policy was evaluated (relative to the pipeline folder). */
  readonly runDir?: string;
  readonly simSuccess?: number;
  readonly realSuccess?: number;
  readonly realEpisodes: number;
  readonly message?: string;
}

export interface PipelineRecord {
  readonly format: typeof PIPELINE_FORMAT;
  readonly id: string;
  readonly experimentName: string;
  /** Absolute path of the experiment file the pipeline runs. */
  readonly experimentFile: string;
  readonly task: string;
  readonly status: PipelineStatus;
  readonly message: string;
  readonly createdAt: string;
  readonly updatedAt: string;
  /** Process running the pipeline while status is running: a dead one means it crashed. */
  readonly pid?: number;
  /** Real-robot episodes the experiment allows in all, and how many ran (every started one counts). */
  readonly realEpisodeBudget: number;
  readonly realEpisodesUsed: number;
  readonly robot?: { readonly address: string; readonly profile?: string; readonly emulator: boolean };
  readonly stages: readonly StageRecord[];
  readonly final: FinalEvaluationRecord;
  /** The experiment as it was when the pipeline started (budgets, gates, training settings). */
  readonly experiment: Experiment;
}

export function pipelineFilePath(pipelineDir: string): string {
  return join(pipelineDir, PIPELINE_FILE);
}

export function writePipelineRecord(pipelineDir: string, record: PipelineRecord): void {
  writeJsonAtomic(pipelineFilePath(pipelineDir), record);
}

/** The pipeline in `pipelineDir`, or undefined when there is none or it does not read back whole. */
export function readPipelineRecord(pipelineDir: string): PipelineRecord | undefined {
  const path = pipelineFilePath(pipelineDir);
  if (!existsSync(path)) return undefined;
  try {
    const parsed = JSON.parse(readFileSync(path, 'utf8')) as PipelineRecord;
    return parsed.format === PIPELINE_FORMAT && Array.isArray(parsed.stages) ? parsed : undefined;
  } catch {
    return undefined;
  }
}

/** A pipeline marked running whose process is gone crashed (or its editor closed). */
export function isStale(record: PipelineRecord): boolean {
  if (record.status !== 'running' || record.pid === undefined) return false;
  if (record.pid === process.pid) return false;
  try {
    process.kill(record.pid, 0);
    return false;
  } catch {
    return true;
  }
}
