/**
 * Textures cut from camera images give back the surfaces' albedo: "real" images are rendered with a
 * known table and puck colour under the nominal light (shading and shadows included); the cut
 * table and puck textures must hold those colours, and a sim render wearing them must reproduce the
 * real image's table pixels.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cutRealTextures, withRealTextures } from '../../src/engine/perception/realTextures';
import type { LabelledImage } from '../../src/engine/perception/samples';
import { initRapier } from '../../src/engine/sim/rapier';
import { placeArm } from '../../src/engine/sim/tasks/arm';
import { START_JOINT_ANGLES_RAD } from '../../src/engine/sim/tasks/startPose';
import { SCENE_NOMINAL, TableScene } from '../../src/engine/sim/tasks/tableScene';
import { nominalAppearance, solidSurface, type Rgb } from '../../src/engine/vision/appearance';
import { renderCamera } from '../../src/engine/vision/renderer';
import { sceneViewOf } from '../../src/engine/vision/sceneView';
import { nominalCamera } from '../../src/engine/vision/visualSample';

const TABLE_COLOR: Rgb = [0.3, 0.55, 0.7];
const PUCK_COLOR: Rgb = [0.9, 0.8, 0.1];

test('textures cut from camera images recover the table and puck albedo', async () => {
  await initRapier();
  const camera = nominalCamera();
  const look = nominalAppearance();
  look.surfaces.table = solidSurface(TABLE_COLOR);
  look.surfaces.puck = solidSurface(PUCK_COLOR);
  const scene = new TableScene({ withPuck: true });
  const images: LabelledImage[] = [];
  try {
    placeArm(scene.arm, START_JOINT_ANGLES_RAD);
    for (const [x, y] of [[0.35, 0.05], [0.45, -0.1], [0.4, 0.15], [0.55, 0]]) {
      scene.placePuck(x!, y!);
      images.push({ image: renderCamera(sceneViewOf(scene), look, camera), x: x!, y: y! });
    }
    const textures = cutRealTextures(images, camera, SCENE_NOMINAL.tableHeightM);
    const mean = (data: Uint8Array, c: number): number => {
      let s = 0;
      for (let i = c; i < data.length; i += 3) s += data[i]! / 255;
      return s / (data.length / 3);
    };
    for (let c = 0; c < 3; c++) {
      assert.ok(Math.abs(mean(textures.table.data, c) - TABLE_COLOR[c]!) < 0.05, `table channel ${c}: ${mean(textures.table.data, c)} vs ${TABLE_COLOR[c]}`);
      // the puck's middle texels (its rim blends into the table at 3 px across)
      const centre = 3 * (4 * textures.puck.width + 4) + c;
      assert.ok(Math.abs(textures.puck.data[centre]! / 255 - PUCK_COLOR[c]!) < 0.15, `puck channel ${c}: ${textures.puck.data[centre]! / 255} vs ${PUCK_COLOR[c]}`);
    }
    // a nominal sim render wearing the textures matches the real image on the table
    scene.placePuck(images[0]!.x, images[0]!.y);
    const textured = renderCamera(sceneViewOf(scene), withRealTextures(nominalAppearance(), textures), camera);
    let diff = 0;
    for (let i = 0; i < textured.data.length; i++) diff += Math.abs(textured.data[i]! - images[0]!.image.data[i]!);
    assert.ok(diff / textured.data.length < 12, `mean absolute pixel difference ${diff / textured.data.length}`);
  } finally {
    scene.dispose();
  }
});
