/**
 * A dense float32 tensor, row-major, for the small reverse-mode autodiff the perception model
 * trains with. `grad` is allocated by the tape's backward pass (or by an optimizer) and has the
 * tensor's size; parameters keep theirs between steps until the optimizer zeroes it.
 */
export class Tensor {
  readonly size: number;
  grad: Float32Array | undefined;

  constructor(
    readonly data: Float32Array,
    readonly shape: readonly number[],
    /** True for parameters and for anything computed from them on a recording tape. */
    readonly requiresGrad = false,
  ) {
    this.size = shape.reduce((a, b) => a * b, 1);
    if (data.length !== this.size) throw new Error(`tensor data has ${data.length} values, shape [${shape.join(', ')}] needs ${this.size}`);
  }

  static zeros(shape: readonly number[], requiresGrad = false): Tensor {
    return new Tensor(new Float32Array(shape.reduce((a, b) => a * b, 1)), shape, requiresGrad);
  }

  /** The gradient buffer, allocated (zeroed) on first use. */
  gradBuffer(): Float32Array {
    if (!this.grad) this.grad = new Float32Array(this.size);
    return this.grad;
  }
}

/** A random source in [0, 1): every initialization draws from a seeded generator passed in. */
export type Uniform = () => number;

/** Standard normal draw (Box-Muller) from a uniform source. */
export function gaussian(uniform: Uniform): number {
  const u = Math.max(uniform(), 1e-12);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * uniform());
}

/**
 * A trainable weight tensor with He initialization (std sqrt(2 / fanIn)): the ReLU layers it feeds
 * keep their activations' scale from layer to layer.
 */
export function heParameter(shape: readonly number[], fanIn: number, uniform: Uniform): Tensor {
  const t = Tensor.zeros(shape, true);
  const std = Math.sqrt(2 / fanIn);
  for (let i = 0; i < t.size; i++) t.data[i] = std * gaussian(uniform);
  return t;
}

export function zeroParameter(shape: readonly number[]): Tensor {
  return Tensor.zeros(shape, true);
}
