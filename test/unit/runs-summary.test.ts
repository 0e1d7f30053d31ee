/**
 * What the Experiments tree shows of run folders: status, sim and real success, the gap and its
 * verdict in the description, the started time in the tooltip, newest run first, and a broken run
 * shown as such without hiding the others.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { summarizeEpisodes, type EvaluationReport } from '../../src/engine/evaluate/report';
import { listRuns, readRunSummary, runDescription, runTooltipLines } from '../../src/engine/reports/runSummary';

const root = mkdtempSync(join(tmpdir(), 's2r-runs-'));
after(() => rmSync(root, { recursive: true, force: true }));

function report(successes: number, episodes: number): EvaluationReport {
  const records = Array.from({ length: episodes }, (_, i) => ({ episodeReturn: i < successes ? 10 : -5, length: 100, success: i < successes }));
  return summarizeEpisodes(records, { randomized: true, seed: 1, task: 'push', policy: 'policy.onnx' });
}

function run(id: string, status: string, createdAt: string, files: { sim?: EvaluationReport; real?: EvaluationReport; policy?: boolean } = {}): string {
  const dir = join(root, 'push-dr', id);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'run.json'), JSON.stringify({ format: 1, runId: id, experimentName: 'push-dr', task: 'push', seed: 1, status, createdAt, updatedAt: createdAt, versions: {}, experiment: {}, result: status === 'completed' ? { reason: 'max_env_steps', iterations: 12, envSteps: 20000, elapsedSeconds: 30 } : undefined }));
  if (files.sim) writeFileSync(join(dir, 'eval.json'), JSON.stringify(files.sim));
  if (files.real) writeFileSync(join(dir, 'eval-real.json'), JSON.stringify({ report: files.real, address: 'ws://127.0.0.1:9090' }));
  if (files.policy) writeFileSync(join(dir, 'policy.onnx'), 'onnx');
  return dir;
}

test('a completed run evaluated in sim and on the robot: success rates and the gap with its verdict', () => {
  const dir = run('20261125-100000-s1', 'completed', '2026-11-25T10:00:00.000Z', { sim: report(18, 20), real: report(12, 20), policy: true });
  const summary = readRunSummary(dir);
  assert.equal(summary.status, 'completed');
  assert.equal(summary.hasPolicy, true);
  assert.ok(Math.abs(summary.gapPoints! - 30) < 1e-9);
  assert.equal(summary.verdict, 'moderate');
  assert.equal(runDescription(summary), 'sim 90% · real 60% · gap 30 pts moderate?');
  const tooltip = runTooltipLines(summary, (iso) => `at ${iso}`);
  assert.ok(tooltip.includes('Started at 2026-11-25T10:00:00.000Z'), tooltip.join('\n'));
  assert.ok(tooltip.some((l) => l.startsWith('Sim success 90% [') && l.endsWith('over 20 episodes')), tooltip.join('\n'));
  assert.ok(tooltip.some((l) => l.startsWith('Real success 60% [') && l.includes('ws://127.0.0.1:9090')), tooltip.join('\n'));
  assert.ok(tooltip.some((l) => /^Transfer gap 30\.0 points: moderate/.test(l)), tooltip.join('\n'));
});

test('a run still training, a cancelled one, a broken run.json; folders without run.json are not runs; newest first', () => {
  run('20261125-110000-s1', 'running', '2026-11-25T11:00:00.000Z');
  run('20261125-120000-s1', 'cancelled', '2026-11-25T12:00:00.000Z', { policy: false });
  const broken = join(root, 'push-dr', '20261125-130000-s1');
  mkdirSync(broken, { recursive: true });
  writeFileSync(join(broken, 'run.json'), '{"format": 1, "runId": ');
  mkdirSync(join(root, 'push-dr', 'notes'), { recursive: true });

  const runs = listRuns(join(root, 'push-dr'));
  const byId = new Map(runs.map((r) => [r.runId, r]));
  assert.equal(runs.length, 4);
  assert.equal(byId.get('20261125-130000-s1')?.status, 'unreadable');
  assert.equal(runDescription(byId.get('20261125-130000-s1')!), 'run.json does not parse');
  assert.equal(runDescription(byId.get('20261125-110000-s1')!), 'training…');
  assert.equal(runDescription(byId.get('20261125-120000-s1')!), 'cancelled');
  // the ones with a start time come in start order, newest first
  const dated = runs.filter((r) => r.createdAt).map((r) => r.runId);
  assert.deepEqual(dated, ['20261125-120000-s1', '20261125-110000-s1', '20261125-100000-s1']);
  assert.deepEqual(listRuns(join(root, 'no-such-experiment')), []);
});

test('an evaluated run without a real evaluation has no gap', () => {
  const dir = run('20261125-140000-s1', 'completed', '2026-11-25T14:00:00.000Z', { sim: report(7, 10), policy: true });
  const summary = readRunSummary(dir);
  assert.equal(summary.gapPoints, undefined);
  assert.equal(runDescription(summary), 'sim 70%');
});
