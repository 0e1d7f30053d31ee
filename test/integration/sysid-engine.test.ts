// The `sysid` request through the real engine process (what VS Code's Identify Robot Parameters
// sends): progress events, a finished result naming the stored sysid.json, and an address other
// than the configured one refused.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { EngineEvent } from '../../src/messages/engine';
import { loadRealityProfileFile } from '../../src/engine/emulator/realityProfileLoader';
import { recordExcitationLog } from '../../src/engine/sysid/logs/record';
import { trajectoryToCsv } from '../../src/engine/sysid/logs/write';
import { readSysidResult } from '../../src/engine/sysid/sysidRuns';
import { EngineProcess, REPO_ROOT } from '../support/engineProcess';

const root = REPO_ROOT;
const scratch = mkdtempSync(join(tmpdir(), 's2r-sysid-engine-'));
const experiment = join(root, 'examples', 'push.s2r.yaml');
const log = join(scratch, 'mild.csv');
let engine: EngineProcess;
const events = (): EngineEvent[] => engine.events;
const nextEvent = (match: (e: EngineEvent) => boolean, timeoutMs = 240_000): Promise<EngineEvent> => engine.next(match, timeoutMs);

before(async () => {
  const profile = loadRealityProfileFile(join(root, 'examples', 'reality', 'mild.yaml'));
  writeFileSync(log, trajectoryToCsv(await recordExcitationLog(profile, { durationS: 10 })));
  engine = await EngineProcess.start();
});

after(() => {
  engine?.kill();
  rmSync(scratch, { recursive: true, force: true });
});

test('a log is identified in the engine, with progress, and stored as a run', { timeout: 300_000 }, async () => {
  const runsDir = join(scratch, 'runs');
  engine.send({ kind: 'request', id: 1, method: 'sysid', params: { file: experiment, runsDir, source: { kind: 'log', file: log } } });
  const done = await nextEvent((e) => (e.kind === 'finished' || e.kind === 'failed') && e.requestId === 1);
  assert.equal(done.kind, 'finished', JSON.stringify(done));
  const result = (done as unknown as { result: { runDir: string; resultFile: string; result: { identified: unknown[] } } }).result;
  assert.ok(events().some((e) => e.kind === 'progress' && e.requestId === 1), 'progress events');
  assert.ok(result.runDir.startsWith(join(runsDir, 'push-dr', 'sysid-')));
  assert.ok(existsSync(result.resultFile));
  assert.equal(readSysidResult(result.resultFile).result?.identified.length, result.result.identified.length);
});

test('an address other than the experiment\'s is refused before anything connects', async () => {
  engine.send({ kind: 'request', id: 4, method: 'sysid', params: { file: experiment, runsDir: join(scratch, 'refused'), source: { kind: 'robot', address: 'ws://192.0.2.1:9090' } } });
  const done = await nextEvent((e) => (e.kind === 'finished' || e.kind === 'failed') && e.requestId === 4);
  assert.equal(done.kind, 'failed');
  assert.match((done as { message: string }).message, /Refused: ws:\/\/192\.0\.2\.1:9090 is not the robot address this experiment configures/);
});
