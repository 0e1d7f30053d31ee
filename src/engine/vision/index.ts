/**
 * The camera's public API: render a table scene's current state as an rgb8 image, with the look
 * drawn from an experiment's `visuals` randomization (or a reality profile's appearance).
 *
 *   const view = sceneViewOf(scene);                         // body poses after the last step
 *   const appearance = appearanceFromSample(sample, experiment, rng);
 *   const camera = cameraFromSample(sample, experiment, rng); // focal length and pose jitter
 *   const image = renderCamera(view, appearance, camera, { out, noiseRng: rng });
 *   const pixel = projectToPixel(camera, [x, y, z]);         // where a world point lands
 */
export type { CameraIntrinsics, CameraPose, RgbImage, PuckPosition } from './types';
export { renderCamera, MARKER_RADIUS_M, type RenderOptions } from './renderer';
export { sceneViewOf, emptySceneView, type SceneView } from './sceneView';
export { projectToPixel, cameraBasis, type Camera } from './camera';
export {
  nominalAppearance,
  solidSurface,
  NOMINAL_COLORS,
  NOMINAL_LIGHT_POSITION,
  SURFACE_NAMES,
  TEXTURE_FAMILIES,
  type Appearance,
  type Rgb,
  type SurfaceAppearance,
  type SurfaceName,
  type TextureFamily,
  type TextureImage,
} from './appearance';
export { appearanceFromSample, cameraFromSample, nominalCamera, checkTextureFolder, DEFAULT_CAMERA_CONFIG } from './visualSample';
export { loadTextureFolder, TextureFolderError } from './textureFolder';
