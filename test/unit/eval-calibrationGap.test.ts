/**
 * The gap report's calibration section: calibrated values from the run's experiment, and the
 * before/after comparison over the sibling runs of the same experiment on the same robot.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { calibrationMarkdown, calibrationSectionOf } from '../../src/engine/reports/calibrationGap';
import { gapReportHtml } from '../../src/engine/reports/reportHtml';
import { buildGapReport } from '../../src/engine/reports/runReport';
import { wilsonInterval } from '../../src/engine/evaluate/confidence';

const PROFILE = '/profiles/moderate.yaml';
const CALIBRATION = { date: '2026-11-25T16:00:00Z', parameters: { joint_stiffness: { shoulder: 30.6, elbow: 35.7 }, action_delay: 1 } };

interface RunSpec {
  readonly id: string;
  readonly seed: number;
  readonly sim: number;
  readonly realSuccesses: number;
  readonly realEpisodes?: number;
  readonly calibration?: unknown;
  readonly name?: string;
  readonly profile?: string;
  readonly noReal?: boolean;
  readonly halted?: string;
}

function writeRun(folder: string, spec: RunSpec): string {
  const dir = join(folder, spec.id);
  mkdirSync(dir, { recursive: true });
  const name = spec.name ?? 'push-dr';
  const experiment = { name, task: 'push', seed: spec.seed, ...(spec.calibration ? { calibration: spec.calibration } : {}) };
  writeFileSync(join(dir, 'run.json'), JSON.stringify({ format: 1, runId: spec.id, experimentName: name, task: 'push', seed: spec.seed, status: 'completed', createdAt: '', updatedAt: '', versions: {}, experiment }));
  const report = (rate: number, episodes: number, successes: number) => ({ success_rate: rate, success_ci: wilsonInterval(successes, episodes), avg_return: -10, std_return: 1, avg_length: 60, episodes, successes, randomized: true, seed: spec.seed, task: 'push', policy: 'p.onnx' });
  writeFileSync(join(dir, 'eval.json'), JSON.stringify(report(spec.sim, 100, Math.round(spec.sim * 100))));
  const n = spec.realEpisodes ?? 50;
  if (!spec.noReal) writeFileSync(join(dir, 'eval-real.json'), JSON.stringify({ report: { ...report(spec.realSuccesses / n, n, spec.realSuccesses), ...(spec.halted ? { halted: spec.halted } : {}) }, address: 'ws://127.0.0.1:1234', profile: spec.profile ?? PROFILE }));
  writeFileSync(join(dir, 'metrics.jsonl'), '');
  return dir;
}

function folderWithRuns(): { folder: string; after: string } {
  const folder = mkdtempSync(join(tmpdir(), 's2r-calgap-'));
  writeRun(folder, { id: 'b1', seed: 1, sim: 0.9, realSuccesses: 30 }); // gap 30
  writeRun(folder, { id: 'b2', seed: 2, sim: 0.94, realSuccesses: 35 }); // gap 24
  writeRun(folder, { id: 'b3', seed: 3, sim: 0.92, realSuccesses: 32, halted: 'after episode 50 of 50: watchdog' }); // gap 28
  writeRun(folder, { id: 'a1', seed: 1, sim: 0.9, realSuccesses: 40, calibration: CALIBRATION }); // gap 10
  writeRun(folder, { id: 'a2', seed: 2, sim: 0.93, realSuccesses: 43, calibration: { ...CALIBRATION, date: 'later' } }); // gap 7: same values, other date
  const after = writeRun(folder, { id: 'a3', seed: 3, sim: 0.95, realSuccesses: 44, calibration: CALIBRATION }); // gap 7
  // runs that belong to neither group
  writeRun(folder, { id: 'x-other-calibration', seed: 4, sim: 0.9, realSuccesses: 0, calibration: { parameters: { action_delay: 2 } } });
  writeRun(folder, { id: 'x-other-robot', seed: 5, sim: 0.9, realSuccesses: 0, profile: '/profiles/harsh.yaml' });
  writeRun(folder, { id: 'x-other-experiment', seed: 6, sim: 0.9, realSuccesses: 0, name: 'reach-dr' });
  writeRun(folder, { id: 'x-no-real', seed: 7, sim: 0.9, realSuccesses: 0, noReal: true });
  mkdirSync(join(folder, 'x-broken'));
  writeFileSync(join(folder, 'x-broken', 'run.json'), '{ not json');
  writeFileSync(join(folder, 'x-broken', 'eval.json'), '{}');
  writeFileSync(join(folder, 'x-broken', 'eval-real.json'), '{}');
  return { folder, after };
}

test('before/after groups: same experiment and robot, uncalibrated vs the same calibrated values', () => {
  const { after } = folderWithRuns();
  const section = calibrationSectionOf(after);
  assert.ok(section?.comparison, 'a comparison');
  const c = section.comparison;
  assert.deepEqual(c.before.runs.map((r) => r.runId), ['b1', 'b2', 'b3']);
  assert.deepEqual(c.after.runs.map((r) => r.runId), ['a1', 'a2', 'a3']);
  assert.equal(c.robot, PROFILE);
  assert.ok(Math.abs(c.before.meanGapPoints - (30 + 24 + 28) / 3) < 1e-9);
  assert.ok(Math.abs(c.after.meanGapPoints - (10 + 7 + 7) / 3) < 1e-9);
  assert.ok(Math.abs(c.gapChangePoints - ((10 + 7 + 7) / 3 - (30 + 24 + 28) / 3)) < 1e-9);
  // sample sd of 30, 24, 28
  assert.ok(Math.abs(c.before.gapSpreadPoints - Math.sqrt(((30 - 82 / 3) ** 2 + (24 - 82 / 3) ** 2 + (28 - 82 / 3) ** 2) / 2)) < 1e-9);
  assert.equal(c.before.realEpisodes, 150);
  assert.ok(Math.abs(c.after.pooledRealSuccess - 127 / 150) < 1e-12);
  assert.deepEqual(c.after.pooledRealCi, wilsonInterval(127, 150));
  assert.deepEqual(section.values, [
    { parameter: 'joint_stiffness', target: 'shoulder', value: 30.6 },
    { parameter: 'joint_stiffness', target: 'elbow', value: 35.7 },
    { parameter: 'action_delay', value: 1 },
  ]);
});

test('the section reaches report.json, report.md and report.html', () => {
  const { after } = folderWithRuns();
  const report = buildGapReport(after);
  assert.ok(report.calibration?.comparison);
  const md = calibrationMarkdown(report.calibration).join('\n');
  assert.match(md, /\*\*Calibration shrank the transfer gap: 27\.3 → 8\.0 points \(its size -19\.3\)\. Real success 64\.7% → 84\.7% \(\+20\.0 points; the 95% intervals do not overlap\)\.\*\*/);
  assert.match(md, /\| b2 \| before \| 2 \| 94\.0% \| 70\.0% \(50\) \| 24\.0 \|/);
  assert.match(md, /\| b3 \| before \| 3 \| 92\.0% \| 64\.0% \(50, halted\) \| 28\.0 \|/);
  assert.match(md, /Halted evaluations .*b3 after episode 50 of 50: watchdog/);
  const html = gapReportHtml(report);
  assert.match(html, /<h2>Calibration<\/h2>/);
  assert.match(html, /<strong>Calibration shrank the transfer gap: 27\.3 → 8\.0 points/);
});

test('a calibration that widened the gap says so', () => {
  const folder = mkdtempSync(join(tmpdir(), 's2r-calgap-'));
  writeRun(folder, { id: 'b1', seed: 1, sim: 0.9, realSuccesses: 40 });
  const after = writeRun(folder, { id: 'a1', seed: 1, sim: 0.9, realSuccesses: 30, calibration: CALIBRATION });
  const md = calibrationMarkdown(calibrationSectionOf(after)!).join('\n');
  assert.match(md, /did not shrink the transfer gap: 10\.0 → 30\.0 points \(its size \+20\.0\)\. Real success 80\.0% → 60\.0% \(-20\.0 points; the 95% intervals overlap: within the noise\)/);
});

test('a gap that turns negative (the robot beats the randomized sim) shrank by its size, not by the signed change', () => {
  const folder = mkdtempSync(join(tmpdir(), 's2r-calgap-'));
  writeRun(folder, { id: 'b1', seed: 1, sim: 0.9, realSuccesses: 43 }); // gap +4
  const after = writeRun(folder, { id: 'a1', seed: 1, sim: 0.9, realSuccesses: 47, calibration: CALIBRATION }); // gap -4
  const c = calibrationSectionOf(after)!.comparison!;
  assert.ok(Math.abs(c.gapChangePoints + 8) < 1e-9);
  assert.ok(Math.abs(c.gapSizeChangePoints) < 1e-9);
  assert.ok(Math.abs(c.realSuccessChangePoints - 8) < 1e-9);
  assert.equal(c.verdict, 'Calibration did not shrink the transfer gap: 4.0 → -4.0 points (its size 0.0). Real success 86.0% → 94.0% (+8.0 points; the 95% intervals overlap: within the noise).');
});

test('no calibration block: no section; no uncalibrated sibling: values without a comparison', () => {
  const folder = mkdtempSync(join(tmpdir(), 's2r-calgap-'));
  const plain = writeRun(folder, { id: 'b1', seed: 1, sim: 0.9, realSuccesses: 40 });
  assert.equal(calibrationSectionOf(plain), undefined);
  assert.equal(buildGapReport(plain).calibration, undefined);
  const lone = mkdtempSync(join(tmpdir(), 's2r-calgap-'));
  const after = writeRun(lone, { id: 'a1', seed: 1, sim: 0.9, realSuccesses: 30, calibration: CALIBRATION });
  const section = calibrationSectionOf(after);
  assert.ok(section);
  assert.equal(section.comparison, undefined);
  assert.match(calibrationMarkdown(section).join('\n'), /no before\/after comparison yet/);
});
