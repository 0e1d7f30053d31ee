/** Runs traceRun in a worker thread and posts the trace back (see sim-determinism.test.ts). */
import { parentPort, workerData } from 'node:worker_threads';
import { traceRun } from '../support/sim-fixtures';

const { task, seed, episodeSeeds, steps } = workerData as { task: 'reach' | 'push'; seed: number; episodeSeeds: number[]; steps: number };
void traceRun(task, seed, episodeSeeds, steps).then((trace) => parentPort!.postMessage(trace));
