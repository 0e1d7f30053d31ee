/**
 * Recording the console's episodes in the run they belong to: every episode as a line of
 * real-episodes.jsonl (return, length, success, why it was aborted), and eval-real.json rebuilt from
 * them in the shape the gap report reads (RealEvaluationRecord), so episodes a person started one by
 * one count as the run's real evaluation.
 *
 * Episodes a person stopped are kept in the log but left out of the evaluation: a stop says nothing
 * about the policy. Episodes the safety layer or the robot ended count as failures.
 */
import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { summarizeEpisodes } from '../evaluate/report';
import { REAL_EVALUATION_FILE, type RealEvaluationRecord } from '../runs/runStore';
import type { RealEpisodeRecord } from './sessionState';
import { writeJsonAtomic } from '../util/atomicFile';

export const REAL_EPISODES_FILE = 'real-episodes.jsonl';

/** The run folder a policy belongs to (policy.onnx beside run.json), if it is in one. */
export function runFolderOf(policyPath: string): string | undefined {
  const dir = dirname(policyPath);
  return existsSync(join(dir, 'run.json')) ? dir : undefined;
}

export function readRealEpisodes(runDir: string): RealEpisodeRecord[] {
  const file = join(runDir, REAL_EPISODES_FILE);
  if (!existsSync(file)) return [];
  const out: RealEpisodeRecord[] = [];
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    try {
      out.push(JSON.parse(line) as RealEpisodeRecord);
    } catch {
      // a torn last line (the engine killed mid-write) is skipped
    }
  }
  return out;
}

export interface RecordContext {
  readonly task: string;
  readonly policy: string;
  readonly address: string;
  readonly seed: number;
}

/** Append one episode (a single write, so a crash leaves whole lines) and rewrite eval-real.json. */
export function recordRealEpisode(runDir: string, episode: RealEpisodeRecord, context: RecordContext): RealEvaluationRecord | undefined {
  mkdirSync(runDir, { recursive: true });
  appendFileSync(join(runDir, REAL_EPISODES_FILE), JSON.stringify({ ...episode, address: context.address }) + '\n');
  const counted = readRealEpisodes(runDir).filter((e) => e.abortKind !== 'stop');
  if (counted.length === 0) return undefined;
  const report = summarizeEpisodes(
    counted.map((e) => ({ episodeReturn: e.episodeReturn, length: e.length, success: e.success })),
    { randomized: false, seed: context.seed, task: context.task, policy: context.policy },
  );
  const record: RealEvaluationRecord & { readonly source: string } = { report, address: context.address, source: 'safe-test console' };
  writeJsonAtomic(join(runDir, REAL_EVALUATION_FILE), record);
  return record;
}
