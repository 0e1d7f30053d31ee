/**
 * The robot link over a real loopback WebSocket: the emulator and the client in this process, on
 * 127.0.0.1 and ephemeral ports, every server closed at the end of its test.
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:net';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { describe, it } from 'node:test';
import { WebSocketServer } from 'ws';
import { RobotAddressPolicy } from '../../src/engine/rosbridge/addressPolicy';
import { RosbridgeClient } from '../../src/engine/rosbridge/client';
import { monotonicMs } from '../../src/engine/util/clock';
import { DEFAULT_ROBOT_NAMES } from '../../src/engine/rosbridge/names';
import { RobotLink } from '../../src/engine/robot/robotLink';
import { median, profileFrom, startEmulator, TEST_SAFETY, waitUntil, type InProcessEmulator } from '../support/robot-helpers';
import { linkMotion, permitNext, testMotion } from '../support/motion';
import type { EpisodePermit, MotionAuthority } from '../../src/engine/robot/motionAuthority';

const JOINTS = ['shoulder', 'elbow', 'wrist'];

/** Links and their motion authorities (unattended on the emulator, a scripted person for re-arms). */
const motions = new WeakMap<RobotLink, MotionAuthority>();

async function linkTo(url: string, lines: string[] = []): Promise<RobotLink> {
  const motion = testMotion(url);
  const link = await RobotLink.connect({
    url,
    policy: RobotAddressPolicy.fromConfigured([url]),
    names: DEFAULT_ROBOT_NAMES,
    jointNames: JOINTS,
    safety: TEST_SAFETY,
    controlPeriodS: 0.02,
    trackObject: false,
    log: (line) => lines.push(line),
    reconnect: { enabled: false },
    motion: linkMotion(motion),
  });
  motions.set(link, motion);
  return link;
}

/** Begin the link's next episode with its authority's permit. */
async function begin(link: RobotLink): Promise<number> {
  return link.beginEpisode(await permitNext(link, motions.get(link)!));
}

/** A permit made by hand, not by the authority: what the link does on its own. */
function handMadePermit(link: RobotLink): EpisodePermit {
  return { kind: 'episode', session: motions.get(link)!.session, episode: 99, startedBy: 'a test', unattended: false, armFromHalt: false };
}

/** A person's re-arm, through the link's authority. */
async function rearm(link: RobotLink): Promise<void> {
  await link.rearm(await motions.get(link)!.permitRearm('a test stop'));
}

/** A raw client (no heartbeats, no safety): what a crashed or hostile peer looks like. */
async function rawClient(url: string, dropped: string[] = []): Promise<RosbridgeClient> {
  const client = new RosbridgeClient(url, RobotAddressPolicy.fromConfigured([url]), { reconnect: { enabled: false }, onDropped: (reason) => dropped.push(reason) });
  await client.connect();
  return client;
}

async function withEmulator(profileText: string, body: (emu: InProcessEmulator) => Promise<void>): Promise<void> {
  const emu = await startEmulator(profileFrom(profileText));
  try {
    await body(emu);
  } finally {
    await emu.close();
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('robot link over loopback', () => {
  it('a dead port fails fast with a clear error', async () => {
    const probe = createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    const port = (probe.address() as { port: number }).port;
    await new Promise<void>((r) => probe.close(() => r()));
    const url = `ws://127.0.0.1:${port}`;
    const t0 = performance.now();
    await assert.rejects(linkTo(url), new RegExp(`cannot reach robot at ws://127\\.0\\.0\\.1:${port}: connection refused`));
    assert.ok(performance.now() - t0 < 3000);
  });

  it('a port that never answers the handshake fails within the 3 s connect timeout', async () => {
    const sockets: import('node:net').Socket[] = [];
    const silent: Server = createServer((s) => sockets.push(s)); // accepts TCP, never speaks HTTP
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    const url = `ws://127.0.0.1:${(silent.address() as { port: number }).port}`;
    try {
      const t0 = performance.now();
      await assert.rejects(linkTo(url), /did not answer within 3000 ms/);
      const elapsed = performance.now() - t0;
      assert.ok(elapsed >= 2900 && elapsed < 3500, `${elapsed} ms`);
    } finally {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => silent.close(() => r()));
    }
  });

  it('refuses, by construction, any address that was not configured', () => {
    const policy = RobotAddressPolicy.fromConfigured(['ws://127.0.0.1:9090']);
    assert.throws(() => new RosbridgeClient('ws://127.0.0.1:9091', policy), /refusing to connect to ws:\/\/127\.0\.0\.1:9091/);
  });

  it('garbage from the client is dropped and logged; the session goes on', () =>
    withEmulator('', async (emu) => {
      const client = await rawClient(emu.url);
      const garbage = [
        'not json',
        '{"op":"teleport"}',
        '{"op":"publish","topic":"/forward_position_controller/commands","msg":{"data":[1,null,3]}}',
        '{"op":"publish","topic":"/forward_position_controller/commands","msg":{"data":[1,2]}}',
        '{"op":"publish","topic":"/somewhere/else","msg":{}}',
        '{"op":"advertise","topic":"/forward_position_controller/commands","type":"std_msgs/msg/String"}',
      ];
      for (const g of garbage) client.sendRaw(g);
      const reply = await client.callService(DEFAULT_ROBOT_NAMES.services.reset);
      assert.equal(reply.success, true);
      const dropped = emu.events().filter((e) => e.event === 'dropped_frame');
      assert.equal(dropped.length, garbage.length, JSON.stringify(dropped));
      assert.match(String(dropped[0]!.reason), /not JSON/);
      assert.match(String(dropped[1]!.reason), /unknown op 'teleport'/);
      assert.match(String(dropped[2]!.reason), /finite numbers/);
      assert.match(String(dropped[3]!.reason), /2 values, expected 3/);
      assert.match(String(dropped[4]!.reason), /does not take/);
      assert.match(String(dropped[5]!.reason), /takes std_msgs\/msg\/Float64MultiArray/);
      assert.equal(emu.events().filter((e) => e.event === 'command').length, 0, 'no garbage reached the motors');
      await client.close();
    }));

  it('garbage from the robot is dropped and reported; valid messages still arrive', async () => {
    const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await new Promise<void>((r) => wss.once('listening', () => r()));
    const url = `ws://127.0.0.1:${(wss.address() as { port: number }).port}`;
    wss.on('connection', (socket) => {
      socket.once('message', () => {
        socket.send('{{{');
        socket.send(JSON.stringify({ op: 'publish', topic: '/joint_states' })); // no msg
        socket.send(JSON.stringify({ op: 'publish', topic: '/not_subscribed', msg: {} }));
        socket.send(Buffer.from([1, 2, 3]), { binary: true });
        socket.send(JSON.stringify({ op: 'service_response', id: 'nobody', service: '/x', result: true }));
        socket.send(JSON.stringify({ op: 'publish', topic: '/joint_states', msg: { name: ['a'], position: [0.5], velocity: [], effort: [] } }));
      });
    });
    const dropped: string[] = [];
    const client = await rawClient(url, dropped);
    const received: unknown[] = [];
    client.subscribe('/joint_states', 'sensor_msgs/msg/JointState', (msg) => received.push(msg));
    try {
      await waitUntil(() => received.length === 1, 3000, 'the valid message');
      assert.equal(dropped.length, 5, dropped.join('\n'));
      assert.match(dropped.join('\n'), /not JSON[\s\S]*'msg' must be an object[\s\S]*did not subscribe[\s\S]*binary frame[\s\S]*unknown call id/);
    } finally {
      await client.close();
      await new Promise<void>((r) => wss.close(() => r()));
    }
  });

  it('a stop overtakes queued commands, and nothing moves until re-armed', () =>
    withEmulator('effects:\n  latencyMs: 1500\n', async (emu) => {
      const link = await linkTo(emu.url);
      const episode = await begin(link);
      const q0 = [...link.joints!.position];
      for (let k = 1; k <= 5; k++) {
        const outcome = link.sendCommand([q0[0] + 0.005 * k, q0[1], q0[2]], episode);
        assert.ok(outcome.sent, JSON.stringify(outcome));
        await sleep(10);
      }
      const confirmed = await link.stop('test stop');
      assert.equal(confirmed, true);
      const events = emu.events();
      const stop = events.find((e) => e.event === 'stop')!;
      assert.equal(stop.discarded, 5, 'all five queued commands discarded');
      assert.equal(events.filter((e) => e.event === 'command_discarded').length, 5);
      await sleep(1600); // past the latency: a discarded command must never be applied late
      assert.equal(emu.events().filter((e) => e.event === 'command_applied').length, 0);

      // the engine refuses to send...
      const refused = link.sendCommand(q0, episode);
      assert.deepEqual([refused.sent, !refused.sent && refused.why], [false, 'stopped']);
      await assert.rejects(begin(link), /test stop; after a protective stop nothing moves the robot until a person re-arms it/);
      // the link refuses on its own too, even with a permit in hand (the latch is its own)
      await assert.rejects(link.beginEpisode(handMadePermit(link)), /robot stopped \(test stop\); a person re-arms it before the next episode/);
      // ...and the robot refuses what another client sends
      const other = await rawClient(emu.url);
      other.advertise(DEFAULT_ROBOT_NAMES.topics.command, 'std_msgs/msg/Float64MultiArray');
      other.publish(DEFAULT_ROBOT_NAMES.topics.command, { layout: { dim: [], data_offset: 0 }, data: q0 });
      await waitUntil(() => emu.events().some((e) => e.event === 'command_rejected'), 2000, 'command_rejected');
      assert.match(String(emu.events().find((e) => e.event === 'command_rejected')!.reason), /halted \(stop\)/);
      await other.close();

      await rearm(link);
      // a re-arm is not a start: commands wait for the next permitted episode
      assert.equal(link.sendCommand(q0, episode).sent, false);
      const next = await begin(link);
      const again = link.sendCommand(link.joints!.position, next);
      assert.ok(again.sent, JSON.stringify(again));
      await waitUntil(() => emu.events().some((e) => e.event === 'command_applied'), 2000, 'command after re-arm');
      await link.close();
    }));

  it('the watchdog halts the robot when the client goes silent', () =>
    withEmulator('watchdogMs: 100\n', async (emu) => {
      const client = await rawClient(emu.url);
      const names = DEFAULT_ROBOT_NAMES;
      const lag = monitorEventLoopDelay({ resolution: 5 });
      lag.enable();
      await client.callService(names.services.arm);
      client.advertise(names.topics.command, 'std_msgs/msg/Float64MultiArray');
      client.publish(names.topics.command, { layout: { dim: [], data_offset: 0 }, data: [-1.2, 2.2, 1.2] });
      // then silence: no command, no heartbeat
      await waitUntil(() => emu.events().some((e) => e.event === 'watchdog_halt'), 2000, 'watchdog_halt');
      const events = emu.events();
      const lastInput = events.filter((e) => e.event === 'command').at(-1)!;
      const halt = events.find((e) => e.event === 'watchdog_halt')!;
      const silentFor = halt.tMs - lastInput.tMs;
      // never early; late by at most one check period plus scheduling on a busy machine
      assert.ok(silentFor > 100, `halted after only ${silentFor} ms`);
      lag.disable();
      // late by at most one check period, plus this process's own scheduling delay on a loaded machine
      const lagMs = lag.max / 1e6;
      assert.ok(silentFor < 100 + 100 + lagMs, `halted ${silentFor} ms after the last command (event-loop lag up to ${lagMs.toFixed(1)} ms)`);
      assert.equal(emu.emulator.robot.status.state, 'halted');
      assert.equal(emu.emulator.robot.status.reason, 'watchdog');
      await client.close();
    }));

  it('heartbeats keep a running robot alive between commands', () =>
    withEmulator('watchdogMs: 100\n', async (emu) => {
      const link = await linkTo(emu.url);
      const episode = await begin(link);
      assert.ok(link.sendCommand(link.joints!.position, episode).sent);
      await sleep(600); // no commands, only the link's heartbeats
      assert.equal(emu.emulator.robot.status.state, 'running');
      assert.equal(emu.events().filter((e) => e.event === 'watchdog_halt').length, 0);
      assert.ok(emu.events().filter((e) => e.event === 'heartbeat').length >= 10);
      await link.close();
    }));

  it('a latency profile delays commands by latencyMs ± jitter (measured from the event log)', () =>
    withEmulator('effects:\n  latencyMs: 60\n  latencyJitterMs: 10\n', async (emu) => {
      const link = await linkTo(emu.url);
      const episode = await begin(link);
      const q = [...link.joints!.position];
      const sentAt: number[] = [];
      for (let k = 0; k < 20; k++) {
        sentAt.push(monotonicMs());
        assert.ok(link.sendCommand(q, episode).sent);
        await sleep(20);
      }
      await waitUntil(() => emu.events().filter((e) => e.event === 'command_applied').length === 20, 3000, '20 applied commands');
      const events = emu.events();
      const arrived = new Map(events.filter((e) => e.event === 'command').map((e) => [e.seq as number, e.tMs]));
      const applied = events.filter((e) => e.event === 'command_applied');
      const planned = applied.map((e) => e.plannedMs as number);
      const measured = applied.map((e) => e.tMs - arrived.get(e.seq as number)!);
      for (const p of planned) assert.ok(p >= 50 - 1e-6 && p <= 70 + 20, `planned ${p}`); // +20: waiting for a predecessor
      for (let i = 0; i < measured.length; i++) assert.ok(measured[i]! >= planned[i]! - 1, `applied before due: ${measured[i]} < ${planned[i]}`);
      const m = median(measured);
      assert.ok(m >= 50 && m <= 80, `median measured latency ${m} ms`);
      // and the jitter is real: not every command got the same delay
      assert.ok(Math.max(...planned) - Math.min(...planned) > 5, `planned ${planned.join(', ')}`);
      // the shared monotonic clock: arrival is after sending, by a loopback hop
      assert.ok(events.filter((e) => e.event === 'command')[0]!.tMs >= sentAt[0]!);
      await link.close();
    }));

  it('a safety violation stops the robot with a log line naming the limit and values', () =>
    withEmulator('', async (emu) => {
      const lines: string[] = [];
      const link = await linkTo(emu.url, lines);
      const episode = await begin(link);
      const outcome = link.sendCommand([NaN, 0, 0], episode);
      assert.equal(outcome.sent, false);
      assert.match(lines.join('\n'), /protective stop \(IEC 60204-1 category 2, not an emergency stop\): non_finite: shoulder command is NaN/);
      await waitUntil(() => emu.emulator.robot.status.state === 'halted' && emu.emulator.robot.status.reason === 'stop', 2000, 'robot halted');
      assert.equal(link.stopLatch?.reason, 'safety');
      assert.equal(link.stopLatch?.violation?.limit, 'non_finite');
      await link.close();
    }));
});

describe('stops from elsewhere', () => {
  it('a stop pressed by another client is not undone by the next episode', () =>
    withEmulator('', async (emu) => {
      const link = await linkTo(emu.url);
      await begin(link);
      const console_ = await rawClient(emu.url);
      await console_.callService(DEFAULT_ROBOT_NAMES.services.stop);
      await waitUntil(() => link.robotStatus?.state === 'halted', 2000, 'halted status');
      // the robot's halt latched the link: the authority refuses, and so does the link itself
      await assert.rejects(begin(link), /robot halted: stop \(stop requested by client\d+@[\d.:]+\); after a protective stop nothing moves the robot until a person re-arms it/);
      await assert.rejects(link.beginEpisode(handMadePermit(link)), /robot stopped \(robot halted: stop/);
      assert.equal(emu.emulator.robot.status.state, 'halted');
      await rearm(link);
      await begin(link);
      assert.equal(emu.emulator.robot.status.state, 'armed');
      await console_.close();
      await link.close();
    }));
});

describe('reconnect policy', () => {
  it('reconnects with backoff when the robot comes back, and subscribes again', async () => {
    const profile = profileFrom('');
    let emu = await startEmulator(profile);
    const port = emu.emulator.port;
    const lines: string[] = [];
    const motion = testMotion(emu.url);
    const link = await RobotLink.connect({
      url: emu.url,
      policy: RobotAddressPolicy.fromConfigured([emu.url]),
      names: DEFAULT_ROBOT_NAMES,
      jointNames: JOINTS,
      safety: TEST_SAFETY,
      controlPeriodS: 0.02,
      trackObject: false,
      log: (line) => lines.push(line),
      reconnect: { enabled: true, initialDelayMs: 50, maxDelayMs: 200, maxAttempts: 50 },
      motion: linkMotion(motion),
    });
    motions.set(link, motion);
    try {
      await link.waitFor(() => link.joints !== undefined, 3000, 'first joint state');
      await emu.close();
      await waitUntil(() => link.client.linkState === 'reconnecting', 3000, 'reconnecting');
      assert.equal(link.joints, undefined, 'stale state is forgotten when the link drops');
      assert.equal(link.sendCommand([0, 0, 0], 0).sent, false);
      // the robot comes back on the same address
      const { RealityEmulator } = await import('../../src/engine/emulator/emulatorServer');
      const { EventLog } = await import('../../src/engine/rosbridge/eventLog');
      const log = new EventLog();
      const again = await RealityEmulator.start(profile, { host: '127.0.0.1', port, log });
      emu = { ...emu, emulator: again, close: async () => { await again.close(); log.close(); } };
      await link.waitFor(() => link.joints !== undefined && link.robotStatus !== undefined, 10000, 'joint states after reconnecting');
      assert.equal(link.client.linkState, 'open');
      assert.match(lines.join('\n'), /reconnecting \(link lost \(code 1001\); retry 1 in 50 ms\)[\s\S]*open \(reconnected\)/);
      await begin(link);
    } finally {
      await link.close();
      await emu.close();
    }
  });

  it('gives up after maxAttempts and says so', async () => {
    const emu = await startEmulator(profileFrom(''));
    const states: string[] = [];
    const link = await RobotLink.connect({
      url: emu.url,
      policy: RobotAddressPolicy.fromConfigured([emu.url]),
      names: DEFAULT_ROBOT_NAMES,
      jointNames: JOINTS,
      safety: TEST_SAFETY,
      controlPeriodS: 0.02,
      trackObject: false,
      log: (line) => states.push(line),
      reconnect: { enabled: true, initialDelayMs: 20, maxDelayMs: 40, maxAttempts: 3 },
      motion: linkMotion(testMotion(emu.url)),
    });
    await emu.close();
    await waitUntil(() => link.client.linkState === 'closed', 5000, 'giving up');
    assert.match(states.at(-1)!, /closed \(gave up after 3 reconnect attempts: cannot reach robot at ws:\/\/127\.0\.0\.1:\d+: connection refused: nothing listens there\)$/);
    await link.close();
  });
});

describe('what the client writes', () => {
  it('speaks rosbridge v2 as rosbridge_server expects: ids, advertise before publish, unsubscribe by id, timeout in s', async () => {
    const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await new Promise<void>((r) => wss.once('listening', () => r()));
    const url = `ws://127.0.0.1:${(wss.address() as { port: number }).port}`;
    const frames: Record<string, unknown>[] = [];
    wss.on('connection', (socket) =>
      socket.on('message', (data) => {
        const frame = JSON.parse(data.toString()) as Record<string, unknown>;
        frames.push(frame);
        if (frame.op === 'call_service') socket.send(JSON.stringify({ op: 'service_response', id: frame.id, service: frame.service, values: { success: true, message: '' }, result: true }));
      }),
    );
    const client = await rawClient(url);
    try {
      const off = client.subscribe('/joint_states', 'sensor_msgs/msg/JointState', () => undefined, 10);
      assert.throws(() => client.publish('/cmd', {}), /before advertise/);
      client.advertise('/cmd', 'std_msgs/msg/Float64MultiArray');
      client.publish('/cmd', { layout: { dim: [], data_offset: 0 }, data: [1, 2, 3] });
      const values = await client.callService('/sim2real/stop', {}, 1500);
      assert.deepEqual(values, { success: true, message: '' });
      off();
      await waitUntil(() => frames.some((f) => f.op === 'unsubscribe'), 2000, 'unsubscribe');
      const sub = frames.find((f) => f.op === 'subscribe')!;
      assert.deepEqual(sub, { op: 'subscribe', id: sub.id, topic: '/joint_states', type: 'sensor_msgs/msg/JointState', throttle_rate: 10 });
      assert.equal(frames.find((f) => f.op === 'unsubscribe')!.id, sub.id, 'unsubscribe names the subscription it ends');
      const ops = frames.map((f) => f.op);
      assert.ok(ops.indexOf('advertise') < ops.indexOf('publish'));
      const call = frames.find((f) => f.op === 'call_service')!;
      assert.equal(call.timeout, 1.5);
      assert.equal(typeof call.id, 'string');
    } finally {
      await client.close();
      await new Promise<void>((r) => wss.close(() => r()));
    }
    assert.equal(frames.at(-1)!.op, 'unadvertise', 'a clean close unadvertises what it advertised');
  });
});
