/**
 * Augmented Random Search (Mania, Guy & Recht 2018, variant V2-t): perturb the weights along random
 * directions in both signs, run one episode each, and step along the directions whose better side
 * did best, scaled by the spread of the reward differences. Pure functions over Float64Arrays; the trainer
 * owns the loop.
 */
import { deriveSeed, Rng } from '../util/rng';

export interface ArsHyperparameters {
  /** Directions sampled per iteration (N); each costs two episodes. */
  readonly directions: number;
  /** Best directions kept for the update (b <= N). */
  readonly topDirections: number;
  /** Step size (alpha). */
  readonly stepSize: number;
  /** Exploration noise (nu): standard deviation of the weight perturbations. */
  readonly explorationNoise: number;
}

/**
 * The iteration's perturbation directions, N(0, I) each. Drawn in the main thread from a generator
 * seeded by (noise seed, iteration, direction), so they are the same for any worker count and after
 * a resume.
 */
export function sampleDirections(noiseSeed: number, iteration: number, directions: number, parameterCount: number): Float64Array[] {
  const result: Float64Array[] = [];
  for (let k = 0; k < directions; k++) {
    const rng = new Rng(deriveSeed(noiseSeed, iteration, k));
    const delta = new Float64Array(parameterCount);
    for (let i = 0; i < parameterCount; i++) delta[i] = rng.gaussian();
    result.push(delta);
  }
  return result;
}

/** theta + sign * nu * delta, as a new array. */
export function perturb(parameters: Float64Array, delta: Float64Array, noise: number, sign: 1 | -1): Float64Array {
  const out = new Float64Array(parameters.length);
  const scale = sign * noise;
  for (let i = 0; i < out.length; i++) out[i] = parameters[i]! + scale * delta[i]!;
  return out;
}

export interface ArsStep {
  /** theta + alpha * direction (plain ARS step). */
  readonly parameters: Float64Array;
  /** The ascent direction: sum over kept directions of (r+ - r-) * delta, divided by b * sigma_R. */
  readonly direction: Float64Array;
  /** The reward scale the step was divided by (sigma_R, from the pairs' differences). */
  readonly rewardStd: number;
  /** Directions used, most informative first. */
  readonly selected: readonly number[];
}

/**
 * theta' = theta + alpha / (b * sigma_R) * sum over the top-b directions of (r+ - r-) * delta.
 *
 * Both signs of a direction run the same episode (same start, same randomized physics), so the
 * difference d = r+ - r- measures the direction and the episode's difficulty cancels out. Ranking
 * and scaling therefore use d: directions are ranked by |d| (= max(r+, r-) minus the pair's mean),
 * and sigma_R is the RMS of d/2 over the kept directions. On a fixed start this is what ARS's std
 * of the 2b rewards measures (about nu * |grad|); under domain randomization the plain std of the
 * rewards is dominated by how much episodes differ, which shrank the steps several-fold and made
 * max(r+, r-) favour easy episodes over good directions. Ties keep index order (stable sort).
 */
export function arsUpdate(
  parameters: Float64Array,
  deltas: readonly Float64Array[],
  rewardsPlus: ArrayLike<number>,
  rewardsMinus: ArrayLike<number>,
  hyper: ArsHyperparameters,
): ArsStep {
  const n = deltas.length;
  const b = Math.max(1, Math.min(hyper.topDirections, n));
  const difference = (k: number): number => rewardsPlus[k]! - rewardsMinus[k]!;
  const order = Array.from({ length: n }, (_, k) => k);
  order.sort((i, j) => Math.abs(difference(j)) - Math.abs(difference(i)));
  const selected = order.slice(0, b);

  let squares = 0;
  for (const k of selected) squares += (difference(k) / 2) ** 2;
  const rewardStd = Math.sqrt(squares / b);

  const direction = new Float64Array(parameters.length);
  const next = new Float64Array(parameters);
  // no pair told its signs apart: no information, and dividing by zero would blow the weights up
  if (rewardStd < 1e-12) return { parameters: next, direction, rewardStd, selected };
  const scale = 1 / (b * rewardStd);
  for (const k of selected) {
    const weight = scale * difference(k);
    const delta = deltas[k]!;
    for (let i = 0; i < direction.length; i++) direction[i] = direction[i]! + weight * delta[i]!;
  }
  for (let i = 0; i < next.length; i++) next[i] = next[i]! + hyper.stepSize * direction[i]!;
  return { parameters: next, direction, rewardStd, selected };
}
