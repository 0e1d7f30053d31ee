/**
 * Textures cut from the robot camera's images, for the `sim_real_textures` stage: the sim's table
 * top and puck wear what the real camera saw, so the perception model trains on real surfaces in
 * sim geometry.
 *
 * Each texel of a surface is a known world point; its pixel in the real image comes from the
 * camera model (projectToPixel). A camera pixel is albedo times the light reaching it, and the
 * sim's renderer shades a texture again, so each sample is divided by what the renderer draws for
 * a white surface at that pixel (same camera, nominal light): rendering the texture then gives back
 * the real pixel. Table texels hidden by the arm or the puck are masked (a render of the scene with
 * the arm at its start pose and the puck at its label) and filled with the median over the images
 * where they were seen; texels never seen get the table's median colour.
 */
import { placeArm } from '../sim/tasks/arm';
import { START_JOINT_ANGLES_RAD } from '../sim/tasks/startPose';
import { PUCK, TABLE, TableScene } from '../sim/tasks/tableScene';
import { nominalAppearance, solidSurface, type Appearance, type Rgb, type TextureImage } from '../vision/appearance';
import { projectToPixel, type Camera } from '../vision/camera';
import { renderCamera } from '../vision/renderer';
import { emptySceneView, sceneViewOf } from '../vision/sceneView';
import type { RgbImage } from '../vision/types';
import type { LabelledImage } from './samples';

/** The renderer maps an image texture once across this span of the table top and the puck cap, m. */
const TABLE_TILE_M = Math.max(TABLE.maxX - TABLE.minX, 2 * TABLE.halfWidthY);
const PUCK_TILE_M = 2 * PUCK.radiusM;
const TABLE_TEXELS = 96;
const PUCK_TEXELS = 8;

export interface RealTextures {
  readonly table: TextureImage;
  readonly puck: TextureImage;
  /** Median colour of what lies outside the table in the real images (0-1). */
  readonly background: Rgb;
  /** Real images the textures were cut from. */
  readonly images: number;
}

function bilinear(image: RgbImage, u: number, v: number, channel: number): number {
  const x = Math.min(image.width - 1.001, Math.max(0, u - 0.5));
  const y = Math.min(image.height - 1.001, Math.max(0, v - 0.5));
  const x0 = Math.floor(x);
  const y0 = Math.floor(y);
  const fx = x - x0;
  const fy = y - y0;
  const at = (xx: number, yy: number): number => image.data[3 * (yy * image.width + xx) + channel]!;
  return (at(x0, y0) * (1 - fx) + at(x0 + 1, y0) * fx) * (1 - fy) + (at(x0, y0 + 1) * (1 - fx) + at(x0 + 1, y0 + 1) * fx) * fy;
}

function median(values: number[]): number {
  if (values.length === 0) return 0;
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

function whiteLook(): Appearance {
  const a = nominalAppearance();
  for (const s of Object.values(a.surfaces)) Object.assign(s, solidSurface([1, 1, 1]));
  a.backgroundColor = [0, 0, 0];
  a.shadows = false;
  return a;
}

/** Renders of the scene as the camera sees it: white surfaces (irradiance) and an id mask. */
function renderScene(scene: TableScene, camera: Camera, appearance: Appearance, puck: { x: number; y: number } | undefined): RgbImage {
  scene.placePuck(puck?.x ?? 5, puck?.y ?? 5); // off the table when absent: the floor is outside the view
  const view = sceneViewOf(scene, emptySceneView());
  return renderCamera(view, appearance, camera);
}

export function cutRealTextures(images: readonly LabelledImage[], camera: Camera, tableTopZ: number): RealTextures {
  if (images.length === 0) throw new Error('cutting textures needs at least one real image');
  const scene = new TableScene({ withPuck: true });
  try {
    placeArm(scene.arm, START_JOINT_ANGLES_RAD);
    scene.setTableHeight(tableTopZ);
    // Irradiance: the scene in white (pixels the arm covers there are masked below).
    const irradiance = renderScene(scene, camera, whiteLook(), undefined);
    // Occluders: arm (start pose) and puck in a distinct colour on a black table.
    const occluderLook = nominalAppearance();
    for (const s of Object.values(occluderLook.surfaces)) Object.assign(s, solidSurface([1, 1, 1]));
    occluderLook.surfaces.table = solidSurface([0, 0, 0]);
    occluderLook.ambient = 1;
    occluderLook.shadows = false;
    occluderLook.backgroundColor = [0, 0, 0];
    const tableSamples: number[][][] = Array.from({ length: TABLE_TEXELS * TABLE_TEXELS }, () => [[], [], []]);
    const puckSamples: number[][][] = Array.from({ length: PUCK_TEXELS * PUCK_TEXELS }, () => [[], [], []]);
    const outside: number[][] = [[], [], []];
    const tableAll: number[][] = [[], [], []];
    for (const sample of images) {
      const mask = renderScene(scene, camera, occluderLook, sample);
      const occluded = (u: number, v: number): boolean => {
        const x = Math.min(mask.width - 1, Math.max(0, Math.floor(u)));
        const y = Math.min(mask.height - 1, Math.max(0, Math.floor(v)));
        return mask.data[3 * (y * mask.width + x)]! > 20;
      };
      for (let ty = 0; ty < TABLE_TEXELS; ty++) {
        for (let tx = 0; tx < TABLE_TEXELS; tx++) {
          const x = TABLE.minX + ((tx + 0.5) / TABLE_TEXELS) * TABLE_TILE_M;
          const y = -TABLE.halfWidthY + ((ty + 0.5) / TABLE_TEXELS) * TABLE_TILE_M;
          if (x > TABLE.maxX || y > TABLE.halfWidthY) continue;
          const p = projectToPixel(camera, [x, y, tableTopZ]);
          if (!p || p.u < 0 || p.v < 0 || p.u >= sample.image.width || p.v >= sample.image.height || occluded(p.u, p.v)) continue;
          for (let c = 0; c < 3; c++) {
            const light = Math.max(8, bilinear(irradiance, p.u, p.v, c));
            const albedo = Math.min(1, bilinear(sample.image, p.u, p.v, c) / light);
            tableSamples[ty * TABLE_TEXELS + tx]![c]!.push(albedo);
            tableAll[c]!.push(albedo);
          }
        }
      }
      const puckTop = tableTopZ + 2 * PUCK.halfHeightM;
      for (let ty = 0; ty < PUCK_TEXELS; ty++) {
        for (let tx = 0; tx < PUCK_TEXELS; tx++) {
          const lx = ((tx + 0.5) / PUCK_TEXELS) * PUCK_TILE_M - PUCK.radiusM;
          const ly = ((ty + 0.5) / PUCK_TEXELS) * PUCK_TILE_M - PUCK.radiusM;
          const p = projectToPixel(camera, [sample.x + lx, sample.y + ly, puckTop]);
          if (!p || p.u < 0 || p.v < 0 || p.u >= sample.image.width || p.v >= sample.image.height) continue;
          for (let c = 0; c < 3; c++) {
            const light = Math.max(8, bilinear(irradiance, p.u, p.v, c));
            puckSamples[ty * PUCK_TEXELS + tx]![c]!.push(Math.min(1, bilinear(sample.image, p.u, p.v, c) / light));
          }
        }
      }
      // background: the image's border pixels that the sim shows as background (white render is black there)
      for (let q = 0; q < sample.image.width * sample.image.height; q++) {
        if (irradiance.data[3 * q]! === 0 && irradiance.data[3 * q + 1]! === 0 && irradiance.data[3 * q + 2]! === 0) {
          for (let c = 0; c < 3; c++) outside[c]!.push(sample.image.data[3 * q + c]! / 255);
        }
      }
    }
    const tableFill = [0, 1, 2].map((c) => median(tableAll[c]!));
    const toTexture = (path: string, size: number, samples: number[][][], fill: number[]): TextureImage => {
      const data = new Uint8Array(size * size * 3);
      for (let t = 0; t < size * size; t++) for (let c = 0; c < 3; c++) {
        const seen = samples[t]![c]!;
        data[3 * t + c] = Math.round(255 * (seen.length ? median(seen) : fill[c]!));
      }
      return { path, width: size, height: size, data };
    };
    return {
      table: toTexture('real-camera:table', TABLE_TEXELS, tableSamples, tableFill),
      puck: toTexture('real-camera:puck', PUCK_TEXELS, puckSamples, [0.5, 0.5, 0.5]),
      background: [0, 1, 2].map((c) => median(outside[c]!)) as Rgb,
      images: images.length,
    };
  } finally {
    scene.dispose();
  }
}

/** An appearance (e.g. a randomized draw) with the table, puck and background taken from the real textures. */
export function withRealTextures(appearance: Appearance, textures: RealTextures): Appearance {
  const image = (t: TextureImage, periodM: number) => ({ ...solidSurface([0.5, 0.5, 0.5]), texture: 'image' as const, image: t, periodM });
  appearance.surfaces.table = image(textures.table, TABLE_TILE_M);
  appearance.surfaces.puck = image(textures.puck, PUCK_TILE_M);
  appearance.backgroundColor = [...textures.background];
  return appearance;
}
