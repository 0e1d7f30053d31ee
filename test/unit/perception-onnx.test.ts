/**
 * The exported perception model, run in onnxruntime-node, gives the JS forward pass's positions:
 * random weights (the head too) and random images, batch 1 and batch 5.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { OnnxPuckPerception, exportPuckNetOnnx } from '../../src/engine/perception/perceptionOnnx';
import { DEFAULT_SHAPE, PuckNet } from '../../src/engine/perception/puckNet';
import { Rng } from '../../src/engine/util/rng';
import type { RgbImage } from '../../src/engine/vision/types';

function randomImage(rng: Rng): RgbImage {
  const data = new Uint8Array(64 * 64 * 3);
  // a smooth field plus noise, so the keypoint softmax is neither flat nor saturated everywhere
  for (let i = 0; i < 64; i++) for (let j = 0; j < 64; j++) for (let c = 0; c < 3; c++) {
    data[3 * (i * 64 + j) + c] = Math.max(0, Math.min(255, 128 + 80 * Math.sin((i + 7 * c) / 9) * Math.cos(j / 7) + rng.gaussian(0, 20)));
  }
  return { width: 64, height: 64, data };
}

for (const shape of [DEFAULT_SHAPE, { hiddenChannels: 4, keypoints: 3, keypointKernel: 3 }]) {
  test(`ONNX export of the puck network matches the JS forward pass (keypoint kernel ${shape.keypointKernel})`, async () => {
    const rng = new Rng(11);
    const net = new PuckNet(shape, { centre: [0.45, -0.02], halfExtent: [0.3, 0.35] }, () => rng.next());
    for (const p of net.parameters()) for (let i = 0; i < p.size; i++) p.data[i]! += rng.gaussian(0, 0.1);
    const file = join(mkdtempSync(join(tmpdir(), 'perception-onnx-')), 'perception.onnx');
    writeFileSync(file, exportPuckNetOnnx(net, { 'sim2real.task': 'push' }));
    const onnx = await OnnxPuckPerception.load(file);
    let worst = 0;
    for (const batch of [1, 5]) {
      const images = Array.from({ length: batch }, () => randomImage(rng));
      const js = net.predict(images);
      const ort = await onnx.estimate(images);
      js.forEach((p, b) => (worst = Math.max(worst, Math.abs(p.x - ort[b]!.x), Math.abs(p.y - ort[b]!.y))));
      // the estimates must differ between images, or the check would pass for a constant model
      if (batch > 1) assert.ok(Math.abs(js[0]!.x - js[1]!.x) + Math.abs(js[0]!.y - js[1]!.y) > 1e-4);
    }
    await onnx.release();
    assert.ok(worst < 1e-5, `largest difference ${worst} m`);
  });
}

test('a model that is not a perception model is refused with its input and output names', async () => {
  const { exportPolicyOnnx } = await import('../../src/engine/policy/onnxExport');
  const spec = { observationSize: 2, actionSize: 1, hidden: [4], activation: 'tanh' as const, history: 0 };
  const bytes = exportPolicyOnnx(spec, new Float64Array(2 * 4 + 4 + 4 + 1), { mean: [0, 0], std: [1, 1] });
  await assert.rejects(OnnxPuckPerception.load(bytes), /not a puck perception model: inputs \[observation\]/);
});
