/**
 * Surface colour at a point of a surface's own 2D coordinates (u, v in m): the procedural texture
 * families of the `texture` parameter and image tiles. Called once per pixel: no allocation.
 */
import type { SurfaceAppearance } from './appearance';

/** Writes the surface's colour at (u, v) into texel[0..2] (RGB 0-1). */
export function textureColor(surface: SurfaceAppearance, u: number, v: number, texel: Float64Array): void {
  const a = surface.color;
  const family = surface.texture;
  if (family === 'solid') {
    texel[0] = a[0];
    texel[1] = a[1];
    texel[2] = a[2];
    return;
  }
  const c = Math.cos(surface.angleRad);
  const s = Math.sin(surface.angleRad);
  const ru = c * u + s * v;
  const rv = -s * u + c * v;
  const period = surface.periodM;
  let w: number;
  switch (family) {
    case 'checker':
      w = (Math.floor(ru / period) + Math.floor(rv / period)) & 1;
      break;
    case 'stripes':
      w = Math.floor(ru / period) & 1;
      break;
    case 'gradient':
      w = clamp01(0.5 + ru / period);
      break;
    case 'noise':
      // Two octaves of value noise: blotches at the period plus finer grain.
      w = 0.65 * valueNoise(u / period, v / period, surface.seed) + 0.35 * valueNoise((2 * u) / period, (2 * v) / period, surface.seed + 7919);
      break;
    case 'image': {
      const image = surface.image;
      if (!image) throw new Error('image texture without an image');
      const fu = ru / period - Math.floor(ru / period);
      const fv = rv / period - Math.floor(rv / period);
      const x = Math.min(image.width - 1, (fu * image.width) | 0);
      const y = Math.min(image.height - 1, (fv * image.height) | 0);
      const k = 3 * (y * image.width + x);
      texel[0] = image.data[k] / 255;
      texel[1] = image.data[k + 1] / 255;
      texel[2] = image.data[k + 2] / 255;
      return;
    }
  }
  const b = surface.color2;
  texel[0] = a[0] + (b[0] - a[0]) * w;
  texel[1] = a[1] + (b[1] - a[1]) * w;
  texel[2] = a[2] + (b[2] - a[2]) * w;
}

function clamp01(x: number): number {
  return x < 0 ? 0 : x > 1 ? 1 : x;
}

/** Lattice hash to [0, 1): integer mixing, the same on every platform. */
function lattice(ix: number, iy: number, seed: number): number {
  let h = Math.imul(ix, 0x27d4eb2d) ^ Math.imul(iy, 0x165667b1) ^ Math.imul(seed | 0, 0x9e3779b1);
  h = Math.imul(h ^ (h >>> 15), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return ((h ^ (h >>> 16)) >>> 0) / 4294967296;
}

function valueNoise(x: number, y: number, seed: number): number {
  const ix = Math.floor(x);
  const iy = Math.floor(y);
  let fx = x - ix;
  let fy = y - iy;
  fx = fx * fx * (3 - 2 * fx);
  fy = fy * fy * (3 - 2 * fy);
  const n00 = lattice(ix, iy, seed);
  const n10 = lattice(ix + 1, iy, seed);
  const n01 = lattice(ix, iy + 1, seed);
  const n11 = lattice(ix + 1, iy + 1, seed);
  const top = n00 + (n10 - n00) * fx;
  const bottom = n01 + (n11 - n01) * fx;
  return top + (bottom - top) * fy;
}
