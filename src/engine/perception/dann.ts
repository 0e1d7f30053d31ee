/**
 * Domain-adversarial adaptation (DANN, Ganin et al. 2016) of the puck network: the seed's
 * VisualDomainAdapter. A small discriminator on the keypoint features learns to tell sim images
 * (label 0) from real ones (label 1); between it and the feature extractor sits a gradient reversal
 * layer, so the same backward pass trains the discriminator to win and the extractor to make it
 * lose, while the task loss on labelled sim images keeps the features about the puck. Real images
 * are used without labels; their labels (when known) only measure the result.
 */
import {
  AdamOptimizer,
  binaryCrossEntropyWithLogits,
  gradientReversal,
  heParameter,
  linear,
  mse,
  relu,
  Tape,
  Tensor,
  weightedSum,
  zeroParameter,
  type Uniform,
} from '../learn/autodiff';
import type { Rng } from '../util/rng';
import type { RgbImage } from '../vision/types';
import { imageBatch, type PuckNet } from './puckNet';
import type { LabelledImage } from './samples';
import { shuffled, targetBatch } from './train';

export class DomainDiscriminator {
  readonly w1: Tensor;
  readonly b1: Tensor;
  readonly w2: Tensor;
  readonly b2: Tensor;

  constructor(featureSize: number, hidden: number, uniform: Uniform) {
    this.w1 = heParameter([hidden, featureSize], featureSize, uniform);
    this.b1 = zeroParameter([hidden]);
    this.w2 = heParameter([1, hidden], hidden, uniform);
    this.b2 = zeroParameter([1]);
  }

  parameters(): Tensor[] {
    return [this.w1, this.b1, this.w2, this.b2];
  }

  /** Logit of "this feature vector came from a real image". */
  logits(tape: Tape | undefined, features: Tensor): Tensor {
    return linear(tape, relu(tape, linear(tape, features, this.w1, this.b1)), this.w2, this.b2);
  }
}

export interface DannOptions {
  /** Mini-batch steps. [default: 600] */
  readonly steps?: number;
  /** Sim and real images per step (each). [default: 16] */
  readonly batchSize?: number;
  /** The discriminator's learning rate. [default: 1e-3] */
  readonly learningRate?: number;
  /**
   * The puck network's learning rate: a tenth of the discriminator's, so the discriminator keeps
   * up with the features it judges and the features move slowly. At the same rate (1e-3) and
   * maxLambda 0.3 a model at 0.93 cm on held-out emulator images ended at 2.55 cm. [default: 1e-4]
   */
  readonly networkLearningRate?: number;
  /** Largest weight of the reversed domain gradient. [default: 0.1] */
  readonly maxLambda?: number;
  /** Discriminator hidden units. [default: 32] */
  readonly discriminatorHidden?: number;
  /**
   * Labelled sim images held out of training: every `checkEvery` steps the task loss on them is
   * measured, and once it exceeds `maxTaskLossGrowth` times its value before adaptation the run
   * stops and the last weights within that bound are kept. A stop rule that needs no real labels:
   * when the reversed gradient starts to wreck the features, the sim error shows it first.
   */
  readonly simValidation?: readonly LabelledImage[];
  /** [default: 50] */
  readonly checkEvery?: number;
  /** [default: 1.5] */
  readonly maxTaskLossGrowth?: number;
  readonly rng: Rng;
  readonly signal?: AbortSignal;
  onProgress?(step: number, taskLoss: number, domainLoss: number, discriminatorAccuracy: number): void;
}

export interface DannResult {
  readonly steps: number;
  readonly seconds: number;
  readonly finalTaskLoss: number;
  readonly finalDomainLoss: number;
  /** Share of images (sim and real) the discriminator classified right over the last 10% of steps. */
  readonly finalDiscriminatorAccuracy: number;
  /** Task loss on the sim validation images before adaptation and for the kept weights (NaN without them). */
  readonly validationLossBefore: number;
  readonly validationLossKept: number;
  /** The step whose weights were kept (steps when the run went to the end). */
  readonly keptStep: number;
  /** Why the run ended early, if it did. */
  readonly stoppedEarly?: string;
}

/** Mean squared error of the normalized position on labelled images, no tape. */
export function taskLoss(net: PuckNet, images: readonly LabelledImage[]): number {
  let sum = 0;
  for (let start = 0; start < images.length; start += 32) {
    const batch = images.slice(start, start + 32);
    const out = net.forward(undefined, imageBatch(batch.map((s) => s.image))).normalized.data;
    batch.forEach((s, b) => {
      const [u, v] = net.normalize(s.x, s.y);
      sum += (out[2 * b]! - u) ** 2 + (out[2 * b + 1]! - v) ** 2;
    });
  }
  return sum / (2 * images.length);
}

/** Ganin et al.'s schedule: lambda rises from 0 to its maximum as 2 / (1 + exp(-10 p)) - 1. */
export function reversalWeight(progress: number, maxLambda: number): number {
  return maxLambda * (2 / (1 + Math.exp(-10 * progress)) - 1);
}

export function adaptPuckNet(net: PuckNet, simImages: readonly LabelledImage[], realImages: readonly RgbImage[], options: DannOptions): DannResult {
  if (simImages.length === 0) throw new Error('DANN needs labelled sim images');
  if (realImages.length === 0) throw new Error('DANN needs real (unlabelled) images');
  const steps = options.steps ?? 600;
  const batchSize = options.batchSize ?? 16;
  const maxLambda = options.maxLambda ?? 0.1;
  const rng = options.rng;
  const discriminator = new DomainDiscriminator(2 * net.shape.keypoints, options.discriminatorHidden ?? 32, () => rng.next());
  const adam = new AdamOptimizer(discriminator.parameters(), options.learningRate ?? 1e-3);
  const networkAdam = new AdamOptimizer(net.parameters(), options.networkLearningRate ?? (options.learningRate ?? 1e-3) / 10);
  adam.zeroGrad();
  networkAdam.zeroGrad();
  const simZeros = new Tensor(new Float32Array(batchSize), [batchSize, 1]);
  const realOnes = new Tensor(new Float32Array(batchSize).fill(1), [batchSize, 1]);
  let simOrder: number[] = [];
  let realOrder: number[] = [];
  const started = performance.now();
  let lastTask = NaN;
  let domainLoss = NaN;
  let correct = 0;
  let judged = 0;
  const tail = Math.max(1, Math.floor(steps * 0.1));
  const validation = options.simValidation ?? [];
  const checkEvery = options.checkEvery ?? 50;
  const maxGrowth = options.maxTaskLossGrowth ?? 1.5;
  const validationLossBefore = validation.length > 0 ? taskLoss(net, validation) : NaN;
  let validationLossKept = validationLossBefore;
  let kept = net.parameters().map((p) => p.data.slice());
  let keptStep = 0;
  let stoppedEarly: string | undefined;
  let ran = steps;
  for (let step = 0; step < steps; step++) {
    if (options.signal?.aborted) throw new Error('cancelled');
    // fewer images than a batch: draw through several shuffles (a batch may repeat an image)
    while (simOrder.length < batchSize) simOrder = simOrder.concat(shuffled(simImages.length, rng));
    while (realOrder.length < batchSize) realOrder = realOrder.concat(shuffled(realImages.length, rng));
    const sim = simOrder.splice(0, batchSize).map((i) => simImages[i]!);
    const real = realOrder.splice(0, batchSize).map((i) => realImages[i]!);
    const lambda = reversalWeight(step / steps, maxLambda);
    const tape = new Tape();
    const simOut = net.forward(tape, imageBatch(sim.map((s) => s.image)));
    const realOut = net.forward(tape, imageBatch(real));
    const task = mse(tape, simOut.normalized, targetBatch(net, sim));
    const simLogits = discriminator.logits(tape, gradientReversal(tape, simOut.features, lambda));
    const realLogits = discriminator.logits(tape, gradientReversal(tape, realOut.features, lambda));
    const domain = weightedSum(tape, [
      [binaryCrossEntropyWithLogits(tape, simLogits, simZeros), 0.5],
      [binaryCrossEntropyWithLogits(tape, realLogits, realOnes), 0.5],
    ]);
    tape.backward(weightedSum(tape, [[task, 1], [domain, 1]]));
    adam.step();
    networkAdam.step();
    lastTask = task.data[0]!;
    domainLoss = domain.data[0]!;
    if (step >= steps - tail) {
      for (let b = 0; b < batchSize; b++) {
        if (simLogits.data[b]! < 0) correct++;
        if (realLogits.data[b]! > 0) correct++;
      }
      judged += 2 * batchSize;
    }
    if (step % 20 === 0 || step === steps - 1) options.onProgress?.(step, lastTask, domainLoss, judged ? correct / judged : NaN);
    if (validation.length > 0 && ((step + 1) % checkEvery === 0 || step === steps - 1)) {
      const loss = taskLoss(net, validation);
      if (!(loss <= maxGrowth * validationLossBefore)) {
        stoppedEarly = `sim validation loss ${loss.toExponential(2)} above ${maxGrowth} x ${validationLossBefore.toExponential(2)} at step ${step + 1}`;
        ran = step + 1;
        break;
      }
      kept = net.parameters().map((p) => p.data.slice());
      keptStep = step + 1;
      validationLossKept = loss;
    }
  }
  if (validation.length > 0) net.parameters().forEach((p, i) => p.data.set(kept[i]!));
  return {
    steps: ran,
    seconds: (performance.now() - started) / 1000,
    finalTaskLoss: lastTask,
    finalDomainLoss: domainLoss,
    finalDiscriminatorAccuracy: judged ? correct / judged : NaN,
    validationLossBefore,
    validationLossKept,
    keptStep: validation.length > 0 ? keptStep : ran,
    ...(stoppedEarly ? { stoppedEarly } : {}),
  };
}
