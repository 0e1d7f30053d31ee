/**
 * Confidence intervals for a success rate. Wilson's score interval rather than the normal
 * approximation: it stays inside [0, 1] and is honest at 0 or n successes, which is exactly where a
 * good policy's evaluation lands (19/20 successes give [0.76, 0.99], not [0.85, 1.05]).
 */

/** Two-sided 95%: the 0.975 quantile of the standard normal. */
export const Z_95 = 1.959963984540054;

export function wilsonInterval(successes: number, trials: number, z = Z_95): [number, number] {
  if (trials <= 0) return [0, 1];
  const p = successes / trials;
  const z2 = z * z;
  const denominator = 1 + z2 / trials;
  const center = (p + z2 / (2 * trials)) / denominator;
  const half = (z * Math.sqrt((p * (1 - p)) / trials + z2 / (4 * trials * trials))) / denominator;
  // exact ends: round-off would give 0.9999999999999999 for n of n successes
  const low = successes === 0 ? 0 : Math.max(0, center - half);
  const high = successes === trials ? 1 : Math.min(1, center + half);
  return [low, high];
}
