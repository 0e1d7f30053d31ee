/**
 * The pinhole camera: a pose (position, look-at point, +z up) and intrinsics (image size, focal
 * length in px, principal point at the image centre). Pixel (i, j) covers u in [i, i+1) and
 * v in [j, j+1), u to the right and v down, so a pixel's centre is at (i + 0.5, j + 0.5).
 */
import type { CameraIntrinsics, CameraPose } from './types';

export interface Camera {
  readonly intrinsics: CameraIntrinsics;
  readonly pose: CameraPose;
}

/** The camera's orthonormal frame in the world: forward, right and up (image v grows along -up). */
export interface CameraBasis {
  readonly origin: Float64Array;
  readonly forward: Float64Array;
  readonly right: Float64Array;
  readonly up: Float64Array;
  readonly focalLengthPx: number;
  readonly centerU: number;
  readonly centerV: number;
}

export function cameraBasis(camera: Camera): CameraBasis {
  const { position, lookAt } = camera.pose;
  const { widthPx, heightPx, focalLengthPx } = camera.intrinsics;
  checkCamera(camera);
  const forward = normalize([lookAt[0] - position[0], lookAt[1] - position[1], lookAt[2] - position[2]]);
  // right = forward x z; a camera looking straight down has no defined right: fall back to -y.
  let right = [forward[1], -forward[0], 0];
  if (Math.hypot(right[0], right[1]) < 1e-9) right = [0, -1, 0];
  right = normalize(right);
  const up = [
    right[1] * forward[2] - right[2] * forward[1],
    right[2] * forward[0] - right[0] * forward[2],
    right[0] * forward[1] - right[1] * forward[0],
  ];
  return {
    origin: Float64Array.from(position),
    forward: Float64Array.from(forward),
    right: Float64Array.from(right),
    up: Float64Array.from(up),
    focalLengthPx,
    centerU: widthPx / 2,
    centerV: heightPx / 2,
  };
}

/** Image coordinates (u right, v down, px) of a world point; undefined behind the camera. */
export function projectToPixel(camera: Camera, worldPoint: readonly [number, number, number]): { u: number; v: number } | undefined {
  const frame = cameraBasis(camera);
  const dx = worldPoint[0] - frame.origin[0];
  const dy = worldPoint[1] - frame.origin[1];
  const dz = worldPoint[2] - frame.origin[2];
  const depth = dx * frame.forward[0] + dy * frame.forward[1] + dz * frame.forward[2];
  if (depth <= 1e-9) return undefined;
  const x = dx * frame.right[0] + dy * frame.right[1] + dz * frame.right[2];
  const y = dx * frame.up[0] + dy * frame.up[1] + dz * frame.up[2];
  return { u: frame.centerU + (frame.focalLengthPx * x) / depth, v: frame.centerV - (frame.focalLengthPx * y) / depth };
}

export function checkCamera(camera: Camera): void {
  const { widthPx, heightPx, focalLengthPx } = camera.intrinsics;
  if (!Number.isInteger(widthPx) || !Number.isInteger(heightPx) || widthPx < 1 || heightPx < 1 || widthPx > 4096 || heightPx > 4096) {
    throw new Error(`camera resolution ${widthPx}x${heightPx} px: width and height must be whole numbers from 1 to 4096`);
  }
  if (!(focalLengthPx > 0) || !Number.isFinite(focalLengthPx)) throw new Error(`camera focal length ${focalLengthPx} px must be a positive number`);
  const { position, lookAt } = camera.pose;
  for (const v of [...position, ...lookAt]) if (!Number.isFinite(v)) throw new Error(`camera pose has a non-finite coordinate: position ${position}, look_at ${lookAt}`);
  if (Math.hypot(lookAt[0] - position[0], lookAt[1] - position[1], lookAt[2] - position[2]) < 1e-6) {
    throw new Error(`camera look_at ${lookAt} coincides with its position`);
  }
}

function normalize(v: number[]): number[] {
  const n = Math.hypot(v[0], v[1], v[2]);
  return [v[0] / n, v[1] / n, v[2] / n];
}
