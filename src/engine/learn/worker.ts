/**
 * Worker-thread entry (bundled to dist/train-worker.js): runs rollout episodes sent by the trainer.
 * Each worker initializes its own physics engine and environments once, then serves tasks.
 */
import { setPriority } from 'node:os';
import { parentPort } from 'node:worker_threads';
import { loadEnvFactory } from './envFactory';
import { RolloutExecutor } from './rolloutExecutor';
import type { FromWorker, ToWorker } from './workerProtocol';

const port = parentPort;
if (!port) throw new Error('learn/worker.ts must run in a worker thread');

/** Nice value of rollout threads (0 = normal, 19 = lowest). */
const ROLLOUT_NICENESS = 10;

// Rollouts yield the CPU to whatever must answer in milliseconds (a robot stop, the editor): on
// Linux the nice value belongs to the thread, so this lowers only this worker. Raising it back
// needs privileges, so it is never done; a platform that refuses just keeps the default.
try {
  setPriority(0, ROLLOUT_NICENESS);
} catch {
  // not fatal: the priority is a courtesy
}

let executor: RolloutExecutor | undefined;
// Tasks are handled strictly one after another: the env and policy are shared state.
let queue: Promise<void> = Promise.resolve();

const send = (message: FromWorker): void => port.postMessage(message);

port.on('message', (message: ToWorker) => {
  queue = queue.then(async () => {
    try {
      if (message.type === 'init') {
        const createEnv = await loadEnvFactory(message.envModule);
        executor = new RolloutExecutor(message.experiment, message.spec, createEnv);
        send({ type: 'ready' });
      } else {
        if (!executor) throw new Error('rollout before init');
        send({ type: 'result', result: await executor.run(message.task) });
      }
    } catch (error) {
      send({ type: 'error', message: error instanceof Error ? (error.stack ?? error.message) : String(error) });
    }
  });
});
