/**
 * What the camera needs of a table scene: the table height and the poses of the arm links and the
 * puck (m, yaw in rad about +z; every body of the scene only turns about z). A plain record, so
 * the renderer never touches Rapier and a view can be built by hand in tests or from robot state.
 */
import { JOINT_COUNT, yawOf } from '../sim/tasks/arm';
import type { TableScene } from '../sim/tasks/tableScene';

export interface SceneView {
  /** Height of the table top above the floor, m. */
  tableTopZ: number;
  /** Per link: centre x, y, z (m) and yaw (rad), 4 numbers each, shoulder link first. */
  readonly links: Float64Array;
  /** Puck centre x, y, z (m) and yaw (rad); absent in scenes without a puck. */
  puck: Float64Array | undefined;
  /** A goal or target marker drawn on the table top (m), when the images should show one. */
  marker: { x: number; y: number } | undefined;
}

export function emptySceneView(): SceneView {
  return { tableTopZ: 0.75, links: new Float64Array(JOINT_COUNT * 4), puck: undefined, marker: undefined };
}

const scratch = { x: 0, y: 0, z: 0 };

/** The scene's current body poses (as of the last physics step), written into `out` when given. */
export function sceneViewOf(scene: TableScene, out: SceneView = emptySceneView()): SceneView {
  out.tableTopZ = scene.tableHeightM;
  for (let i = 0; i < JOINT_COUNT; i++) {
    const link = scene.arm.links[i];
    const p = link.translation(scratch);
    out.links[4 * i] = p.x;
    out.links[4 * i + 1] = p.y;
    out.links[4 * i + 2] = p.z;
    out.links[4 * i + 3] = yawOf(link);
  }
  if (scene.puck) {
    const puck = (out.puck ??= new Float64Array(4));
    const p = scene.puck.translation(scratch);
    puck[0] = p.x;
    puck[1] = p.y;
    puck[2] = p.z;
    puck[3] = yawOf(scene.puck);
  } else {
    out.puck = undefined;
  }
  return out;
}
