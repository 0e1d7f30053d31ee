/**
 * The emulator's camera: images on the camera topic whose look comes from the reality profile
 * (not the simulator's), checked on arrival by the client; profile keys validated with positions.
 */
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { RobotAddressPolicy } from '../../src/engine/rosbridge/addressPolicy';
import { RosbridgeClient } from '../../src/engine/rosbridge/client';
import { realityAppearance, realityCamera } from '../../src/engine/emulator/emulatorCamera';
import { checkImageMessage, imageMessage } from '../../src/engine/rosbridge/imageMessage';
import { loadRealityProfileFile, parseRealityProfile } from '../../src/engine/emulator/realityProfileLoader';
import { nominalAppearance, nominalCamera, projectToPixel } from '../../src/engine/vision';
import { profileFrom, REPO, startEmulator, tempDir } from '../support/robot-helpers';

test('the emulator publishes rgb8 camera images of its scene; the client keeps the latest', async () => {
  const profile = profileFrom('task: push\ncamera:\n  rateHz: 30\n  widthPx: 48\n  heightPx: 40\n');
  const emu = await startEmulator(profile);
  const client = new RosbridgeClient(emu.url, RobotAddressPolicy.fromConfigured([emu.url]), { reconnect: { enabled: false } });
  try {
    await client.connect();
    const camera = client.camera(profile.names.topics.camera, { expected: { widthPx: 48, heightPx: 40 } });
    assert.equal(camera.latestImage(), undefined);
    const frames = await camera.captureImages(3, 5000);
    assert.equal(frames.length, 3);
    for (const frame of frames) {
      assert.equal(frame.image.width, 48);
      assert.equal(frame.image.height, 40);
      assert.equal(frame.image.data.length, 48 * 40 * 3);
    }
    assert.ok(frames[2].stampMs > frames[0].stampMs, 'stamps advance');
    assert.equal(camera.latestImage()?.stampMs, frames[2].stampMs);
    // The puck is where the emulator's physics put it: its projected centre is puck-red.
    const pose = emu.emulator.robot.plant.readObject()!;
    const p = projectToPixel(realityCamera(profile), [pose.x, pose.y, pose.z])!;
    const data = frames[2].image.data;
    const k = 3 * (Math.floor(p.v) * 48 + Math.floor(p.u));
    assert.ok(data[k] > 2 * data[k + 1] && data[k] > 2 * data[k + 2], `pixel at the puck ${[...data.subarray(k, k + 3)]}`);
    camera.close();
  } finally {
    await client.close();
    await emu.close();
  }
});

test('camera frames of the wrong size or encoding are dropped and reported', async () => {
  const profile = profileFrom('task: push\ncamera: { rateHz: 30 }\n');
  const emu = await startEmulator(profile);
  const client = new RosbridgeClient(emu.url, RobotAddressPolicy.fromConfigured([emu.url]), { reconnect: { enabled: false } });
  try {
    await client.connect();
    const dropped: string[] = [];
    const camera = client.camera(profile.names.topics.camera, { expected: { widthPx: 32, heightPx: 32 }, onDropped: (reason) => dropped.push(reason) });
    await assert.rejects(camera.nextImage(1500), /no camera image on \/camera\/image_raw within 1500 ms \(\d+ frames dropped as invalid\)/);
    assert.ok(dropped.length > 0 && /image is 64x64, expected 32x32/.test(dropped[0]), dropped[0]);
    assert.equal(camera.latestImage(), undefined);
    camera.close();
  } finally {
    await client.close();
    await emu.close();
  }
  const image = { width: 2, height: 2, data: new Uint8Array(12).fill(7) };
  const header = { stamp: { sec: 1, nanosec: 5e8 }, frame_id: 'camera' };
  const good = checkImageMessage(imageMessage(image, header));
  assert.ok(good.ok && good.frame.stampMs === 1500 && good.frame.image.data[11] === 7);
  assert.match(String((checkImageMessage({ ...imageMessage(image, header), encoding: 'bgr8' }) as { error: string }).error), /encoding "bgr8"/);
  assert.match(String((checkImageMessage({ ...imageMessage(image, header), data: 'AAAA' }) as { error: string }).error), /holds 3 bytes, expected 2 \* 6 = 12/);
  assert.match(String((checkImageMessage({ ...imageMessage(image, header), step: 5 }) as { error: string }).error), /step 5/);
});

test('a profile\'s camera section sets the real look: pose, focal length, blur, white balance, texture', () => {
  const dir = tempDir('camprofile');
  mkdirSync(join(dir, 'photos'));
  const { PNG } = require('pngjs') as typeof import('pngjs');
  const png = new PNG({ width: 4, height: 4 });
  png.data.fill(200);
  writeFileSync(join(dir, 'photos', 'table.png'), PNG.sync.write(png));
  const path = join(dir, 'real.yaml');
  writeFileSync(
    path,
    [
      'task: push',
      'parameters:',
      '  camera_focal_length: 67',
      '  light_intensity: 0.8',
      '  object_color: [0.1, 0.2, 0.9]',
      '  camera_noise: 0.02',
      'camera:',
      '  positionXM: 0.82',
      '  lookAtYM: 0.01',
      '  blurRadiusPx: 1',
      '  whiteBalanceRed: 1.1',
      '  gamma: 2.2',
      '  tableTexture: image',
      '  textureFolder: photos',
      '',
    ].join('\n'),
  );
  const profile = loadRealityProfileFile(path);
  const camera = realityCamera(profile);
  assert.equal(camera.intrinsics.focalLengthPx, 67);
  assert.deepEqual(camera.pose.position, [0.82, 0, 2.13]);
  assert.deepEqual(camera.pose.lookAt, [0.3, 0.01, 0.75]);
  const look = realityAppearance(profile);
  assert.equal(look.blurRadiusPx, 1);
  assert.deepEqual(look.colorGain, [1.1, 1, 1]);
  assert.equal(look.gamma, 2.2);
  assert.equal(look.lightIntensity, 0.8);
  assert.equal(look.noiseStd, 0.02);
  assert.deepEqual(look.surfaces.puck.color, [0.1, 0.2, 0.9]);
  assert.equal(look.surfaces.table.texture, 'image');
  assert.equal(look.surfaces.table.image?.path, join(dir, 'photos', 'table.png'));
  // Defaults: the simulator's nominal camera and look.
  const plain = profileFrom('task: push\n');
  assert.deepEqual(realityCamera(plain), nominalCamera());
  const nominal = nominalAppearance();
  const defaults = realityAppearance(plain);
  assert.deepEqual(defaults.surfaces, nominal.surfaces);
  assert.equal(defaults.blurRadiusPx, 0);
  // A missing folder names the path.
  writeFileSync(path, 'task: push\ncamera:\n  tableTexture: image\n  textureFolder: nowhere\n');
  assert.throws(() => realityAppearance(loadRealityProfileFile(path)), (e: Error) => e.message.includes(join(dir, 'nowhere')));
});

test('bad camera keys are refused with line, column and the key', () => {
  const result = parseRealityProfile('task: push\ncamera:\n  rateHz: 500\n  widthPx: 64.5\n  tableTexture: marble\n  focal: 3\n');
  assert.ok(!result.ok);
  const messages = result.findings.map((f) => `${f.line}:${f.col} ${f.path}: ${f.message}`);
  assert.ok(messages.some((m) => /^3:\d+ camera.rateHz: 500 is outside \[0, 60\]/.test(m)), messages.join('\n'));
  assert.ok(messages.some((m) => /^4:\d+ camera.widthPx: must be a whole number/.test(m)), messages.join('\n'));
  assert.ok(messages.some((m) => /^5:\d+ camera.tableTexture: must be one of solid, checker/.test(m)), messages.join('\n'));
  assert.ok(messages.some((m) => /^6:\d+ camera.focal: unknown key/.test(m)), messages.join('\n'));
});

test('the example profiles load, and their cameras differ from the simulator\'s', () => {
  for (const name of ['mild', 'moderate', 'harsh']) {
    const profile = loadRealityProfileFile(join(REPO, 'examples', 'reality', `${name}.yaml`));
    const look = realityAppearance(profile);
    const nominal = nominalAppearance();
    assert.notDeepEqual({ ...look, surfaces: undefined }, { ...nominal, surfaces: undefined }, `${name}: same sensor as the sim`);
    assert.notDeepEqual(realityCamera(profile), nominalCamera(), `${name}: same camera pose as the sim`);
    // The arm keeps its colour (the puck must stay tellable from it); patterns are shades of the material.
    assert.deepEqual(look.surfaces.link1.color, nominal.surfaces.link1.color);
    const table = look.surfaces.table;
    if (table.texture !== 'solid') assert.deepEqual(table.color2, table.color.map((c) => c * 0.65));
  }
});
