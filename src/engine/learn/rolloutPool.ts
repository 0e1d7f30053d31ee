/**
 * Runs batches of rollout tasks on worker threads (or in this thread when workers = 0). Tasks go to
 * whichever worker is free; results come back sorted by task index, so scheduling never changes
 * what the trainer computes.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { Experiment } from '../config/experiment';
import { loadEnvFactory } from './envFactory';
import type { PolicySpec } from './policySpec';
import { RolloutExecutor } from './rolloutExecutor';
import type { FromWorker, RolloutResult, RolloutTask, ToWorker } from './workerProtocol';

export interface RolloutRunner {
  readonly workers: number;
  /** Results in task-index order. Rejects with an AbortError once `signal` aborts. */
  run(tasks: readonly RolloutTask[], signal?: AbortSignal): Promise<RolloutResult[]>;
  close(): Promise<void>;
}

export interface RolloutPoolOptions {
  /** Worker threads; 0 runs rollouts in this thread. */
  readonly workers: number;
  /** A module exporting createEnv (tests); default: the built-in simulator. */
  readonly envModule?: string;
}

export async function startRolloutPool(experiment: Experiment, spec: PolicySpec, options: RolloutPoolOptions): Promise<RolloutRunner> {
  if (options.workers <= 0) {
    const executor = new RolloutExecutor(experiment, spec, await loadEnvFactory(options.envModule));
    return new InlineRunner(executor);
  }
  const pool = new WorkerRunner(options.workers);
  await pool.init({ type: 'init', experiment, spec, ...(options.envModule ? { envModule: options.envModule } : {}) });
  return pool;
}

export function abortError(): Error {
  const error = new Error('training cancelled');
  error.name = 'AbortError';
  return error;
}

class InlineRunner implements RolloutRunner {
  readonly workers = 0;
  constructor(private readonly executor: RolloutExecutor) {}

  async run(tasks: readonly RolloutTask[], signal?: AbortSignal): Promise<RolloutResult[]> {
    const results: RolloutResult[] = [];
    for (const task of tasks) {
      if (signal?.aborted) throw abortError();
      results.push(await this.executor.run(task));
      // let cancel requests and progress writes through between episodes
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    return results;
  }

  async close(): Promise<void> {
    this.executor.dispose();
  }
}

/** Entry file: the bundle ships dist/train-worker.js; from source (tests, tsx) it is worker.ts. */
function workerEntry(): { file: string; typescript: boolean } {
  const source = join(__dirname, 'worker.ts');
  if (__filename.endsWith('.ts') && existsSync(source)) return { file: source, typescript: true };
  return { file: join(__dirname, 'train-worker.js'), typescript: false };
}

function spawnWorker(): Worker {
  const entry = workerEntry();
  if (!entry.typescript) return new Worker(entry.file);
  // Node 20 refuses a .ts worker entry even with tsx loaded; register tsx inside the worker first.
  const tsxApi = 'tsx/cjs/api'; // a variable, so the bundler does not try to resolve a dev-only path
  const bootstrap = `require(${JSON.stringify(require.resolve(tsxApi))}).register(); require(${JSON.stringify(entry.file)});`;
  return new Worker(bootstrap, { eval: true });
}

class WorkerRunner implements RolloutRunner {
  private readonly threads: Worker[] = [];
  private onMessage: ((worker: number, message: FromWorker) => void) | undefined;
  private onFailure: ((error: Error) => void) | undefined;
  private closed = false;

  constructor(readonly workers: number) {
    for (let i = 0; i < workers; i++) {
      const worker = spawnWorker();
      worker.on('message', (message: FromWorker) => this.onMessage?.(i, message));
      worker.on('error', (error) => this.onFailure?.(error));
      worker.on('exit', (code) => {
        if (!this.closed) this.onFailure?.(new Error(`rollout worker exited with code ${code}`));
      });
      this.threads.push(worker);
    }
  }

  init(message: ToWorker): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      let ready = 0;
      this.onFailure = reject;
      this.onMessage = (_worker, reply) => {
        if (reply.type === 'error') reject(new Error(reply.message));
        else if (reply.type === 'ready' && ++ready === this.workers) resolve();
      };
      for (const worker of this.threads) worker.postMessage(message);
    }).finally(() => {
      this.onMessage = undefined;
      this.onFailure = undefined;
    });
  }

  run(tasks: readonly RolloutTask[], signal?: AbortSignal): Promise<RolloutResult[]> {
    if (signal?.aborted) return Promise.reject(abortError());
    return new Promise<RolloutResult[]>((resolve, reject) => {
      const results = new Array<RolloutResult>(tasks.length);
      let next = 0;
      let done = 0;
      let settled = false;
      const finish = (error?: Error): void => {
        if (settled) return;
        settled = true;
        signal?.removeEventListener('abort', onAbort);
        this.onMessage = undefined;
        this.onFailure = undefined;
        if (error) reject(error);
        else resolve(results);
      };
      const onAbort = (): void => finish(abortError());
      const dispatch = (worker: number): void => {
        if (next >= tasks.length) return;
        // the batch position travels with the task, so results land in order whoever runs them
        const message: ToWorker = { type: 'rollout', task: { ...tasks[next]!, index: next } };
        next += 1;
        this.threads[worker]!.postMessage(message);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.onFailure = (error) => finish(error);
      this.onMessage = (worker, message) => {
        if (message.type === 'error') return finish(new Error(message.message));
        if (message.type !== 'result') return;
        results[message.result.index] = message.result;
        if (++done === tasks.length) return finish();
        dispatch(worker);
      };
      if (tasks.length === 0) return finish();
      // two tasks in flight per worker hide the message round trip
      for (let round = 0; round < 2; round++) for (let w = 0; w < this.workers; w++) dispatch(w);
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    // terminate() also stops a worker mid-episode: cancel does not wait for episodes to finish
    await Promise.all(this.threads.map((worker) => worker.terminate()));
  }
}
