/**
 * The shape of a policy network and the layout of its input, shared by the JS forward pass, the
 * ONNX writer and the ONNX loader so all three agree on what each input number means.
 *
 * Input layout with a history of k steps (Peng et al. 2018 gave the policy memory this way):
 *   [ obs_t, obs_{t-1}, ..., obs_{t-k}, action_{t-1}, ..., action_{t-k} ]
 * so the size is observationSize * (k + 1) + actionSize * k.
 */
import type { PolicyConfig } from '../config/experiment';

export type Activation = 'tanh' | 'relu';

export interface PolicySpec {
  readonly observationSize: number;
  readonly actionSize: number;
  readonly hidden: readonly number[];
  readonly activation: Activation;
  /** Past observations and actions appended to the input (0 = feed-forward). */
  readonly history: number;
}

export function policySpecFor(config: PolicyConfig, observationSize: number, actionSize: number): PolicySpec {
  return { observationSize, actionSize, hidden: [...config.hidden], activation: config.activation, history: config.history };
}

export function inputSizeOf(spec: Pick<PolicySpec, 'observationSize' | 'actionSize' | 'history'>): number {
  return spec.observationSize * (spec.history + 1) + spec.actionSize * spec.history;
}

/** Layer widths from input to output, e.g. [14, 32, 3]. */
export function layerSizesOf(spec: PolicySpec): number[] {
  return [inputSizeOf(spec), ...spec.hidden, spec.actionSize];
}

/** Number of weights and biases; parameters are stored per layer as W (out x in, row-major) then b. */
export function parameterCountOf(spec: PolicySpec): number {
  const sizes = layerSizesOf(spec);
  let n = 0;
  for (let l = 0; l + 1 < sizes.length; l++) n += sizes[l + 1]! * sizes[l]! + sizes[l + 1]!;
  return n;
}

/**
 * The history length implied by an input size, or undefined if the size fits no history.
 * Lets a policy trained elsewhere be run here when only its tensor shapes are known.
 */
export function historyForInputSize(inputSize: number, observationSize: number, actionSize: number): number | undefined {
  const extra = inputSize - observationSize;
  if (extra < 0 || extra % (observationSize + actionSize) !== 0) return undefined;
  return extra / (observationSize + actionSize);
}
