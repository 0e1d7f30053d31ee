// Stop latency, engine side: from the moment the engine is asked to stop to the moment the emulator
// receives the stop (its event log's `stop` line; both sides stamp CLOCK_MONOTONIC, so the times
// subtract across processes). p50/p99 over many stops issued while commands stream at 50 Hz, in
// three conditions:
//   quiet      - the link in this thread, nothing else of ours running;
//   busy core  - the same while a busy-loop process saturates a core;
//   busy engine- RobotEnv (link in its worker) while this thread runs the simulator flat out between
//                control steps and a core is saturated; the stop comes from another thread through
//                RobotEnv.createStopPort(), as the console's stop will.
// The VS Code click -> engine part comes later (webview side). Usage: npx tsx bench/stop-latency.bench.ts [stops]
// (SIM2REAL_BENCH_SMOKE=1: 3 stops per condition unless given.)
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync, mkdtempSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { Experiment } from '../src/engine/config/experiment';
import { createEnv } from '../src/engine/sim/simEnv';
import { RobotAddressPolicy } from '../src/engine/rosbridge/addressPolicy';
import { monotonicMs } from '../src/engine/util/clock';
import { parseEventLog } from '../src/engine/rosbridge/eventLog';
import { DEFAULT_ROBOT_NAMES } from '../src/engine/rosbridge/names';
import { RobotLink } from '../src/engine/robot/robotLink';
import { connectRobotEnv } from '../src/engine/robot/robotEnv';
import { safetyFor } from '../src/engine/robot/robotEpisodes';
import { MotionAuthority, type Attendant } from '../src/engine/robot/motionAuthority';
import { announceSmoke, smoke } from './smoke';

const STOPS = Number(process.argv[2] ?? smoke(100, 3));
const ROOT = join(__dirname, '..');
const EXPERIMENT = { name: 'stop-bench', task: 'reach', seed: 1 } as unknown as Experiment;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** The bench plays the person who re-arms after each of its own stops. */
const BENCH_PERSON: Attendant = { channel: 'bench', confirmEmergencyStop: async () => true, startEpisodes: async () => true, rearm: async () => true };
const benchMotion = (url: string): MotionAuthority => new MotionAuthority({ address: url, adapter: 'emulator', path: 'the stop-latency bench', attendant: BENCH_PERSON });

function percentile(values: number[], p: number): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))]!;
}

async function startEmulator(dir: string): Promise<{ url: string; log: string; child: ChildProcess }> {
  const profile = join(dir, 'profile.yaml');
  // no latency effect: this measures the link, not an emulated delay (a stop skips the latency queue anyway)
  writeFileSync(profile, 'task: reach\nseed: 1\nwatchdogMs: 100\n');
  const log = join(dir, 'emulator.jsonl');
  const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'src/engine/cli.ts'), 'emulate', '--profile', profile, '--port', '0', '--log', log], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d) => {
      out += d.toString();
      const m = /listening on (ws:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (m) resolve(m[1]!);
    });
    child.once('exit', (code) => reject(new Error(`emulator exited with ${code}`)));
  });
  return { url, log, child };
}

/** Monotonic times of the emulator's `stop` events after `since`. */
function stopsReceived(log: string, since: number): number[] {
  return parseEventLog(readFileSync(log, 'utf8')).filter((e) => e.event === 'stop' && e.tMs > since).map((e) => e.tMs);
}

async function waitForStop(log: string, since: number): Promise<number> {
  const deadline = performance.now() + 3000;
  for (;;) {
    const got = stopsReceived(log, since);
    if (got.length) return got[0]! - since;
    if (performance.now() > deadline) throw new Error('the emulator never logged the stop');
    await sleep(2);
  }
}

function burner(): ChildProcess {
  return spawn(process.execPath, ['-e', 'for(;;){}'], { stdio: 'ignore' });
}

async function linkScenario(url: string, log: string): Promise<number[]> {
  const motion = benchMotion(url);
  const link = await RobotLink.connect({
    url,
    policy: RobotAddressPolicy.fromConfigured([url]),
    names: DEFAULT_ROBOT_NAMES,
    jointNames: ['shoulder', 'elbow', 'wrist'],
    safety: safetyFor(EXPERIMENT),
    controlPeriodS: 0.02,
    trackObject: false,
    log: () => undefined,
    motion: { session: motion.session },
  });
  await link.waitFor(() => link.robotStatus !== undefined, 3000, 'robot status');
  motion.identify(link.robotStatus);
  const latencies: number[] = [];
  // the previous scenario left the robot stopped: re-arming is the user's decision, here the bench's
  await link.rearm(await motion.permitRearm('the previous scenario'));
  const episode = await link.beginEpisode(await motion.permitEpisode({ episode: 1, ...(link.robotStatus ? { robot: link.robotStatus } : {}) }), 10000);
  for (let i = 0; i < STOPS; i++) {
    await link.rearm(await motion.permitRearm('the bench'));
    const q = [...link.joints!.position];
    // stream commands for 40-120 ms, then stop in the middle of the stream
    const streamMs = 40 + Math.random() * 80;
    const t0 = performance.now();
    while (performance.now() - t0 < streamMs) {
      q[0] += 0.001;
      link.sendCommand(q, episode + 10);
      await sleep(20);
    }
    const asked = monotonicMs();
    void link.stop('bench');
    latencies.push(await waitForStop(log, asked));
  }
  await link.close();
  return latencies;
}

/** RobotEnv with this thread saturated by simulation; stops come from another thread. */
async function engineScenario(url: string, log: string): Promise<number[]> {
  const env = await connectRobotEnv(EXPERIMENT, url, { allowedAddresses: [url], motion: benchMotion(url) });
  const sim = await createEnv(EXPERIMENT, { randomize: false });
  const stopPort = env.createStopPort();
  const shared = new Int32Array(new SharedArrayBuffer(8)); // [0]: 1 while an episode runs, [1]: stops sent
  const clicks: number[] = [];
  // the "console": a thread that presses stop at a random moment of each running episode
  const stopper = new Worker(
    `const { parentPort, workerData } = require('node:worker_threads');
     const flags = new Int32Array(workerData.flags);
     parentPort.once('message', (port) => {
       const loop = () => {
         if (Atomics.load(flags, 0) !== 1) return setTimeout(loop, 1);
         setTimeout(() => {
           const t = Number(process.hrtime.bigint()) / 1e6;
           Atomics.store(flags, 0, 0);
           port.postMessage({ kind: 'stop', message: 'bench' });
           parentPort.postMessage(t);
           Atomics.add(flags, 1, 1);
           setTimeout(loop, 1);
         }, 40 + Math.random() * 80);
       };
       loop();
     });`,
    { eval: true, workerData: { flags: shared.buffer } },
  );
  stopper.on('message', (t: number) => clicks.push(t));
  stopper.postMessage(stopPort, [stopPort]);
  const action = new Float64Array(3);
  const simAction = new Float64Array(sim.actionSize);
  sim.reset(1);
  let episodes = 0;
  while (Atomics.load(shared, 1) < STOPS) {
    await env.rearm('the bench');
    await env.permitEpisode(episodes + 1);
    env.reset(episodes++);
    Atomics.store(shared, 0, 1);
    for (;;) {
      // training load on this thread: simulate flat out for 10 ms between control steps
      const until = performance.now() + 10;
      while (performance.now() < until) {
        for (let i = 0; i < simAction.length; i++) simAction[i] = Math.random() * 2 - 1;
        if (sim.step(simAction).done) sim.reset(episodes);
      }
      action[0] = 0.3;
      if (env.step(action).done) break;
    }
    // let the stopper's message land before the next episode
    await sleep(5);
  }
  stopper.terminate();
  env.dispose();
  sim.dispose();
  const received = stopsReceived(log, clicks[0]! - 1);
  // each click is answered by the first stop the emulator logged after it
  return clicks.map((c) => received.find((r) => r >= c)! - c).filter((d) => Number.isFinite(d));
}

function report(name: string, latencies: number[]): void {
  process.stdout.write(
    `${name.padEnd(12)} n=${latencies.length}  p50 ${percentile(latencies, 50).toFixed(2)} ms  p99 ${percentile(latencies, 99).toFixed(2)} ms  max ${Math.max(...latencies).toFixed(2)} ms\n`,
  );
}

async function main(): Promise<void> {
  announceSmoke(`${STOPS} stops per condition`);
  const dir = mkdtempSync(join(tmpdir(), 's2r-stop-bench-'));
  const emu = await startEmulator(dir);
  process.stdout.write(`emulator ${emu.url}; load average ${loadavg().map((l) => l.toFixed(1)).join(' ')} on ${require('node:os').cpus().length} cores\n`);
  try {
    report('quiet', await linkScenario(emu.url, emu.log));
    const burn = burner();
    try {
      report('busy core', await linkScenario(emu.url, emu.log));
      report('busy engine', await engineScenario(emu.url, emu.log));
    } finally {
      burn.kill('SIGKILL');
    }
  } finally {
    emu.child.kill('SIGTERM');
  }
  process.stdout.write(`load average after ${loadavg().map((l) => l.toFixed(1)).join(' ')}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
