/**
 * Runs batches of rollout tasks on worker threads (or in this thread when workers = 0). Tasks go to
 * whichever worker is free; results come back sorted by task index, so scheduling never changes
 * what the trainer computes. The worker threads live in a rollout host process at the lowest CPU
 * priority (rolloutHost.ts), so training never delays a robot stop or the editor.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Experiment } from '../config/experiment';
import { loadEnvFactory } from '../evaluate/envFactory';
import type { PolicySpec } from '../policy/policySpec';
import { RolloutExecutor } from './rolloutExecutor';
import type { FromHost, ToHost } from './rolloutHost';
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
  try {
    await pool.init({ kind: 'init', experiment, spec, ...(options.envModule ? { envModule: options.envModule } : {}) });
  } catch (error) {
    await pool.close();
    throw error;
  }
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

/**
 * The rollout host process (rolloutHost.ts says why rollouts run in a process of their own). On
 * Linux it is `detached`, i.e. the leader of a new session, so it gets a scheduling group of its own.
 */
function spawnHost(): ChildProcess {
  const entry = workerEntry();
  return fork(entry.file, [], {
    detached: process.platform === 'linux',
    serialization: 'advanced',
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    // from source the host loads worker.ts through tsx; the bundle needs no flags
    execArgv: entry.typescript ? ['--require', require.resolve('tsx/cjs')] : [],
  });
}

class WorkerRunner implements RolloutRunner {
  private readonly host: ChildProcess;
  private readonly started: Promise<void>;
  private onMessage: ((worker: number, message: FromWorker) => void) | undefined;
  private onFailure: ((error: Error) => void) | undefined;
  private closed = false;
  private failure: Error | undefined;
  /** The host's report of its scheduling group (for the engine log). */
  schedulingGroup = '';

  constructor(readonly workers: number) {
    this.host = spawnHost();
    this.started = new Promise<void>((resolve, reject) => {
      const fail = (error: Error): void => {
        this.failure ??= error;
        reject(error);
        this.onFailure?.(error);
      };
      this.host.on('message', (m: FromHost) => {
        if (m.kind === 'started') {
          this.schedulingGroup = m.group;
          resolve();
        } else if (m.kind === 'message') this.onMessage?.(m.worker, m.message);
        else if (!this.closed) fail(new Error(m.message));
      });
      this.host.on('error', (error) => fail(error));
      this.host.on('exit', (code, signal) => {
        if (!this.closed) fail(new Error(`rollout host exited with ${signal ?? `code ${code}`}`));
      });
    });
    // a failure before anyone waits is reported by init()
    this.started.catch(() => undefined);
    this.post({ kind: 'start', workers });
  }

  private post(message: ToHost): void {
    if (this.host.connected) this.host.send(message);
  }

  private postTo(worker: number, message: ToWorker): void {
    this.post({ kind: 'send', worker, message });
  }

  async init(message: ToWorker): Promise<void> {
    await this.started;
    return new Promise<void>((resolve, reject) => {
      let ready = 0;
      this.onFailure = reject;
      this.onMessage = (_worker, reply) => {
        if (reply.kind === 'error') reject(new Error(reply.message));
        else if (reply.kind === 'ready' && ++ready === this.workers) resolve();
      };
      for (let w = 0; w < this.workers; w++) this.postTo(w, message);
    }).finally(() => {
      this.onMessage = undefined;
      this.onFailure = undefined;
    });
  }

  run(tasks: readonly RolloutTask[], signal?: AbortSignal): Promise<RolloutResult[]> {
    if (signal?.aborted) return Promise.reject(abortError());
    if (this.failure) return Promise.reject(this.failure);
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
        const message: ToWorker = { kind: 'rollout', task: { ...tasks[next]!, index: next } };
        next += 1;
        this.postTo(worker, message);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.onFailure = (error) => finish(error);
      this.onMessage = (worker, message) => {
        if (message.kind === 'error') return finish(new Error(message.message));
        if (message.kind !== 'result') return;
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
    if (this.host.exitCode !== null || this.host.signalCode !== null) return;
    // killing the host also stops a worker mid-episode: cancel does not wait for episodes to finish
    const exited = new Promise<void>((resolve) => this.host.once('exit', () => resolve()));
    this.host.kill('SIGKILL');
    await exited;
  }
}
