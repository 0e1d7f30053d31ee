import assert from 'node:assert/strict';
import { test } from 'node:test';
import { arsUpdate, perturb, sampleDirections } from '../../src/engine/learn/ars';

const hyper = { directions: 4, topDirections: 4, stepSize: 0.1, explorationNoise: 0.05 };

test('the update is alpha / (b * sigma_R) * sum (r+ - r-) * delta over the b directions with the largest |r+ - r-|', () => {
  const theta = Float64Array.from([1, 2]);
  const deltas = [Float64Array.from([1, 0]), Float64Array.from([0, 1]), Float64Array.from([1, 1])];
  const plus = [3, 1, 5];
  const minus = [1, 2, 5.1];
  // differences 2, -1, -0.1: directions 0 and 1 are kept although direction 2 had the best reward
  const step = arsUpdate(theta, deltas, plus, minus, { ...hyper, topDirections: 2 });
  assert.deepEqual(step.selected, [0, 1]);
  const sigma = Math.sqrt((1 ** 2 + 0.5 ** 2) / 2); // RMS of (r+ - r-) / 2
  assert.equal(step.rewardStd, sigma);
  const scale = 0.1 / (2 * sigma);
  assert.deepEqual(Array.from(step.parameters), [1 + scale * 2, 2 + scale * -1]);
  assert.deepEqual(Array.from(theta), [1, 2], 'input weights are not modified');
});

test('how hard each pair\'s episode was (a constant added to both signs) does not change the step', () => {
  const theta = Float64Array.from([0.3, -0.2, 0.1]);
  const deltas = sampleDirections(9, 0, 6, 3);
  const plus = [1, 0.5, -0.2, 0.3, 0.9, -1];
  const minus = [0.2, 0.7, 0.1, -0.4, 1.0, -0.5];
  const difficulty = [-30, 4, -12, 0, 25, -7];
  const a = arsUpdate(theta, deltas, plus, minus, { ...hyper, topDirections: 3 });
  const b = arsUpdate(theta, deltas, plus.map((r, k) => r + difficulty[k]!), minus.map((r, k) => r + difficulty[k]!), { ...hyper, topDirections: 3 });
  assert.deepEqual(b.selected, a.selected);
  for (let i = 0; i < 3; i++) assert.ok(Math.abs(a.parameters[i]! - b.parameters[i]!) < 1e-12);
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
