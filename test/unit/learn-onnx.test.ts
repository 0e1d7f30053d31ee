import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { initialParameters, MlpPolicy } from '../../src/engine/policy/mlp';
import { exportPolicyOnnx } from '../../src/engine/policy/onnxExport';
import { OnnxPolicy, PolicyShapeError } from '../../src/engine/policy/onnxPolicy';
import { inputSizeOf, type PolicySpec } from '../../src/engine/policy/policySpec';
import { Rng } from '../../src/engine/util/rng';

const dir = mkdtempSync(join(tmpdir(), 'learn-onnx-'));

/** A policy with every weight random (the output layer too) and a non-trivial normalization. */
function randomPolicy(spec: PolicySpec, seed: number): { network: MlpPolicy; mean: Float64Array; std: Float64Array } {
  const rng = new Rng(seed);
  const network = new MlpPolicy(spec);
  const params = initialParameters(spec, rng);
  for (let i = 0; i < params.length; i++) params[i] = params[i]! + rng.gaussian(0, 0.3);
  network.setParameters(params);
  const mean = Float64Array.from({ length: spec.observationSize }, () => rng.uniform(-2, 2));
  const std = Float64Array.from({ length: spec.observationSize }, () => rng.uniform(0.1, 3));
  network.setNormalization(mean, std);
  return { network, mean, std };
}

async function checkExportMatches(spec: PolicySpec, seed: number): Promise<void> {
  const { network, mean, std } = randomPolicy(spec, seed);
  // std as small as 0.1 next to means up to 2: the case where folding the normalization into the first layer lost accuracy
  const file = join(dir, `policy-${seed}.onnx`);
  writeFileSync(file, exportPolicyOnnx(spec, network.parameters, { mean, std }));
  const onnx = await OnnxPolicy.load(file, spec);
  assert.equal(onnx.history, spec.history);
  const rng = new Rng(seed + 1);
  const input = new Float64Array(inputSizeOf(spec));
  const jsOut = new Float64Array(spec.actionSize);
  let worst = 0;
  for (let trial = 0; trial < 50; trial++) {
    // observations as the policy meets them: about `std` around `mean` (normalized ~ N(0, 1))
    const observationInputs = spec.observationSize * (spec.history + 1);
    for (let i = 0; i < input.length; i++) {
      const d = i % spec.observationSize;
      input[i] = i < observationInputs ? mean[d]! + std[d]! * rng.gaussian() : rng.uniform(-1, 1);
    }
    network.forward(input, jsOut);
    const ortOut = await onnx.infer(input);
    for (let i = 0; i < spec.actionSize; i++) worst = Math.max(worst, Math.abs(ortOut[i]! - jsOut[i]!));
  }
  await onnx.dispose();
  assert.ok(worst < 1e-6, `largest difference between ONNX Runtime and the JS forward pass: ${worst}`);
}

test('exported MLP (tanh, history 2) matches the JS forward pass through onnxruntime-node', async () => {
  await checkExportMatches({ observationSize: 14, actionSize: 3, hidden: [32, 16], activation: 'tanh', history: 2 }, 11);
});

test('exported relu MLP and linear policy match the JS forward pass', async () => {
  await checkExportMatches({ observationSize: 5, actionSize: 2, hidden: [8], activation: 'relu', history: 0 }, 12);
  await checkExportMatches({ observationSize: 14, actionSize: 3, hidden: [], activation: 'tanh', history: 0 }, 13);
});

test('an ONNX policy of the wrong shape is refused with expected and found shapes', async () => {
  const spec: PolicySpec = { observationSize: 10, actionSize: 3, hidden: [4], activation: 'tanh', history: 0 };
  const { network, mean, std } = randomPolicy(spec, 5);
  const file = join(dir, 'reach.onnx');
  writeFileSync(file, exportPolicyOnnx(spec, network.parameters, { mean, std }));
  await assert.rejects(OnnxPolicy.load(file, { observationSize: 14, actionSize: 3 }), (error: unknown) => {
    assert.ok(error instanceof PolicyShapeError);
    assert.match(error.expected, /\[batch, 14\]/);
    assert.match(error.found, /float32 \[batch, 10\]/);
    assert.match(error.message, /expected .*found/);
    return true;
  });
  // right input, wrong output
  await assert.rejects(OnnxPolicy.load(file, { observationSize: 10, actionSize: 2 }), /output \[batch, 2\].*output float32 \[batch, 3\]/);
});
