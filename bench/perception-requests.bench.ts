// Why the engine runs perception jobs in a worker thread (src/engine/perception/perceptionWorkerHost.ts):
// the engine's main thread must keep answering (a robot stop, a cancel) while a perception model
// trains. Two ways of running the same small training job (examples/perception.s2r.yaml), same run:
//   worker - the perceptionTrain job, as the engine runs it: the job in a worker, cancelled through the
//            shared flag;
//   inline - trainPerceptionModel called on this thread (the baseline: what the engine would do
//            without the worker), cancelled through its AbortSignal from a timer.
// For each: the main thread's event-loop delay while the job runs (a 5 ms interval's lateness, p50/p99/max)
// and the time from the cancel to the job's end. Usage: npm run bench -- perception-requests [runs]
// (SIM2REAL_BENCH_SMOKE=1: one run of a tiny job each way, cancelled sooner.)
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadExperiment } from '../src/engine/config/load';
import { trainPerceptionModel } from '../src/engine/perception/perceptionModel';
import { perceptionTrain } from '../src/engine/jobs/perceptionTrain';
import { contextOf } from '../test/support/jobs';
import { announceSmoke, smoke } from './smoke';

const RUNS = Number(process.argv[2] ?? smoke(5, 1));
/** The cancel comes this long after the job starts: inside its render and training loops. */
const CANCEL_AFTER_MS = smoke(3000, 1000);
const JOB = smoke({ samples: 400, epochs: 3 }, { samples: 32, epochs: 1 });
const ROOT = join(__dirname, '..');

const dir = mkdtempSync(join(tmpdir(), 'perception-requests-bench-'));
const file = join(dir, 'perception.s2r.yaml');
writeFileSync(file, readFileSync(join(ROOT, 'examples', 'perception.s2r.yaml'), 'utf8'));
const experiment = loadExperiment(file).experiment!;

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const percentile = (xs: number[], p: number): number => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.ceil((p / 100) * xs.length) - 1)] ?? 0;
const PROBE_MS = 5;

interface Sample {
  readonly cancelToEndMs: number;
  readonly loopP50Ms: number;
  readonly loopP99Ms: number;
  readonly loopMaxMs: number;
}

async function measure(run: (signal: AbortSignal) => Promise<unknown>): Promise<Sample> {
  const controller = new AbortController();
  // how late each tick of a 5 ms interval comes: what a message to this thread (a stop) would wait
  const lateness: number[] = [];
  let lastTick = performance.now();
  const probe = setInterval(() => {
    const now = performance.now();
    lateness.push(Math.max(0, now - lastTick - PROBE_MS));
    lastTick = now;
  }, PROBE_MS);
  let cancelledAt = 0;
  const timer = setTimeout(() => {
    cancelledAt = performance.now();
    controller.abort();
  }, CANCEL_AFTER_MS);
  const started = performance.now();
  await run(controller.signal).catch((error: unknown) => {
    if (!controller.signal.aborted) throw error;
  });
  const ended = performance.now();
  clearTimeout(timer);
  // a blocked stretch is recorded by the tick after it: let it come
  await new Promise((resolve) => setTimeout(resolve, 20));
  clearInterval(probe);
  // inline, the timer only fires once the job has given the thread back: the cancel came too late to matter
  const cancelToEndMs = cancelledAt === 0 ? ended - (started + CANCEL_AFTER_MS) : ended - cancelledAt;
  return { cancelToEndMs, loopP50Ms: percentile(lateness, 50), loopP99Ms: percentile(lateness, 99), loopMaxMs: Math.max(...lateness) };
}

function line(name: string, samples: Sample[]): string {
  const spread = (pick: (s: Sample) => number): string => {
    const xs = samples.map(pick);
    return `${median(xs).toFixed(0)} ms (${Math.min(...xs).toFixed(0)}-${Math.max(...xs).toFixed(0)})`;
  };
  return `${name.padEnd(7)} cancel -> end ${spread((s) => s.cancelToEndMs).padEnd(22)} loop delay p50 ${spread((s) => s.loopP50Ms).padEnd(16)} p99 ${spread((s) => s.loopP99Ms).padEnd(20)} max ${spread((s) => s.loopMaxMs)}`;
}

async function main(): Promise<void> {
  announceSmoke(`${RUNS} run(s) of a ${JOB.samples}-image, ${JOB.epochs}-epoch job each way, cancelled ${CANCEL_AFTER_MS} ms in`);
  const quiet = (): void => undefined;
  const worker: Sample[] = [];
  const inline: Sample[] = [];
  for (let i = 0; i < RUNS; i++) {
    worker.push(await measure((signal) => perceptionTrain({ file, runsDir: join(dir, 'runs'), ...JOB }, contextOf(signal, quiet, quiet))));
    inline.push(await measure((signal) => trainPerceptionModel(experiment, join(dir, `inline-${i}`), { ...JOB, signal })));
  }
  process.stdout.write(`perception training job (${JOB.samples} images x ${JOB.epochs} epochs), cancelled ${CANCEL_AFTER_MS} ms in; medians (min-max) of ${RUNS} runs; load average ${loadavg()[0]!.toFixed(1)}\n`);
  process.stdout.write(`${line('worker', worker)}\n${line('inline', inline)}\n`);
  process.stdout.write(`ratio inline / worker: cancel -> end x${(median(inline.map((s) => s.cancelToEndMs)) / median(worker.map((s) => s.cancelToEndMs))).toFixed(0)}, longest loop delay x${(median(inline.map((s) => s.loopMaxMs)) / median(worker.map((s) => s.loopMaxMs))).toFixed(0)}\n`);
}

void main();
