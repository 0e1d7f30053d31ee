/** Scalar losses, averaged over every element so the learning rate does not depend on batch size. */
import { tracks, type Tape } from './tape';
import { Tensor } from './tensor';

function sameSize(name: string, a: Tensor, b: Tensor): void {
  if (a.size !== b.size) throw new Error(`${name}: prediction has ${a.size} values, target has ${b.size}`);
}

/** Mean squared error; the target gets no gradient. */
export function mse(tape: Tape | undefined, prediction: Tensor, target: Tensor): Tensor {
  sameSize('mse', prediction, target);
  const record = tracks(tape, prediction);
  const out = new Tensor(new Float32Array(1), [1], record);
  let s = 0;
  for (let i = 0; i < prediction.size; i++) {
    const d = prediction.data[i]! - target.data[i]!;
    s += d * d;
  }
  out.data[0] = s / prediction.size;
  if (record) {
    tape.record(() => {
      if (!out.grad) return;
      const g = (2 * out.grad[0]!) / prediction.size;
      const dp = prediction.gradBuffer();
      for (let i = 0; i < prediction.size; i++) dp[i] += g * (prediction.data[i]! - target.data[i]!);
    });
  }
  return out;
}

/**
 * Binary cross-entropy on logits: max(z, 0) - z t + log(1 + exp(-|z|)), the form that never
 * overflows; its gradient is sigmoid(z) - t.
 */
export function binaryCrossEntropyWithLogits(tape: Tape | undefined, logits: Tensor, targets: Tensor): Tensor {
  sameSize('binaryCrossEntropyWithLogits', logits, targets);
  const record = tracks(tape, logits);
  const out = new Tensor(new Float32Array(1), [1], record);
  let s = 0;
  for (let i = 0; i < logits.size; i++) {
    const z = logits.data[i]!;
    s += Math.max(z, 0) - z * targets.data[i]! + Math.log1p(Math.exp(-Math.abs(z)));
  }
  out.data[0] = s / logits.size;
  if (record) {
    tape.record(() => {
      if (!out.grad) return;
      const g = out.grad[0]! / logits.size;
      const dz = logits.gradBuffer();
      for (let i = 0; i < logits.size; i++) dz[i] += g * (1 / (1 + Math.exp(-logits.data[i]!)) - targets.data[i]!);
    });
  }
  return out;
}

/** Sum of scalar losses (weights applied), one scalar a backward pass can start from. */
export function weightedSum(tape: Tape | undefined, terms: readonly (readonly [Tensor, number])[]): Tensor {
  const record = tracks(tape, ...terms.map(([t]) => t));
  const out = new Tensor(new Float32Array(1), [1], record);
  for (const [t, w] of terms) {
    if (t.size !== 1) throw new Error(`weightedSum takes scalars, got shape [${t.shape.join(', ')}]`);
    out.data[0] += w * t.data[0]!;
  }
  if (record) {
    tape.record(() => {
      if (!out.grad) return;
      for (const [t, w] of terms) if (t.requiresGrad) t.gradBuffer()[0] += w * out.grad[0]!;
    });
  }
  return out;
}
