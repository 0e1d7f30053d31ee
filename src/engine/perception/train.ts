/**
 * Supervised training of the puck network on labelled images: mini-batch Adam on the mean squared
 * error of the normalized position, with a step-decayed learning rate. Images are kept as bytes and
 * converted per batch, so a few thousand samples stay a few tens of MB.
 */
import { AdamOptimizer, mse, Tape, Tensor } from '../learn/autodiff';
import type { Rng } from '../util/rng';
import { imageBatch, type PuckNet } from './puckNet';
import { summarizeErrors, type LabelledImage, type PositionErrors } from './samples';

export interface TrainOptions {
  /** [default: 10] */
  readonly epochs?: number;
  /** [default: 16] */
  readonly batchSize?: number;
  /** [default: 1e-2] (3e-3 left the keypoints on their initial plateau for several epochs) */
  readonly learningRate?: number;
  /**
   * 'step': the rate is divided by 10 over the last `decayShare` of epochs; 'cosine': it falls
   * from the base rate to a hundredth of it along a half cosine over all mini-batches. [default: 'step']
   */
  readonly schedule?: 'step' | 'cosine';
  /** The learning rate is divided by 10 over the last this share of epochs ('step'). [default: 0.3] */
  readonly decayShare?: number;
  readonly rng: Rng;
  readonly signal?: AbortSignal;
  onEpoch?(epoch: number, lossValue: number, seconds: number): void;
}

export interface TrainResult {
  readonly epochs: number;
  readonly finalLoss: number;
  readonly seconds: number;
}

export function shuffled(count: number, rng: Rng): number[] {
  const order = Array.from({ length: count }, (_, i) => i);
  for (let i = count - 1; i > 0; i--) {
    const j = rng.randint(0, i); // both ends included
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  return order;
}

export function targetBatch(net: PuckNet, samples: readonly LabelledImage[]): Tensor {
  const t = Tensor.zeros([samples.length, 2]);
  samples.forEach((s, b) => {
    const [u, v] = net.normalize(s.x, s.y);
    t.data[2 * b] = u;
    t.data[2 * b + 1] = v;
  });
  return t;
}

/** The training images: one fixed set for every epoch, or a fresh set per epoch (rendered on demand). */
export type EpochSamples = readonly LabelledImage[] | ((epoch: number) => readonly LabelledImage[]);

export function trainPuckNet(net: PuckNet, samplesOf: EpochSamples, options: TrainOptions): TrainResult {
  const epochs = options.epochs ?? 10;
  const batchSize = options.batchSize ?? 16;
  const baseRate = options.learningRate ?? 1e-2;
  const decayFrom = Math.floor(epochs * (1 - (options.decayShare ?? 0.3)));
  const adam = new AdamOptimizer(net.parameters(), baseRate);
  adam.zeroGrad();
  const started = performance.now();
  let lastLoss = NaN;
  let progress = 0; // epochs done, fractional within an epoch
  for (let epoch = 0; epoch < epochs; epoch++) {
    const samples = typeof samplesOf === 'function' ? samplesOf(epoch) : samplesOf;
    if (samples.length === 0) throw new Error(`epoch ${epoch + 1} has no training images`);
    const order = shuffled(samples.length, options.rng);
    let sum = 0;
    let batches = 0;
    for (let start = 0; start < order.length; start += batchSize) {
      if (options.signal?.aborted) throw new Error('cancelled');
      progress = epoch + start / order.length;
      adam.learningRate = options.schedule === 'cosine'
        ? baseRate * (0.01 + 0.99 * 0.5 * (1 + Math.cos((Math.PI * progress) / epochs)))
        : epoch >= decayFrom ? baseRate / 10 : baseRate;
      const batch = order.slice(start, start + batchSize).map((i) => samples[i]!);
      const tape = new Tape();
      const out = net.forward(tape, imageBatch(batch.map((s) => s.image)));
      const loss = mse(tape, out.normalized, targetBatch(net, batch));
      tape.backward(loss);
      adam.step();
      sum += loss.data[0]!;
      batches++;
    }
    lastLoss = sum / batches;
    options.onEpoch?.(epoch, lastLoss, (performance.now() - started) / 1000);
  }
  return { epochs, finalLoss: lastLoss, seconds: (performance.now() - started) / 1000 };
}

/** Position errors of the network's estimates against the images' labels. */
export function evaluatePuckNet(net: PuckNet, samples: readonly LabelledImage[], batchSize = 32): PositionErrors {
  const errors: number[] = [];
  for (let start = 0; start < samples.length; start += batchSize) {
    const batch = samples.slice(start, start + batchSize);
    const estimates = net.predict(batch.map((s) => s.image));
    batch.forEach((s, b) => errors.push(Math.hypot(estimates[b]!.x - s.x, estimates[b]!.y - s.y)));
  }
  return summarizeErrors(errors);
}
