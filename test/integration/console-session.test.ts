/**
 * The safe-test console's robot session (engine side) against `sim2real emulate` in a child process
 * on loopback: connect to the configured address only, episodes of an ONNX policy, telemetry, a stop
 * that overtakes the running episode, nothing sent until re-armed, and episodes recorded in the run.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Experiment } from '../../src/engine/config/experiment';
import { loadExperiment } from '../../src/engine/config/load';
import { REAL_EPISODES_FILE } from '../../src/engine/console/realEpisodes';
import { RobotSession, RobotSessionError, sessionAddress } from '../../src/engine/console/robotSession';
import type { RobotSafetyEntry, RobotSessionState, RobotTelemetrySample } from '../../src/messages/engine';
import { parseEngineMessage, parseHostMessage } from '../../src/messages/engine';
import { writeConsoleExperiment, writeConsoleProfile, writeConsolePolicy } from '../support/console-fixtures';
import { WebSocket } from 'ws';
import { spawnEmulator, tempDir, waitUntil, type EmulatorProcess } from '../support/robot-helpers';

function load(file: string): Experiment {
  const loaded = loadExperiment(file);
  assert.ok(loaded.experiment, JSON.stringify(loaded.findings.filter((f) => f.severity === 'error')));
  return loaded.experiment;
}

describe('robot session of the safe-test console', () => {
  let emu: EmulatorProcess;
  let dir: string;
  let experiment: Experiment;
  let policy: string;
  before(async () => {
    dir = tempDir('console');
    emu = await spawnEmulator(writeConsoleProfile(dir), join(dir, 'emulator.jsonl'));
    experiment = load(writeConsoleExperiment(dir, emu.url));
    policy = writeConsolePolicy(join(dir, 'runs'));
  });
  after(async () => {
    await emu?.stop();
  });

  it('refuses any address but the experiment\'s robot.address, before a socket opens', async () => {
    assert.equal(sessionAddress(experiment), emu.url);
    const other = emu.url.replace(/:(\d+)$/, (_, p: string) => `:${Number(p) + 1}`);
    await assert.rejects(RobotSession.open(experiment, { onState() {}, onTelemetry() {}, onSafety() {} }, { address: other }), (e: Error) => e instanceof RobotSessionError && /only connects to the experiment's robot\.address/.test(e.message));
    await assert.rejects(RobotSession.open({ ...experiment, robot: undefined }, { onState() {}, onTelemetry() {}, onSafety() {} }), /configures no robot/);
    const connections = emu.events().filter((e) => e.event === 'connection');
    assert.equal(connections.length, 0, 'nothing connected to the emulator');
  });

  it('runs episodes, streams telemetry, stops ahead of the episode, sends nothing until re-armed, records the episodes', async () => {
    const states: RobotSessionState[] = [];
    const telemetry: RobotTelemetrySample[] = [];
    const safety: RobotSafetyEntry[] = [];
    const session = await RobotSession.open(
      experiment,
      { onState: (s) => states.push(s), onTelemetry: (s) => telemetry.push(...s), onSafety: (e) => safety.push(e) },
      { policy, address: emu.url },
    );
    try {
      assert.equal(session.runDir, join(dir, 'runs', 'console-push', 'fixture-run'));
      await waitUntil(() => states.some((s) => s.connected), 3000, 'a connected state');

      // a whole episode: the first ones run at the experiment's reduced speed
      const first = await session.startEpisode();
      assert.equal(first.index, 0);
      assert.notEqual(first.termination, 'aborted', first.abortReason);
      assert.ok(first.length > 10, `${first.length} steps`);
      assert.equal(first.speedScale, 0.5);
      assert.ok(telemetry.length >= 10, `${telemetry.length} telemetry samples`);
      const moving = telemetry.filter((s) => s.command.length === 3);
      assert.ok(moving.length > 0 && moving.every((s) => s.position.length === 3 && s.command.every(Number.isFinite)));
      // throttled: about 20 Hz, not the 50 Hz control rate
      const span = telemetry.at(-1)!.tMs - telemetry[0]!.tMs;
      assert.ok(telemetry.length <= span / 40 + 2, `${telemetry.length} samples over ${span.toFixed(0)} ms`);

      // stop in the middle of an episode
      const running = session.startEpisode();
      await waitUntil(() => session.state.episodeRunning && session.state.robot === 'running', 3000, 'the second episode running');
      await new Promise((r) => setTimeout(r, 300));
      assert.equal(session.stop('test stop'), true);
      const stopped = await running;
      assert.equal(stopped.termination, 'aborted');
      assert.equal(stopped.abortKind, 'stop');
      await waitUntil(() => session.state.stopped && session.state.robot === 'halted', 2000, 'the latch and the robot halted');
      assert.equal(session.state.haltReason, 'stop');
      assert.ok(safety.some((e) => e.level === 'stop' && /test stop/.test(e.message)), JSON.stringify(safety));

      // latched: the motion authority refuses an episode before re-arming; nothing is sent
      await assert.rejects(session.startEpisode(), (e: Error) => e instanceof RobotSessionError && /re-arms it/.test(e.message));
      await new Promise((r) => setTimeout(r, 200));
      const events = emu.events();
      const stopAt = events.findIndex((e) => e.event === 'stop');
      assert.ok(stopAt > 0, 'the emulator received the stop');
      assert.equal(events.slice(stopAt + 1).filter((e) => e.event === 'command' || e.event === 'command_applied').length, 0, 'no command reached the robot after the stop');
      assert.equal(events.slice(stopAt + 1).filter((e) => e.event === 'reset').length, 0, 'no reset either');

      // re-armed: episodes run again
      await session.arm();
      assert.equal(session.state.stopped, false);
      const again = await session.startEpisode();
      assert.notEqual(again.termination, 'aborted', again.abortReason);
      const afterArm = emu.events().slice(stopAt + 1);
      assert.ok(afterArm.some((e) => e.event === 'arm') && afterArm.some((e) => e.event === 'command'));

      // recorded in the run folder: every episode in the log, the person's stops left out of eval-real.json
      const lines = readFileSync(join(session.runDir!, REAL_EPISODES_FILE), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
      assert.equal(lines.length, 3);
      assert.deepEqual(lines.map((l) => l.abortKind ?? null), [null, 'stop', null]);
      const evalReal = JSON.parse(readFileSync(join(session.runDir!, 'eval-real.json'), 'utf8'));
      assert.equal(evalReal.report.episodes, 2);
      assert.equal(evalReal.address, emu.url);
      assert.equal(evalReal.report.task, 'push');
      // the engine-side log keeps the person's stop with the time it left
      const engineLog = readFileSync(join(session.runDir!, 'console-events.jsonl'), 'utf8');
      assert.match(engineLog, /"event":"stop","reason":"user","message":"test stop","sentAtMs"/);
    } finally {
      await session.close();
    }
    await waitUntil(() => emu.events().some((e) => e.event === 'disconnection'), 3000, 'the session to disconnect');
  });

  it('takes a stop on its loopback stop socket only with the session token, and sends one stop per press', async () => {
    const states: RobotSessionState[] = [];
    const session = await RobotSession.open(experiment, { onState: (s) => states.push(s), onTelemetry() {}, onSafety() {} }, { policy, address: emu.url });
    try {
      await waitUntil(() => states.some((s) => s.connected && s.stopEndpoint), 3000, 'a state with the stop endpoint');
      const endpoint = session.state.stopEndpoint!;
      assert.match(endpoint.url, /^ws:\/\/127\.0\.0\.1:\d+$/);
      assert.match(endpoint.token, /^[0-9a-f]{64}$/);
      const stopsBefore = emu.events().filter((e) => e.event === 'stop').length;

      // a wrong token: refused, the connection closed, the robot untouched
      const intruder = new WebSocket(endpoint.url);
      await new Promise((resolve) => intruder.once('open', resolve));
      const closed = new Promise<number>((resolve) => intruder.once('close', (code) => resolve(code)));
      intruder.send(JSON.stringify({ kind: 'stop', token: '0'.repeat(64) }));
      assert.equal(await closed, 1008);
      assert.equal(session.state.stopped, false);

      // the console's press: direct socket first, then its copy through VS Code (the engine's robotStop)
      const running = session.startEpisode();
      await waitUntil(() => session.state.episodeRunning && session.state.robot === 'running', 3000, 'an episode running');
      const consoleSocket = new WebSocket(endpoint.url);
      await new Promise((resolve) => consoleSocket.once('open', resolve));
      consoleSocket.send(JSON.stringify({ kind: 'stop', token: endpoint.token }));
      await waitUntil(() => session.state.stopped, 2000, 'the stop latched');
      session.stop('the same press through VS Code');
      const stopped = await running;
      assert.equal(stopped.abortKind, 'stop');
      await new Promise((r) => setTimeout(r, 200));
      const stops = emu.events().filter((e) => e.event === 'stop');
      assert.equal(stops.length - stopsBefore, 1, 'one press, one stop at the robot');
      const engineLog = readFileSync(join(session.runDir!, 'console-events.jsonl'), 'utf8');
      assert.match(engineLog, /"message":"stop pressed in the safe-test console \(direct path\)".*"direct":1/);
      consoleSocket.close();
      await session.arm();
    } finally {
      await session.close();
    }
  });

  it('fails a connect with no robot listening within the connect timeout', async () => {
    const dead = 'ws://127.0.0.1:9';
    const file = writeConsoleExperiment(tempDir('console-dead'), dead);
    const t0 = performance.now();
    await assert.rejects(RobotSession.open(load(file), { onState() {}, onTelemetry() {}, onSafety() {} }), RobotSessionError);
    assert.ok(performance.now() - t0 < 8000);
    assert.ok(!existsSync(join(dir, 'never')));
  });

  it('validates the console\'s protocol messages', () => {
    const req = (method: string, params: unknown) => parseHostMessage({ kind: 'request', id: 1, method, params });
    assert.ok(req('robotConnect', { file: '/x.s2r.yaml', policy: '/p.onnx' }));
    assert.equal(req('robotConnect', { policy: '/p.onnx' }), undefined);
    assert.equal(req('robotConnect', { file: '/x', address: 5 }), undefined);
    assert.ok(req('robotStop', {}));
    assert.equal(req('robotStop', { message: {} }), undefined);
    assert.equal(req('robotStartEpisode', { seed: -1 }), undefined);
    assert.ok(parseEngineMessage({ kind: 'robotTelemetry', samples: [{ tMs: 1, episode: 0, step: 2, position: [0, 1, 2], command: [] }] }));
    assert.equal(parseEngineMessage({ kind: 'robotTelemetry', samples: [{ tMs: 1, episode: 0, step: 2, position: [null], command: [] }] }), undefined);
    assert.equal(parseEngineMessage({ kind: 'robotSafety', entry: { tMs: 1, level: 'panic', message: '' } }), undefined);
    assert.equal(parseEngineMessage({ kind: 'robotState', state: { connected: true } }), undefined);
  });
});
