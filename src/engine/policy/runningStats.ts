/**
 * Running mean and variance of observations (ARS V2 state normalization). Each rollout keeps its
 * own statistics; the trainer merges them in a fixed order, so the result never depends on which
 * worker finished first.
 */

/** Count, mean and sum of squared deviations (Welford), per observation dimension. */
export interface ObservationStats {
  count: number;
  readonly mean: Float64Array;
  readonly m2: Float64Array;
}

export function createStats(size: number): ObservationStats {
  return { count: 0, mean: new Float64Array(size), m2: new Float64Array(size) };
}

/** Add one observation (Welford's update: stable for long runs, unlike sum of squares). */
export function pushObservation(stats: ObservationStats, x: ArrayLike<number>): void {
  stats.count += 1;
  const n = stats.count;
  const { mean, m2 } = stats;
  for (let i = 0; i < mean.length; i++) {
    const delta = x[i]! - mean[i]!;
    mean[i] = mean[i]! + delta / n;
    m2[i] = m2[i]! + delta * (x[i]! - mean[i]!);
  }
}

/** Fold `other` into `into` (Chan et al.'s parallel combination). */
export function mergeStats(into: ObservationStats, other: ObservationStats): void {
  if (other.count === 0) return;
  if (into.count === 0) {
    into.count = other.count;
    into.mean.set(other.mean);
    into.m2.set(other.m2);
    return;
  }
  const n = into.count + other.count;
  for (let i = 0; i < into.mean.length; i++) {
    const delta = other.mean[i]! - into.mean[i]!;
    into.mean[i] = into.mean[i]! + (delta * other.count) / n;
    into.m2[i] = into.m2[i]! + other.m2[i]! + (delta * delta * into.count * other.count) / n;
  }
  into.count = n;
}

/** Dimensions that barely vary (a fixed goal, say) are left unscaled rather than blown up. */
const MIN_STD = 1e-6;

/** The normalization a policy applies: (x - mean) / std. Identity before any data. */
export function normalizationFrom(stats: ObservationStats): { mean: Float64Array; std: Float64Array } {
  const size = stats.mean.length;
  const mean = new Float64Array(size);
  const std = new Float64Array(size).fill(1);
  if (stats.count < 2) return { mean, std };
  mean.set(stats.mean);
  for (let i = 0; i < size; i++) {
    const s = Math.sqrt(stats.m2[i]! / (stats.count - 1));
    std[i] = s > MIN_STD ? s : 1;
  }
  return { mean, std };
}

export function cloneStats(stats: ObservationStats): ObservationStats {
  return { count: stats.count, mean: new Float64Array(stats.mean), m2: new Float64Array(stats.m2) };
}
