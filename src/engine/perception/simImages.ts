/**
 * Labelled training images from the simulator: the table scene with the puck and the arm placed at
 * random (puck uniform over the perception region, arm joints uniform within their limits), drawn
 * by the camera under an appearance chosen per image (nominal, or drawn from the experiment's
 * `visuals` randomization). The label is the puck's true position in the scene.
 */
import { JOINT_COUNT, placeArm, ARM } from '../sim/tasks/arm';
import { pushTask } from '../sim/tasks/push';
import { SCENE_NOMINAL, TableScene } from '../sim/tasks/tableScene';
import { newEpisodeStart } from '../sim/tasks/task';
import type { Rng } from '../util/rng';
import { renderCamera } from '../vision/renderer';
import { emptySceneView, sceneViewOf } from '../vision/sceneView';
import type { PositionFrame } from './puckNet';
import type { LabelledImage } from './samples';
import type { ImageLook } from './visualSetup';

export interface SimImageOptions {
  readonly count: number;
  readonly frame: PositionFrame;
  /** The look of image `index` (a fresh draw per image under visual randomization). */
  lookFor(rng: Rng, index: number): ImageLook;
  readonly rng: Rng;
  /**
   * Share of images whose puck and arm come from the push task's own episode start (puck at its
   * start positions, arm folded at its start pose): the scene a robot's camera shows when an
   * episode begins. The rest place the puck uniformly over the frame and the arm anywhere. [default: 0]
   */
  readonly taskStartShare?: number;
  readonly signal?: AbortSignal;
}

export function renderSimImages(options: SimImageOptions): LabelledImage[] {
  const scene = new TableScene({ withPuck: true });
  const view = emptySceneView();
  const q = new Float64Array(JOINT_COUNT);
  const out: LabelledImage[] = [];
  try {
    const { rng, frame } = options;
    const taskStartShare = options.taskStartShare ?? 0;
    if (!(taskStartShare >= 0 && taskStartShare <= 1)) throw new Error(`taskStartShare must be in [0, 1], got ${taskStartShare}`);
    const start = newEpisodeStart();
    for (let n = 0; n < options.count; n++) {
      if (options.signal?.aborted) throw new Error('cancelled');
      // the same draws either way, so the share does not shift the rest of the sequence
      let x = frame.centre[0] + rng.uniform(-frame.halfExtent[0], frame.halfExtent[0]);
      let y = frame.centre[1] + rng.uniform(-frame.halfExtent[1], frame.halfExtent[1]);
      for (let j = 0; j < JOINT_COUNT; j++) q[j] = rng.uniform(ARM.jointLimitsRad[j][0], ARM.jointLimitsRad[j][1]);
      pushTask.sampleStart(rng, start);
      if (rng.next() < taskStartShare) {
        x = start.puckXY[0]!;
        y = start.puckXY[1]!;
        q.set(start.jointAnglesRad);
      }
      const look = options.lookFor(rng, n);
      scene.setTableHeight(SCENE_NOMINAL.tableHeightM + (look.tableHeightOffsetM ?? 0));
      scene.placePuck(x, y);
      placeArm(scene.arm, q);
      sceneViewOf(scene, view);
      const image = renderCamera(view, look.appearance, look.camera, { noiseRng: rng });
      out.push({ image, x, y });
    }
  } finally {
    scene.dispose();
  }
  return out;
}
