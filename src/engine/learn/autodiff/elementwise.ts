/** Shape-preserving ops: ReLU, flatten (a view), and the gradient reversal layer of DANN. */
import { tracks, type Tape } from './tape';
import { Tensor } from './tensor';

export function relu(tape: Tape | undefined, x: Tensor): Tensor {
  const record = tracks(tape, x);
  const out = new Tensor(new Float32Array(x.size), x.shape, record);
  const xd = x.data;
  const od = out.data;
  for (let i = 0; i < xd.length; i++) od[i] = xd[i]! > 0 ? xd[i]! : 0;
  if (record) {
    tape.record(() => {
      if (!out.grad) return;
      const dx = x.gradBuffer();
      const dout = out.grad;
      for (let i = 0; i < xd.length; i++) if (xd[i]! > 0) dx[i] += dout[i]!;
    });
  }
  return out;
}

/** [N, ...] -> [N, rest]: shares the data; the gradient is passed through unchanged. */
export function flatten(tape: Tape | undefined, x: Tensor): Tensor {
  const n = x.shape[0]!;
  const record = tracks(tape, x);
  const out = new Tensor(x.data, [n, x.size / n], record);
  if (record) {
    tape.record(() => {
      if (!out.grad) return;
      const dx = x.gradBuffer();
      for (let i = 0; i < dx.length; i++) dx[i] += out.grad[i]!;
    });
  }
  return out;
}

/**
 * Gradient reversal (Ganin & Lempitsky 2015): identity forward, gradient times -lambda backward, so
 * the layers below learn to make the discriminator above fail while the discriminator learns to win.
 */
export function gradientReversal(tape: Tape | undefined, x: Tensor, lambda: number): Tensor {
  const record = tracks(tape, x);
  const out = new Tensor(new Float32Array(x.data), x.shape, record);
  if (record) {
    tape.record(() => {
      if (!out.grad) return;
      const dx = x.gradBuffer();
      for (let i = 0; i < dx.length; i++) dx[i] -= lambda * out.grad[i]!;
    });
  }
  return out;
}
