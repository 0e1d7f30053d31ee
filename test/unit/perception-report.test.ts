/**
 * perception.json merges each command's part per model, and the gap report's visual-gap section
 * reads it: sim and real errors, with and without randomization, before and after DANN.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { visualGapMarkdown, visualGapOf } from '../../src/engine/reports/visualGap';
import { readPerceptionReport, updatePerceptionReport } from '../../src/engine/perception/perceptionReport';
import { summarizeErrors } from '../../src/engine/perception/samples';

test('summarizeErrors: mean, nearest-rank median and p95, max, in cm', () => {
  const e = summarizeErrors(Array.from({ length: 20 }, (_, i) => (i + 1) / 100)); // 1..20 cm
  assert.equal(e.images, 20);
  assert.ok(Math.abs(e.meanCm - 10.5) < 1e-9);
  assert.equal(e.medianCm, 10);
  assert.equal(e.p95Cm, 19);
  assert.equal(e.maxCm, 20);
  assert.throws(() => summarizeErrors([]), /no images/);
});

test('perception.json merges train, eval and adapt per model; the gap report shows them side by side', () => {
  const dir = mkdtempSync(join(tmpdir(), 'perception-report-'));
  const errors = (cm: number) => summarizeErrors([cm / 100, (cm + 1) / 100]);
  const training = (randomization: boolean) => ({ randomization, samples: 100, epochs: 2, seed: 1, seconds: 3, simTest: errors(1) });
  updatePerceptionReport(dir, 'push', 'perception.onnx', { training: training(true) });
  updatePerceptionReport(dir, 'push', 'perception-no-randomization.onnx', { training: training(false) });
  updatePerceptionReport(dir, 'push', 'perception.onnx', { realImages: { errors: errors(2), source: 'ws://127.0.0.1:1', groundTruth: 'test', at: 'now' } });
  updatePerceptionReport(dir, 'push', 'perception.onnx', {
    adaptation: { model: 'perception-dann.onnx', before: errors(3), after: errors(1.5), realImagesUsed: 10, simImagesUsed: 20, steps: 5, seconds: 1, discriminatorAccuracy: 0.5, source: 'ws://127.0.0.1:1', at: 'now' },
  });
  const report = readPerceptionReport(dir)!;
  const randomized = report.models.find((m) => m.model === 'perception.onnx')!;
  assert.ok(randomized.training && randomized.realImages && randomized.adaptation, 'each command keeps the others\' parts');
  const gap = visualGapOf(dir)!;
  assert.equal(gap.rows.length, 2);
  const md = visualGapMarkdown(gap).join('\n');
  assert.match(md, /\| `perception\.onnx` \| yes \| 1\.50 \/ 2\.00 cm \| 2\.50 \/ 3\.00 cm \| 3\.50 \/ 4\.00 cm \| 2\.00 \/ 2\.50 cm \|/);
  assert.match(md, /\| `perception-no-randomization\.onnx` \| no \| 1\.50 \/ 2\.00 cm \| – \| – \| – \|/);
  // a broken perception.json leaves the policy's report without the section rather than failing it
  writeFileSync(join(dir, 'perception.json'), '{"version": 2}');
  assert.equal(visualGapOf(dir), undefined);
});
