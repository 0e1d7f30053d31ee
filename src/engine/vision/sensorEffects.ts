/**
 * What the lens and the sensor do to the light reaching them: vignetting, per-channel gain (white
 * balance), gamma, a box blur (defocus), Gaussian pixel noise, then 8-bit quantization.
 */
import type { Appearance } from './appearance';
import type { RgbImage } from './types';
import { Rng } from '../util/rng';

/** Standard normal quantiles at the centres of 4096 equal-probability bins: noise by table lookup. */
const NORMAL_TABLE = (() => {
  const n = 4096;
  const table = new Float32Array(n);
  for (let i = 0; i < n; i++) table[i] = inverseNormal((i + 0.5) / n);
  return table;
})();

export function applySensorEffects(linear: Float32Array, out: RgbImage, appearance: Appearance, noiseRng?: Rng): void {
  const { width, height } = out;
  const [gr, gg, gb] = appearance.colorGain;
  const gamma = appearance.gamma;
  if (!(gamma > 0)) throw new Error(`gamma must be positive, got ${gamma}`);
  const invGamma = 1 / gamma;
  const n = width * height * 3;
  const vignetting = appearance.vignetting ?? 0;
  if (vignetting > 0) {
    // Brightness 1 - v * (r / r_corner)^2, r from the image centre to the pixel centre.
    const cx = width / 2;
    const cy = height / 2;
    const cornerSquared = cx * cx + cy * cy;
    for (let y = 0, k = 0; y < height; y++) {
      const dy = y + 0.5 - cy;
      for (let x = 0; x < width; x++, k += 3) {
        const dx = x + 0.5 - cx;
        const f = 1 - (vignetting * (dx * dx + dy * dy)) / cornerSquared;
        linear[k] *= f;
        linear[k + 1] *= f;
        linear[k + 2] *= f;
      }
    }
  }
  if (gr !== 1 || gg !== 1 || gb !== 1 || gamma !== 1) {
    for (let k = 0; k < n; k += 3) {
      linear[k] = curve(linear[k] * gr, invGamma);
      linear[k + 1] = curve(linear[k + 1] * gg, invGamma);
      linear[k + 2] = curve(linear[k + 2] * gb, invGamma);
    }
  }
  const radius = Math.round(appearance.blurRadiusPx);
  if (radius > 0) boxBlur(linear, width, height, radius);
  const data = out.data;
  const std = appearance.noiseStd;
  if (std > 0) {
    const rng = noiseRng ?? new Rng(0x5eed);
    const scale = std * 255;
    for (let k = 0; k < n; k += 2) {
      // One 32-bit draw gives two 12-bit table indices.
      const bits = rng.nextU32();
      data[k] = quantize(linear[k] * 255 + scale * NORMAL_TABLE[bits & 4095]);
      if (k + 1 < n) data[k + 1] = quantize(linear[k + 1] * 255 + scale * NORMAL_TABLE[(bits >>> 12) & 4095]);
    }
  } else {
    for (let k = 0; k < n; k++) data[k] = quantize(linear[k] * 255);
  }
}

function curve(x: number, invGamma: number): number {
  if (x <= 0) return 0;
  return invGamma === 1 ? x : Math.pow(x, invGamma);
}

function quantize(x: number): number {
  return x <= 0 ? 0 : x >= 255 ? 255 : (x + 0.5) | 0;
}

let blurScratch = new Float32Array(0);

/** Separable box blur of the given radius (px), edges clamped. */
function boxBlur(img: Float32Array, width: number, height: number, radius: number): void {
  if (blurScratch.length !== img.length) blurScratch = new Float32Array(img.length);
  const tmp = blurScratch;
  const norm = 1 / (2 * radius + 1);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      let r = 0;
      let g = 0;
      let b = 0;
      for (let d = -radius; d <= radius; d++) {
        const xx = x + d < 0 ? 0 : x + d >= width ? width - 1 : x + d;
        const k = 3 * (y * width + xx);
        r += img[k];
        g += img[k + 1];
        b += img[k + 2];
      }
      const k = 3 * (y * width + x);
      tmp[k] = r * norm;
      tmp[k + 1] = g * norm;
      tmp[k + 2] = b * norm;
    }
  }
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      let r = 0;
      let g = 0;
      let b = 0;
      for (let d = -radius; d <= radius; d++) {
        const yy = y + d < 0 ? 0 : y + d >= height ? height - 1 : y + d;
        const k = 3 * (yy * width + x);
        r += tmp[k];
        g += tmp[k + 1];
        b += tmp[k + 2];
      }
      const k = 3 * (y * width + x);
      img[k] = r * norm;
      img[k + 1] = g * norm;
      img[k + 2] = b * norm;
    }
  }
}

/** Acklam's rational approximation of the standard normal quantile (relative error < 1.2e-9). */
function inverseNormal(p: number): number {
  const a = [-39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716, 2.506628277459239];
  const b = [-54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572];
  const c = [-0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
  const d = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];
  const low = 0.02425;
  if (p < low) {
    const q = Math.sqrt(-2 * Math.log(p));
    return (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
  }
  if (p > 1 - low) {
    const q = Math.sqrt(-2 * Math.log(1 - p));
    return -(((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
  }
  const q = p - 0.5;
  const r = q * q;
  return ((((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q) / (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
}
