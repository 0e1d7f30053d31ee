/**
 * Wall time to the target success rate on `push` under randomization (examples/push.s2r.yaml), on
 * worker threads. Baseline measured in the same run: the simulator's own speed on one thread with
 * random actions, so the report shows how close training throughput gets to raw physics x workers.
 * Run: npx tsx bench/train.bench.ts [runs=1] [workers=2] [seed=7] [max-steps=3000000]
 * (each run takes minutes; a run that has not reached the target by max-steps is reported as such)
 * SIM2REAL_BENCH_SMOKE=1: the same trainer, worker pool, periodic and final evaluations, on a budget
 * of a few short iterations (2 directions, 50-step episodes, 2 evaluation episodes).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadExperiment } from '../src/engine/config/load';
import { train } from '../src/engine/learn/trainer';
import { createEnv } from '../src/engine/sim/simEnv';
import { Rng } from '../src/engine/util/rng';
import type { Experiment } from '../src/engine/config/experiment';
import { announceSmoke, smoke } from './smoke';

const args = Object.fromEntries(process.argv.slice(2).map((a) => a.split('=') as [string, string]));
const RUNS = Number(args.runs ?? 1);
const WORKERS = Number(args.workers ?? 2);
const FIRST_SEED = Number(args.seed ?? 7);
const MAX_STEPS = Number(args['max-steps'] ?? smoke(3_000_000, 400));
/** Raw-simulator baseline: warm-up steps, then three timed runs of this many steps. */
const RAW_WARMUP_STEPS = smoke(3000, 100);
const RAW_STEPS = smoke(10_000, 500);
/** Smoke mode only: the experiment cut down to a few short iterations, each followed by an evaluation. */
const shrink = (experiment: Experiment): Experiment =>
  smoke(experiment, {
    ...experiment,
    training: { ...experiment.training, directions: 2, topDirections: 2, evalEveryIterations: 1, evalEpisodes: 2 },
    evaluation: { ...experiment.evaluation, episodes: 2, maxSteps: 50 },
  });

async function rawSimStepsPerSecond(file: string): Promise<number> {
  const experiment = loadExperiment(file).experiment!;
  const env = await createEnv(experiment, { randomize: true });
  const rng = new Rng(1);
  const action = new Float64Array(env.actionSize);
  const run = (steps: number): number => {
    const t0 = performance.now();
    let episode = 0;
    env.reset(episode);
    for (let i = 0; i < steps; i++) {
      for (let a = 0; a < action.length; a++) action[a] = rng.uniform(-1, 1);
      if (env.step(action).done) env.reset(++episode);
    }
    return steps / ((performance.now() - t0) / 1000);
  };
  run(RAW_WARMUP_STEPS); // wasm warm-up
  const rates = [run(RAW_STEPS), run(RAW_STEPS), run(RAW_STEPS)].sort((a, b) => a - b);
  env.dispose();
  return rates[1]!;
}

async function main(): Promise<void> {
  const file = join(__dirname, '..', 'examples', 'push.s2r.yaml');
  const loaded = loadExperiment(file);
  if (!loaded.experiment) throw new Error(`${file} does not validate`);
  console.log(`node ${process.version}, ${new Date().toISOString()}, ${WORKERS} workers, ${RUNS} run(s)`);
  announceSmoke(`${MAX_STEPS} env steps of a cut-down experiment, ${RAW_STEPS}-step baseline runs`);
  const raw = await rawSimStepsPerSecond(file);
  console.log(`baseline: raw simulator, 1 thread, random actions: ${raw.toFixed(0)} control steps/s`);

  const times: number[] = [];
  for (let r = 0; r < RUNS; r++) {
    const seed = FIRST_SEED + r;
    const experiment = shrink({ ...loaded.experiment, seed, training: { ...loaded.experiment.training, workers: WORKERS, maxEnvSteps: MAX_STEPS } });
    const runDir = join(mkdtempSync(join(tmpdir(), 'bench-train-')), 'run');
    let lastSim = 0;
    let best = { success: 0, seconds: 0, steps: 0 };
    const result = await train(experiment, {
      runDir,
      onEvent: (e) => {
        if (e.type !== 'evaluation' || e.stage !== 'sim') return;
        lastSim = e.report.success_rate;
        if (lastSim > best.success) best = { success: lastSim, seconds: e.elapsedSeconds, steps: e.envSteps };
      },
    });
    const sps = result.envSteps / result.elapsedSeconds;
    const final = result.evaluation;
    console.log(
      `run ${r + 1} (seed ${seed}): ${result.reason} after ${result.elapsedSeconds.toFixed(0)} s, ${result.iterations} iterations, ${result.envSteps} env steps, ` +
        `${sps.toFixed(0)} steps/s (${(sps / raw).toFixed(2)}x raw 1-thread sim), last sim eval ${(100 * lastSim).toFixed(0)}%, ` +
        `best ${(100 * best.success).toFixed(0)}% at ${best.seconds.toFixed(0)} s / ${best.steps} steps, ` +
        `policy.onnx ${final ? `${(100 * final.success_rate).toFixed(0)}% [${(100 * final.success_ci[0]).toFixed(0)}, ${(100 * final.success_ci[1]).toFixed(0)}]` : '-'}`,
    );
    if (result.reason === 'target_reached') times.push(result.elapsedSeconds);
  }
  if (times.length > 0) {
    const sorted = [...times].sort((a, b) => a - b);
    const median = sorted[Math.floor((sorted.length - 1) / 2)]!;
    console.log(`time to target: median ${median.toFixed(0)} s, spread ${sorted[0]!.toFixed(0)}-${sorted[sorted.length - 1]!.toFixed(0)} s over ${times.length}/${RUNS} runs; ratio to the 300 s aim ${(median / 300).toFixed(2)}`);
  } else {
    console.log(`no run reached the target within its env-step budget`);
  }
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
