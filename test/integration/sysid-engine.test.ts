// The `sysid` request through the real engine process (what VS Code's Identify Robot Parameters
// sends): progress events, a finished result naming the stored sysid.json, and an address other
// than the configured one refused.
import assert from 'node:assert/strict';
import { fork, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { parseEngineMessage, type EngineEvent } from '../../src/engine/protocol';
import { loadRealityProfileFile } from '../../src/engine/robot/realityProfileLoader';
import { recordExcitationLog } from '../../src/engine/sysid/logs/record';
import { trajectoryToCsv } from '../../src/engine/sysid/logs/write';
import { readSysidResult } from '../../src/engine/sysid/sysidRuns';

const root = join(__dirname, '..', '..');
const scratch = mkdtempSync(join(tmpdir(), 's2r-sysid-engine-'));
const experiment = join(root, 'examples', 'push.s2r.yaml');
const log = join(scratch, 'mild.csv');
let engine: ChildProcess;
const events: EngineEvent[] = [];
let waiters: (() => void)[] = [];

function nextEvent(match: (e: EngineEvent) => boolean, timeoutMs = 240_000): Promise<EngineEvent> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no matching engine event in time')), timeoutMs);
    const wait = (): void => {
      const found = events.find(match);
      if (found) {
        clearTimeout(timer);
        resolve(found);
      } else waiters.push(wait);
    };
    wait();
  });
}

before(async () => {
  const profile = loadRealityProfileFile(join(root, 'examples', 'reality', 'mild.yaml'));
  writeFileSync(log, trajectoryToCsv(await recordExcitationLog(profile, { durationS: 10 })));
  engine = fork(join(root, 'src/engine/main.ts'), [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'ignore', 'pipe', 'ipc'], cwd: root });
  engine.on('message', (raw) => {
    const event = parseEngineMessage(raw);
    assert.ok(event, `engine sent a malformed message: ${JSON.stringify(raw)}`);
    events.push(event);
    const pending = waiters;
    waiters = [];
    for (const w of pending) w();
  });
  await nextEvent((e) => e.kind === 'ready', 60_000);
});

after(() => {
  if (engine.exitCode === null) engine.kill('SIGKILL');
  rmSync(scratch, { recursive: true, force: true });
});

test('a log is identified in the engine, with progress, and stored as a run', { timeout: 300_000 }, async () => {
  const runsDir = join(scratch, 'runs');
  engine.send({ kind: 'request', id: 1, method: 'sysid', params: { file: experiment, runsDir, source: { kind: 'log', file: log } } });
  const done = await nextEvent((e) => (e.kind === 'finished' || e.kind === 'failed') && e.requestId === 1);
  assert.equal(done.kind, 'finished', JSON.stringify(done));
  const result = (done as unknown as { result: { runDir: string; resultFile: string; result: { identified: unknown[] } } }).result;
  assert.ok(events.some((e) => e.kind === 'progress' && e.requestId === 1), 'progress events');
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
