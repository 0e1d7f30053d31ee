/**
 * The camera: geometry (projection agrees with the renders), every visual parameter's effect on
 * the image, determinism, and clear errors for bad texture folders.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { PNG } from 'pngjs';
import { loadExperiment } from '../../src/engine/config/load';
import type { Experiment } from '../../src/engine/config/experiment';
import { TASKS } from '../../src/engine/config/taskCatalog';
import type { EpisodeSample } from '../../src/engine/sim/env';
import { drawSlots, sampleSlots } from '../../src/engine/sim/randomizer';
import { initRapier } from '../../src/engine/sim/rapier';
import { placeArm } from '../../src/engine/sim/tasks/arm';
import { TableScene, TABLE } from '../../src/engine/sim/tasks/tableScene';
import { Rng } from '../../src/engine/util/rng';
import {
  appearanceFromSample,
  cameraFromSample,
  checkTextureFolder,
  emptySceneView,
  nominalAppearance,
  nominalCamera,
  projectToPixel,
  renderCamera,
  sceneViewOf,
  type Appearance,
  type Rgb,
  type Camera,
  type RgbImage,
  type SceneView,
} from '../../src/engine/vision';

const dir = mkdtempSync(join(tmpdir(), 's2r-vision-'));

function experimentFrom(name: string, body: string): Experiment {
  const path = join(dir, `${name}.s2r.yaml`);
  writeFileSync(path, `name: ${name}\ntask: push\n${body}`);
  const loaded = loadExperiment(path);
  assert.ok(loaded.experiment, `experiment ${name} has errors: ${JSON.stringify(loaded.findings)}`);
  return loaded.experiment;
}

function draw(experiment: Experiment, seed: number): EpisodeSample {
  const sample: EpisodeSample = {};
  drawSlots(sampleSlots(experiment.randomization, TASKS[experiment.task]), new Rng(seed), sample);
  return sample;
}

/** The arm folded back towards -y, away from the puck, the puck at (x, y) on the table. */
function viewWithPuck(x: number, y: number): SceneView {
  const view = emptySceneView();
  const q = [-1.4, -0.8, -0.6];
  const lengths = [0.3, 0.25, 0.15];
  let phi = 0;
  let px = 0;
  let py = 0;
  for (let i = 0; i < 3; i++) {
    phi += q[i];
    view.links.set([px + (Math.cos(phi) * lengths[i]) / 2, py + (Math.sin(phi) * lengths[i]) / 2, 0.86, phi], 4 * i);
    px += Math.cos(phi) * lengths[i];
    py += Math.sin(phi) * lengths[i];
  }
  view.puck = Float64Array.from([x, y, 0.775, 0]);
  return view;
}

function render(view: SceneView, appearance: Appearance = nominalAppearance(), camera: Camera = nominalCamera(), samplesPerAxis = 1): RgbImage {
  return renderCamera(view, appearance, camera, { samplesPerAxis });
}

/** Pixels where the predicate holds, as indices. */
function pixelsWhere(image: RgbImage, keep: (r: number, g: number, b: number) => boolean): number[] {
  const out: number[] = [];
  for (let i = 0; i < image.width * image.height; i++) if (keep(image.data[3 * i], image.data[3 * i + 1], image.data[3 * i + 2])) out.push(i);
  return out;
}

function meanBrightness(image: RgbImage, pixels?: number[]): number {
  const list = pixels ?? [...Array(image.width * image.height).keys()];
  let sum = 0;
  for (const i of list) sum += image.data[3 * i] + image.data[3 * i + 1] + image.data[3 * i + 2];
  return sum / (3 * list.length);
}

const isPuckRed = (r: number, g: number, b: number): boolean => r > 60 && r > 2.5 * g && r > 2.5 * b;

test('the default camera sees the whole table top', () => {
  const camera = nominalCamera();
  for (const x of [TABLE.minX, TABLE.maxX]) {
    for (const y of [-TABLE.halfWidthY, TABLE.halfWidthY]) {
      const p = projectToPixel(camera, [x, y, 0.75]);
      assert.ok(p && p.u > 0 && p.u < 64 && p.v > 0 && p.v < 64, `corner (${x}, ${y}) projects to ${JSON.stringify(p)}`);
    }
  }
});

test('the puck is drawn where projectToPixel puts it (centroid within 1 px)', () => {
  const camera = nominalCamera();
  for (const [x, y] of [[0.4, 0], [0.3, 0.3], [0.6, -0.35], [0.7, 0.45], [0.1, -0.2]]) {
    const image = render(viewWithPuck(x, y), nominalAppearance(), camera, 4);
    const puck = pixelsWhere(image, isPuckRed);
    assert.ok(puck.length >= 4, `puck at (${x}, ${y}) covers ${puck.length} px`);
    let su = 0;
    let sv = 0;
    for (const i of puck) {
      su += (i % 64) + 0.5;
      sv += Math.floor(i / 64) + 0.5;
    }
    const p = projectToPixel(camera, [x, y, 0.775])!;
    const error = Math.hypot(su / puck.length - p.u, sv / puck.length - p.v);
    assert.ok(error < 1, `puck at (${x}, ${y}): centroid ${(su / puck.length).toFixed(2)}, ${(sv / puck.length).toFixed(2)} vs projected ${p.u.toFixed(2)}, ${p.v.toFixed(2)}`);
  }
});

test('moving the puck moves its pixels; an empty scene has no puck pixels', () => {
  const a = pixelsWhere(render(viewWithPuck(0.3, 0.2)), isPuckRed);
  const b = pixelsWhere(render(viewWithPuck(0.6, -0.2)), isPuckRed);
  assert.ok(a.length > 0 && b.length > 0);
  assert.ok(!a.some((i) => b.includes(i)));
  const none = emptySceneView();
  none.links.set(viewWithPuck(0, 0).links);
  assert.equal(pixelsWhere(render(none), isPuckRed).length, 0);
});

test('sceneViewOf reads the poses of a Rapier table scene', async () => {
  await initRapier();
  const scene = new TableScene({ withPuck: true });
  try {
    placeArm(scene.arm, [0.3, -0.5, 0.2]);
    scene.placePuck(0.5, 0.15);
    const view = sceneViewOf(scene);
    assert.ok(Math.abs(view.puck![0] - 0.5) < 1e-6 && Math.abs(view.puck![1] - 0.15) < 1e-6);
    assert.ok(Math.abs(view.links[3] - 0.3) < 1e-6, `link1 yaw ${view.links[3]}`);
    assert.ok(Math.abs(view.links[11] - 0) < 1e-6, `link3 yaw ${view.links[11]}`);
    assert.equal(view.tableTopZ, 0.75);
    const p = projectToPixel(nominalCamera(), [0.5, 0.15, 0.775])!;
    const image = render(view);
    const k = 3 * (Math.floor(p.v) * 64 + Math.floor(p.u));
    assert.ok(isPuckRed(image.data[k], image.data[k + 1], image.data[k + 2]), 'the projected puck centre is puck-coloured');
  } finally {
    scene.dispose();
  }
});

test('light_intensity scales the brightness', () => {
  const dim = experimentFrom('dim', 'randomization:\n  visuals:\n    light_intensity: { distribution: uniform, range: [0.5, 0.5] }\n');
  const bright = experimentFrom('bright', 'randomization:\n  visuals:\n    light_intensity: { distribution: uniform, range: [1.0, 1.0] }\n');
  const view = viewWithPuck(0.4, 0);
  const a = meanBrightness(render(view, appearanceFromSample(draw(dim, 1), dim, new Rng(1))));
  const b = meanBrightness(render(view, appearanceFromSample(draw(bright, 1), bright, new Rng(1))));
  const ratio = b / a;
  assert.ok(ratio > 1.8 && ratio < 2.2, `brightness ratio ${ratio}`);
});

test('light_position moves the lit side of the table and the shadows', () => {
  const left = experimentFrom('light-left', 'randomization:\n  visuals:\n    light_position: { distribution: uniform, range: [0, 0], operation: abs, size: 3 }\n');
  const view = viewWithPuck(0.4, 0);
  const camera = nominalCamera();
  const lit = (y: number): Appearance => {
    const appearance = appearanceFromSample(draw(left, 1), left, new Rng(1));
    appearance.lightPosition = [0.35, y, 1.2];
    return appearance;
  };
  // Table pixels left (u < 32) and right of the image centre: +y is to the right in the image.
  const half = (image: RgbImage, right: boolean): number => {
    const pixels = [...Array(64 * 64).keys()].filter((i) => (i % 64 >= 32) === right && Math.floor(i / 64) > 20 && Math.floor(i / 64) < 58 && i % 64 > 4 && i % 64 < 60);
    return meanBrightness(image, pixels);
  };
  const towardsRight = render(view, lit(0.6), camera);
  const towardsLeft = render(view, lit(-0.6), camera);
  assert.ok(half(towardsRight, true) > half(towardsRight, false) + 5, 'light at +y lights the right half more');
  assert.ok(half(towardsLeft, false) > half(towardsLeft, true) + 5, 'light at -y lights the left half more');
  // The abs operation puts the light exactly at the drawn position.
  assert.deepEqual(appearanceFromSample(draw(left, 1), left, new Rng(1)).lightPosition, [0, 0, 0]);
  // A shadow: a light straight above the puck darkens the table next to the puck less than one low at the side.
  const shadowed = render(viewWithPuck(0.4, 0), { ...nominalAppearance(), lightPosition: [0.4, -1.5, 0.9] }, camera);
  const unshadowed = render(viewWithPuck(0.4, 0), { ...nominalAppearance(), lightPosition: [0.4, -1.5, 0.9], shadows: false }, camera);
  assert.ok(meanBrightness(shadowed) < meanBrightness(unshadowed), 'shadows darken the image');
});

test('object_color paints the targeted object, background_color the background', () => {
  const experiment = experimentFrom(
    'colors',
    'randomization:\n  visuals:\n    object_color: { distribution: uniform, range: [0, 0], targets: [puck], size: 3 }\n    background_color: { distribution: uniform, range: [0.9, 0.9], size: 3 }\n',
  );
  const appearance = appearanceFromSample(draw(experiment, 3), experiment, new Rng(3));
  assert.deepEqual(appearance.surfaces.puck.color, [0, 0, 0]);
  appearance.surfaces.puck.color = [0, 0, 1];
  const camera = nominalCamera();
  const image = render(viewWithPuck(0.4, 0), appearance, camera);
  const p = projectToPixel(camera, [0.4, 0, 0.775])!;
  const k = 3 * (Math.floor(p.v) * 64 + Math.floor(p.u));
  assert.ok(image.data[k + 2] > 2 * image.data[k] && image.data[k + 2] > 2 * image.data[k + 1], `puck pixel ${image.data.subarray(k, k + 3)}`);
  // The top-left corner looks past the table at the floor: the background colour, lit.
  assert.ok(image.data[0] > 150 && Math.abs(image.data[0] - image.data[2]) < 3, `corner ${image.data.subarray(0, 3)}`);
  assert.ok(render(viewWithPuck(0.4, 0))[`data`][0] < 80, 'the nominal background is dark');
});

test('every texture family changes the table, and the image family shows the folder\'s pictures', () => {
  const images = join(dir, 'textures');
  mkdirSync(images, { recursive: true });
  // A picture split green (left) / magenta (right): the table must show both.
  const png = new PNG({ width: 16, height: 16 });
  for (let y = 0; y < 16; y++) {
    for (let x = 0; x < 16; x++) {
      const k = 4 * (y * 16 + x);
      png.data.set(x < 8 ? [0, 255, 0, 255] : [255, 0, 255, 255], k);
    }
  }
  writeFileSync(join(images, 'lab.png'), PNG.sync.write(png));
  const tableStd = (image: RgbImage): number => {
    const pixels = [...Array(64 * 64).keys()].filter((i) => Math.floor(i / 64) > 25 && Math.floor(i / 64) < 55 && i % 64 > 8 && i % 64 < 56);
    const mean = meanBrightness(image, pixels);
    let s = 0;
    for (const i of pixels) s += ((image.data[3 * i] + image.data[3 * i + 1] + image.data[3 * i + 2]) / 3 - mean) ** 2;
    return Math.sqrt(s / pixels.length);
  };
  const view = viewWithPuck(0.4, 0);
  const solid = tableStd(render(view));
  for (const family of ['checker', 'stripes', 'noise', 'gradient', 'image']) {
    const experiment = experimentFrom(`tex-${family}`, `randomization:\n  visuals:\n    texture: { distribution: choice, values: [${family}], targets: [table], folder: textures }\n`);
    const appearance = appearanceFromSample(draw(experiment, 5), experiment, new Rng(5));
    assert.equal(appearance.surfaces.table.texture, family);
    // The second colour is a random draw: pin both so the pattern itself is what is measured.
    appearance.surfaces.table.color = [0.2, 0.2, 0.2];
    appearance.surfaces.table.color2 = [0.9, 0.9, 0.9];
    const image = render(view, appearance);
    assert.ok(tableStd(image) > solid + 3, `${family}: table std ${tableStd(image).toFixed(1)} vs solid ${solid.toFixed(1)}`);
    if (family === 'image') {
      assert.ok(pixelsWhere(image, (r, g, b) => g > 2 * r && g > 2 * b).length > 100, 'green half of the picture');
      assert.ok(pixelsWhere(image, (r, g, b) => r > 2 * g && b > 2 * g).length > 100, 'magenta half of the picture');
    }
  }
});

test('a bad texture folder fails with an error naming the path', () => {
  // The validator refuses a missing folder in the file; folders that go bad later fail at load.
  const missingPath = join(dir, 'tex-missing.s2r.yaml');
  writeFileSync(missingPath, 'name: tex-missing\ntask: push\nrandomization:\n  visuals:\n    texture: { distribution: choice, values: [image], folder: no-such-folder }\n');
  const refused = loadExperiment(missingPath);
  assert.equal(refused.experiment, undefined);
  assert.ok(refused.findings.some((f) => f.severity === 'error' && f.message.includes('no-such-folder')));
  const withFolder = (folder: string): Experiment => {
    const experiment = experimentFrom(`tex-${folder}`, `randomization:\n  visuals:\n    texture: { distribution: choice, values: [image], folder: ${folder} }\n`);
    return experiment;
  };
  const gone = join(dir, 'gone-textures');
  mkdirSync(gone, { recursive: true });
  const experiment = withFolder('gone-textures');
  rmSync(gone, { recursive: true });
  assert.throws(() => appearanceFromSample(draw(experiment, 1), experiment, new Rng(1)), (e: Error) => e.message.includes(gone) && /does not exist/.test(e.message));
  assert.throws(() => checkTextureFolder(experiment), (e: Error) => e.message.includes(gone));
  const empty = join(dir, 'empty-textures');
  mkdirSync(empty, { recursive: true });
  writeFileSync(join(empty, 'notes.txt'), 'not an image');
  assert.throws(() => checkTextureFolder(withFolder('empty-textures')), (e: Error) => e.message.includes(empty) && /no PNG or JPEG/.test(e.message));
  const broken = join(dir, 'broken-textures');
  mkdirSync(broken, { recursive: true });
  writeFileSync(join(broken, 'bad.png'), 'not a png');
  assert.throws(() => checkTextureFolder(withFolder('broken-textures')), (e: Error) => e.message.includes(join(broken, 'bad.png')));
});

test('camera_focal_length zooms: a longer focal length makes the puck bigger and keeps projection exact', () => {
  const experiment = experimentFrom('zoom', 'randomization:\n  visuals:\n    camera_focal_length: { distribution: uniform, range: [1.5, 1.5] }\n');
  const camera = cameraFromSample(draw(experiment, 1), experiment, new Rng(1));
  assert.equal(camera.intrinsics.focalLengthPx, 96);
  const view = viewWithPuck(0.4, 0.1);
  const near = pixelsWhere(render(view, nominalAppearance(), camera), isPuckRed).length;
  const far = pixelsWhere(render(view), isPuckRed).length;
  assert.ok(near > 1.8 * far, `puck pixels ${near} at 1.5x focal length vs ${far}`);
});

test('camera_noise adds Gaussian noise of the drawn std', () => {
  const experiment = experimentFrom('noisy', 'randomization:\n  visuals:\n    camera_noise: { distribution: uniform, range: [0.04, 0.04] }\n');
  const appearance = appearanceFromSample(draw(experiment, 1), experiment, new Rng(1));
  assert.equal(appearance.noiseStd, 0.04);
  const view = viewWithPuck(0.4, 0);
  const clean = render(view);
  const noisy = renderCamera(view, appearance, nominalCamera(), { noiseRng: new Rng(9) });
  let s = 0;
  let n = 0;
  let mean = 0;
  for (let k = 0; k < clean.data.length; k++) {
    // Skip clipped pixels, where the noise is cut off.
    if (clean.data[k] < 30 || clean.data[k] > 225) continue;
    const d = noisy.data[k] - clean.data[k];
    s += d * d;
    mean += d;
    n++;
  }
  const std = Math.sqrt(s / n);
  assert.ok(Math.abs(std - 0.04 * 255) < 0.1 * 0.04 * 255, `noise std ${std.toFixed(2)} (expected ${(0.04 * 255).toFixed(2)})`);
  assert.ok(Math.abs(mean / n) < 0.5, `noise mean ${mean / n}`);
});

test('camera pose jitter moves the camera within the configured bounds, reproducibly', () => {
  const experiment = experimentFrom('jitter', 'camera:\n  width_px: 48\n  height_px: 32\n  position_jitter: 0.05\n  look_at_jitter: 0.02\n');
  assert.deepEqual(experiment.camera, { widthPx: 48, heightPx: 32, focalLengthPx: 64, position: [0.8, 0, 2.13], lookAt: [0.3, 0, 0.75], positionJitterM: 0.05, lookAtJitterM: 0.02 });
  const a = cameraFromSample({}, experiment, new Rng(4));
  const b = cameraFromSample({}, experiment, new Rng(4));
  const c = cameraFromSample({}, experiment, new Rng(5));
  assert.deepEqual(a, b);
  assert.notDeepEqual(a.pose, c.pose);
  for (let axis = 0; axis < 3; axis++) {
    assert.ok(Math.abs(a.pose.position[axis] - [0.8, 0, 2.13][axis]) <= 0.05);
    assert.ok(Math.abs(a.pose.lookAt[axis] - [0.3, 0, 0.75][axis]) <= 0.02);
  }
  const image = render(viewWithPuck(0.4, 0), nominalAppearance(), a);
  assert.equal(image.data.length, 48 * 32 * 3);
});

test('the same seed renders the same bytes; another seed renders different ones', () => {
  const experiment = experimentFrom(
    'full',
    [
      'camera: { position_jitter: 0.02 }',
      'randomization:',
      '  visuals:',
      '    light_intensity: { distribution: uniform, range: [0.5, 1.5] }',
      '    light_position: { distribution: uniform, range: [-1, 1], size: 3 }',
      '    object_color: { distribution: uniform, range: [0, 1], size: 3 }',
      '    texture: { distribution: choice, values: [solid, checker, stripes, noise, gradient] }',
      '    background_color: { distribution: uniform, range: [0, 1], size: 3 }',
      '    camera_focal_length: { distribution: uniform, range: [0.9, 1.1] }',
      '    camera_noise: { distribution: uniform, range: [0, 0.05] }',
      '',
    ].join('\n'),
  );
  const frame = (seed: number): Buffer => {
    const rng = new Rng(seed);
    const sample = draw(experiment, seed);
    const appearance = appearanceFromSample(sample, experiment, rng);
    const camera = cameraFromSample(sample, experiment, rng);
    return Buffer.from(renderCamera(viewWithPuck(0.4, 0), appearance, camera, { noiseRng: rng }).data);
  };
  assert.ok(frame(11).equals(frame(11)));
  assert.ok(!frame(11).equals(frame(12)));
});

test('bad cameras and output buffers are refused with the numbers in the message', () => {
  const view = viewWithPuck(0.4, 0);
  assert.throws(() => render(view, nominalAppearance(), { intrinsics: { widthPx: 0, heightPx: 64, focalLengthPx: 64 }, pose: nominalCamera().pose }), /0x64/);
  assert.throws(() => render(view, nominalAppearance(), { intrinsics: { widthPx: 64, heightPx: 64, focalLengthPx: 64 }, pose: { position: [1, 1, 1], lookAt: [1, 1, 1] } }), /coincides/);
  assert.throws(() => renderCamera(view, nominalAppearance(), nominalCamera(), { out: { width: 32, height: 32, data: new Uint8Array(32 * 32 * 3) } }), /32x32.*64x64/);
});

test('pixels around the puck are antialiased: a 5 mm move changes the image', () => {
  const a = render(viewWithPuck(0.4, 0.1));
  const b = render(viewWithPuck(0.405, 0.1));
  assert.ok(!Buffer.from(a.data).equals(Buffer.from(b.data)), 'sub-pixel motion shows');
  // Edge pixels hold mixtures of puck and table, not just the two colours.
  const table = render(viewWithPuck(0.4, 0.1), nominalAppearance(), nominalCamera(), 1);
  const reds = pixelsWhere(table, (r, g) => r > 60 && r > 1.3 * g && r < 2.5 * g);
  assert.ok(reds.length > 0, 'partly covered pixels exist');
});

test('sensor effects: blur smooths, white balance tints, gamma brightens mid-tones', () => {
  const view = viewWithPuck(0.4, 0);
  const base = render(view);
  const spread = (image: RgbImage): number => {
    let s = 0;
    for (let k = 3; k < image.data.length; k++) s += (image.data[k] - image.data[k - 3]) ** 2;
    return s;
  };
  const blurred = render(view, { ...nominalAppearance(), blurRadiusPx: 1 });
  assert.ok(spread(blurred) < 0.5 * spread(base), `squared neighbour differences ${spread(blurred)} vs ${spread(base)}`);
  const warm = render(view, { ...nominalAppearance(), colorGain: [1.3, 1, 0.7] });
  const channelMean = (image: RgbImage, c: number): number => image.data.filter((_, k) => k % 3 === c).reduce((x, y) => x + y, 0) / (image.width * image.height);
  assert.ok(channelMean(warm, 0) > 1.2 * channelMean(base, 0) && channelMean(warm, 2) < 0.8 * channelMean(base, 2));
  const bright = render(view, { ...nominalAppearance(), gamma: 2.2 });
  assert.ok(meanBrightness(bright) > 1.3 * meanBrightness(base));
  // Vignetting darkens the corners by the set share and leaves the centre.
  const flat = { ...nominalAppearance(), shadows: false, backgroundColor: [0.6, 0.6, 0.6] as Rgb };
  const plainImage = render(view, flat);
  const vignetted = render(view, { ...flat, vignetting: 0.4 });
  const corner = 0;
  const centre = 3 * (32 * 64 + 32);
  assert.ok(Math.abs(vignetted.data[corner] / plainImage.data[corner] - 0.6 * (1 + 1 / 64)) < 0.05, `corner ${vignetted.data[corner]} vs ${plainImage.data[corner]}`);
  assert.ok(Math.abs(vignetted.data[centre] - plainImage.data[centre]) <= 1);
});
