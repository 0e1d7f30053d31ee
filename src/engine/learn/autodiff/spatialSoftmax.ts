/**
 * Spatial softmax (Levine et al. 2016): each channel's map becomes a probability distribution over
 * its pixels, and the channel's output is the expected image position (x, y) of that distribution,
 * in [-1, 1] at pixel centres. The expectation is continuous, so a position can be regressed to a
 * fraction of a feature-map cell, which pooling or a dense head over the map cannot do as cheaply.
 * [N, C, H, W] -> [N, 2C], laid out x0, y0, x1, y1, ...
 */
import { tracks, type Tape } from './tape';
import { Tensor } from './tensor';

/** Pixel-centre coordinates in [-1, 1] along an axis of `size` cells. */
export function keypointCoordinates(size: number): Float32Array {
  const out = new Float32Array(size);
  for (let i = 0; i < size; i++) out[i] = -1 + (2 * (i + 0.5)) / size;
  return out;
}

export function spatialSoftmax(tape: Tape | undefined, x: Tensor): Tensor {
  if (x.shape.length !== 4) throw new Error(`spatialSoftmax input must be [N, C, H, W], got [${x.shape.join(', ')}]`);
  const [n, c, h, w] = x.shape as [number, number, number, number];
  const p = h * w;
  const xs = keypointCoordinates(w);
  const ys = keypointCoordinates(h);
  const record = tracks(tape, x);
  const probabilities = new Float32Array(n * c * p);
  const out = new Tensor(new Float32Array(n * c * 2), [n, 2 * c], record);
  for (let m = 0; m < n * c; m++) {
    const base = m * p;
    let max = -Infinity;
    for (let q = 0; q < p; q++) if (x.data[base + q]! > max) max = x.data[base + q]!;
    let sum = 0;
    for (let q = 0; q < p; q++) {
      const e = Math.exp(x.data[base + q]! - max);
      probabilities[base + q] = e;
      sum += e;
    }
    let ex = 0;
    let ey = 0;
    for (let i = 0; i < h; i++) {
      for (let j = 0; j < w; j++) {
        const q = base + i * w + j;
        const pr = probabilities[q]! / sum;
        probabilities[q] = pr;
        ex += pr * xs[j]!;
        ey += pr * ys[i]!;
      }
    }
    out.data[2 * m] = ex;
    out.data[2 * m + 1] = ey;
  }
  if (record) {
    tape.record(() => {
      if (!out.grad) return;
      const dx = x.gradBuffer();
      for (let m = 0; m < n * c; m++) {
        const gx = out.grad[2 * m]!;
        const gy = out.grad[2 * m + 1]!;
        const ex = out.data[2 * m]!;
        const ey = out.data[2 * m + 1]!;
        const base = m * p;
        // d E[x] / d logit_q = p_q (x_q - E[x]); likewise for y
        for (let i = 0; i < h; i++) {
          for (let j = 0; j < w; j++) {
            const q = base + i * w + j;
            dx[q] += probabilities[q]! * (gx * (xs[j]! - ex) + gy * (ys[i]! - ey));
          }
        }
      }
    });
  }
  return out;
}
