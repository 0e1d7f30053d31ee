/**
 * Adam descent on float32 parameter tensors, in place (the ARS optimizer in ../adam.ts ascends a
 * float64 vector and returns a new one; here the parameters are many separate tensors updated every
 * mini-batch, so allocation per step would dominate). Gradients are zeroed after each step.
 */
import { ADAM_BETA1, ADAM_BETA2 } from '../adam';
import type { Tensor } from './tensor';

const EPSILON = 1e-8;

export class AdamOptimizer {
  private readonly m: Float32Array[];
  private readonly v: Float32Array[];
  private t = 0;

  constructor(
    readonly parameters: readonly Tensor[],
    /** [default: 1e-3] */
    public learningRate = 1e-3,
  ) {
    this.m = parameters.map((p) => new Float32Array(p.size));
    this.v = parameters.map((p) => new Float32Array(p.size));
  }

  step(): void {
    this.t += 1;
    const c1 = 1 - ADAM_BETA1 ** this.t;
    const c2 = 1 - ADAM_BETA2 ** this.t;
    const lr = this.learningRate;
    this.parameters.forEach((p, k) => {
      const g = p.grad;
      if (!g) return;
      const m = this.m[k]!;
      const v = this.v[k]!;
      const d = p.data;
      for (let i = 0; i < d.length; i++) {
        m[i] = ADAM_BETA1 * m[i]! + (1 - ADAM_BETA1) * g[i]!;
        v[i] = ADAM_BETA2 * v[i]! + (1 - ADAM_BETA2) * g[i]! * g[i]!;
        d[i] -= (lr * (m[i]! / c1)) / (Math.sqrt(v[i]! / c2) + EPSILON);
      }
      g.fill(0);
    });
  }

  zeroGrad(): void {
    for (const p of this.parameters) p.grad?.fill(0);
  }
}
