/** One thread of the two-thread env measurement in sim.bench.ts. */
import { parentPort, workerData } from 'node:worker_threads';
import { initRapier } from '../src/engine/sim/rapier';
import { EnvLoop } from './sim-workload';

const { warmupSteps, steps } = workerData as { warmupSteps: number; steps: number };

async function main(): Promise<void> {
  await initRapier();
  const loop = await EnvLoop.create();
  loop.run(warmupSteps);
  parentPort!.on('message', (message: string) => {
    if (message === 'stop') {
      loop.env.dispose();
      parentPort!.close();
      return;
    }
    const seconds = loop.run(steps);
    parentPort!.postMessage({ seconds, steps });
  });
  parentPort!.postMessage('ready');
}
void main();
