/**
 * The camera and the look the perception model's training images get, from the experiment: the
 * nominal camera and appearance, or per image a fresh draw of the experiment's `visuals`
 * randomization (colours, textures, light, background, noise, focal length, camera pose jitter)
 * through the camera's own sampling functions, so the model trains on exactly the sim's images.
 */
import type { Experiment } from '../config/experiment';
import { TASKS } from '../config/taskCatalog';
import type { EpisodeSample } from '../sim/env';
import { drawSlots, sampleSlots } from '../sim/randomizer';
import type { Rng } from '../util/rng';
import { nominalAppearance, type Appearance } from '../vision/appearance';
import type { Camera } from '../vision/camera';
import { appearanceFromSample, cameraFromSample, nominalCamera } from '../vision/visualSample';
import { IMAGE_SIZE } from './puckNet';
import { DEFAULT_SENSOR_RANDOMIZATION, randomizeSensor, type SensorRandomization } from './sensorRandomization';

/** One image's look: how the scene appears and the camera that sees it. */
export interface ImageLook {
  readonly appearance: Appearance;
  readonly camera: Camera;
  /** The table top's height relative to the scene's nominal, m. [default: 0] */
  readonly tableHeightOffsetM?: number;
}

export interface VisualSetup {
  readonly camera: Camera;
  /**
   * The nominal look, or a draw of the experiment's `visuals` entries with the lens, sensor and
   * table randomized on top (sensorRandomization.ts; `sensor: false` leaves them nominal).
   */
  look(rng: Rng, randomized: boolean, sensor?: SensorRandomization | false): ImageLook;
}

export function visualSetupOf(experiment: Experiment): VisualSetup {
  const camera = nominalCamera(experiment);
  const { widthPx, heightPx } = camera.intrinsics;
  if (widthPx !== IMAGE_SIZE || heightPx !== IMAGE_SIZE) {
    throw new Error(`camera.width_px x camera.height_px is ${widthPx}x${heightPx}: the perception model takes ${IMAGE_SIZE}x${IMAGE_SIZE} images`);
  }
  const visualEntries = experiment.randomization.filter((e) => e.group === 'visuals');
  const slots = sampleSlots(visualEntries, TASKS[experiment.task]);
  return {
    camera,
    look(rng, randomized, sensor = DEFAULT_SENSOR_RANDOMIZATION) {
      if (!randomized) return { appearance: nominalAppearance(), camera };
      const sample: EpisodeSample = {};
      drawSlots(slots, rng, sample);
      const appearance = appearanceFromSample(sample, experiment, rng);
      const drawnCamera = cameraFromSample(sample, experiment, rng);
      const strength = sensor && sensor.strengthPerImage ? rng.next() : 1;
      const tableHeightOffsetM = sensor ? randomizeSensor(appearance, rng, strength, sensor) : 0;
      return { appearance, camera: drawnCamera, tableHeightOffsetM };
    },
  };
}
