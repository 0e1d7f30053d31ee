/** Fully connected layer: [N, in] x weights [out, in] (the ONNX Gemm transB=1 layout) + bias [out]. */
import { tracks, type Tape } from './tape';
import { Tensor } from './tensor';

export function linear(tape: Tape | undefined, x: Tensor, weight: Tensor, bias: Tensor): Tensor {
  if (x.shape.length !== 2) throw new Error(`linear input must be [N, features], got [${x.shape.join(', ')}]`);
  const [n, nIn] = x.shape as [number, number];
  const [nOut, wIn] = weight.shape as [number, number];
  if (wIn !== nIn) throw new Error(`linear weights [${weight.shape.join(', ')}] do not fit ${nIn} input features`);
  if (bias.size !== nOut) throw new Error(`linear bias has ${bias.size} values, weights have ${nOut} outputs`);
  const record = tracks(tape, x, weight, bias);
  const out = new Tensor(new Float32Array(n * nOut), [n, nOut], record);
  const xd = x.data;
  const wd = weight.data;
  for (let b = 0; b < n; b++) {
    for (let j = 0; j < nOut; j++) {
      let s = bias.data[j]!;
      for (let i = 0; i < nIn; i++) s += wd[j * nIn + i]! * xd[b * nIn + i]!;
      out.data[b * nOut + j] = s;
    }
  }
  if (record) {
    tape.record(() => {
      const dout = out.grad;
      if (!dout) return;
      const dw = weight.requiresGrad ? weight.gradBuffer() : undefined;
      const db = bias.requiresGrad ? bias.gradBuffer() : undefined;
      const dx = x.requiresGrad ? x.gradBuffer() : undefined;
      for (let b = 0; b < n; b++) {
        for (let j = 0; j < nOut; j++) {
          const g = dout[b * nOut + j]!;
          if (db) db[j] += g;
          for (let i = 0; i < nIn; i++) {
            if (dw) dw[j * nIn + i] += g * xd[b * nIn + i]!;
            if (dx) dx[b * nIn + i] += g * wd[j * nIn + i]!;
          }
        }
      }
    });
  }
  return out;
}
