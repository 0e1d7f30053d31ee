/**
 * Randomization of what the experiment's `visuals` entries cannot express: the lens and sensor
 * (white balance, gamma, blur, vignetting, noise), the ambient share of the light, shadows, the
 * puck's exact shade, the table top's height and texture. A real camera differs from the renderer's
 * nominal look in all of these at once (a cheap USB camera: warm white balance, sRGB-like gamma,
 * soft focus, a wood-grain table); a model that never saw them latches onto the nominal look and
 * is off by ~10 cm on such images (docs/perception.md, Results).
 *
 * Applied on top of a look drawn from the experiment (its colours, light, focal length and camera
 * pose jitter stay), with `strength` in [0, 1] scaling every range about the nominal value, so a
 * training run can widen them as it goes (a curriculum: full ranges from the start kept the
 * keypoints on the plateau where every image gives the mean position).
 */
import type { Appearance, Rgb, SurfaceAppearance } from '../vision/appearance';
import type { Rng } from '../util/rng';

export interface SensorRandomization {
  /** Per-channel gain (white balance), drawn independently per channel. [default: [0.8, 1.2]] */
  readonly colorGain: readonly [number, number];
  /** Output gamma. [default: [0.8, 2]] */
  readonly gamma: readonly [number, number];
  /** Largest box-blur radius, px; the radius is drawn from 0..this. [default: 1] */
  readonly maxBlurRadiusPx: number;
  /** Vignetting share lost at the corners. [default: [0, 0.35]] */
  readonly vignetting: readonly [number, number];
  /** Ambient share of the light. [default: [0.25, 0.55]] */
  readonly ambient: readonly [number, number];
  /** Share of images drawn without shadows. [default: 0.2] */
  readonly noShadowShare: number;
  /** Gaussian pixel noise std, 0-1 intensity (on top of the experiment's camera_noise). [default: [0, 0.04]] */
  readonly noiseStd: readonly [number, number];
  /** The puck's colour is multiplied per channel by a factor in this range. [default: [0.8, 1.2]] */
  readonly puckShade: readonly [number, number];
  /** The table top's height moves by up to this, m. [default: 0.015] */
  readonly tableHeightJitterM: number;
  /**
   * Share of images whose solid table top gets a material-like texture (noise or checker in a
   * darker shade of its own colour, as wood grain or a cloth). [default: 0.5]
   */
  readonly tableTextureShare: number;
  /**
   * Draw each image's strength uniformly in [0, 1] (every range shrunk about nominal by it), so
   * near-ideal cameras are as common as poor ones; false: every image at full strength. [default:
   * false: per-image strength moved the emulator error from 0.89 to 1.69 cm (moderate) and 1.39 to
   * 1.31 cm (mild), same seed]
   */
  readonly strengthPerImage: boolean;
}

export const DEFAULT_SENSOR_RANDOMIZATION: SensorRandomization = {
  colorGain: [0.8, 1.2],
  gamma: [0.8, 2],
  maxBlurRadiusPx: 1,
  vignetting: [0, 0.35],
  ambient: [0.25, 0.55],
  noShadowShare: 0.2,
  noiseStd: [0, 0.04],
  puckShade: [0.8, 1.2],
  tableHeightJitterM: 0.015,
  tableTextureShare: 0.5,
  strengthPerImage: false,
};

/** A drawn value of [low, high], the range shrunk about `nominal` by strength. */
function draw(rng: Rng, range: readonly [number, number], nominal: number, strength: number): number {
  const low = nominal + (range[0] - nominal) * strength;
  const high = nominal + (range[1] - nominal) * strength;
  return rng.uniform(Math.min(low, high), Math.max(low, high));
}

/**
 * Randomizes the appearance in place and returns the table height offset (m). Always the same
 * number of draws whatever the strength, so a seed gives the same scene sequence at any strength.
 */
export function randomizeSensor(appearance: Appearance, rng: Rng, strength: number, ranges: SensorRandomization = DEFAULT_SENSOR_RANDOMIZATION): number {
  if (!(strength >= 0 && strength <= 1)) throw new Error(`sensor randomization strength must be in [0, 1], got ${strength}`);
  const gain: Rgb = [draw(rng, ranges.colorGain, 1, strength), draw(rng, ranges.colorGain, 1, strength), draw(rng, ranges.colorGain, 1, strength)];
  appearance.colorGain = [appearance.colorGain[0] * gain[0], appearance.colorGain[1] * gain[1], appearance.colorGain[2] * gain[2]];
  appearance.gamma *= draw(rng, ranges.gamma, 1, strength);
  const blurDraw = rng.next();
  if (blurDraw < strength) appearance.blurRadiusPx = Math.max(appearance.blurRadiusPx, Math.round(rng.uniform(0, ranges.maxBlurRadiusPx)));
  else rng.next();
  appearance.vignetting = Math.max(appearance.vignetting ?? 0, draw(rng, ranges.vignetting, 0, strength));
  appearance.ambient = draw(rng, ranges.ambient, appearance.ambient, strength);
  if (rng.next() < ranges.noShadowShare * strength) appearance.shadows = false;
  appearance.noiseStd = Math.hypot(appearance.noiseStd, draw(rng, ranges.noiseStd, 0, strength));
  const puck = appearance.surfaces.puck;
  puck.color = puck.color.map((c) => Math.min(1, c * draw(rng, ranges.puckShade, 1, strength))) as Rgb;
  puck.color2 = [...puck.color];
  const tableHeightOffsetM = draw(rng, [-ranges.tableHeightJitterM, ranges.tableHeightJitterM], 0, strength);
  const textureDraw = rng.next();
  const family = rng.next() < 0.7 ? 'noise' : 'checker';
  const period = rng.uniform(0.03, 0.2);
  const shade = rng.uniform(0.5, 0.9);
  const seed = rng.nextU32();
  const table = appearance.surfaces.table;
  if (table.texture === 'solid' && textureDraw < ranges.tableTextureShare * strength) materialTexture(table, family, period, shade, seed);
  return tableHeightOffsetM;
}

function materialTexture(surface: SurfaceAppearance, family: 'noise' | 'checker', periodM: number, shade: number, seed: number): void {
  surface.texture = family;
  surface.color2 = [surface.color[0] * shade, surface.color[1] * shade, surface.color[2] * shade];
  surface.periodM = periodM;
  surface.seed = seed;
}
