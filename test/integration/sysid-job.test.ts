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
import { loadRealityProfileFile } from '../../src/engine/emulator/realityProfileLoader';
import { applySysidResult } from '../../src/engine/sysid/apply';
import { recordExcitationLog } from '../../src/engine/sysid/logs/record';
import { trajectoryToCsv } from '../../src/engine/sysid/logs/write';
import { sysid } from '../../src/engine/jobs/sysid';
import { contextOf } from '../support/jobs';
import { newestSysidRun, readSysidResult } from '../../src/engine/sysid/sysidRuns';
import { REPO, spawnEmulator, tempDir } from '../support/robot-helpers';

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
  const done = await sysid({ file: EXPERIMENT, runsDir, source: { kind: 'log', file: csv } }, contextOf(new AbortController().signal, (p) => progress.push(p.message), () => undefined));
  assert.ok(progress.length > 0, 'progress is reported');
  assert.match(done.runDir!, /runs[\\/]push-dr[\\/]sysid-\d{8}-\d{6}$/);
  const stored = readSysidResult(done.resultFile!);
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
  const run = (source: Parameters<typeof sysid>[0]['source']) => sysid({ file: EXPERIMENT, runsDir: join(dir, 'refused'), source }, contextOf(signal, () => undefined, () => undefined));
  await assert.rejects(run({ kind: 'robot', address: 'ws://10.0.0.5:9090' }), /Refused: ws:\/\/10\.0\.0\.5:9090 is not the robot address this experiment configures \(ws:\/\/127\.0\.0\.1:9090\)/);
  await assert.rejects(run({ kind: 'log', file: join(dir, 'run.bag') }), /a log is a \.csv or \.mcap file/);
  await assert.rejects(run({ kind: 'log', file: join(dir, 'missing.csv') }), /No such log file/);
});

test('sensors only: the robot is held still, its sensors are stored as a run, and apply writes the sensor model', { timeout: 120_000 }, async () => {
  const work = tempDir('sysid-job-sensors');
  const profile = join(work, 'moderate.yaml');
  writeFileSync(profile, readFileSync(join(REPO, 'examples', 'reality', 'moderate.yaml'), 'utf8').replace(/^watchdogMs: \d+/m, 'watchdogMs: 1000'));
  const emulator = await spawnEmulator(profile, join(work, 'emulator.jsonl'));
  try {
    const file = join(work, 'push.s2r.yaml');
    const text = readFileSync(EXPERIMENT, 'utf8').replace('address: ws://127.0.0.1:9090', `address: ${emulator.url}`);
    writeFileSync(file, text);
    const done = await sysid({ file, runsDir: join(work, 'runs'), source: { kind: 'robot', sensorsOnly: true } }, contextOf(new AbortController().signal, () => undefined, () => undefined));
    assert.deepEqual(done.result.friction, []);
    assert.equal(done.result.delay, undefined);
    assert.ok(done.result.sensors?.object, 'the tracker was measured');
    assert.ok(!emulator.events().some((e) => e.event === 'command' && (e as { mode?: string }).mode === 'effort'), 'no torque was commanded');
    const stored = readSysidResult(done.resultFile!);
    assert.ok(stored.result, stored.error);
    const applied = applySysidResult(text, stored.result).text;
    assert.match(applied, /object_tracking_rate: \{ puck: (2[89]|3[0-2])\.\d+ \}/);
    assert.match(applied, /joint_velocity_noise: \{ shoulder: 0\.0\d+, elbow: 0\.0\d+, wrist: 0\.0\d+ \}/);
  } finally {
    await emulator.stop();
  }
});

