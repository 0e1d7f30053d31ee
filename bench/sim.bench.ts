/**
 * Simulation speed on `push`, run with `npx tsx bench/sim.bench.ts [--repeats 7]`:
 *  - env control steps/s with every physics and dynamics parameter randomized (resets included),
 *  - raw `world.step()` steps/s of the same Rapier scene,
 *  - MuJoCo (official WASM build, `mujoco-js`) `mj_step` steps/s on the same scene (mujoco-scene.ts),
 *  - env control steps/s over two worker threads.
 * Everything is warmed up first (the first ~2,000 Rapier steps run 1.5-2x slower) and measured in
 * interleaved rounds, so machine noise hits all of them alike; medians, min-max and ratios printed.
 *
 * Overhead ratio = (seconds per env control step) / (decimation x seconds per raw world.step()):
 * what the engine adds on top of the physics (aim: <= 1.25).
 */
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { initRapier } from '../src/engine/sim/rapier';
import { loadMujocoPushScene, type MujocoPushScene } from './mujoco-scene';
import { EnvLoop, RawLoop } from './sim-workload';

const REPEATS = Number(argValue('--repeats') ?? 7);
const RAW_STEPS = 4000;
const ENV_STEPS = 2000;
const WARMUP_PHYSICS_STEPS = 3000;

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

function mujocoRun(scene: MujocoPushScene, steps: number): number {
  const t0 = performance.now();
  for (let k = 0; k < steps; k++) {
    // targets change every second step, as the env's control period is two physics steps
    if ((k & 1) === 0) scene.setTargets(-1.2 + 0.3 * Math.sin(k * 1e-3), 2.2, 1.2 - 0.3 * Math.sin(k * 1e-3));
    scene.step();
  }
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

async function main(): Promise<void> {
  await initRapier();
  const raw = new RawLoop();
  const env = await EnvLoop.create();
  const decimation = env.env.decimation;
  const mujoco = await loadMujocoPushScene();

  raw.run(WARMUP_PHYSICS_STEPS);
  env.run(WARMUP_PHYSICS_STEPS / decimation);
  mujocoRun(mujoco, WARMUP_PHYSICS_STEPS);

  const rawRates: number[] = [];
  const envRates: number[] = [];
  const mujocoRates: number[] = [];
  const overheads: number[] = [];
  const mujocoOverRaw: number[] = [];
  for (let round = 0; round < REPEATS; round++) {
    const rawRate = RAW_STEPS / raw.run(RAW_STEPS);
    const envRate = ENV_STEPS / env.run(ENV_STEPS);
    const mujocoRate = RAW_STEPS / mujocoRun(mujoco, RAW_STEPS);
    rawRates.push(rawRate);
    envRates.push(envRate);
    mujocoRates.push(mujocoRate);
    overheads.push(rawRate / (envRate * decimation));
    mujocoOverRaw.push(mujocoRate / rawRate);
  }
  const twoThreadRates = await twoThreads(Math.max(3, Math.ceil(REPEATS / 2)));

  const envPhysics = envRates.map((r) => r * decimation);
  console.log(`push scene, physics dt ${raw.scene.world.timestep} s, decimation ${decimation}, ${REPEATS} rounds (${RAW_STEPS} physics / ${ENV_STEPS} control steps each)`);
  console.log(describe('Rapier raw world.step()', rawRates, 'steps/s'));
  console.log(describe('env.step() (full randomization, 1 thread)', envRates, 'ctrl/s'));
  console.log(describe('  = physics steps inside env', envPhysics, 'steps/s'));
  console.log(describe('env.step() over 2 worker threads (total)', twoThreadRates, 'ctrl/s'));
  console.log(describe('MuJoCo mj_step() (mujoco-js, 1 thread)', mujocoRates, 'steps/s'));
  console.log('');
  console.log(describe('engine overhead ratio (aim <= 1.25)', overheads, 'x'));
  console.log(describe('MuJoCo / Rapier raw, per physics step', mujocoOverRaw, 'x'));
  const mujocoMed = median(mujocoRates);
  console.log(`${'MuJoCo / env physics rate, 1 thread'.padEnd(44)} ${(mujocoMed / median(envPhysics)).toFixed(2)} x`);
  console.log(`${'MuJoCo 1 thread / env 2 threads'.padEnd(44)} ${(mujocoMed / (median(twoThreadRates) * decimation)).toFixed(2)} x`);
  mujoco.dispose();
  env.env.dispose();
  raw.scene.dispose();
}

void main();
