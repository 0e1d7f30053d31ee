// The engine process over its real IPC channel: ready handshake, requests answered with finished or
// failed, malformed messages dropped without killing it, cancel, and exit when the host disconnects.
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { parseEngineMessage, parseHostMessage, type EngineEvent } from '../../src/messages/engine';
import { EngineProcess, REPO_ROOT } from '../support/engineProcess';

const root = REPO_ROOT;
const workspace = mkdtempSync(join(tmpdir(), 's2r-engine-'));
let engine: EngineProcess;
const nextEvent = (match: (e: EngineEvent) => boolean, timeoutMs?: number): Promise<EngineEvent> => engine.next(match, timeoutMs);

before(async () => {
  engine = await EngineProcess.start();
});

after(() => {
  engine.kill();
  rmSync(workspace, { recursive: true, force: true });
});

test('ping answers with versions', async () => {
  engine.send({ kind: 'request', id: 1, method: 'ping', params: {} });
  const done = await nextEvent((e) => e.kind === 'finished' && e.requestId === 1);
  assert.equal(done.kind, 'finished');
  assert.ok((done as { result: { versions: Record<string, string> } }).result.versions.node?.startsWith('v'));
});

test('a malformed message is dropped and logged, and the engine goes on', async () => {
  engine.send({ kind: 'request', id: 'x', method: 'train', params: {} });
  engine.send({ hello: 'world' });
  const warn = await nextEvent((e) => e.kind === 'log' && e.level === 'warn' && e.message.includes('malformed'));
  assert.ok(warn);
  engine.send({ kind: 'request', id: 2, method: 'ping', params: {} });
  await nextEvent((e) => e.kind === 'finished' && e.requestId === 2);
});

test('validate reports findings with lines; train on an invalid experiment fails with them and starts nothing', async () => {
  const file = join(workspace, 'bad.s2r.yaml');
  writeFileSync(file, 'name: bad\ntask: push\nrandomization:\n  physics:\n    friction: {distribution: uniform, range: [2, 1]}\n');
  engine.send({ kind: 'request', id: 3, method: 'validate', params: { file } });
  const validated = (await nextEvent((e) => e.kind === 'finished' && e.requestId === 3)) as { result: { findings: { code: string; line: number }[] } };
  assert.ok(validated.result.findings.some((f) => f.code === 'range-reversed' && f.line === 5));

  const runsDir = join(workspace, 'runs');
  engine.send({ kind: 'request', id: 4, method: 'train', params: { file, runsDir } });
  const failed = await nextEvent((e) => (e.kind === 'failed' || e.kind === 'finished') && e.requestId === 4);
  assert.equal(failed.kind, 'failed');
  assert.ok((failed as { findings?: { code: string }[] }).findings?.some((f) => f.code === 'range-reversed'));
  assert.equal(existsSync(runsDir), false, 'an invalid experiment must start no run');
});

test('a training request streams progress and stops when cancelled', async () => {
  // two directions per iteration: a few episodes per progress event, whatever the machine's load
  const file = join(workspace, 'small.s2r.yaml');
  writeFileSync(file, 'name: small\ntask: reach\nseed: 3\npolicy: {hidden: []}\ntraining: {directions: 2, top_directions: 1, max_env_steps: 1000000}\n');
  const runsDir = join(workspace, 'runs');
  engine.send({ kind: 'request', id: 5, method: 'train', params: { file, runsDir, workers: 0 } });
  await nextEvent((e) => e.kind === 'progress' && e.requestId === 5, 120_000);
  engine.send({ kind: 'request', id: 6, method: 'cancel', params: { requestId: 5 } });
  const cancelled = (await nextEvent((e) => e.kind === 'finished' && e.requestId === 6)) as { result: { cancelled: boolean } };
  assert.equal(cancelled.result.cancelled, true);
  const done = (await nextEvent((e) => (e.kind === 'finished' || e.kind === 'failed') && e.requestId === 5, 60_000)) as { kind: string; result?: { status: string; runDir: string } };
  assert.equal(done.kind, 'finished');
  assert.equal(done.result?.status, 'cancelled');
  assert.ok(existsSync(join(done.result!.runDir, 'run.json')), 'a cancelled run keeps its run.json');
});

test('the engine exits when the host disconnects', async () => {
  const exited = new Promise<number | null>((resolve) => engine.child.once('exit', (code) => resolve(code)));
  engine.child.disconnect();
  assert.equal(await exited, 0);
});

test('request and event checks reject wrong shapes', () => {
  assert.equal(parseHostMessage({ kind: 'request', id: 1, method: 'train', params: { file: 3, runsDir: 'x' } }), undefined);
  assert.equal(parseHostMessage({ kind: 'request', id: -1, method: 'ping', params: {} }), undefined);
  assert.equal(parseHostMessage({ kind: 'request', id: 1, method: 'rm -rf', params: {} }), undefined);
  assert.ok(parseHostMessage({ kind: 'request', id: 1, method: 'evaluate', params: { file: 'a', policy: 'b', episodes: 3 } }));
  assert.equal(parseEngineMessage({ kind: 'progress', requestId: 1 }), undefined);
  assert.equal(parseEngineMessage({ kind: 'log', level: 'fatal', message: 'x' }), undefined);
  assert.ok(parseEngineMessage({ kind: 'failed', requestId: 1, message: 'x' }));
});
