/**
 * Policy inference at batch 1: the JS forward pass (what rollouts use) against ONNX Runtime
 * (onnxruntime-node, CPU, one thread) on the same exported model. Prints median and p99 per call and
 * the ORT / JS ratio, both measured in this run.
 * Run: npx tsx bench/inference.bench.ts  (SIM2REAL_BENCH_SMOKE=1: the same three models, 200 calls each)
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initialParameters, MlpPolicy } from '../src/engine/policy/mlp';
import { exportPolicyOnnx } from '../src/engine/policy/onnxExport';
import { OnnxPolicy } from '../src/engine/policy/onnxPolicy';
import { inputSizeOf, type PolicySpec } from '../src/engine/policy/policySpec';
import { Rng } from '../src/engine/util/rng';
import { announceSmoke, smoke } from './smoke';

const WARMUP = smoke(2_000, 20);
const CALLS = smoke(20_000, 200);

function percentile(sorted: Float64Array, q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

function summarize(samplesUs: Float64Array): { median: number; p99: number } {
  const sorted = Float64Array.from(samplesUs).sort();
  return { median: percentile(sorted, 0.5), p99: percentile(sorted, 0.99) };
}

async function benchSpec(label: string, spec: PolicySpec): Promise<void> {
  const rng = new Rng(1);
  const parameters = initialParameters(spec, rng);
  for (let i = 0; i < parameters.length; i++) parameters[i] = parameters[i]! + rng.gaussian(0, 0.1);
  const network = new MlpPolicy(spec);
  network.setParameters(parameters);
  const mean = Float64Array.from({ length: spec.observationSize }, () => rng.gaussian());
  const std = Float64Array.from({ length: spec.observationSize }, () => rng.uniform(0.5, 2));
  network.setNormalization(mean, std);
  const file = join(mkdtempSync(join(tmpdir(), 'bench-inference-')), 'policy.onnx');
  writeFileSync(file, exportPolicyOnnx(spec, parameters, { mean, std }));
  const onnx = await OnnxPolicy.load(file, spec);

  const inputs = Array.from({ length: 64 }, () => Float64Array.from({ length: inputSizeOf(spec) }, () => rng.gaussian()));
  const action = new Float64Array(spec.actionSize);

  const js = new Float64Array(CALLS);
  for (let i = 0; i < WARMUP; i++) network.forward(inputs[i % 64]!, action);
  for (let i = 0; i < CALLS; i++) {
    const t0 = process.hrtime.bigint();
    network.forward(inputs[i % 64]!, action);
    js[i] = Number(process.hrtime.bigint() - t0) / 1000;
  }

  const ort = new Float64Array(CALLS);
  for (let i = 0; i < WARMUP; i++) await onnx.infer(inputs[i % 64]!);
  for (let i = 0; i < CALLS; i++) {
    const t0 = process.hrtime.bigint();
    await onnx.infer(inputs[i % 64]!);
    ort[i] = Number(process.hrtime.bigint() - t0) / 1000;
  }
  await onnx.dispose();

  const j = summarize(js);
  const o = summarize(ort);
  const row = (name: string, s: { median: number; p99: number }): string => `  ${name.padEnd(22)} median ${s.median.toFixed(2).padStart(7)} us   p99 ${s.p99.toFixed(2).padStart(7)} us`;
  console.log(`${label} (${inputSizeOf(spec)} -> ${[...spec.hidden, spec.actionSize].join(' -> ')}, batch 1, ${CALLS} calls)`);
  console.log(row('JS forward pass', j));
  console.log(row('onnxruntime-node', o));
  console.log(`  ratio ORT / JS: median ${(o.median / j.median).toFixed(1)}x, p99 ${(o.p99 / j.p99).toFixed(1)}x`);
}

async function main(): Promise<void> {
  console.log(`node ${process.version}, ${new Date().toISOString()}`);
  announceSmoke(`${WARMUP} warm-up and ${CALLS} timed calls per model`);
  await benchSpec('push policy, example size', { observationSize: 14, actionSize: 3, hidden: [32], activation: 'tanh', history: 0 });
  await benchSpec('push policy, history 2', { observationSize: 14, actionSize: 3, hidden: [32], activation: 'tanh', history: 2 });
  await benchSpec('larger MLP (facts.md size)', { observationSize: 16, actionSize: 4, hidden: [64, 64], activation: 'tanh', history: 0 });
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
