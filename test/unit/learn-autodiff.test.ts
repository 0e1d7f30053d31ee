/**
 * Finite-difference gradient checks of every op of the perception model's autodiff: each analytic
 * gradient (from Tape.backward) is compared with a central difference of the loss, for every input
 * and parameter entry, in float64 arithmetic over float32 storage.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  AdamOptimizer,
  binaryCrossEntropyWithLogits,
  conv2d,
  flatten,
  gradientReversal,
  linear,
  mse,
  relu,
  weightedSum,
  spatialSoftmax,
  Tape,
  Tensor,
} from '../../src/engine/learn/autodiff';
import { Rng } from '../../src/engine/util/rng';

function randomTensor(rng: Rng, shape: number[], scale = 1, requiresGrad = true): Tensor {
  const t = Tensor.zeros(shape, requiresGrad);
  for (let i = 0; i < t.size; i++) t.data[i] = rng.gaussian(0, scale);
  return t;
}

/**
 * Largest relative error between analytic and numeric gradients over every entry of `inputs`.
 * `lossOf(tape)` must rebuild the whole graph from the inputs' current data.
 */
function worstGradientError(inputs: Tensor[], lossOf: (tape: Tape | undefined) => Tensor, eps = 1e-2): number {
  const tape = new Tape();
  for (const t of inputs) t.grad = undefined;
  tape.backward(lossOf(tape));
  let worst = 0;
  for (const t of inputs) {
    const analytic = t.grad ?? new Float32Array(t.size);
    for (let i = 0; i < t.size; i++) {
      const saved = t.data[i]!;
      t.data[i] = saved + eps;
      const plus = lossOf(undefined).data[0]!;
      t.data[i] = saved - eps;
      const minus = lossOf(undefined).data[0]!;
      t.data[i] = saved;
      const numeric = (plus - minus) / (2 * eps);
      const error = Math.abs(numeric - analytic[i]!) / Math.max(1e-2, Math.abs(numeric) + Math.abs(analytic[i]!));
      worst = Math.max(worst, error);
    }
  }
  return worst;
}

/** A loss that weights every output differently, so a gradient sent to the wrong element shows. */
function projectedLoss(tape: Tape | undefined, out: Tensor, projection: Tensor): Tensor {
  return mse(tape, out, projection);
}

const TOLERANCE = 2e-3;

test('conv2d gradients (stride 1 and 2, padding 0 and 1) match finite differences', (t) => {
  const rng = new Rng(1);
  // 3 output channels take the one-row kernels, 5 the four-row block plus one leftover row
  for (const [stride, padding, outChannels] of [[1, 0, 3], [1, 1, 5], [2, 1, 3], [2, 2, 5], [1, 1, 4]] as const) {
    const x = randomTensor(rng, [2, 2, 6, 5]);
    const w = randomTensor(rng, [outChannels, 2, 3, 3], 0.5);
    const b = randomTensor(rng, [outChannels], 0.5);
    const out = conv2d(undefined, x, w, b, { stride, padding });
    const target = randomTensor(rng, [...out.shape], 1, false);
    // the loss is quadratic in every entry, so a large step is exact and keeps float32 rounding small
    const error = worstGradientError([x, w, b], (tape) => projectedLoss(tape, conv2d(tape, x, w, b, { stride, padding }), target), 0.1);
    t.diagnostic(`conv2d stride ${stride} padding ${padding}: worst relative error ${error.toExponential(2)}`);
    assert.ok(error < TOLERANCE, `stride ${stride} padding ${padding}: worst relative error ${error}`);
  }
});

test('conv2d forward equals a direct sum at a hand-picked pixel', () => {
  const rng = new Rng(2);
  const x = randomTensor(rng, [1, 2, 5, 5], 1, false);
  const w = randomTensor(rng, [1, 2, 3, 3], 1, false);
  const b = new Tensor(Float32Array.of(0.25), [1]);
  const out = conv2d(undefined, x, w, b, { stride: 2, padding: 1 });
  assert.deepEqual(out.shape, [1, 1, 3, 3]);
  // output (1, 2) reads input rows 1..3, columns 3..5 (column 5 is padding)
  let expected = 0.25;
  for (let c = 0; c < 2; c++)
    for (let ki = 0; ki < 3; ki++)
      for (let kj = 0; kj < 3; kj++) {
        const i = 2 * 1 - 1 + ki;
        const j = 2 * 2 - 1 + kj;
        if (j < 5) expected += w.data[(c * 3 + ki) * 3 + kj]! * x.data[(c * 5 + i) * 5 + j]!;
      }
  assert.ok(Math.abs(out.data[1 * 3 + 2]! - expected) < 1e-5);
});

test('relu and flatten gradients match finite differences', () => {
  const rng = new Rng(3);
  const x = randomTensor(rng, [2, 3, 2, 2]);
  // keep every entry away from the kink, where a finite difference straddles it
  for (let i = 0; i < x.size; i++) if (Math.abs(x.data[i]!) < 0.05) x.data[i] = 0.3;
  const target = randomTensor(rng, [2, 12], 1, false);
  const error = worstGradientError([x], (tape) => projectedLoss(tape, flatten(tape, relu(tape, x)), target), 1e-3);
  assert.ok(error < TOLERANCE, `worst relative error ${error}`);
});

test('linear gradients match finite differences', () => {
  const rng = new Rng(4);
  const x = randomTensor(rng, [3, 5]);
  const w = randomTensor(rng, [4, 5], 0.5);
  const b = randomTensor(rng, [4], 0.5);
  const target = randomTensor(rng, [3, 4], 1, false);
  const error = worstGradientError([x, w, b], (tape) => projectedLoss(tape, linear(tape, x, w, b), target), 0.1);
  assert.ok(error < TOLERANCE, `worst relative error ${error}`);
});

test('spatial softmax gradients match finite differences; outputs are expected pixel-centre positions', () => {
  const rng = new Rng(5);
  const x = randomTensor(rng, [2, 3, 4, 5], 2);
  const target = randomTensor(rng, [2, 6], 0.5, false);
  const error = worstGradientError([x], (tape) => projectedLoss(tape, spatialSoftmax(tape, x), target));
  assert.ok(error < TOLERANCE, `worst relative error ${error}`);
  // a single sharp peak at row 1, column 3 of a 4x5 map sits at x = -1 + 2*3.5/5, y = -1 + 2*1.5/4
  const peak = Tensor.zeros([1, 1, 4, 5]);
  peak.data[1 * 5 + 3] = 50;
  const keypoint = spatialSoftmax(undefined, peak);
  assert.ok(Math.abs(keypoint.data[0]! - (-1 + 7 / 5)) < 1e-4);
  assert.ok(Math.abs(keypoint.data[1]! - (-1 + 3 / 4)) < 1e-4);
});

test('mse and binary cross-entropy with logits: values and gradients', () => {
  const rng = new Rng(6);
  const p = randomTensor(rng, [4, 2]);
  const t = randomTensor(rng, [4, 2], 1, false);
  assert.ok(worstGradientError([p], (tape) => mse(tape, p, t)) < TOLERANCE);
  const logits = randomTensor(rng, [6, 1], 3);
  const labels = new Tensor(Float32Array.of(0, 1, 1, 0, 1, 0), [6, 1]);
  assert.ok(worstGradientError([logits], (tape) => binaryCrossEntropyWithLogits(tape, logits, labels)) < TOLERANCE);
  // large logits must not overflow: log(1 + e^-100) ~ 0 and 100 for the wrong label
  const extreme = binaryCrossEntropyWithLogits(undefined, new Tensor(Float32Array.of(100, -100), [2]), new Tensor(Float32Array.of(1, 1), [2]));
  assert.ok(Math.abs(extreme.data[0]! - 50) < 1e-4);
});

test('weightedSum of two losses: gradients match finite differences', () => {
  const rng = new Rng(9);
  const p = randomTensor(rng, [3, 2]);
  const t = randomTensor(rng, [3, 2], 1, false);
  const logits = randomTensor(rng, [4, 1]);
  const labels = new Tensor(Float32Array.of(1, 0, 0, 1), [4, 1]);
  const error = worstGradientError([p, logits], (tape) => weightedSum(tape, [[mse(tape, p, t), 0.7], [binaryCrossEntropyWithLogits(tape, logits, labels), -1.3]]));
  assert.ok(error < TOLERANCE, `worst relative error ${error}`);
});

test('gradient reversal: identity forward, -lambda times the gradient backward', () => {
  const rng = new Rng(7);
  const x = randomTensor(rng, [3, 4]);
  const w = randomTensor(rng, [2, 4], 0.5);
  const b = randomTensor(rng, [2], 0.5);
  const target = randomTensor(rng, [3, 2], 1, false);
  const reversed = gradientReversal(undefined, x, 0.7);
  assert.deepEqual(Array.from(reversed.data), Array.from(x.data));
  const tape = new Tape();
  tape.backward(mse(tape, linear(tape, gradientReversal(tape, x, 0.7), w, b), target));
  const reversedGrad = Float32Array.from(x.grad!);
  x.grad = undefined;
  const plain = new Tape();
  plain.backward(mse(plain, linear(plain, x, w, b), target));
  for (let i = 0; i < x.size; i++) assert.ok(Math.abs(reversedGrad[i]! + 0.7 * x.grad![i]!) < 1e-6);
});

test('a whole keypoint network (conv, relu, spatial softmax, linear) checks end to end, and Adam fits it', () => {
  const rng = new Rng(8);
  const x = randomTensor(rng, [2, 3, 8, 8], 1, false);
  const w1 = randomTensor(rng, [4, 3, 3, 3], 0.4);
  const b1 = randomTensor(rng, [4], 0.1);
  const w2 = randomTensor(rng, [2, 4, 3, 3], 0.4);
  const b2 = randomTensor(rng, [2], 0.1);
  const w3 = randomTensor(rng, [2, 4], 0.5);
  const b3 = randomTensor(rng, [2], 0.1);
  const target = new Tensor(Float32Array.of(0.3, -0.2, -0.5, 0.4), [2, 2]);
  const lossOf = (tape: Tape | undefined): Tensor => {
    const h = relu(tape, conv2d(tape, x, w1, b1, { stride: 2, padding: 1 }));
    const k = spatialSoftmax(tape, conv2d(tape, h, w2, b2, { padding: 1 }));
    return mse(tape, linear(tape, k, w3, b3), target);
  };
  const params = [w1, b1, w2, b2, w3, b3];
  // relu kinks make a few entries straddle zero under a 1e-3 step: allow a looser bound here
  assert.ok(worstGradientError(params, lossOf, 1e-3) < 2e-2);
  const adam = new AdamOptimizer(params, 1e-2);
  adam.zeroGrad();
  const first = lossOf(undefined).data[0]!;
  for (let i = 0; i < 300; i++) {
    const tape = new Tape();
    tape.backward(lossOf(tape));
    adam.step();
  }
  const last = lossOf(undefined).data[0]!;
  assert.ok(last < first * 0.01, `loss ${first} -> ${last}`);
});
