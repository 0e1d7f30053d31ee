import assert from 'node:assert/strict';
import { appendFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { createStats, pushObservation } from '../../src/engine/policy/runningStats';
import { appendJsonLine, readJsonLines, writeJsonAtomic } from '../../src/engine/util/atomicFile';
import type { TrainerState } from '../../src/engine/runs/checkpoint';
import { defaultRunDir, newRunId, RunStore, type RunRecord } from '../../src/engine/runs/runStore';
import { reachExperiment } from '../support/learn-experiment';

const root = mkdtempSync(join(tmpdir(), 'runs-store-'));
let n = 0;

function record(): RunRecord {
  const experiment = reachExperiment();
  return { format: 1, runId: 'r1', experimentName: experiment.name, task: experiment.task, seed: 7, status: 'running', createdAt: 'now', updatedAt: 'now', versions: { engine: '0' }, experiment };
}

function state(iteration: number): TrainerState {
  const stats = createStats(3);
  pushObservation(stats, [0.1, 1 / 3, -7]);
  pushObservation(stats, [Math.PI, 1e-300, 5e300]);
  return { iteration, parameters: Float64Array.from([0.1, -1 / 3, Number.MIN_VALUE, 1e308, -0, iteration]), stats, envSteps: 100 * iteration, episodes: 2 * iteration, elapsedSeconds: 1.5 };
}

test('atomic JSON write replaces the file whole and leaves no temporary file', () => {
  const dir = join(root, `atomic-${n++}`);
  const path = join(dir, 'a.json');
  writeJsonAtomic(path, { v: 1 });
  writeJsonAtomic(path, { v: 2 });
  assert.deepEqual(JSON.parse(readFileSync(path, 'utf8')), { v: 2 });
  assert.deepEqual(readdirSync(dir), ['a.json']);
});

test('metrics.jsonl: appended lines read back; a torn last line from a crash is skipped', () => {
  const path = join(root, `m-${n++}.jsonl`);
  appendJsonLine(path, { iteration: 1 });
  appendJsonLine(path, { iteration: 2 });
  appendFileSync(path, '{"iteration": 3, "ret'); // killed mid-write
  assert.deepEqual(readJsonLines(path), [{ iteration: 1 }, { iteration: 2 }]);
});

test('checkpoints round-trip bit for bit, old ones are pruned, and a corrupt newest falls back to the previous', () => {
  const store = RunStore.create(join(root, `run-${n++}`), record());
  for (let i = 1; i <= 5; i++) store.saveCheckpoint(state(i));
  assert.equal(readdirSync(store.checkpointsDir).length, 3);
  const latest = store.latestCheckpoint()!;
  const expected = state(5);
  assert.equal(latest.iteration, 5);
  assert.ok(Buffer.from(latest.parameters.buffer).equals(Buffer.from(expected.parameters.buffer)));
  assert.ok(Object.is(latest.parameters[4], -0));
  assert.ok(Buffer.from(latest.stats.m2.buffer).equals(Buffer.from(expected.stats.m2.buffer)));
  assert.equal(latest.stats.count, 2);
  writeFileSync(join(store.checkpointsDir, 'iter-000005.json'), '{"format": 1, "iter'); // torn by a crash
  assert.equal(store.latestCheckpoint()!.iteration, 4);
});

test('a folder that holds a run is not overwritten; open() needs run.json; update keeps other fields', () => {
  const dir = join(root, `run-${n++}`);
  const store = RunStore.create(dir, record());
  assert.throws(() => RunStore.create(dir, record()), /already holds a run/);
  assert.throws(() => RunStore.open(join(root, 'nothing-here')), /run\.json is missing/);
  store.update({ status: 'cancelled' });
  const reread = RunStore.open(dir).record();
  assert.equal(reread.status, 'cancelled');
  assert.equal(reread.experiment.task, 'reach');
  assert.ok(!existsSync(store.policyPath));
});

test('truncateMetricsAfter drops the lines of iterations after the checkpoint', () => {
  const store = RunStore.create(join(root, `run-${n++}`), record());
  for (let i = 1; i <= 6; i++) store.appendMetric({ type: 'progress', iteration: i });
  store.truncateMetricsAfter(4);
  assert.deepEqual(store.metrics<{ iteration: number }>().map((e) => e.iteration), [1, 2, 3, 4]);
});

test('default run folder is .sim2real/runs/<experiment>/<run-id>', () => {
  const id = newRunId(7, new Date('2026-11-25T12:05:09Z'));
  assert.equal(id, '20261125-120509-s7');
  assert.equal(defaultRunDir('/ws', 'push dr', id), join('/ws', '.sim2real', 'runs', 'push_dr', id));
});
