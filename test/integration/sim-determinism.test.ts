/** Same experiment and seeds give bitwise-identical runs: in one thread, across envs, in a worker. */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { Worker } from 'node:worker_threads';
import { traceRun } from '../support/sim-fixtures';

const bytes = (a: Float64Array): Buffer => Buffer.from(a.buffer, a.byteOffset, a.byteLength);
const EPISODES = [101, 202, 303];
const STEPS = 40;

test('same seeds -> bitwise-identical traces; a different seed -> a different trace', async () => {
  const a = await traceRun('push', 7, EPISODES, STEPS);
  const b = await traceRun('push', 7, EPISODES, STEPS);
  assert.ok(a.length > 3 * 14);
  assert.ok(bytes(a).equals(bytes(b)));
  const c = await traceRun('push', 7, [101, 202, 304], STEPS);
  assert.ok(!bytes(a).equals(bytes(c)));
});

test('an episode does not depend on the episodes before it (snapshot reset)', async () => {
  const alone = await traceRun('push', 7, [303], STEPS);
  const afterOthers = await traceRun('push', 7, [101, 202, 303], STEPS);
  const tail = afterOthers.subarray(afterOthers.length - alone.length);
  assert.ok(bytes(alone).equals(bytes(tail)));
});

test('a worker thread produces the same bits as the main thread', async () => {
  const here = await traceRun('push', 11, EPISODES, STEPS);
  const there = await new Promise<Float64Array>((resolve, reject) => {
    // Node 20 refuses a .ts worker entry even with tsx loaded: register tsx inside the worker.
    const entry = join(__dirname, 'sim-determinism.worker.ts');
    const bootstrap = `require(${JSON.stringify(require.resolve('tsx/cjs/api'))}).register(); require(${JSON.stringify(entry)});`;
    const worker = new Worker(bootstrap, { eval: true, workerData: { task: 'push', seed: 11, episodeSeeds: EPISODES, steps: STEPS } });
    worker.once('message', (trace: Float64Array) => {
      void worker.terminate();
      resolve(trace);
    });
    worker.once('error', reject);
  });
  assert.ok(bytes(here).equals(bytes(there)));
});
