/**
 * The perception model: a small keypoint CNN (Levine et al. 2016) that estimates the puck's table
 * position from one 64x64 rgb8 camera image.
 *
 *   image [N, 3, 64, 64] (bytes) -> (v / 255 - 0.5) / 0.25
 *   -> Conv 3x3 /2 (C) -> ReLU -> Conv 3x3 (C) -> ReLU -> Conv kxk (K keypoint maps)
 *   -> spatial softmax -> features [N, 2K] (expected image positions, the DANN feature space)
 *   -> Linear -> normalized (x, y) -> * halfExtent + centre -> puck position, m
 *
 * The keypoint layer keeps full 32x32 resolution and regresses a continuous expectation, so the
 * estimate is not quantized to a cell (one cell is ~3 cm of table at this camera).
 */
import { conv2d, heParameter, linear, relu, spatialSoftmax, Tensor, zeroParameter, type Tape, type Uniform } from '../learn/autodiff';
import type { RgbImage } from '../vision/types';

export const IMAGE_SIZE = 64;
export const PIXEL_MEAN = 0.5;
export const PIXEL_STD = 0.25;

export interface PuckNetShape {
  /** Channels of the two hidden convolutions. [default: 8] */
  readonly hiddenChannels: number;
  /** Keypoint maps of the spatial softmax. [default: 8] */
  readonly keypoints: number;
  /** Kernel of the keypoint convolution (1 or 3). [default: 1] */
  readonly keypointKernel: number;
}

/**
 * Sized for a shared 2-core machine: ~0.9 M multiply-adds per image forward. A puck is ~5 px
 * across in a 64 px image; two 3x3 layers at stride 2 see 7 px, enough to tell a disc from an edge.
 */
export const DEFAULT_SHAPE: PuckNetShape = { hiddenChannels: 8, keypoints: 8, keypointKernel: 1 };

/** Where positions are mapped to [-1, 1]: the region the training pucks were placed in, m. */
export interface PositionFrame {
  readonly centre: readonly [number, number];
  readonly halfExtent: readonly [number, number];
}

export interface PuckNetOutput {
  /** [N, 2K] keypoint positions: what the domain discriminator sees. */
  readonly features: Tensor;
  /** [N, 2] normalized position (the trained output). */
  readonly normalized: Tensor;
}

/** The weights in a plain, serializable form (perception.json next to perception.onnx). */
export interface PuckNetWeights {
  readonly shape: PuckNetShape;
  readonly frame: PositionFrame;
  readonly tensors: Readonly<Record<string, { shape: number[]; values: number[] }>>;
}

export class PuckNet {
  readonly conv1w: Tensor;
  readonly conv1b: Tensor;
  readonly conv2w: Tensor;
  readonly conv2b: Tensor;
  readonly conv3w: Tensor;
  readonly conv3b: Tensor;
  readonly headW: Tensor;
  readonly headB: Tensor;

  constructor(
    readonly shape: PuckNetShape,
    readonly frame: PositionFrame,
    uniform: Uniform,
  ) {
    const h = shape.hiddenChannels;
    const k = shape.keypoints;
    const kk = shape.keypointKernel;
    this.conv1w = heParameter([h, 3, 3, 3], 3 * 9, uniform);
    this.conv1b = zeroParameter([h]);
    this.conv2w = heParameter([h, h, 3, 3], h * 9, uniform);
    this.conv2b = zeroParameter([h]);
    this.conv3w = heParameter([k, h, kk, kk], h * kk * kk, uniform);
    // Sharper initial keypoint maps: with He scale the softmax starts nearly flat, every keypoint
    // sits at the image centre whatever the image, and training idled on a plateau for epochs.
    for (let i = 0; i < this.conv3w.size; i++) this.conv3w.data[i]! *= 3;
    this.conv3b = zeroParameter([k]);
    // a small head: the keypoints start as near-uniform maps and the head as near-zero output
    this.headW = heParameter([2, 2 * k], 2 * k, uniform);
    for (let i = 0; i < this.headW.size; i++) this.headW.data[i]! *= 0.1;
    this.headB = zeroParameter([2]);
  }

  /** Trainable tensors of the feature extractor (everything below the features). */
  extractorParameters(): Tensor[] {
    return [this.conv1w, this.conv1b, this.conv2w, this.conv2b, this.conv3w, this.conv3b];
  }

  parameters(): Tensor[] {
    return [...this.extractorParameters(), this.headW, this.headB];
  }

  namedParameters(): Record<string, Tensor> {
    return {
      conv1w: this.conv1w, conv1b: this.conv1b, conv2w: this.conv2w, conv2b: this.conv2b,
      conv3w: this.conv3w, conv3b: this.conv3b, headW: this.headW, headB: this.headB,
    };
  }

  forward(tape: Tape | undefined, images: Tensor): PuckNetOutput {
    const h1 = relu(tape, conv2d(tape, images, this.conv1w, this.conv1b, { stride: 2, padding: 1 }));
    const h2 = relu(tape, conv2d(tape, h1, this.conv2w, this.conv2b, { padding: 1 }));
    const maps = conv2d(tape, h2, this.conv3w, this.conv3b, { padding: (this.shape.keypointKernel - 1) / 2 });
    const features = spatialSoftmax(tape, maps);
    return { features, normalized: linear(tape, features, this.headW, this.headB) };
  }

  /** Positions in m from the model's normalized outputs. */
  toPositions(normalized: Tensor): { x: number; y: number }[] {
    const out = [];
    for (let b = 0; b < normalized.shape[0]!; b++) {
      out.push({
        x: this.frame.centre[0] + this.frame.halfExtent[0] * normalized.data[2 * b]!,
        y: this.frame.centre[1] + this.frame.halfExtent[1] * normalized.data[2 * b + 1]!,
      });
    }
    return out;
  }

  /** The normalized training target of a position. */
  normalize(x: number, y: number): [number, number] {
    return [(x - this.frame.centre[0]) / this.frame.halfExtent[0], (y - this.frame.centre[1]) / this.frame.halfExtent[1]];
  }

  predict(images: readonly RgbImage[]): { x: number; y: number }[] {
    return this.toPositions(this.forward(undefined, imageBatch(images)).normalized);
  }

  toWeights(): PuckNetWeights {
    const tensors: Record<string, { shape: number[]; values: number[] }> = {};
    for (const [name, t] of Object.entries(this.namedParameters())) tensors[name] = { shape: [...t.shape], values: Array.from(t.data) };
    return { shape: this.shape, frame: this.frame, tensors };
  }

  static fromWeights(weights: PuckNetWeights): PuckNet {
    const net = new PuckNet(weights.shape, weights.frame, () => 0.5);
    for (const [name, t] of Object.entries(net.namedParameters())) {
      const stored = weights.tensors[name];
      if (!stored) throw new Error(`perception weights lack tensor '${name}'`);
      if (stored.shape.join('x') !== t.shape.join('x')) throw new Error(`perception weights: '${name}' is [${stored.shape.join(', ')}], the model needs [${t.shape.join(', ')}]`);
      t.data.set(stored.values);
    }
    return net;
  }

  copyFrom(other: PuckNet): void {
    const mine = this.namedParameters();
    for (const [name, t] of Object.entries(other.namedParameters())) mine[name]!.data.set(t.data);
  }
}

/** rgb8 images (HWC bytes) -> a normalized [N, 3, H, W] float tensor. */
export function imageBatch(images: readonly RgbImage[]): Tensor {
  if (images.length === 0) throw new Error('imageBatch needs at least one image');
  const { width, height } = images[0]!;
  const plane = width * height;
  const out = Tensor.zeros([images.length, 3, height, width]);
  images.forEach((image, b) => {
    if (image.width !== width || image.height !== height) throw new Error(`image ${b} is ${image.width}x${image.height}, the batch is ${width}x${height}`);
    if (image.data.length !== plane * 3) throw new Error(`image ${b} has ${image.data.length} bytes, rgb8 ${width}x${height} needs ${plane * 3}`);
    const base = b * 3 * plane;
    for (let q = 0; q < plane; q++) {
      for (let c = 0; c < 3; c++) out.data[base + c * plane + q] = (image.data[3 * q + c]! / 255 - PIXEL_MEAN) / PIXEL_STD;
    }
  });
  return out;
}
