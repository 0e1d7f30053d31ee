/**
 * The engine's `sysid` job end to end, without VS Code: a log recorded from the reality emulator's
 * plant (moderate profile) is fitted, stored as <runs>/<experiment>/sysid-<stamp>/sysid.json, and
 * applied to the push example: the calibration holds the fitted values and the coverage check,
 * which flagged them against the example's ranges before, is clean after.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { validateText } from '../../src/engine/config/validate';
import { loadRealityProfileFile } from '../../src/engine/robot/realityProfileLoader';
import { applySysidResult } from '../../src/engine/sysid/apply';
import { recordExcitationLog } from '../../src/engine/sysid/logs/record';
import { trajectoryToCsv } from '../../src/engine/sysid/logs/write';
import { runSysidJob } from '../../src/engine/sysid/sysidJob';
import { newestSysidRun, readSysidResult } from '../../src/engine/sysid/sysidRuns';

const ROOT = join(__dirname, '..', '..');
const EXPERIMENT = join(ROOT, 'examples', 'push.s2r.yaml');
const dir = mkdtempSync(join(tmpdir(), 'sysid-job-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test('a log is fitted, stored as a run, and applied; coverage flags the values before and not after', { timeout: 300_000 }, async () => {
  const profile = loadRealityProfileFile(join(ROOT, 'examples', 'reality', 'moderate.yaml'));
  const log = await recordExcitationLog(profile, { durationS: 12 });
  const csv = join(dir, 'moderate.csv');
  writeFileSync(csv, trajectoryToCsv(log));
  const runsDir = join(dir, 'runs');
  const progress: string[] = [];
  const done = await runSysidJob({ file: EXPERIMENT, runsDir, source: { kind: 'log', file: csv } }, new AbortController().signal, (p) => progress.push(p.message), () => undefined);
  assert.ok(progress.length > 0, 'progress is reported');
  assert.match(done.runDir, /runs[\\/]push-dr[\\/]sysid-\d{8}-\d{6}$/);
  const stored = readSysidResult(done.resultFile);
  assert.equal(stored.error, undefined);
  assert.deepEqual(stored.result, JSON.parse(JSON.stringify(done.result)));
  assert.equal(newestSysidRun(join(runsDir, 'push-dr'))?.file, done.resultFile);

  const text = readFileSync(EXPERIMENT, 'utf8');
  const measurement = { source: 'x', values: done.result.identified };
  const before = validateText(text, { measurement }).findings.filter((f) => f.code === 'coverage-outside-range');
  const applied = applySysidResult(text, done.result, { source: 'runs/sysid.json' });
  const after = validateText(applied.text, { measurement: { ...measurement, createdAt: done.result.createdAt } }).findings;
  assert.deepEqual(after.filter((f) => f.severity === 'error'), []);
  assert.deepEqual(after.filter((f) => f.code === 'coverage-outside-range').map((f) => f.message), [], `before apply: ${before.map((f) => f.message).join('\n')}`);
  for (const id of done.result.identified) {
    if (id.target === undefined) continue;
    assert.match(applied.text, new RegExp(`${id.parameter}: \\{[^}]*${id.target}: ${String(Number(id.value.toPrecision(4))).replace('.', '\\.')}`), `${id.parameter} (${id.target})`);
  }
});

test('a refused source: another robot address, a file that is not a log, a missing log', async () => {
  const signal = new AbortController().signal;
  const run = (source: Parameters<typeof runSysidJob>[0]['source']) => runSysidJob({ file: EXPERIMENT, runsDir: join(dir, 'refused'), source }, signal, () => undefined, () => undefined);
  await assert.rejects(run({ kind: 'robot', address: 'ws://10.0.0.5:9090' }), /Refused: ws:\/\/10\.0\.0\.5:9090 is not the robot address this experiment configures \(ws:\/\/127\.0\.0\.1:9090\)/);
  await assert.rejects(run({ kind: 'log', file: join(dir, 'run.bag') }), /a log is a \.csv or \.mcap file/);
  await assert.rejects(run({ kind: 'log', file: join(dir, 'missing.csv') }), /No such log file/);
});
