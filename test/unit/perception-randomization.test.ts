/**
 * The perception model's training images: lens, sensor and table randomization (strength 0 keeps
 * the nominal look, strength 1 spans the documented ranges), and the share of images showing the
 * push task's episode start (labels inside the task's start annulus).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PERCEPTION_FRAME } from '../../src/engine/perception/perceptionModel';
import { DEFAULT_SENSOR_RANDOMIZATION as R, randomizeSensor } from '../../src/engine/perception/sensorRandomization';
import { renderSimImages } from '../../src/engine/perception/simImages';
import { initRapier } from '../../src/engine/sim/rapier';
import { PUSH } from '../../src/engine/sim/tasks/push';
import { Rng } from '../../src/engine/util/rng';
import { nominalAppearance, NOMINAL_AMBIENT, NOMINAL_COLORS } from '../../src/engine/vision/appearance';
import { nominalCamera } from '../../src/engine/vision/visualSample';

test('sensor randomization at strength 0 leaves the nominal look', () => {
  const a = nominalAppearance();
  const offset = randomizeSensor(a, new Rng(1), 0);
  assert.equal(offset, 0);
  assert.deepEqual(a.colorGain, [1, 1, 1]);
  assert.equal(a.gamma, 1);
  assert.equal(a.blurRadiusPx, 0);
  assert.equal(a.vignetting, 0);
  assert.equal(a.ambient, NOMINAL_AMBIENT);
  assert.equal(a.shadows, true);
  assert.equal(a.noiseStd, 0);
  assert.deepEqual(a.surfaces.puck.color, NOMINAL_COLORS.puck.map((c) => c));
  assert.equal(a.surfaces.table.texture, 'solid');
});

test('sensor randomization at strength 1 spans its ranges; a bad strength is refused', () => {
  const rng = new Rng(2);
  const seen = { gain: [Infinity, -Infinity], gamma: [Infinity, -Infinity], offset: [Infinity, -Infinity], blurred: 0, textured: 0, unshadowed: 0 };
  const widen = (range: number[], v: number): void => {
    range[0] = Math.min(range[0]!, v);
    range[1] = Math.max(range[1]!, v);
  };
  const n = 400;
  for (let i = 0; i < n; i++) {
    const a = nominalAppearance();
    const offset = randomizeSensor(a, rng, 1);
    a.colorGain.forEach((g) => widen(seen.gain, g));
    widen(seen.gamma, a.gamma);
    widen(seen.offset, offset);
    if (a.blurRadiusPx > 0) seen.blurred++;
    if (a.surfaces.table.texture !== 'solid') seen.textured++;
    if (!a.shadows) seen.unshadowed++;
    assert.ok(a.vignetting! >= R.vignetting[0] && a.vignetting! <= R.vignetting[1]);
    assert.ok(a.ambient >= R.ambient[0] && a.ambient <= R.ambient[1]);
  }
  // uniform draws: 400 of them come within 2% of each end of the range
  const near = (v: number, target: number, range: readonly number[]): boolean => Math.abs(v - target) < 0.02 * (range[1]! - range[0]!);
  assert.ok(near(seen.gain[0]!, R.colorGain[0], R.colorGain) && near(seen.gain[1]!, R.colorGain[1], R.colorGain), `gain ${seen.gain}`);
  assert.ok(near(seen.gamma[0]!, R.gamma[0], R.gamma) && near(seen.gamma[1]!, R.gamma[1], R.gamma), `gamma ${seen.gamma}`);
  assert.ok(seen.offset[0]! >= -R.tableHeightJitterM && seen.offset[1]! <= R.tableHeightJitterM && seen.offset[1]! - seen.offset[0]! > 1.8 * R.tableHeightJitterM);
  // shares: blur radius 0 or 1 (half blurred), half the tables textured, a fifth unshadowed
  assert.ok(seen.blurred > 0.35 * n && seen.blurred < 0.65 * n, `blurred ${seen.blurred}`);
  assert.ok(seen.textured > 0.35 * n && seen.textured < 0.65 * n, `textured ${seen.textured}`);
  assert.ok(seen.unshadowed > 0.1 * n && seen.unshadowed < 0.3 * n, `unshadowed ${seen.unshadowed}`);
  assert.throws(() => randomizeSensor(nominalAppearance(), rng, 1.5), /strength must be in \[0, 1\], got 1.5/);
});

test('taskStartShare 1 puts every puck at a push start; share 0 spreads them over the frame', async () => {
  await initRapier();
  const look = { appearance: nominalAppearance(), camera: nominalCamera() };
  const render = (share: number) => renderSimImages({ count: 40, frame: PERCEPTION_FRAME, lookFor: () => look, taskStartShare: share, rng: new Rng(3) });
  const inStartAnnulus = (x: number, y: number): boolean => {
    const r = Math.hypot(x, y);
    const bearing = Math.atan2(y, x);
    return r >= PUSH.puckRadiusM[0] - 1e-9 && r <= PUSH.puckRadiusM[1] + 1e-9 && Math.abs(bearing) <= PUSH.puckBearingRad[1] + 1e-9;
  };
  const starts = render(1);
  assert.ok(starts.every((s) => inStartAnnulus(s.x, s.y)));
  const spread = render(0);
  assert.ok(spread.filter((s) => !inStartAnnulus(s.x, s.y)).length > 25, 'uniform placements mostly fall outside the start annulus');
  assert.throws(() => render(2), /taskStartShare must be in \[0, 1\], got 2/);
});

test('a table height offset moves the table top in the image', async () => {
  await initRapier();
  const camera = nominalCamera();
  const render = (offset: number) => renderSimImages({ count: 1, frame: PERCEPTION_FRAME, lookFor: () => ({ appearance: nominalAppearance(), camera, tableHeightOffsetM: offset }), rng: new Rng(4) })[0]!;
  const flat = render(0);
  const raised = render(0.015);
  let changed = 0;
  for (let k = 0; k < flat.image.data.length; k++) if (flat.image.data[k] !== raised.image.data[k]) changed++;
  assert.equal(flat.x, raised.x);
  assert.ok(changed > 30, `only ${changed} bytes changed`);
});
