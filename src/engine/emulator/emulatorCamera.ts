/**
 * The emulated robot's camera: renders the plant's scene as the profile says the real camera sees
 * it (its true pose and focal length, its lighting, colours and textures, and the lens and sensor
 * effects: blur, white balance, gamma, noise). The simulator knows none of these unless an
 * experiment randomizes over them, which is the point: a visual sim-to-real gap to measure.
 */
import { dirname, isAbsolute, resolve } from 'node:path';
import { parameterInfo } from '../config/parameters';
import { deriveSeed, Rng } from '../util/rng';
import { nominalAppearance, SURFACE_NAMES, type Appearance, type Rgb } from '../vision/appearance';
import type { Camera } from '../vision/camera';
import { renderCamera } from '../vision/renderer';
import { emptySceneView, sceneViewOf } from '../vision/sceneView';
import type { RgbImage } from '../vision/types';
import { applyTextureFamily, DEFAULT_CAMERA_CONFIG } from '../vision/visualSample';
import type { TableScene } from '../sim/tasks/tableScene';
import type { RealityProfile } from './realityProfileLoader';
import { SEED_STREAMS } from '../util/seedStreams';

export class EmulatorCamera {
  readonly camera: Camera;
  readonly appearance: Appearance;
  private readonly view = emptySceneView();
  private readonly image: RgbImage;
  private readonly noiseRng: Rng;

  constructor(
    profile: RealityProfile,
    private readonly scene: TableScene,
  ) {
    this.camera = realityCamera(profile);
    this.appearance = realityAppearance(profile);
    this.noiseRng = new Rng(deriveSeed(profile.seed, SEED_STREAMS.emulator.cameraNoise, 0));
    const { widthPx, heightPx } = this.camera.intrinsics;
    this.image = { width: widthPx, height: heightPx, data: new Uint8Array(widthPx * heightPx * 3) };
  }

  /** A frame of the scene as of the last physics step (the returned image is reused by the next call). */
  capture(): RgbImage {
    sceneViewOf(this.scene, this.view);
    return renderCamera(this.view, this.appearance, this.camera, { out: this.image, noiseRng: this.noiseRng });
  }
}

/** The camera's true pose and intrinsics: the profile's camera section and camera_focal_length. */
export function realityCamera(profile: RealityProfile): Camera {
  const c = profile.camera;
  const focal = profile.parameters.camera_focal_length;
  return {
    intrinsics: { widthPx: c.widthPx, heightPx: c.heightPx, focalLengthPx: typeof focal === 'number' ? focal : DEFAULT_CAMERA_CONFIG.focalLengthPx },
    pose: { position: [c.positionXM, c.positionYM, c.positionZM], lookAt: [c.lookAtXM, c.lookAtYM, c.lookAtZM] },
  };
}

/** How the profile's world looks (see realityProfileSpec.ts, section camera). */
export function realityAppearance(profile: RealityProfile): Appearance {
  const a = nominalAppearance();
  const p = profile.parameters;
  const c = profile.camera;
  if (typeof p.light_intensity === 'number') a.lightIntensity = p.light_intensity;
  if (Array.isArray(p.light_position)) a.lightPosition = [p.light_position[0], p.light_position[1], p.light_position[2]];
  if (Array.isArray(p.background_color)) a.backgroundColor = rgb(p.background_color);
  // The tracked object's colour; the arm keeps its own, so the puck stays tellable from the arm.
  if (Array.isArray(p.object_color)) a.surfaces.puck.color = rgb(p.object_color);
  a.noiseStd = typeof p.camera_noise === 'number' ? p.camera_noise : Number(parameterInfo('camera_noise')?.nominal ?? 0);
  a.ambient = c.ambient;
  a.shadows = c.shadows !== 'off';
  a.blurRadiusPx = c.blurRadiusPx;
  a.colorGain = [c.whiteBalanceRed, c.whiteBalanceGreen, c.whiteBalanceBlue];
  a.gamma = c.gamma;
  a.vignetting = c.vignetting;
  const folder = c.textureFolder ? resolveFolder(c.textureFolder, profile.sourcePath) : undefined;
  const rng = new Rng(deriveSeed(profile.seed, SEED_STREAMS.emulator.cameraLook, 0));
  for (const name of SURFACE_NAMES) {
    if (name === 'floor') continue;
    const family = name === 'table' && c.tableTexture ? c.tableTexture : typeof p.texture === 'string' ? p.texture : undefined;
    if (!family) continue;
    const surface = a.surfaces[name];
    applyTextureFamily(surface, name, family, folder, rng, 'camera.textureFolder');
    // Real patterns (wood grain, a cloth) vary a material's own shade, not a random second colour.
    surface.color2 = [surface.color[0] * 0.65, surface.color[1] * 0.65, surface.color[2] * 0.65];
  }
  return a;
}

function resolveFolder(folder: string, profilePath: string | undefined): string {
  if (isAbsolute(folder)) return folder;
  return resolve(profilePath ? dirname(profilePath) : process.cwd(), folder);
}

function rgb(v: readonly number[]): Rgb {
  return [v[0], v[1], v[2]];
}
