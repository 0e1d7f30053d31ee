// Stop latency on every path that moves a robot, side by side in one run: the engine's robotStop
// (what the console's button, the Stop Robot command and the status-bar stop send) during
//   console   - a safe-test console episode (the session worker's own stop port: the baseline),
//   evaluate  - Evaluate on Robot (a RobotEnv's link worker, reached through the open links),
//   mixed     - a pipeline's mixed stage (the same, while the stage's sim rollouts wait their turn).
// From the moment this process sends the request on the engine's IPC channel (as the extension host
// does) to the emulator's event-log stamp of the stop; both are CLOCK_MONOTONIC, so they subtract
// across processes. The engine is dist/engine.js as VS Code forks it; the emulator runs in a session
// of its own, as a robot's controller does; the experiment says adapter: rosbridge, so every path
// runs as on a real robot, with this process answering the person's questions at once.
// Usage: npm run bench -- stop-paths [stops per condition, default 30; SIM2REAL_BENCH_SMOKE=1: 2]
import { fork, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { exportPolicyOnnx } from '../src/engine/policy/onnxExport';
import { parseEngineMessage, type EngineEvent } from '../src/messages/engine';
import { monotonicMs } from '../src/engine/util/clock';
import { parseEventLog, type RobotEvent } from '../src/engine/rosbridge/eventLog';
import { announceSmoke, smoke } from './smoke';

const STOPS = Number(process.argv[2] ?? smoke(30, 2));
const ROOT = join(__dirname, '..');
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function percentile(values: readonly number[], p: number): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))]!;
}

const load = (): string => loadavg().map((l) => l.toFixed(1)).join(' ');

async function startEmulator(dir: string): Promise<{ url: string; log: string; child: ChildProcess }> {
  const profile = join(dir, 'profile.yaml');
  writeFileSync(profile, 'task: reach\nseed: 1\nwatchdogMs: 400\n');
  const log = join(dir, 'emulator.jsonl');
  const child = spawn(process.execPath, [join(ROOT, 'dist', 'cli.js'), 'emulate', '--profile', profile, '--port', '0', '--log', log], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'], detached: true });
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

class Engine {
  readonly events: EngineEvent[] = [];
  private nextId = 1;
  private readonly waiters = new Set<() => void>();
  private readonly child: ChildProcess;

  constructor() {
    this.child = fork(join(ROOT, 'dist', 'engine.js'), [], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'], cwd: ROOT });
    this.child.on('message', (raw) => {
      const event = parseEngineMessage(raw);
      if (!event) return;
      this.events.push(event);
      // the person answers at once: confirms, starts, re-arms
      if (event.kind === 'personPrompt') this.send('personReply', { promptId: event.promptId, accept: true });
      for (const wake of [...this.waiters]) wake();
    });
  }

  send(method: string, params: Record<string, unknown>): number {
    const id = this.nextId++;
    this.child.send({ kind: 'request', id, method, params });
    return id;
  }

  /** Resolves with the finished/failed event of request `id`. */
  result(id: number, timeoutMs = 300_000): Promise<EngineEvent> {
    return this.until((e) => (e.kind === 'finished' || e.kind === 'failed') && e.requestId === id, timeoutMs);
  }

  until(match: (e: EngineEvent) => boolean, timeoutMs: number): Promise<EngineEvent> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('engine: no answer in time')), timeoutMs);
      const check = (): void => {
        const found = this.events.find(match);
        if (!found) return;
        clearTimeout(timer);
        this.waiters.delete(check);
        resolve(found);
      };
      this.waiters.add(check);
      check();
    });
  }

  kill(): void {
    this.child.kill('SIGKILL');
  }
}

function events(log: string): RobotEvent[] {
  return existsSync(log) ? parseEventLog(readFileSync(log, 'utf8')) : [];
}

/** Wait until the robot has taken `commands` more commands, then stop through the engine; the latency, ms. */
async function stopMidEpisode(engine: Engine, log: string, label: string): Promise<number> {
  const before = events(log).filter((e) => e.event === 'command').length;
  const commands = 5 + Math.floor(Math.random() * 15);
  const deadline = performance.now() + 120_000;
  while (events(log).filter((e) => e.event === 'command').length < before + commands) {
    if (performance.now() > deadline) throw new Error(`${label}: no commands reached the robot`);
    await sleep(10);
  }
  const sentAt = monotonicMs();
  engine.send('robotStop', { message: `bench: stop during ${label}`, hostReceivedMs: sentAt });
  for (;;) {
    const stop = events(log).find((e) => e.event === 'stop' && e.tMs > sentAt);
    if (stop) return stop.tMs - sentAt;
    if (performance.now() > deadline) throw new Error(`${label}: the robot never logged the stop`);
    await sleep(10);
  }
}

async function consoleCondition(engine: Engine, file: string, policy: string, log: string): Promise<number[]> {
  const connected = await engine.result(engine.send('robotConnect', { file, policy }));
  if (connected.kind !== 'finished') throw new Error(`console: ${JSON.stringify(connected)}`);
  await engine.result(engine.send('robotConfirmEstop', { confirmed: true }));
  const latencies: number[] = [];
  for (let i = 0; i < STOPS; i++) {
    const armed = await engine.result(engine.send('robotArm', {}));
    if (armed.kind !== 'finished') throw new Error(`console arm: ${JSON.stringify(armed)}`);
    const episode = engine.send('robotStartEpisode', {});
    latencies.push(await stopMidEpisode(engine, log, 'a console episode'));
    await engine.result(episode);
  }
  await engine.result(engine.send('robotDisconnect', {}));
  return latencies;
}

async function evaluateCondition(engine: Engine, file: string, runDir: string, log: string): Promise<number[]> {
  const latencies: number[] = [];
  for (let i = 0; i < STOPS; i++) {
    const job = engine.send('evaluateOnRobot', { file, runDir, episodes: 3 });
    latencies.push(await stopMidEpisode(engine, log, 'Evaluate on Robot'));
    await engine.result(job);
  }
  return latencies;
}

async function mixedCondition(engine: Engine, file: string, runsDir: string, log: string): Promise<number[]> {
  const latencies: number[] = [];
  const job = engine.send('pipeline', { file, runsDir });
  // each real episode is stopped; the person re-arms, and the stage goes on with the next
  for (let i = 0; i < STOPS; i++) latencies.push(await stopMidEpisode(engine, log, 'the mixed stage'));
  engine.send('cancel', { requestId: job });
  await engine.result(job);
  return latencies;
}

async function main(): Promise<void> {
  announceSmoke(`${STOPS} stops per condition`);
  const build = spawnSync(process.execPath, [join(ROOT, 'scripts', 'build.mjs')], { cwd: ROOT, stdio: 'inherit' });
  if (build.status !== 0) throw new Error('the build failed');
  const dir = mkdtempSync(join(tmpdir(), 's2r-stop-paths-'));
  const emu = await startEmulator(dir);
  const file = join(dir, 'stop-paths.s2r.yaml');
  writeFileSync(
    file,
    `name: stop-paths
task: reach
seed: 1
policy: { hidden: [] }
training: { workers: 1, directions: 2, top_directions: 2, eval_every_iterations: 100, eval_episodes: 4, checkpoint_every_iterations: 1, target_success: 1.0 }
evaluation: { episodes: 4, max_steps: 150, real_episodes: 0 }
stages:
  - { name: warm-up, kind: sim, episodes: 8 }
  - { name: mix, kind: mixed, episodes: ${4 * STOPS + 8}, sim_ratio: 0.5, gate: { min_sim_success: 0.0 } }
robot:
  adapter: rosbridge
  address: ${emu.url}
  watchdog_ms: 400
  max_real_episodes: ${4 * STOPS + 8}
  safety: { speed_scale: 0.5, limited_episodes: 2 }
`,
  );
  const runDir = join(dir, 'runs', 'stop-paths', 'r1');
  mkdirSync(runDir, { recursive: true });
  const spec = { observationSize: 10, actionSize: 3, hidden: [], activation: 'tanh' as const, history: 0 };
  writeFileSync(join(runDir, 'policy.onnx'), exportPolicyOnnx(spec, new Float64Array(10 * 3 + 3), { mean: new Float64Array(10), std: new Float64Array(10).fill(1) }));
  writeFileSync(join(runDir, 'run.json'), JSON.stringify({ format: 1, runId: 'r1', experimentName: 'stop-paths', task: 'reach', seed: 1, status: 'completed', createdAt: '', updatedAt: '', versions: {}, experiment: {} }));
  process.stdout.write(`emulator ${emu.url}; ${STOPS} stops per condition; ${cpus().length} cores; load average ${load()}\n`);
  const engine = new Engine();
  await engine.until((e) => e.kind === 'ready', 60_000);
  try {
    const rows: [string, number[], string][] = [];
    for (const [name, run] of [
      ['console', () => consoleCondition(engine, file, join(runDir, 'policy.onnx'), emu.log)],
      ['evaluate', () => evaluateCondition(engine, file, runDir, emu.log)],
      ['mixed', () => mixedCondition(engine, file, join(dir, 'runs'), emu.log)],
    ] as const) {
      const latencies = await run();
      rows.push([name, latencies, load()]);
      process.stdout.write(`${name.padEnd(9)} n=${latencies.length}  p50 ${percentile(latencies, 50).toFixed(2)} ms  p90 ${percentile(latencies, 90).toFixed(2)} ms  max ${Math.max(...latencies).toFixed(2)} ms  (load ${load()})\n`);
    }
    const base = percentile(rows[0]![1], 50);
    for (const [name, latencies] of rows.slice(1)) process.stdout.write(`${name} / console, p50: ${(percentile(latencies, 50) / base).toFixed(2)}\n`);
  } finally {
    engine.kill();
    emu.child.kill('SIGTERM');
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
