/**
 * Adam (Kingma & Ba 2015) applied to ARS's ascent direction, as OpenAI's evolution strategies do
 * (Salimans et al. 2017). Under domain randomization each iteration's direction is a noisy estimate;
 * Adam's first moment averages it over about ten iterations and its second moment gives every
 * weight a step of about the learning rate, so layers with small and large gradients learn alike.
 */
import type { AdamState } from '../runs/checkpoint';

export const ADAM_BETA1 = 0.9;
export const ADAM_BETA2 = 0.999;
const EPSILON = 1e-8;

export function createAdam(size: number): AdamState {
  return { m: new Float64Array(size), v: new Float64Array(size), t: 0 };
}

/** theta + lr * m_hat / (sqrt(v_hat) + eps), as a new array; `state` advances in place. */
export function adamAscent(parameters: Float64Array, direction: Float64Array, state: AdamState, learningRate: number): Float64Array {
  state.t += 1;
  const c1 = 1 - ADAM_BETA1 ** state.t;
  const c2 = 1 - ADAM_BETA2 ** state.t;
  const next = new Float64Array(parameters.length);
  const { m, v } = state;
  for (let i = 0; i < next.length; i++) {
    const g = direction[i]!;
    m[i] = ADAM_BETA1 * m[i]! + (1 - ADAM_BETA1) * g;
    v[i] = ADAM_BETA2 * v[i]! + (1 - ADAM_BETA2) * g * g;
    next[i] = parameters[i]! + (learningRate * (m[i]! / c1)) / (Math.sqrt(v[i]! / c2) + EPSILON);
  }
  return next;
}

export function cloneAdam(state: AdamState): AdamState {
  return { m: new Float64Array(state.m), v: new Float64Array(state.v), t: state.t };
}
