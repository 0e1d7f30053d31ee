/** An image with the puck's true table position (m): a training sample or an evaluation label. */
import type { RgbImage } from '../vision/types';

export interface LabelledImage {
  readonly image: RgbImage;
  readonly x: number;
  readonly y: number;
}

export interface PositionErrors {
  readonly images: number;
  readonly meanCm: number;
  readonly p95Cm: number;
  readonly medianCm: number;
  readonly maxCm: number;
}

/** Mean, median, 95th percentile (nearest rank) and max of Euclidean errors, cm. */
export function summarizeErrors(errorsM: readonly number[]): PositionErrors {
  if (errorsM.length === 0) throw new Error('no images to summarize');
  const cm = errorsM.map((e) => e * 100).sort((a, b) => a - b);
  const rank = (p: number): number => cm[Math.min(cm.length - 1, Math.max(0, Math.ceil(p * cm.length) - 1))]!;
  return {
    images: cm.length,
    meanCm: cm.reduce((a, b) => a + b, 0) / cm.length,
    p95Cm: rank(0.95),
    medianCm: rank(0.5),
    maxCm: cm[cm.length - 1]!,
  };
}
