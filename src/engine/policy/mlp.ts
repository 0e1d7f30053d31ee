/**
 * The policy network's JS forward pass: observation normalization, hidden layers, tanh output
 * (actions live in [-1, 1]). Float64 throughout, no allocation per call: this runs once per control
 * step in every rollout.
 */
import type { Rng } from '../util/rng';
import { layerSizesOf, parameterCountOf, type PolicySpec } from './policySpec';

export class MlpPolicy {
  readonly sizes: readonly number[];
  readonly parameterCount: number;
  /** Current weights; replace with setParameters (no copy: the trainer owns the array). */
  parameters: Float64Array;
  /** Per observation dimension; applied to every observation block of the input. */
  readonly normMean: Float64Array;
  readonly normStd: Float64Array;
  private readonly activations: Float64Array[];

  constructor(readonly spec: PolicySpec) {
    this.sizes = layerSizesOf(spec);
    this.parameterCount = parameterCountOf(spec);
    this.parameters = new Float64Array(this.parameterCount);
    this.normMean = new Float64Array(spec.observationSize);
    this.normStd = new Float64Array(spec.observationSize).fill(1);
    this.activations = this.sizes.map((n) => new Float64Array(n));
  }

  setParameters(parameters: Float64Array): void {
    if (parameters.length !== this.parameterCount) {
      throw new Error(`policy has ${this.parameterCount} parameters, got ${parameters.length}`);
    }
    this.parameters = parameters;
  }

  setNormalization(mean: ArrayLike<number>, std: ArrayLike<number>): void {
    this.normMean.set(mean);
    this.normStd.set(std);
  }

  /** Writes the action for `input` (layout in policySpec.ts) into `action`. */
  forward(input: ArrayLike<number>, action: Float64Array): void {
    const { spec, parameters: p, activations: act, sizes } = this;
    const x0 = act[0]!;
    const o = spec.observationSize;
    const observationInputs = o * (spec.history + 1);
    for (let i = 0; i < observationInputs; i++) {
      const d = i % o;
      x0[i] = (input[i]! - this.normMean[d]!) / this.normStd[d]!;
    }
    for (let i = observationInputs; i < x0.length; i++) x0[i] = input[i]!;

    let offset = 0;
    const last = sizes.length - 2;
    for (let l = 0; l <= last; l++) {
      const nIn = sizes[l]!;
      const nOut = sizes[l + 1]!;
      const x = act[l]!;
      const y = l === last ? action : act[l + 1]!;
      const biasOffset = offset + nOut * nIn;
      for (let r = 0; r < nOut; r++) {
        let sum = p[biasOffset + r]!;
        const row = offset + r * nIn;
        for (let c = 0; c < nIn; c++) sum += p[row + c]! * x[c]!;
        y[r] = l === last || spec.activation === 'tanh' ? Math.tanh(sum) : sum > 0 ? sum : 0;
      }
      offset = biasOffset + nOut;
    }
  }
}

/**
 * Starting weights: hidden layers random (scaled by 1/sqrt(fan-in) so units start unsaturated),
 * the output layer zero so the first policy does nothing and every perturbation's effect is
 * first-order. With no hidden layers this is ARS's zero-initialized linear policy.
 */
export function initialParameters(spec: PolicySpec, rng: Rng): Float64Array {
  const sizes = layerSizesOf(spec);
  const params = new Float64Array(parameterCountOf(spec));
  let offset = 0;
  for (let l = 0; l + 1 < sizes.length; l++) {
    const nIn = sizes[l]!;
    const nOut = sizes[l + 1]!;
    const isOutput = l + 2 === sizes.length;
    if (!isOutput) {
      const scale = 1 / Math.sqrt(nIn);
      for (let i = 0; i < nOut * nIn; i++) params[offset + i] = rng.gaussian(0, scale);
    }
    offset += nOut * nIn + nOut;
  }
  return params;
}
