/**
 * Simulation speed on `push`, run with `npx tsx bench/sim.bench.ts [--repeats 7]`:
 *  - env control steps/s with every physics and dynamics parameter randomized (resets included),
 *  - raw `world.step()` steps/s of the same Rapier scene, the arm sweeping (new motor targets each
 *    step, as MuJoCo gets new controls each step),
 *  - MuJoCo (official WASM build, `mujoco-js`) `mj_step` steps/s on the same scene (mujoco-scene.ts)
 *    at the same dt and at half of it,
 *  - env control steps/s over two worker threads.
 * Everything is warmed up first (the first ~2,000 Rapier steps run 1.5-2x slower) and measured in
 * interleaved rounds, so machine noise hits all of them alike; medians, min-max and ratios printed.
 *
 * Overhead ratio = (seconds per env control step) / (decimation x seconds per raw world.step()):
 * what the engine adds on top of the physics (aim: <= 1.25). Rates are printed twice: by the
 * wall clock and by process CPU time, which is steadier when other jobs share the two cores.
 *
 * SIM2REAL_BENCH_SMOKE=1: the same loops, engines and worker threads, one short round of each.
 */
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { initRapier } from '../src/engine/sim/rapier';
import { loadMujocoPushScene, type MujocoPushScene } from './mujoco-scene';
import { EnvLoop, RawLoop, sweepTarget } from './sim-workload';
import { announceSmoke, smoke } from './smoke';

const REPEATS = Number(argValue('--repeats') ?? smoke(7, 1));
const RAW_STEPS = smoke(4000, 200);
const ENV_STEPS = smoke(2000, 100);
const WARMUP_PHYSICS_STEPS = smoke(3000, 100);
/** Rounds of the two-thread measurement. */
const TWO_THREAD_ROUNDS = smoke(Math.max(3, Math.ceil(REPEATS / 2)), 1);

function argValue(flag: string): string | undefined {
  const i = process.argv.indexOf(flag);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

function describe(label: string, rates: number[], unit: string): string {
  const med = median(rates);
  const lo = Math.min(...rates);
  const hi = Math.max(...rates);
  return `${label.padEnd(44)} median ${fmt(med).padStart(8)} ${unit}   min ${fmt(lo)}  max ${fmt(hi)}  (spread ±${((50 * (hi - lo)) / med).toFixed(0)}%)`;
}

function fmt(x: number): string {
  return x >= 100 ? x.toFixed(0) : x.toFixed(2);
}

const mujocoSteps = new Map<MujocoPushScene, number>();

function mujocoRun(scene: MujocoPushScene, steps: number): number {
  let n = mujocoSteps.get(scene) ?? 0;
  const t0 = performance.now();
  for (let k = 0; k < steps; k++, n++) {
    // the same sweep as the Rapier raw loop, new targets every step
    scene.setTargets(sweepTarget(0, n), sweepTarget(1, n), sweepTarget(2, n));
    scene.step();
  }
  mujocoSteps.set(scene, n);
  return (performance.now() - t0) / 1000;
}

async function twoThreads(rounds: number): Promise<number[]> {
  const entry = join(__dirname, 'sim.bench.worker.ts');
  // Node 20 refuses a .ts worker entry even with tsx loaded: register tsx inside the worker first.
  const bootstrap = `require(${JSON.stringify(require.resolve('tsx/cjs/api'))}).register(); require(${JSON.stringify(entry)});`;
  const workers = [0, 1].map(() => new Worker(bootstrap, { eval: true, workerData: { warmupSteps: WARMUP_PHYSICS_STEPS, steps: ENV_STEPS } }));
  await Promise.all(workers.map((w) => new Promise((resolve) => w.once('message', resolve))));
  const rates: number[] = [];
  for (let round = 0; round < rounds; round++) {
    const results = await Promise.all(
      workers.map((w) => new Promise<{ seconds: number; steps: number }>((resolve) => { w.once('message', resolve); w.postMessage('go'); })),
    );
    const steps = results.reduce((n, r) => n + r.steps, 0);
    rates.push(steps / Math.max(...results.map((r) => r.seconds)));
  }
  for (const w of workers) w.postMessage('stop');
  await Promise.all(workers.map((w) => new Promise((resolve) => w.once('exit', resolve))));
  return rates;
}

/** Wall-clock and process CPU seconds of fn (CPU time is steadier on a busy machine). */
function timed(fn: () => number): { wallS: number; cpuS: number } {
  const c0 = process.cpuUsage();
  const wallS = fn();
  const c = process.cpuUsage(c0);
  return { wallS, cpuS: (c.user + c.system) / 1e6 };
}

class Series {
  readonly wall: number[] = [];
  readonly cpu: number[] = [];
  add(count: number, t: { wallS: number; cpuS: number }): void {
    this.wall.push(count / t.wallS);
    this.cpu.push(count / t.cpuS);
  }
}

function ratioSeries(a: number[], b: number[], f: (x: number, y: number) => number): number[] {
  return a.map((x, i) => f(x, b[i]));
}

async function main(): Promise<void> {
  announceSmoke(`${REPEATS} round(s) of ${RAW_STEPS} physics / ${ENV_STEPS} control steps after ${WARMUP_PHYSICS_STEPS} warm-up steps`);
  await initRapier();
  const env = await EnvLoop.create();
  const instrumented = await EnvLoop.create();
  instrumented.instrument();
  const decimation = env.env.decimation;
  const dtS = env.env.task.controlPeriodS / decimation;
  const raw = new RawLoop(dtS);
  const mujocoSameDt = await loadMujocoPushScene(dtS);
  const mujocoHalfDt = await loadMujocoPushScene(dtS / 2);

  raw.run(WARMUP_PHYSICS_STEPS);
  env.run(WARMUP_PHYSICS_STEPS / decimation);
  instrumented.run(WARMUP_PHYSICS_STEPS / decimation);
  mujocoRun(mujocoSameDt, WARMUP_PHYSICS_STEPS);
  mujocoRun(mujocoHalfDt, WARMUP_PHYSICS_STEPS);

  const rawS = new Series();
  const envS = new Series();
  const mjS = new Series();
  const mjHalfS = new Series();
  const inLoop: number[] = [];
  const resetShare: number[] = [];
  for (let round = 0; round < REPEATS; round++) {
    instrumented.physicsS = 0;
    instrumented.resetS = 0;
    const totalS = instrumented.run(ENV_STEPS);
    inLoop.push(totalS / instrumented.physicsS);
    resetShare.push(instrumented.resetS / totalS);
    rawS.add(RAW_STEPS, timed(() => raw.run(RAW_STEPS)));
    envS.add(ENV_STEPS, timed(() => env.run(ENV_STEPS)));
    mjS.add(RAW_STEPS, timed(() => mujocoRun(mujocoSameDt, RAW_STEPS)));
    mjHalfS.add(RAW_STEPS, timed(() => mujocoRun(mujocoHalfDt, RAW_STEPS)));
  }
  const twoThreadRates = await twoThreads(TWO_THREAD_ROUNDS);

  console.log(`push, Rapier dt ${dtS} s x ${raw.scene.world.numSolverIterations} solver iterations, decimation ${decimation}; ${REPEATS} interleaved rounds of ${RAW_STEPS} physics / ${ENV_STEPS} control steps`);
  for (const clock of ['wall', 'cpu'] as const) {
    const pick = (x: Series): number[] => x[clock];
    console.log(`\n-- ${clock === 'wall' ? 'wall-clock' : 'process CPU time'} rates --`);
    console.log(describe('Rapier raw world.step()', pick(rawS), 'steps/s'));
    console.log(describe('env.step(), full randomization, 1 thread', pick(envS), 'ctrl/s'));
    console.log(describe(`MuJoCo mj_step(), dt ${dtS} s`, pick(mjS), 'steps/s'));
    console.log(describe(`MuJoCo mj_step(), dt ${dtS / 2} s`, pick(mjHalfS), 'steps/s'));
    console.log(describe('engine overhead ratio (aim <= 1.25)', ratioSeries(pick(rawS), pick(envS), (r, e) => r / (e * decimation)), 'x'));
    console.log(describe(`MuJoCo / Rapier raw, per step at dt ${dtS}`, ratioSeries(pick(mjS), pick(rawS), (m, r) => m / r), 'x'));
    console.log(describe('MuJoCo / env, per 20 ms of simulated time', ratioSeries(pick(mjS), pick(envS), (m, e) => m / (e * decimation)), 'x'));
    console.log(describe(`  same, MuJoCo at dt ${dtS / 2} s`, ratioSeries(pick(mjHalfS), pick(envS), (m, e) => m / 2 / (e * decimation)), 'x'));
  }
  console.log('\n-- inside one env loop (same time window, robust to machine load) --');
  console.log(describe('env time / time in world.step() (aim <= 1.25)', inLoop, 'x'));
  console.log(describe('share of env time spent in reset()', resetShare.map((x) => 100 * x), '%'));
  console.log('');
  console.log(describe('env.step() over 2 worker threads (total, wall)', twoThreadRates, 'ctrl/s'));
  const mjMedian = median(mjS.wall);
  console.log(`${'MuJoCo 1 thread / env 2 threads (wall)'.padEnd(44)} median ${(mjMedian / (median(twoThreadRates) * decimation)).toFixed(2)} x`);
  mujocoSameDt.dispose();
  mujocoHalfDt.dispose();
  env.env.dispose();
  instrumented.env.dispose();
  raw.scene.dispose();
}

void main();
