// Runs every bench/*.bench.ts in its own process, one after another (they would skew each other
// in parallel on two cores), and prints their figures. `npm run bench -- NAME [ARGS...]` runs only
// matching ones and hands them ARGS (e.g. `npm run bench -- stop-click 200`).
//
// `--smoke` (anywhere in the arguments; `npm run bench:smoke` runs every bench this way): sets
// SIM2REAL_BENCH_SMOKE=1 for every bench (bench/smoke.ts): the same code paths, a few iterations and
// small sizes, no figures to read; a bench that fails (a broken import, a renamed API, an invalid
// generated input) fails the run. In smoke mode each bench runs in a process group of its own and
// has SIM2REAL_BENCH_SMOKE_TIMEOUT_S seconds (default 300; 900 for benches that need the e2e tools,
// which they install when missing) before its group is stopped, and whatever it left running is
// stopped when it ends, so a hung bench fails CI instead of holding it.
// Benches that drive a real VS Code (they need the e2e tools: scripts/e2e-setup.sh) run last.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

/** Benches that run scripts/e2e.sh (code-server + Chromium; the tools are installed when missing): last. */
const NEEDS_E2E_TOOLS = new Set(['stop-click.bench.ts']);

const argv = process.argv.slice(2);
const smoke = argv.includes('--smoke') || process.env.SIM2REAL_BENCH_SMOKE === '1';
const rest = argv.filter((a) => a !== '--smoke');
const filter = rest[0];
const args = rest.slice(1);
const benches = readdirSync(__dirname)
  .filter((f) => f.endsWith('.bench.ts') && (!filter || f.includes(filter)))
  .sort((a, b) => Number(NEEDS_E2E_TOOLS.has(a)) - Number(NEEDS_E2E_TOOLS.has(b)) || a.localeCompare(b));
if (benches.length === 0) {
  process.stderr.write(`no benchmark matches '${filter}'\n`);
  process.exit(2);
}

interface Outcome {
  readonly bench: string;
  readonly seconds: number;
  /** Undefined when it passed. */
  readonly failure?: string;
}

function runFull(bench: string): string | undefined {
  const result = spawnSync(process.execPath, ['--import', 'tsx', join(__dirname, bench), ...args], { stdio: 'inherit' });
  return result.status === 0 ? undefined : `exited with ${result.status ?? result.signal}`;
}

let current: ChildProcess | undefined;
/** Signals the whole process group of a smoke bench (it was started as its leader); quiet when it is gone. */
const signalGroup = (child: ChildProcess, signal: NodeJS.Signals): void => {
  try {
    process.kill(-child.pid!, signal);
  } catch {
    // the group has no process left
  }
};
if (smoke) {
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      // a smoke bench's group does not get the terminal's Ctrl-C by itself: pass it on, then leave
      if (current) signalGroup(current, signal);
      process.exit(130);
    });
  }
}

async function runSmoke(bench: string): Promise<string | undefined> {
  const limitS = Number(process.env.SIM2REAL_BENCH_SMOKE_TIMEOUT_S ?? (NEEDS_E2E_TOOLS.has(bench) ? 900 : 300));
  const child = spawn(process.execPath, ['--import', 'tsx', join(__dirname, bench), ...args], {
    stdio: 'inherit',
    env: { ...process.env, SIM2REAL_BENCH_SMOKE: '1' },
    detached: true,
  });
  current = child;
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    process.stdout.write(`!!! ${bench}: no end after ${limitS} s in smoke mode, stopping it\n`);
    signalGroup(child, 'SIGTERM');
    setTimeout(() => signalGroup(child, 'SIGKILL'), 10_000).unref();
  }, limitS * 1000);
  const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (c, s) => resolve([c, s]));
  });
  clearTimeout(timer);
  current = undefined;
  // anything the bench started and left behind in its group (an emulator, a browser)
  signalGroup(child, 'SIGKILL');
  if (timedOut) return `timed out after ${limitS} s`;
  return code === 0 ? undefined : `exited with ${code ?? signal}`;
}

async function main(): Promise<void> {
  const outcomes: Outcome[] = [];
  const started = performance.now();
  if (smoke) process.stdout.write(`smoke mode (SIM2REAL_BENCH_SMOKE=1): ${benches.length} bench(es), figures are not measurements\n`);
  for (const bench of benches) {
    process.stdout.write(`\n=== ${bench} ===\n`);
    const t0 = performance.now();
    const failure = smoke ? await runSmoke(bench) : runFull(bench);
    const seconds = (performance.now() - t0) / 1000;
    outcomes.push({ bench, seconds, ...(failure ? { failure } : {}) });
    if (failure) process.stdout.write(`!!! ${bench} ${failure}\n`);
  }
  const failed = outcomes.filter((o) => o.failure);
  process.stdout.write(`\n=== ${smoke ? 'smoke run' : 'benchmarks'}: ${outcomes.length - failed.length} of ${outcomes.length} passed in ${((performance.now() - started) / 1000).toFixed(1)} s ===\n`);
  for (const o of outcomes) process.stdout.write(`  ${o.bench.padEnd(30)} ${o.seconds.toFixed(1).padStart(6)} s  ${o.failure ? `FAILED (${o.failure})` : 'ok'}\n`);
  process.exit(failed.length ? 1 : 0);
}

void main();
