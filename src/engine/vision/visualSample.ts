/**
 * An episode's drawn `visuals` parameters turned into what the renderer takes: an Appearance and a
 * Camera. Parameters not drawn keep the scene's nominal look. A drawn value is read with its entry's
 * operation, relative to the scene's own base value (the experiment's camera focal length, the
 * nominal light position): `scale` multiplies the base by value / parameter nominal, `add` offsets
 * the base by value - parameter nominal, `abs` replaces it.
 *
 * The extra draws a texture needs (second colour, cell size, angle, which image) and the camera
 * pose jitter come from the Rng passed in, in a fixed order, so a seed fixes the image.
 */
import { dirname, isAbsolute, resolve } from 'node:path';
import type { CameraConfig, Experiment, RandomizationEntry } from '../config/experiment';
import { parameterInfo } from '../config/parameters';
import { TASKS } from '../config/taskCatalog';
import type { EpisodeSample } from '../sim/env';
import { sampleKey } from '../sim/randomizer';
import { TABLE } from '../sim/tasks/tableScene';
import type { Rng } from '../util/rng';
import {
  NOMINAL_LIGHT_POSITION,
  nominalAppearance,
  TEXTURE_FAMILIES,
  type Appearance,
  type Rgb,
  type SurfaceAppearance,
  type SurfaceName,
  type TextureFamily,
} from './appearance';
import type { Camera } from './camera';
import { loadTextureFolder, TextureFolderError } from './textureFolder';

/** The camera an experiment without a `camera` block gets (the schema's defaults). */
export const DEFAULT_CAMERA_CONFIG: CameraConfig = {
  widthPx: 64,
  heightPx: 64,
  focalLengthPx: 64,
  position: [0.8, 0, 2.13],
  lookAt: [0.3, 0, 0.75],
  positionJitterM: 0,
  lookAtJitterM: 0,
};

/** Which surface a visual target of the task catalog paints. */
const SURFACE_OF_TARGET: Readonly<Record<string, SurfaceName>> = {
  link1: 'link1',
  link2: 'link2',
  link3: 'link3',
  puck: 'puck',
  table: 'table',
  goal: 'marker',
  target: 'marker',
};

/** Texture cell sizes drawn per surface, m: about a tenth to a third of the surface's size. */
const PERIOD_RANGE_M: Readonly<Record<SurfaceName, readonly [number, number]>> = {
  table: [0.05, 0.3],
  link1: [0.02, 0.1],
  link2: [0.02, 0.1],
  link3: [0.02, 0.1],
  puck: [0.01, 0.04],
  marker: [0.01, 0.03],
  floor: [0.1, 1],
};

/** Image textures span the surface once: the table top shows the whole photo. */
const IMAGE_TILE_M: Readonly<Record<SurfaceName, number>> = {
  table: Math.max(TABLE.maxX - TABLE.minX, 2 * TABLE.halfWidthY),
  link1: 0.3,
  link2: 0.25,
  link3: 0.15,
  puck: 0.08,
  marker: 0.06,
  floor: 2,
};

export function appearanceFromSample(sample: EpisodeSample, experiment: Experiment, rng: Rng): Appearance {
  const appearance = nominalAppearance();
  const entries = visualEntries(experiment);
  const intensity = entries.get('light_intensity');
  if (intensity) appearance.lightIntensity = relative(intensity, numberOf(sample, 'light_intensity'), 1);
  const light = entries.get('light_position');
  if (light) {
    const drawn = vectorOf(sample, 'light_position');
    for (let axis = 0; axis < 3; axis++) {
      appearance.lightPosition[axis] = relative(light, drawn[axis], NOMINAL_LIGHT_POSITION[axis]);
    }
  }
  const background = entries.get('background_color');
  if (background) appearance.backgroundColor = rgbOf(vectorOf(sample, 'background_color'));
  const noise = entries.get('camera_noise');
  if (noise) appearance.noiseStd = relative(noise, numberOf(sample, 'camera_noise'), 0);
  const task = TASKS[experiment.task];
  const textureEntry = entries.get('texture');
  for (const target of task.visualTargets) {
    const surfaceName = SURFACE_OF_TARGET[target];
    if (!surfaceName) continue;
    const surface = appearance.surfaces[surfaceName];
    const color = sample[sampleKey('object_color', target)];
    if (color !== undefined) surface.color = rgbOf(Array.isArray(color) ? color : [Number(color)]);
    const family = sample[sampleKey('texture', target)];
    if (family !== undefined && textureEntry) applyTexture(surface, surfaceName, String(family), textureEntry, experiment, rng);
  }
  return appearance;
}

/** The episode's camera: the experiment's camera block, focal length and pose jitter applied. */
export function cameraFromSample(sample: EpisodeSample, experiment: Experiment, rng: Rng): Camera {
  const config = experiment.camera ?? DEFAULT_CAMERA_CONFIG;
  const focal = visualEntries(experiment).get('camera_focal_length');
  const focalLengthPx = focal ? relative(focal, numberOf(sample, 'camera_focal_length'), config.focalLengthPx) : config.focalLengthPx;
  const jitter = (base: readonly number[], amplitude: number): [number, number, number] => [
    base[0] + (amplitude > 0 ? rng.uniform(-amplitude, amplitude) : 0),
    base[1] + (amplitude > 0 ? rng.uniform(-amplitude, amplitude) : 0),
    base[2] + (amplitude > 0 ? rng.uniform(-amplitude, amplitude) : 0),
  ];
  return {
    intrinsics: { widthPx: config.widthPx, heightPx: config.heightPx, focalLengthPx },
    pose: { position: jitter(config.position, config.positionJitterM), lookAt: jitter(config.lookAt, config.lookAtJitterM) },
  };
}

/** The experiment's nominal camera (no randomization). */
export function nominalCamera(experiment?: Experiment): Camera {
  const config = experiment?.camera ?? DEFAULT_CAMERA_CONFIG;
  return {
    intrinsics: { widthPx: config.widthPx, heightPx: config.heightPx, focalLengthPx: config.focalLengthPx },
    pose: { position: [...config.position], lookAt: [...config.lookAt] },
  };
}

/**
 * The texture folder's absolute path (relative to the experiment file), decoded images checked:
 * call it before a long run to fail early on a bad folder.
 */
export function checkTextureFolder(experiment: Experiment): string | undefined {
  const entry = visualEntries(experiment).get('texture');
  if (!entry?.folder) return undefined;
  const folder = textureFolderPath(entry, experiment);
  loadTextureFolder(folder);
  return folder;
}

function textureFolderPath(entry: RandomizationEntry, experiment: Experiment): string {
  const folder = entry.folder!;
  if (isAbsolute(folder)) return folder;
  return resolve(experiment.sourcePath ? dirname(experiment.sourcePath) : process.cwd(), folder);
}

function applyTexture(surface: SurfaceAppearance, name: SurfaceName, family: string, entry: RandomizationEntry, experiment: Experiment, rng: Rng): void {
  const folder = entry.folder ? textureFolderPath(entry, experiment) : undefined;
  applyTextureFamily(surface, name, family, folder, rng, 'randomization.visuals.texture.folder');
}

/**
 * Give a surface a texture family: the family's random details (second colour, cell size, angle,
 * noise seed, which image of `folder`) drawn from rng. `folderKey` names the setting in errors.
 */
export function applyTextureFamily(surface: SurfaceAppearance, name: SurfaceName, family: string, folder: string | undefined, rng: Rng, folderKey: string): void {
  if (!TEXTURE_FAMILIES.includes(family as TextureFamily)) {
    throw new Error(`texture '${family}' is not a texture family (one of ${TEXTURE_FAMILIES.join(', ')})`);
  }
  surface.texture = family as TextureFamily;
  if (family === 'solid') return;
  // Always the same four draws, whatever the family, so one surface's family never shifts the next's.
  surface.color2 = [rng.next(), rng.next(), rng.next()];
  const [low, high] = PERIOD_RANGE_M[name];
  surface.periodM = rng.uniform(low, high);
  surface.angleRad = rng.uniform(0, Math.PI);
  surface.seed = rng.nextU32();
  if (family === 'gradient') surface.periodM = IMAGE_TILE_M[name];
  if (family === 'image') {
    if (!folder) throw new TextureFolderError(`texture 'image' needs a folder of images: set ${folderKey}`);
    const images = loadTextureFolder(folder);
    surface.image = images[surface.seed % images.length];
    surface.periodM = IMAGE_TILE_M[name];
    surface.angleRad = 0;
  }
}

function visualEntries(experiment: Experiment): Map<string, RandomizationEntry> {
  const map = new Map<string, RandomizationEntry>();
  for (const entry of experiment.randomization) if (entry.group === 'visuals') map.set(entry.name, entry);
  return map;
}

/** A drawn value turned into the scene's value, relative to the scene's base (see the file comment). */
function relative(entry: RandomizationEntry, drawn: number, base: number): number {
  const nominal = Number(parameterInfo(entry.name)?.nominal ?? 0);
  if (entry.operation === 'abs') return drawn;
  if (entry.operation === 'add') return base + (drawn - nominal);
  // A zero nominal cannot be scaled (the draw is always 0): keep the base.
  return nominal === 0 ? base : (base * drawn) / nominal;
}

function numberOf(sample: EpisodeSample, name: string): number {
  const value = sample[name];
  if (typeof value === 'number') return value;
  if (Array.isArray(value)) return value[0];
  const nominal = parameterInfo(name)?.nominal;
  return typeof nominal === 'number' ? nominal : 0;
}

/** A vector parameter's drawn value; a size-1 entry applies its one value to every component. */
function vectorOf(sample: EpisodeSample, name: string): number[] {
  const value = sample[name];
  if (Array.isArray(value)) return value.length >= 3 ? value : [value[0], value[0], value[0]];
  const n = typeof value === 'number' ? value : Number(parameterInfo(name)?.nominal ?? 0);
  return [n, n, n];
}

function rgbOf(values: readonly number[]): Rgb {
  const c = (x: number): number => (x < 0 ? 0 : x > 1 ? 1 : x);
  return values.length >= 3 ? [c(values[0]), c(values[1]), c(values[2])] : [c(values[0]), c(values[0]), c(values[0])];
}
