import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { train, type TrainingEvent } from '../../src/engine/learn/trainer';
import { RunStore } from '../../src/engine/runs/runStore';
import { reachExperiment } from '../support/learn-experiment';

const envModule = join(__dirname, '../support/learn-pointMassEnv.ts');
const root = mkdtempSync(join(tmpdir(), 'learn-trainer-'));
let runs = 0;
const runDir = (): string => join(root, `run-${runs++}`);

const bytes = (a: Float64Array): Buffer => Buffer.from(a.buffer, a.byteOffset, a.byteLength);

test('ARS learns the point-mass task: evaluated success rises from 0 to the target', async () => {
  const experiment = reachExperiment({ maxEnvSteps: 1_000_000, directions: 16, topDirections: 16, targetSuccess: 0.95, evalEveryIterations: 5, evalEpisodes: 20 });
  const events: TrainingEvent[] = [];
  const result = await train(experiment, { runDir: runDir(), envModule, workers: 0, onEvent: (e) => events.push(e) });
  const sims = events.filter((e) => e.type === 'evaluation' && e.stage === 'sim');
  assert.equal(result.reason, 'target_reached', `last sim evaluations: ${sims.slice(-3).map((e) => e.type === 'evaluation' && e.report.success_rate)}`);
  assert.equal(result.status, 'completed');
  // it stopped on a confirmation over fresh episodes, not on the first crossing alone
  const confirmations = events.filter((e) => e.type === 'evaluation' && e.stage === 'confirmation');
  const last = confirmations.at(-1)!;
  assert.ok(last.type === 'evaluation' && last.report.success_rate >= 0.95);
  const evidence = result.stopEvidence!;
  assert.equal(evidence.iteration, result.iterations);
  assert.ok(evidence.candidate.successRate >= 0.95 && evidence.confirmation.successRate >= 0.95);
  assert.equal(evidence.confirmation.episodes, 20);
  assert.ok(evidence.confirmation.ci95[0] <= evidence.confirmation.successRate && evidence.confirmation.successRate <= evidence.confirmation.ci95[1]);
  for (const c of confirmations.slice(0, -1)) assert.ok(c.type === 'evaluation' && c.report.success_rate < 0.95, 'an unconfirmed crossing does not stop training');
  assert.deepEqual(JSON.parse(readFileSync(join(result.runDir, 'run.json'), 'utf8')).result.stopEvidence, JSON.parse(JSON.stringify(evidence)));
  // the exported ONNX policy, evaluated through onnxruntime-node, also solves it
  assert.ok(result.evaluation!.success_rate >= 0.7, `final ONNX success ${result.evaluation!.success_rate}`);
  const progress = events.filter((e) => e.type === 'progress');
  assert.ok(progress.length >= 5);
  for (const p of progress) {
    assert.ok(p.type === 'progress' && p.stepsPerSecond > 0 && Number.isFinite(p.etaSeconds) && p.episodes === p.iteration * 32);
  }
});

test("stop_rule lower_bound stops only when the fresh episodes' interval clears the target", async () => {
  const experiment = reachExperiment({ maxEnvSteps: 1_000_000, directions: 16, topDirections: 16, targetSuccess: 0.8, evalEveryIterations: 5, evalEpisodes: 40, stopRule: 'lower_bound' });
  const events: TrainingEvent[] = [];
  const result = await train(experiment, { runDir: runDir(), envModule, workers: 0, onEvent: (e) => events.push(e) });
  assert.equal(result.reason, 'target_reached');
  const evidence = result.stopEvidence!;
  assert.ok(evidence.confirmation.ci95[0] >= 0.8, `lower bound ${evidence.confirmation.ci95[0]}`);
  // every earlier confirmation had its lower bound under the target, whatever its point estimate
  const confirmations = events.filter((e) => e.type === 'evaluation' && e.stage === 'confirmation');
  for (const c of confirmations.slice(0, -1)) assert.ok(c.type === 'evaluation' && c.report.success_ci[0] < 0.8);
});

test('same seed gives bit-identical weights in-process, on 1 worker and on 2 workers', async () => {
  const experiment = reachExperiment({ maxEnvSteps: 6_000 });
  const inline = await train(experiment, { runDir: runDir(), envModule, workers: 0 });
  const one = await train(experiment, { runDir: runDir(), envModule, workers: 1 });
  const two = await train(experiment, { runDir: runDir(), envModule, workers: 2 });
  assert.ok(inline.iterations >= 3);
  assert.ok(bytes(inline.parameters).equals(bytes(one.parameters)));
  assert.ok(bytes(inline.parameters).equals(bytes(two.parameters)));
  assert.ok(bytes(inline.normalization.std).equals(bytes(two.normalization.std)));
  assert.ok(readFileSync(join(one.runDir, 'policy.onnx')).equals(readFileSync(join(two.runDir, 'policy.onnx'))));
  // and a different seed gives different weights (the comparison above can fail)
  const other = await train(reachExperiment({ maxEnvSteps: 6_000 }, 8), { runDir: runDir(), envModule, workers: 0 });
  assert.ok(!bytes(inline.parameters).equals(bytes(other.parameters)));
});

test('cancel stops promptly, leaves a readable run, and resume finishes bit-identical to an uninterrupted run', async () => {
  const experiment = reachExperiment({ maxEnvSteps: 12_000, checkpointEveryIterations: 100, evalEveryIterations: 2 });
  const sims: { iteration: number; success: number; ret: number }[] = [];
  const straight = await train(experiment, {
    runDir: runDir(),
    envModule,
    workers: 2,
    onEvent: (e) => {
      if (e.type === 'evaluation' && e.stage === 'sim') sims.push({ iteration: e.iteration, success: e.report.success_rate, ret: e.report.avg_return });
    },
  });
  // the budget ran out: policy.onnx holds the best evaluated weights, not the last
  assert.equal(straight.reason, 'max_env_steps');
  const best = sims.reduce((a, b) => (b.success > a.success || (b.success === a.success && b.ret > a.ret) ? b : a));
  assert.ok(sims.length >= 3);
  assert.equal(straight.exportedIteration, best.iteration);

  const dir = runDir();
  const controller = new AbortController();
  let cancelledAt = 0;
  const cancelled = await train(experiment, {
    runDir: dir,
    envModule,
    workers: 2,
    signal: controller.signal,
    onProgress: (p) => {
      if (p.iteration === 4) {
        cancelledAt = performance.now();
        controller.abort();
      }
    },
  });
  const stopMs = performance.now() - cancelledAt;
  assert.equal(cancelled.status, 'cancelled');
  assert.ok(stopMs < 1000, `stopped ${stopMs.toFixed(0)} ms after cancel`);
  const store = RunStore.open(dir);
  assert.equal(store.record().status, 'cancelled');
  assert.equal(store.latestCheckpoint()!.iteration, cancelled.iterations);
  assert.ok(store.metrics().length > 0);
  assert.ok(!existsSync(join(dir, 'policy.onnx')));

  const resumed = await train(experiment, { runDir: dir, envModule, workers: 1, resume: true });
  assert.equal(resumed.status, 'completed');
  assert.equal(resumed.iterations, straight.iterations);
  assert.equal(resumed.envSteps, straight.envSteps);
  assert.equal(resumed.exportedIteration, straight.exportedIteration);
  assert.ok(readFileSync(join(dir, 'policy.onnx')).equals(readFileSync(join(straight.runDir, 'policy.onnx'))));
  assert.ok(bytes(resumed.parameters).equals(bytes(straight.parameters)));
  assert.equal(RunStore.open(dir).record().status, 'completed');
  // metrics read as one run: one progress line per iteration
  const iterations = store.metrics<{ type: string; iteration: number }>().filter((e) => e.type === 'progress').map((e) => e.iteration);
  assert.deepEqual(iterations, Array.from({ length: straight.iterations }, (_, i) => i + 1));
  assert.deepEqual({ ...JSON.parse(readFileSync(join(dir, 'eval.json'), 'utf8')), policy: '' }, { ...straight.evaluation, policy: '' });
});
