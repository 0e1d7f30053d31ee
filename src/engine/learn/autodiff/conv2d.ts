/**
 * 2-D convolution (cross-correlation, as ONNX Conv) over [N, C, H, W] with weights [O, C, kH, kW],
 * bias [O], one stride and one zero padding for both axes. Per image the input is unrolled into
 * columns (im2col, [C*kH*kW, outH*outW]) so the forward pass and both gradients are plain loops
 * whose innermost index runs over contiguous output pixels.
 */
import { tracks, type Tape } from './tape';
import { Tensor } from './tensor';

export interface Conv2dOptions {
  /** [default: 1] */
  readonly stride?: number;
  /** Zero padding on every side. [default: 0] */
  readonly padding?: number;
}

export function convOutputSize(inSize: number, kernel: number, stride: number, padding: number): number {
  return Math.floor((inSize + 2 * padding - kernel) / stride) + 1;
}

interface Geometry {
  c: number; h: number; w: number; kh: number; kw: number; stride: number; pad: number; oh: number; ow: number;
}

function im2col(x: Float32Array, xOffset: number, g: Geometry, cols: Float32Array): void {
  const p = g.oh * g.ow;
  let row = 0;
  for (let c = 0; c < g.c; c++) {
    for (let ki = 0; ki < g.kh; ki++) {
      for (let kj = 0; kj < g.kw; kj++, row++) {
        const base = row * p;
        for (let oi = 0; oi < g.oh; oi++) {
          const i = oi * g.stride - g.pad + ki;
          const dst = base + oi * g.ow;
          if (i < 0 || i >= g.h) {
            cols.fill(0, dst, dst + g.ow);
            continue;
          }
          const src = xOffset + (c * g.h + i) * g.w;
          for (let oj = 0; oj < g.ow; oj++) {
            const j = oj * g.stride - g.pad + kj;
            cols[dst + oj] = j >= 0 && j < g.w ? x[src + j]! : 0;
          }
        }
      }
    }
  }
}

function col2imAdd(cols: Float32Array, g: Geometry, dx: Float32Array, dxOffset: number): void {
  const p = g.oh * g.ow;
  let row = 0;
  for (let c = 0; c < g.c; c++) {
    for (let ki = 0; ki < g.kh; ki++) {
      for (let kj = 0; kj < g.kw; kj++, row++) {
        const base = row * p;
        for (let oi = 0; oi < g.oh; oi++) {
          const i = oi * g.stride - g.pad + ki;
          if (i < 0 || i >= g.h) continue;
          const src = base + oi * g.ow;
          const dst = dxOffset + (c * g.h + i) * g.w;
          for (let oj = 0; oj < g.ow; oj++) {
            const j = oj * g.stride - g.pad + kj;
            if (j >= 0 && j < g.w) dx[dst + j] += cols[src + oj]!;
          }
        }
      }
    }
  }
}

/**
 * out[o, q] += sum_r w[o, r] cols[r, q] for o in [0, rows): four output rows per pass over a column
 * row, so each column value is loaded once for four multiply-adds (2-3x faster than row by row).
 */
function gemmAccumulate(w: Float32Array, rows: number, k: number, cols: Float32Array, p: number, out: Float32Array, outOffset: number): void {
  let o = 0;
  for (; o + 4 <= rows; o += 4) {
    const d0 = outOffset + o * p;
    const d1 = d0 + p;
    const d2 = d1 + p;
    const d3 = d2 + p;
    for (let r = 0; r < k; r++) {
      const w0 = w[o * k + r]!;
      const w1 = w[(o + 1) * k + r]!;
      const w2 = w[(o + 2) * k + r]!;
      const w3 = w[(o + 3) * k + r]!;
      const src = r * p;
      for (let q = 0; q < p; q++) {
        const c = cols[src + q]!;
        out[d0 + q] += w0 * c;
        out[d1 + q] += w1 * c;
        out[d2 + q] += w2 * c;
        out[d3 + q] += w3 * c;
      }
    }
  }
  for (; o < rows; o++) {
    const dst = outOffset + o * p;
    for (let r = 0; r < k; r++) {
      const wv = w[o * k + r]!;
      const src = r * p;
      for (let q = 0; q < p; q++) out[dst + q] += wv * cols[src + q]!;
    }
  }
}

/** dw[o, r] += sum_q dout[o, q] cols[r, q]: four output rows per pass over a column row. */
function weightGradient(dout: Float32Array, doutOffset: number, rows: number, cols: Float32Array, k: number, p: number, dw: Float32Array): void {
  let o = 0;
  for (; o + 4 <= rows; o += 4) {
    const g0 = doutOffset + o * p;
    const g1 = g0 + p;
    const g2 = g1 + p;
    const g3 = g2 + p;
    for (let r = 0; r < k; r++) {
      const src = r * p;
      let s0 = 0;
      let s1 = 0;
      let s2 = 0;
      let s3 = 0;
      for (let q = 0; q < p; q++) {
        const c = cols[src + q]!;
        s0 += dout[g0 + q]! * c;
        s1 += dout[g1 + q]! * c;
        s2 += dout[g2 + q]! * c;
        s3 += dout[g3 + q]! * c;
      }
      dw[o * k + r] += s0;
      dw[(o + 1) * k + r] += s1;
      dw[(o + 2) * k + r] += s2;
      dw[(o + 3) * k + r] += s3;
    }
  }
  for (; o < rows; o++) {
    const g = doutOffset + o * p;
    for (let r = 0; r < k; r++) {
      const src = r * p;
      let sum = 0;
      for (let q = 0; q < p; q++) sum += dout[g + q]! * cols[src + q]!;
      dw[o * k + r] += sum;
    }
  }
}

/** dcols[r, q] = sum_o w[o, r] dout[o, q]: four output rows folded into each pass over a column row. */
function columnGradient(w: Float32Array, rows: number, k: number, dout: Float32Array, doutOffset: number, p: number, dcols: Float32Array): void {
  dcols.fill(0);
  let o = 0;
  for (; o + 4 <= rows; o += 4) {
    const g0 = doutOffset + o * p;
    const g1 = g0 + p;
    const g2 = g1 + p;
    const g3 = g2 + p;
    for (let r = 0; r < k; r++) {
      const w0 = w[o * k + r]!;
      const w1 = w[(o + 1) * k + r]!;
      const w2 = w[(o + 2) * k + r]!;
      const w3 = w[(o + 3) * k + r]!;
      const dst = r * p;
      for (let q = 0; q < p; q++) dcols[dst + q] += w0 * dout[g0 + q]! + w1 * dout[g1 + q]! + w2 * dout[g2 + q]! + w3 * dout[g3 + q]!;
    }
  }
  for (; o < rows; o++) {
    const g = doutOffset + o * p;
    for (let r = 0; r < k; r++) {
      const wv = w[o * k + r]!;
      const dst = r * p;
      for (let q = 0; q < p; q++) dcols[dst + q] += wv * dout[g + q]!;
    }
  }
}

export function conv2d(tape: Tape | undefined, x: Tensor, weight: Tensor, bias: Tensor, options: Conv2dOptions = {}): Tensor {
  const stride = options.stride ?? 1;
  const pad = options.padding ?? 0;
  if (x.shape.length !== 4) throw new Error(`conv2d input must be [N, C, H, W], got [${x.shape.join(', ')}]`);
  const [n, c, h, w] = x.shape as [number, number, number, number];
  const [o, wc, kh, kw] = weight.shape as [number, number, number, number];
  if (weight.shape.length !== 4 || wc !== c) throw new Error(`conv2d weights [${weight.shape.join(', ')}] do not fit ${c} input channels`);
  if (bias.size !== o) throw new Error(`conv2d bias has ${bias.size} values, weights have ${o} output channels`);
  const oh = convOutputSize(h, kh, stride, pad);
  const ow = convOutputSize(w, kw, stride, pad);
  if (oh < 1 || ow < 1) throw new Error(`conv2d kernel ${kh}x${kw} does not fit a ${h}x${w} input`);
  const g: Geometry = { c, h, w, kh, kw, stride, pad, oh, ow };
  const k = c * kh * kw;
  const p = oh * ow;
  const record = tracks(tape, x, weight, bias);
  const out = new Tensor(new Float32Array(n * o * p), [n, o, oh, ow], record);
  // Columns are kept per image for the weight gradient; inference reuses one buffer.
  const colsAll = new Float32Array((record ? n : 1) * k * p);
  const wd = weight.data;
  const od = out.data;
  for (let b = 0; b < n; b++) {
    const cols = colsAll.subarray(record ? b * k * p : 0, (record ? b + 1 : 1) * k * p);
    im2col(x.data, b * c * h * w, g, cols);
    for (let oc = 0; oc < o; oc++) od.fill(bias.data[oc]!, (b * o + oc) * p, (b * o + oc + 1) * p);
    gemmAccumulate(wd, o, k, cols, p, od, b * o * p);
  }
  if (record) {
    tape.record(() => {
      const dout = out.grad;
      if (!dout) return;
      const dw = weight.requiresGrad ? weight.gradBuffer() : undefined;
      const db = bias.requiresGrad ? bias.gradBuffer() : undefined;
      const dx = x.requiresGrad ? x.gradBuffer() : undefined;
      const dcols = dx ? new Float32Array(k * p) : undefined;
      for (let b = 0; b < n; b++) {
        const cols = colsAll.subarray(b * k * p, (b + 1) * k * p);
        if (db) {
          for (let oc = 0; oc < o; oc++) {
            const src = (b * o + oc) * p;
            let s = 0;
            for (let q = 0; q < p; q++) s += dout[src + q]!;
            db[oc] += s;
          }
        }
        if (dw) weightGradient(dout, b * o * p, o, cols, k, p, dw);
        if (dcols && dx) {
          columnGradient(wd, o, k, dout, b * o * p, p, dcols);
          col2imAdd(dcols, g, dx, b * c * h * w);
        }
      }
    });
  }
  return out;
}
