import assert from 'node:assert/strict';
import { test } from 'node:test';
import { arsUpdate, perturb, sampleDirections } from '../../src/engine/learn/ars';

const hyper = { directions: 4, topDirections: 4, stepSize: 0.1, explorationNoise: 0.05 };

test('the update is alpha / (b * sigma_R) * sum (r+ - r-) * delta over the top-b directions', () => {
  const theta = Float64Array.from([1, 2]);
  const deltas = [Float64Array.from([1, 0]), Float64Array.from([0, 1]), Float64Array.from([1, 1])];
  const plus = [3, 1, 0];
  const minus = [1, 2, 0];
  // top 2 by max(r+, r-): direction 0 (3), direction 1 (2)
  const step = arsUpdate(theta, deltas, plus, minus, { ...hyper, topDirections: 2 });
  assert.deepEqual(step.selected, [0, 1]);
  const used = [3, 1, 1, 2];
  const mean = used.reduce((a, b) => a + b) / 4;
  const sigma = Math.sqrt(used.reduce((a, r) => a + (r - mean) ** 2, 0) / 4);
  assert.equal(step.rewardStd, sigma);
  const scale = 0.1 / (2 * sigma);
  assert.deepEqual(Array.from(step.parameters), [1 + scale * 2, 2 + scale * -1]);
  assert.deepEqual(Array.from(theta), [1, 2], 'input weights are not modified');
});

test('equal rewards carry no information and leave the weights unchanged', () => {
  const theta = Float64Array.from([0.5, -0.5]);
  const step = arsUpdate(theta, [Float64Array.from([1, 1])], [2], [2], hyper);
  assert.deepEqual(Array.from(step.parameters), [0.5, -0.5]);
});

test('ARS climbs a noisy quadratic: weights approach the optimum', () => {
  const optimum = Float64Array.from([0.8, -0.3, 0.5, 0.1, -0.6]);
  let theta = new Float64Array(5);
  const reward = (w: Float64Array): number => -w.reduce((a, x, i) => a + (x - optimum[i]!) ** 2, 0);
  const h = { directions: 8, topDirections: 4, stepSize: 0.05, explorationNoise: 0.05 };
  const start = reward(theta);
  for (let it = 0; it < 300; it++) {
    const deltas = sampleDirections(42, it, h.directions, theta.length);
    const plus = deltas.map((d) => reward(perturb(theta, d, h.explorationNoise, 1)));
    const minus = deltas.map((d) => reward(perturb(theta, d, h.explorationNoise, -1)));
    theta = arsUpdate(theta, deltas, plus, minus, h).parameters as Float64Array<ArrayBuffer>;
  }
  assert.ok(reward(theta) > start / 100, `reward went from ${start} to ${reward(theta)}`);
});

test('directions depend only on (seed, iteration, direction)', () => {
  const a = sampleDirections(1, 5, 3, 10);
  const b = sampleDirections(1, 5, 4, 10);
  for (let k = 0; k < 3; k++) assert.deepEqual(a[k], b[k]);
  assert.notDeepEqual(sampleDirections(1, 6, 1, 10)[0], a[0]);
  assert.notDeepEqual(sampleDirections(2, 5, 1, 10)[0], a[0]);
});
