/**
 * DANN's pieces: the reversal weight schedule, and a run on two domains that differ only in look
 * (bright vs dark images of the same positions): with the reversal off (maxLambda 0) the
 * discriminator learns to tell them apart, while the task loss still falls.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { adaptPuckNet, reversalWeight, taskLoss } from '../../src/engine/perception/dann';
import { PuckNet } from '../../src/engine/perception/puckNet';
import type { LabelledImage } from '../../src/engine/perception/samples';
import { Rng } from '../../src/engine/util/rng';
import type { RgbImage } from '../../src/engine/vision/types';

function blobImage(u: number, v: number, background: number): RgbImage {
  const data = new Uint8Array(64 * 64 * 3).fill(background);
  for (let i = 0; i < 64; i++) for (let j = 0; j < 64; j++) if ((i - v) ** 2 + (j - u) ** 2 <= 9) { data[3 * (i * 64 + j)] = 230; data[3 * (i * 64 + j) + 1] = 30; data[3 * (i * 64 + j) + 2] = 20; }
  return { width: 64, height: 64, data };
}

test('reversal weight rises from 0 to its maximum (Ganin et al. schedule)', () => {
  assert.equal(reversalWeight(0, 0.5), 0);
  assert.ok(Math.abs(reversalWeight(1, 0.5) - 0.5 * (2 / (1 + Math.exp(-10)) - 1)) < 1e-12);
  assert.ok(reversalWeight(0.2, 1) > reversalWeight(0.1, 1));
});

test('DANN: the discriminator separates two looks when nothing reverses its gradient, and the task loss still falls', () => {
  const rng = new Rng(5);
  const frame = { centre: [0, 0] as const, halfExtent: [1, 1] as const };
  const sim: LabelledImage[] = [];
  const real: RgbImage[] = [];
  for (let n = 0; n < 24; n++) {
    const u = rng.uniform(8, 56);
    const v = rng.uniform(8, 56);
    sim.push({ image: blobImage(u, v, 200), x: (u - 32) / 32, y: (v - 32) / 32 });
    real.push(blobImage(rng.uniform(8, 56), rng.uniform(8, 56), 40));
  }
  const net = new PuckNet({ hiddenChannels: 4, keypoints: 4, keypointKernel: 1 }, frame, () => rng.next());
  const losses: number[] = [];
  const result = adaptPuckNet(net, sim, real, {
    steps: 60,
    batchSize: 4,
    learningRate: 1e-2,
    networkLearningRate: 1e-2,
    maxLambda: 0,
    rng,
    onProgress: (_step, task) => losses.push(task),
  });
  assert.ok(result.finalDiscriminatorAccuracy > 0.8, `discriminator accuracy ${result.finalDiscriminatorAccuracy}`);
  assert.ok(result.finalTaskLoss < losses[0]!, `task loss ${losses[0]} -> ${result.finalTaskLoss}`);
});

test('DANN stops on the sim validation loss (no real labels) and keeps the last weights within bounds', () => {
  const rng = new Rng(6);
  const frame = { centre: [0, 0] as const, halfExtent: [1, 1] as const };
  const labelled = (background: number): LabelledImage => {
    const u = rng.uniform(8, 56);
    const v = rng.uniform(8, 56);
    return { image: blobImage(u, v, background), x: (u - 32) / 32, y: (v - 32) / 32 };
  };
  const sim = Array.from({ length: 24 }, () => labelled(200));
  const validation = Array.from({ length: 16 }, () => labelled(200));
  const real = Array.from({ length: 24 }, () => labelled(40).image);
  const net = new PuckNet({ hiddenChannels: 4, keypoints: 4, keypointKernel: 1 }, frame, () => rng.next());
  // a reversal weight of 30 at a large step size wrecks the features within a few steps
  const result = adaptPuckNet(net, sim, real, { steps: 200, batchSize: 4, learningRate: 5e-2, networkLearningRate: 5e-2, maxLambda: 30, simValidation: validation, checkEvery: 5, maxTaskLossGrowth: 1.2, rng });
  assert.match(result.stoppedEarly ?? '', /sim validation loss .* above 1.2 x/);
  assert.ok(result.steps < 200 && result.keptStep < result.steps, `ran ${result.steps}, kept ${result.keptStep}`);
  const keptLoss = taskLoss(net, validation);
  assert.ok(Math.abs(keptLoss - result.validationLossKept) < 1e-6, `the net holds the kept weights: ${keptLoss} vs ${result.validationLossKept}`);
  assert.ok(keptLoss <= 1.2 * result.validationLossBefore);
});
