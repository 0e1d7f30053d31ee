import assert from 'node:assert/strict';
import { test } from 'node:test';
import { wilsonInterval } from '../../src/engine/evaluate/confidence';

const close = (actual: number, expected: number, tolerance = 1e-4): void =>
  assert.ok(Math.abs(actual - expected) < tolerance, `${actual} != ${expected}`);

test('Wilson 95% interval matches published values', () => {
  // reference values (Newcombe 1998, Table I; statsmodels proportion_confint method="wilson")
  const [lo1, hi1] = wilsonInterval(81, 263);
  close(lo1, 0.2553);
  close(hi1, 0.3662);
  const [lo2, hi2] = wilsonInterval(19, 20);
  close(lo2, 0.7639);
  close(hi2, 0.9911);
});

test('Wilson interval at 0 and n successes stays inside [0, 1] and is not degenerate', () => {
  const [lo0, hi0] = wilsonInterval(0, 10);
  assert.equal(lo0, 0);
  close(hi0, 0.2775);
  const [loN, hiN] = wilsonInterval(10, 10);
  close(loN, 0.7225);
  assert.equal(hiN, 1);
  assert.deepEqual(wilsonInterval(0, 0), [0, 1]);
});

test('the interval narrows with more episodes and always contains the observed rate', () => {
  let previousWidth = Infinity;
  for (const n of [10, 100, 1000, 10000]) {
    const successes = Math.round(0.9 * n);
    const [lo, hi] = wilsonInterval(successes, n);
    assert.ok(lo <= successes / n && successes / n <= hi);
    assert.ok(hi - lo < previousWidth);
    previousWidth = hi - lo;
  }
});
