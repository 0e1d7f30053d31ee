/**
 * The rollout host: a child process of the engine whose worker threads run the rollouts, so that
 * training yields the CPU to everything else on the machine, not only to the engine's own threads.
 *
 * On Linux with autogroups the scheduler shares the CPUs between sessions first and only then
 * between a session's threads by nice value, so nice rollout threads inside the engine still made
 * the editor's whole session compete with the robot emulator's. Forked `detached`, the host leads a
 * session (a scheduling group) of its own and lowers it to nice 19; its rollout threads also take
 * SCHED_IDLE (util-linux `chrt`; nice 19 without it), so a waking thread preempts them at once. A
 * process may lower its own priority, never raise it. Elsewhere the per-thread nice applies.
 * The measurements behind this: docs/benchmarks.md, "Training yields the CPU".
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, readlinkSync, writeFileSync } from 'node:fs';
import { setPriority } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { FromWorker, ToWorker } from './workerProtocol';

/** Nice value of rollout threads and of the rollout host's scheduling group (0 = normal, 19 = lowest). */
export const ROLLOUT_NICENESS = 19;

/** Engine -> host. */
export type ToHost = { readonly kind: 'start'; readonly workers: number } | { readonly kind: 'send'; readonly worker: number; readonly message: ToWorker };

/** Host -> engine. */
export type FromHost =
  | { readonly kind: 'started'; readonly group: string }
  | { readonly kind: 'message'; readonly worker: number; readonly message: FromWorker }
  | { readonly kind: 'failed'; readonly worker: number; readonly message: string };

/** A rollout worker thread running `entry` (the bundle, or worker.ts through tsx when run from source). */
export function spawnRolloutThread(entry: string): Worker {
  if (!entry.endsWith('.ts')) return new Worker(entry);
  // Node 20 refuses a .ts worker entry even with tsx loaded; register tsx inside the worker first.
  const tsxApi = 'tsx/cjs/api'; // a variable, so the bundler does not try to resolve a dev-only path
  const bootstrap = `require(${JSON.stringify(require.resolve(tsxApi))}).register(); require(${JSON.stringify(entry)});`;
  return new Worker(bootstrap, { eval: true });
}

/** This process's session id (Linux), from /proc/self/stat; undefined elsewhere. */
function sessionId(): number | undefined {
  try {
    const stat = readFileSync('/proc/self/stat', 'utf8');
    // fields after the command name (which may contain spaces): state ppid pgrp session ...
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[3]);
  } catch {
    return undefined;
  }
}

/**
 * Lower this process's autogroup to ROLLOUT_NICENESS, only when the process leads its own session
 * (otherwise the group is the editor's, and lowering it would slow the editor and the stop path).
 * The kernel rate-limits the write system-wide (EAGAIN within 100 ms of another), so it retries.
 */
async function lowerOwnSchedulingGroup(): Promise<string> {
  if (process.platform !== 'linux') return 'no autogroups on this platform';
  if (sessionId() !== process.pid) return 'not a session leader: autogroup left alone';
  for (let attempt = 0; attempt < 30; attempt++) {
    try {
      writeFileSync('/proc/self/autogroup', String(ROLLOUT_NICENESS));
      return readFileSync('/proc/self/autogroup', 'utf8').trim();
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== 'EAGAIN') return `autogroup unchanged (${code ?? (error as Error).message})`;
      await new Promise((resolve) => setTimeout(resolve, 120));
    }
  }
  return 'autogroup unchanged (busy)';
}

/**
 * SCHED_IDLE for the calling thread (a rollout worker), by its thread id. The host's own relay
 * thread keeps the normal policy at nice 19: an idle-policy thread that wakes never preempts, and
 * the relay passing tasks to the workers should not wait for a timer tick behind one of them.
 */
export function takeIdlePolicy(): string {
  if (process.platform !== 'linux') return `nice ${ROLLOUT_NICENESS}`;
  try {
    // /proc/thread-self -> "<pid>/task/<tid>"
    const tid = readlinkSync('/proc/thread-self').split('/').pop()!;
    execFileSync('chrt', ['--idle', '--pid', '0', tid], { stdio: 'ignore', timeout: 5000 });
    return 'SCHED_IDLE';
  } catch {
    return `nice ${ROLLOUT_NICENESS} (no SCHED_IDLE: chrt unavailable)`;
  }
}

/** This process's thread ids (Linux: each may get its own nice value); elsewhere the process's. */
function threadIds(): number[] {
  try {
    return readdirSync('/proc/self/task').map(Number);
  } catch {
    return [0];
  }
}

/** The host's main loop: start the threads, relay messages both ways, exit with the engine. */
export function runRolloutHost(entry: string): void {
  const send = (message: FromHost): void => void process.send!(message);
  // the relay and the runtime's own threads (V8's GC and compiler helpers) yield as well
  for (const tid of threadIds()) {
    try {
      setPriority(tid, ROLLOUT_NICENESS);
    } catch {
      // a courtesy
    }
  }
  const threads: Worker[] = [];
  process.on('message', (m: ToHost) => {
    if (m.kind === 'start') {
      void lowerOwnSchedulingGroup().then((group) => {
        for (let i = 0; i < m.workers; i++) {
          const thread = spawnRolloutThread(entry);
          thread.on('message', (message: FromWorker) => send({ kind: 'message', worker: i, message }));
          thread.on('error', (error) => send({ kind: 'failed', worker: i, message: error.stack ?? error.message }));
          thread.on('exit', (code) => send({ kind: 'failed', worker: i, message: `rollout worker exited with code ${code}` }));
          threads.push(thread);
        }
        send({ kind: 'started', group });
      });
    } else if (m.kind === 'send') threads[m.worker]?.postMessage(m.message);
  });
  // the engine went away (or closed the pool): nothing to do without it
  process.on('disconnect', () => process.exit(0));
}
