/**
 * Rollout entry (bundled to dist/train-worker.js), in two roles:
 * - in a worker thread: runs rollout episodes sent by the trainer. Each worker initializes its own
 *   physics engine and environments once, then serves tasks.
 * - as the main thread of a forked process: the rollout host (rolloutHost.ts), which starts those
 *   worker threads in a scheduling group of their own and relays their messages.
 */
import { setPriority } from 'node:os';
import { isMainThread, parentPort } from 'node:worker_threads';
import { loadEnvFactory } from '../evaluate/envFactory';
import { ROLLOUT_NICENESS, runRolloutHost, takeIdlePolicy } from './rolloutHost';
import { RolloutExecutor } from './rolloutExecutor';
import type { FromWorker, ToWorker } from './workerProtocol';

function runWorker(port: NonNullable<typeof parentPort>): void {
  // Rollouts yield the CPU to whatever must answer in milliseconds (a robot stop, the editor): on
  // Linux the nice value belongs to the thread, so this lowers only this worker. Raising it back
  // needs privileges, so it is never done; a platform that refuses just keeps the default.
  try {
    setPriority(0, ROLLOUT_NICENESS);
  } catch {
    // not fatal: the priority is a courtesy
  }
  takeIdlePolicy();

  let executor: RolloutExecutor | undefined;
  // Tasks are handled strictly one after another: the env and policy are shared state.
  let queue: Promise<void> = Promise.resolve();

  const send = (message: FromWorker): void => port.postMessage(message);

  port.on('message', (message: ToWorker) => {
    queue = queue.then(async () => {
      try {
        if (message.kind === 'init') {
          const createEnv = await loadEnvFactory(message.envModule);
          executor = new RolloutExecutor(message.experiment, message.spec, createEnv);
          send({ kind: 'ready' });
        } else {
          if (!executor) throw new Error('rollout before init');
          send({ kind: 'result', result: await executor.run(message.task) });
        }
      } catch (error) {
        send({ kind: 'error', message: error instanceof Error ? (error.stack ?? error.message) : String(error) });
      }
    });
  });
}

if (!isMainThread && parentPort) runWorker(parentPort);
else if (process.send) runRolloutHost(__filename);
else throw new Error('learn/worker.ts runs in a worker thread or as the forked rollout host');
