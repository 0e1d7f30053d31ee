// The gap report's verdicts and the report built from a run folder.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { gapReportMarkdown, transferGap, verdictFor } from '../../src/engine/reports/gapReport';
import { summarizeEpisodes, type EvaluationReport } from '../../src/engine/evaluate/report';
import { writeGapReport } from '../../src/engine/reports/runReport';
import { REAL_EVALUATION_FILE } from '../../src/engine/runs/runStore';

function report(successes: number, episodes: number, ret = 1, length = 50): EvaluationReport {
  const records = Array.from({ length: episodes }, (_, i) => ({ episodeReturn: ret, length, success: i < successes }));
  return summarizeEpisodes(records, { randomized: true, seed: 1, task: 'push', policy: 'p.onnx' });
}

test('verdict thresholds: good below 10 points, moderate 10-30, poor above 30', () => {
  assert.equal(verdictFor(9.99), 'good');
  assert.equal(verdictFor(10), 'moderate');
  assert.equal(verdictFor(30), 'moderate');
  assert.equal(verdictFor(30.01), 'poor');
  assert.equal(verdictFor(-5), 'good', 'real better than sim is no gap');
});

test('the gap is sim minus real success in points, with returns and lengths', () => {
  const gap = transferGap(report(950, 1000, 10, 40), report(600, 1000, 6, 70));
  assert.ok(Math.abs(gap.successPoints - 35) < 1e-9);
  assert.equal(gap.verdict, 'poor');
  assert.equal(gap.uncertain, false, '1,000 episodes each pin the gap down');
  assert.ok(Math.abs(gap.returnDifference - 4) < 1e-9);
  assert.ok(Math.abs(gap.lengthDifference + 30) < 1e-9);
  assert.ok(gap.successPointsRange[0] < 35 && gap.successPointsRange[1] > 35);
});

test('few episodes make the verdict uncertain, and the advice says so first', () => {
  const gap = transferGap(report(19, 20), report(4, 5));
  assert.equal(gap.uncertain, true);
  assert.match(gap.advice[0]!, /Too few episodes/);
});

test('a run folder becomes report.json and report.md', () => {
  const dir = mkdtempSync(join(tmpdir(), 's2r-gap-'));
  mkdirSync(join(dir, 'checkpoints'));
  writeFileSync(join(dir, 'run.json'), JSON.stringify({ format: 1, runId: 'r', experimentName: 'push-dr', task: 'push', seed: 1, status: 'completed', createdAt: '', updatedAt: '', versions: {}, experiment: {} }));
  writeFileSync(
    join(dir, 'metrics.jsonl'),
    [
      { type: 'progress', iteration: 1, episodes: 64, envSteps: 9600, avgReturn: -5, successRate: 0.1, elapsedSeconds: 3 },
      { type: 'evaluation', iteration: 1, envSteps: 9600, stage: 'sim', report: report(30, 50) },
      { type: 'progress', iteration: 2, episodes: 128, envSteps: 19200, avgReturn: -2, successRate: 0.5, elapsedSeconds: 6 },
    ]
      .map((line) => JSON.stringify(line))
      .join('\n') + '\n',
  );
  writeFileSync(join(dir, 'eval.json'), JSON.stringify(report(95, 100)));
  writeFileSync(join(dir, REAL_EVALUATION_FILE), JSON.stringify({ report: report(40, 50), address: 'ws://127.0.0.1:9090', profile: 'moderate.yaml' }));
  const built = writeGapReport(dir);
  assert.equal(built.training.length, 2);
  assert.deepEqual(built.evaluations.map((e) => [e.iteration, e.stage, e.successRate]), [[1, 'sim', 0.6]]);
  assert.ok(Math.abs(built.gap!.successPoints - 15) < 1e-9);
  assert.equal(built.gap!.verdict, 'moderate');
  assert.equal(built.realEpisodesUsed, 50);
  const onDisk = JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8'));
  assert.equal(onDisk.gap.verdict, 'moderate');
  const md = readFileSync(join(dir, 'report.md'), 'utf8');
  assert.equal(md, gapReportMarkdown(built));
  assert.match(md, /\| Success rate \(95% CI\) \| 95\.0% .* \| 80\.0% /);
  assert.match(md, /Transfer gap: 15\.0 points \(moderate/);
});

test('a run without a sim evaluation is refused with a clear message', () => {
  const dir = mkdtempSync(join(tmpdir(), 's2r-gap-'));
  writeFileSync(join(dir, 'run.json'), JSON.stringify({ format: 1, runId: 'r', experimentName: 'x', task: 'push', seed: 1, status: 'running', createdAt: '', updatedAt: '', versions: {}, experiment: {} }));
  assert.throws(() => writeGapReport(dir), /no sim evaluation \(eval\.json\)/);
});
