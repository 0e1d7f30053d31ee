import assert from 'node:assert/strict';
import { test } from 'node:test';
import { HistoryInput } from '../../src/engine/policy/historyInput';
import { MlpPolicy } from '../../src/engine/policy/mlp';
import { historyForInputSize, inputSizeOf, parameterCountOf } from '../../src/engine/policy/policySpec';
import { createStats, mergeStats, normalizationFrom, pushObservation } from '../../src/engine/policy/runningStats';
import { Rng } from '../../src/engine/util/rng';

test('history input: current observation, past observations newest first, then past actions', () => {
  const h = new HistoryInput(2, 1, 2);
  assert.equal(h.input.length, inputSizeOf({ observationSize: 2, actionSize: 1, history: 2 }));
  h.reset([1, 10]);
  assert.deepEqual(Array.from(h.build([1, 10])), [1, 10, 1, 10, 1, 10, 0, 0]);
  h.record([1, 10], [0.5]);
  assert.deepEqual(Array.from(h.build([2, 20])), [2, 20, 1, 10, 1, 10, 0.5, 0]);
  h.record([2, 20], [-0.5]);
  assert.deepEqual(Array.from(h.build([3, 30])), [3, 30, 2, 20, 1, 10, -0.5, 0.5]);
  h.reset([7, 7]);
  assert.deepEqual(Array.from(h.build([7, 7])), [7, 7, 7, 7, 7, 7, 0, 0]);
});

test('input size <-> history length, for loading policies trained elsewhere', () => {
  assert.equal(historyForInputSize(14, 14, 3), 0);
  assert.equal(historyForInputSize(14 + 3 * 17, 14, 3), 3);
  assert.equal(historyForInputSize(15, 14, 3), undefined);
  assert.equal(historyForInputSize(10, 14, 3), undefined);
});

test('a linear policy computes tanh(W (x - mean) / std + b)', () => {
  const spec = { observationSize: 2, actionSize: 1, hidden: [], activation: 'tanh' as const, history: 0 };
  assert.equal(parameterCountOf(spec), 3);
  const policy = new MlpPolicy(spec);
  policy.setParameters(Float64Array.from([0.5, -1, 0.25]));
  policy.setNormalization([1, 2], [2, 4]);
  const out = new Float64Array(1);
  policy.forward([3, 10], out);
  assert.equal(out[0], Math.tanh(0.5 * 1 - 1 * 2 + 0.25));
});

test('a relu hidden layer clips negative pre-activations; normalization leaves action inputs alone', () => {
  const spec = { observationSize: 1, actionSize: 1, hidden: [2], activation: 'relu' as const, history: 1 };
  // input [obs_t, obs_t-1, a_t-1]; W0 2x3, b0 2, W1 1x2, b1 1
  const policy = new MlpPolicy(spec);
  policy.setParameters(Float64Array.from([1, 0, 0, 0, 0, 1, 0, 0, 1, 1, 0]));
  policy.setNormalization([10], [2]);
  const out = new Float64Array(1);
  policy.forward([14, 4, 0.5], out);
  // hidden = relu([(14-10)/2, 0.5]) = [2, 0.5]; obs_t-1 only feeds nothing here
  assert.equal(out[0], Math.tanh(2.5));
  policy.forward([6, 4, -0.5], out);
  assert.equal(out[0], Math.tanh(0)); // relu(-2) = 0, relu(-0.5) = 0
});

test('merged per-rollout statistics equal the statistics of all observations', () => {
  const rng = new Rng(3);
  const all = createStats(2);
  const merged = createStats(2);
  for (let part = 0; part < 5; part++) {
    const partStats = createStats(2);
    for (let i = 0; i < 20 + part * 7; i++) {
      const x = [rng.gaussian(3, 2), rng.uniform(-1, 1)];
      pushObservation(all, x);
      pushObservation(partStats, x);
    }
    mergeStats(merged, partStats);
  }
  assert.equal(merged.count, all.count);
  for (let d = 0; d < 2; d++) {
    assert.ok(Math.abs(merged.mean[d]! - all.mean[d]!) < 1e-12);
    assert.ok(Math.abs(merged.m2[d]! - all.m2[d]!) < 1e-9);
  }
  const norm = normalizationFrom(merged);
  assert.ok(Math.abs(norm.std[0]! - 2) < 0.4);
  // a constant dimension is left unscaled instead of divided by ~0
  const constant = createStats(1);
  pushObservation(constant, [5]);
  pushObservation(constant, [5]);
  assert.equal(normalizationFrom(constant).std[0], 1);
});
