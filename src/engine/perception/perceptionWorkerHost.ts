/**
 * Perception jobs off the engine's main thread: each runs in a worker thread
 * (perceptionWorker.ts) so the engine keeps answering, a robot stop first of all; a job on
 * the robot asks its person through the main thread and takes the engine's stops.
 *
 * Results appear whole or not at all: a job works in a staging folder (a hidden subfolder of the
 * run, holding copies of perception.json and the model it reads) and its files are renamed into
 * the run only when it finishes; a new run's folder is renamed into place with its run.json. A
 * cancelled or failed job leaves the run as it was.
 */
import { copyFileSync, existsSync, mkdtempSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { Experiment } from '../config/experiment';
import type { Attendant } from '../robot/motionAuthority';
import { registerOpenLink } from '../robot/openLinks';
import { newRunId } from '../runs/runStore';
import { PERCEPTION_REPORT_FILE } from './perceptionReport';
import type { PerceptionWorkerControl, PerceptionWorkerData, PerceptionWorkerJob, PerceptionWorkerMessage } from './perceptionWorkerMessages';

export type PerceptionProgressSink = (progress: { fraction?: number; message: string }) => void;
export type PerceptionLogSink = (line: string) => void;

/** After a cancel, the loops stop within a batch; a worker still running after this is terminated. */
const CANCEL_GRACE_MS = 10_000;

/** Run folders a perception job is working on: two jobs merging into one perception.json would lose one's part. */
const busyRuns = new Set<string>();

export type WorkerOutcome<T> = { status: 'completed'; result: T } | { status: 'cancelled' };

/** The bundled worker next to the engine, or (from source, under tsx) the TypeScript file through tsx's require hook. */
function workerEntry(): { file?: string; source?: string } {
  const bundled = join(__dirname, 'perception-worker.js');
  if (existsSync(bundled)) return { file: bundled };
  const source = join(__dirname, 'perceptionWorker.ts');
  if (existsSync(source)) {
    const tsx = require.resolve('tsx/cjs');
    return { source: `require(${JSON.stringify(tsx)}); require(${JSON.stringify(source)});` };
  }
  throw new Error(`perception worker not found next to ${__dirname} (the build needs an entry 'perception-worker': 'src/engine/perception/perceptionWorker.ts')`);
}

/**
 * Runs one job in a worker thread; a cancel sets the shared flag, then terminates a worker that
 * lingers. A job on the robot asks its questions through `person` and takes the engine's stops.
 */
export async function runInWorker<T>(experiment: Experiment, job: PerceptionWorkerJob, signal: AbortSignal, onProgress: PerceptionProgressSink, log: PerceptionLogSink, person?: Attendant): Promise<WorkerOutcome<T>> {
  if (signal.aborted) return { status: 'cancelled' };
  const cancelFlag = new SharedArrayBuffer(4);
  const data: PerceptionWorkerData = { experiment, job, cancelFlag };
  const entry = workerEntry();
  const worker = entry.source ? new Worker(entry.source, { eval: true, workerData: data }) : new Worker(entry.file!, { workerData: data });
  const control = (message: PerceptionWorkerControl): void => worker.postMessage(message);
  // the engine's robotStop reaches the robot link the worker holds
  const forgetLink = job.kind === 'train' ? () => undefined : registerOpenLink((message) => control({ kind: 'stop', message }));
  let killTimer: NodeJS.Timeout | undefined;
  const onAbort = (): void => {
    Atomics.store(new Int32Array(cancelFlag), 0, 1);
    worker.postMessage('cancel');
    killTimer = setTimeout(() => void worker.terminate(), CANCEL_GRACE_MS);
  };
  signal.addEventListener('abort', onAbort, { once: true });
  try {
    return await new Promise<WorkerOutcome<T>>((resolvePromise, reject) => {
      worker.on('message', (message: PerceptionWorkerMessage) => {
        if (message.kind === 'progress') onProgress({ fraction: message.fraction, message: message.message });
        else if (message.kind === 'log') log(message.line);
        else if (message.kind === 'ask') {
          const answer = person ? person[message.question](message.prompt as never) : Promise.resolve(false);
          void answer.then(
            (yes) => control({ kind: 'answer', id: message.id, yes }),
            () => control({ kind: 'answer', id: message.id, yes: false }),
          );
        }
        else if (message.kind === 'done') resolvePromise({ status: 'completed', result: message.result as T });
        else if (message.cancelled || signal.aborted) resolvePromise({ status: 'cancelled' });
        else reject(Object.assign(new Error(message.message), { robot: message.robot }));
      });
      worker.once('error', (error) => (signal.aborted ? resolvePromise({ status: 'cancelled' }) : reject(error)));
      worker.once('exit', (code) => (signal.aborted ? resolvePromise({ status: 'cancelled' }) : reject(new Error(`the perception worker exited (code ${code}) before it finished`))));
    });
  } finally {
    forgetLink();
    signal.removeEventListener('abort', onAbort);
    clearTimeout(killTimer);
    await worker.terminate();
  }
}

/** Claims the run folder for one job; the returned function releases it. */
export function claim(runDir: string): () => void {
  const key = resolve(runDir);
  if (busyRuns.has(key)) throw new Error(`A perception job is already running on ${runDir}; wait for it or cancel it.`);
  busyRuns.add(key);
  return () => busyRuns.delete(key);
}

/** A staging folder inside the run, with copies of the files the job reads (perception.json is merged into). */
export function stage(runDir: string, inputs: readonly string[]): string {
  // the run is claimed: any staging folder in it is one a killed engine never got to remove
  for (const entry of readdirSync(runDir, { withFileTypes: true })) {
    if (entry.isDirectory() && entry.name.startsWith('.perception-')) rmSync(join(runDir, entry.name), { recursive: true, force: true });
  }
  const staging = mkdtempSync(join(runDir, '.perception-'));
  for (const file of [PERCEPTION_REPORT_FILE, ...inputs]) {
    if (existsSync(join(runDir, file))) copyFileSync(join(runDir, file), join(staging, file));
  }
  return staging;
}

/** Moves the job's outputs into the run, perception.json last so the report never names a missing model. */
export function publish(staging: string, runDir: string, outputs: readonly string[]): void {
  for (const file of [...outputs, PERCEPTION_REPORT_FILE]) {
    if (existsSync(join(staging, file))) renameSync(join(staging, file), join(runDir, file));
  }
}

export function requireRunDir(runDir: string): void {
  if (!existsSync(join(runDir, 'run.json'))) throw new Error(`${runDir} is not a run folder (no run.json).`);
}

/** A new run's folder name: the run-id style of training runs, marked as a perception run. */
export function freeRunDir(experimentDir: string, seed: number): string {
  const id = `${newRunId(seed)}-perception`;
  let dir = join(experimentDir, id);
  for (let n = 2; existsSync(dir); n++) dir = join(experimentDir, `${id}-${n}`);
  return dir;
}
