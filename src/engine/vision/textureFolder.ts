/**
 * Texture images from a folder of the workspace (e.g. photos of the lab), for the `image` family
 * of the `texture` parameter: every PNG and JPEG in the folder, decoded to rgb8 once and cached.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join } from 'node:path';
import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import type { TextureImage } from './appearance';

const cache = new Map<string, readonly TextureImage[]>();

/** Largest side a texture keeps, px: a 64x64 camera never samples finer, and decoding stays bounded. */
const MAX_SIDE_PX = 256;

export class TextureFolderError extends Error {}

/** The decoded images of a folder (absolute path), sorted by file name; throws naming the path. */
export function loadTextureFolder(folder: string): readonly TextureImage[] {
  const cached = cache.get(folder);
  if (cached) return cached;
  let isFolder = false;
  try {
    isFolder = statSync(folder).isDirectory();
  } catch {
    throw new TextureFolderError(`texture folder '${folder}' does not exist`);
  }
  if (!isFolder) throw new TextureFolderError(`texture folder '${folder}' is not a folder`);
  const files = readdirSync(folder)
    .filter((name) => ['.png', '.jpg', '.jpeg'].includes(extname(name).toLowerCase()))
    .sort();
  if (files.length === 0) throw new TextureFolderError(`texture folder '${folder}' holds no PNG or JPEG images`);
  const images = files.map((name) => decodeImageFile(join(folder, name)));
  cache.set(folder, images);
  return images;
}

export function decodeImageFile(path: string): TextureImage {
  const bytes = readFileSync(path);
  let width: number;
  let height: number;
  let rgba: Uint8Array;
  try {
    if (extname(path).toLowerCase() === '.png') {
      const png = PNG.sync.read(bytes);
      ({ width, height } = png);
      rgba = png.data;
    } else {
      const decoded = jpeg.decode(bytes, { useTArray: true, formatAsRGBA: true, maxMemoryUsageInMB: 256 });
      ({ width, height } = decoded);
      rgba = decoded.data;
    }
  } catch (error) {
    throw new TextureFolderError(`cannot decode texture image '${path}': ${(error as Error).message}`);
  }
  return downsample(path, width, height, rgba);
}

/** rgba to rgb8, shrunk by an integer box filter until the longer side fits MAX_SIDE_PX. */
function downsample(path: string, width: number, height: number, rgba: Uint8Array): TextureImage {
  const factor = Math.max(1, Math.ceil(Math.max(width, height) / MAX_SIDE_PX));
  const w = Math.max(1, Math.floor(width / factor));
  const h = Math.max(1, Math.floor(height / factor));
  const data = new Uint8Array(w * h * 3);
  const area = factor * factor;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      let r = 0;
      let g = 0;
      let b = 0;
      for (let dy = 0; dy < factor; dy++) {
        for (let dx = 0; dx < factor; dx++) {
          const k = 4 * ((y * factor + dy) * width + x * factor + dx);
          r += rgba[k];
          g += rgba[k + 1];
          b += rgba[k + 2];
        }
      }
      const o = 3 * (y * w + x);
      data[o] = Math.round(r / area);
      data[o + 1] = Math.round(g / area);
      data[o + 2] = Math.round(b / area);
    }
  }
  return { path, width: w, height: h, data };
}
