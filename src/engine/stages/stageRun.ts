/**
 * A stage's run folder: the same layout as a training run (run.json, metrics.jsonl, checkpoints/,
 * policy.onnx, eval.json), so the tree, the gap report and `sim2real train --resume` read a stage
 * like any run. A stage starts from the previous stage's last checkpoint, with its own counters.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Experiment } from '../config/experiment';
import { engineVersions } from '../learn/trainer';
import type { TrainerState } from '../runs/checkpoint';
import { newRunRecord, RunStore } from '../runs/runStore';

/** The stage's run: opened when it exists (a resumed stage), else created. */
export function openStageRun(runDir: string, experiment: Experiment): { store: RunStore; resumed: boolean } {
  if (existsSync(join(runDir, 'run.json'))) return { store: RunStore.open(runDir), resumed: true };
  return { store: RunStore.create(runDir, newRunRecord(experiment, engineVersions())), resumed: false };
}

/**
 * The previous stage's last trainer state, with the counters of a fresh stage: its episodes and
 * steps are its own budget, and its last evaluation must not end the new stage before it trains.
 * The iteration number carries on, so the new stage draws fresh directions and episodes.
 */
export function carriedState(previousRunDir: string | undefined): TrainerState | undefined {
  if (!previousRunDir || !existsSync(join(previousRunDir, 'run.json'))) return undefined;
  const state = RunStore.open(previousRunDir).latestCheckpoint();
  if (!state) return undefined;
  return {
    iteration: state.iteration,
    parameters: state.parameters,
    stats: state.stats,
    envSteps: 0,
    episodes: 0,
    elapsedSeconds: 0,
    ...(state.adam ? { adam: state.adam } : {}),
  };
}
