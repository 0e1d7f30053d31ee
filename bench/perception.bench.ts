/**
 * The perception model per 64x64 image: JS forward pass, JS forward + backward (training), at batch
 * 1 and batch 16 (per image), and the exported model in onnxruntime-node at batch 1 and 16, all on
 * the same weights and images in this run. Prints medians with the 10th-90th percentile spread and
 * the ratios against the JS forward pass.
 * Run: npm run bench -- perception  (SIM2REAL_BENCH_SMOKE=1: the same rows, 2 timed repeats each)
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mse, Tape, Tensor } from '../src/engine/learn/autodiff';
import { exportPuckNetOnnx, OnnxPuckPerception } from '../src/engine/perception/perceptionOnnx';
import { DEFAULT_SHAPE, imageBatch, PuckNet } from '../src/engine/perception/puckNet';
import { Rng } from '../src/engine/util/rng';
import type { RgbImage } from '../src/engine/vision/types';
import { announceSmoke, smoke } from './smoke';

const REPEATS = smoke(40, 2);
const WARMUP = smoke(3, 1);

interface Summary {
  median: number;
  p10: number;
  p90: number;
}

function summarize(msPerImage: number[]): Summary {
  const s = [...msPerImage].sort((a, b) => a - b);
  const at = (q: number): number => s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
  return { median: at(0.5), p10: at(0.1), p90: at(0.9) };
}

async function time(repeats: number, batch: number, body: () => unknown): Promise<Summary> {
  for (let i = 0; i < WARMUP; i++) await body();
  const samples: number[] = [];
  for (let i = 0; i < repeats; i++) {
    const t0 = performance.now();
    await body();
    samples.push((performance.now() - t0) / batch);
  }
  return summarize(samples);
}

async function main(): Promise<void> {
  console.log(`node ${process.version}, ${new Date().toISOString()}, model ${JSON.stringify(DEFAULT_SHAPE)}`);
  announceSmoke(`${WARMUP} warm-up and ${REPEATS} timed repeats per row`);
  const rng = new Rng(3);
  const net = new PuckNet(DEFAULT_SHAPE, { centre: [0.45, 0], halfExtent: [0.3, 0.35] }, () => rng.next());
  const images: RgbImage[] = Array.from({ length: 16 }, () => ({ width: 64, height: 64, data: Uint8Array.from({ length: 64 * 64 * 3 }, () => rng.randint(0, 256)) }));
  const file = join(mkdtempSync(join(tmpdir(), 'bench-perception-')), 'perception.onnx');
  writeFileSync(file, exportPuckNetOnnx(net));
  const onnx = await OnnxPuckPerception.load(file);
  const rows: [string, Summary][] = [];
  for (const batch of [1, 16]) {
    const slice = images.slice(0, batch);
    const input = imageBatch(slice);
    const target = Tensor.zeros([batch, 2]);
    rows.push([`JS forward, batch ${batch}`, await time(REPEATS, batch, () => net.forward(undefined, input))]);
    rows.push([`JS forward+backward, batch ${batch}`, await time(REPEATS, batch, () => {
      const tape = new Tape();
      tape.backward(mse(tape, net.forward(tape, input).normalized, target));
    })]);
    rows.push([`onnxruntime-node, batch ${batch}`, await time(REPEATS, batch, () => onnx.estimate(slice))]);
  }
  await onnx.release();
  const base = rows[0]![1].median;
  for (const [name, s] of rows) {
    console.log(`  ${name.padEnd(32)} median ${s.median.toFixed(3).padStart(8)} ms/image   p10-p90 ${s.p10.toFixed(3)}-${s.p90.toFixed(3)}   ${(s.median / base).toFixed(2)}x JS forward (batch 1)`);
  }
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
