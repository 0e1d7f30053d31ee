/**
 * How the scene looks: per-surface colour and texture, the light, the background and the sensor's
 * image effects. Plain data: the sim draws one per episode from the experiment's `visuals` entries
 * (appearanceFromSample), the reality emulator builds one from its profile.
 */

export type Rgb = [number, number, number];

export type TextureFamily = 'solid' | 'checker' | 'stripes' | 'noise' | 'gradient' | 'image';
export const TEXTURE_FAMILIES: readonly TextureFamily[] = ['solid', 'checker', 'stripes', 'noise', 'gradient', 'image'];

/** A decoded texture image: rgb8, row-major, top row first. */
export interface TextureImage {
  readonly path: string;
  readonly width: number;
  readonly height: number;
  readonly data: Uint8Array;
}

export interface SurfaceAppearance {
  /** Diffuse colour, RGB in 0-1 (the first colour of a procedural texture). */
  color: Rgb;
  texture: TextureFamily;
  /** Second colour of checker, stripes, noise and gradient textures. */
  color2: Rgb;
  /** Checker cell, stripe width, noise cell, gradient length or image tile size on the surface, m. */
  periodM: number;
  /** Orientation of stripes, checker and gradient on the surface, rad. */
  angleRad: number;
  /** Seed of the noise texture's lattice. */
  seed: number;
  /** The image of the `image` family. */
  image?: TextureImage;
}

/** Surfaces the renderer draws. `marker` is the goal (push) or target (reach) drawn on the table. */
export type SurfaceName = 'table' | 'link1' | 'link2' | 'link3' | 'puck' | 'marker' | 'floor';
export const SURFACE_NAMES: readonly SurfaceName[] = ['table', 'link1', 'link2', 'link3', 'puck', 'marker', 'floor'];

export interface Appearance {
  readonly surfaces: Record<SurfaceName, SurfaceAppearance>;
  /** Colour of everything behind the scene (rays that hit nothing), RGB 0-1; the floor uses it too. */
  backgroundColor: Rgb;
  /** Point light position, m (world frame). */
  lightPosition: [number, number, number];
  /** Light brightness, relative (1 = nominal): scales the direct and the ambient term. */
  lightIntensity: number;
  /** Share of the light that reaches every surface regardless of its orientation (0-1). */
  ambient: number;
  /** Surfaces hidden from the light by the arm or the puck get only the ambient term. */
  shadows: boolean;
  /** Standard deviation of Gaussian pixel noise, in 0-1 intensity. */
  noiseStd: number;
  /** Box blur radius, px (0 = sharp); the emulator's lens and motion blur. */
  blurRadiusPx: number;
  /** Per-channel gain after lighting (white balance), 1 = neutral. */
  colorGain: Rgb;
  /** Output gamma: 1 writes linear intensities. */
  gamma: number;
  /** Share of the brightness lost at the image corners (lens vignetting, falls off with r^2). [default: 0] */
  vignetting?: number;
}

/** Nominal colours of the built-in scene (what an experiment without visual randomization sees). */
export const NOMINAL_COLORS: Readonly<Record<SurfaceName, Rgb>> = {
  table: [0.62, 0.5, 0.36],
  link1: [0.35, 0.4, 0.5],
  link2: [0.35, 0.4, 0.5],
  link3: [0.35, 0.4, 0.5],
  puck: [0.8, 0.15, 0.1],
  marker: [0.2, 0.65, 0.3],
  floor: [0.2, 0.2, 0.2],
};

/** Nominal light: above and in front of the table, m. light_position offsets it. */
export const NOMINAL_LIGHT_POSITION: readonly [number, number, number] = [0.8, -0.6, 2.2];
export const NOMINAL_AMBIENT = 0.35;

export function solidSurface(color: Rgb): SurfaceAppearance {
  return { color: [...color], texture: 'solid', color2: [...color], periodM: 0.1, angleRad: 0, seed: 0 };
}

/** The scene's nominal look: plain colours, one light, no sensor effects. */
export function nominalAppearance(): Appearance {
  const surfaces = {} as Record<SurfaceName, SurfaceAppearance>;
  for (const name of SURFACE_NAMES) surfaces[name] = solidSurface(NOMINAL_COLORS[name]);
  return {
    surfaces,
    backgroundColor: [0.2, 0.2, 0.2],
    lightPosition: [...NOMINAL_LIGHT_POSITION],
    lightIntensity: 1,
    ambient: NOMINAL_AMBIENT,
    shadows: true,
    noiseStd: 0,
    blurRadiusPx: 0,
    colorGain: [1, 1, 1],
    gamma: 1,
  };
}
