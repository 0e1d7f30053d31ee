// The perception requests' messages are checked field by field before the engine acts (a model is
// a bare file name inside the run, never a path), and a run's line in the tree names its
// perception error: on sim images, on real ones, before and after DANN.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { MODEL_FILES } from '../../src/engine/perception/perceptionModel';
import { PERCEPTION_MODEL_FILES } from '../../src/engine/perception/modelFiles';
import { parseHostMessage } from '../../src/messages/engine';
import { readRunSummary, runDescription, runTooltipLines } from '../../src/engine/reports/runSummary';

const request = (method: string, params: unknown): unknown => ({ kind: 'request', id: 3, method, params });

test('protocol: perception requests are checked field by field; a model is a bare file name', () => {
  assert.ok(parseHostMessage(request('perceptionTrain', { file: '/w/a.s2r.yaml', runsDir: '/w/runs' })));
  assert.ok(parseHostMessage(request('perceptionTrain', { file: '/w/a.s2r.yaml', runsDir: '/w/runs', runDir: '/w/runs/a/r1', samples: 64, epochs: 2, randomization: false, seed: 3 })));
  assert.equal(parseHostMessage(request('perceptionTrain', { file: '/w/a.s2r.yaml' })), undefined, 'runsDir is required');
  assert.equal(parseHostMessage(request('perceptionTrain', { file: '/w/a.s2r.yaml', runsDir: '/w', samples: -1 })), undefined);
  assert.equal(parseHostMessage(request('perceptionTrain', { file: '/w/a.s2r.yaml', runsDir: '/w', epochs: 1.5 })), undefined);
  assert.equal(parseHostMessage(request('perceptionTrain', { file: '/w/a.s2r.yaml', runsDir: '/w', randomization: 'yes' })), undefined);

  assert.ok(parseHostMessage(request('perceptionEvaluate', { file: '/w/a.s2r.yaml', runDir: '/w/r', model: 'perception-no-randomization.onnx', images: 10, address: 'ws://127.0.0.1:9' })));
  for (const model of ['../perception.onnx', '/tmp/perception.onnx', 'sub/perception.onnx', '.hidden.onnx', 'perception.json', '']) {
    assert.equal(parseHostMessage(request('perceptionEvaluate', { file: '/w/a.s2r.yaml', runDir: '/w/r', model })), undefined, model);
  }
  assert.equal(parseHostMessage(request('perceptionEvaluate', { file: '/w/a.s2r.yaml' })), undefined, 'runDir is required');
  assert.equal(parseHostMessage(request('perceptionEvaluate', { file: '/w/a.s2r.yaml', runDir: '/w/r', address: 9090 })), undefined);

  assert.ok(parseHostMessage(request('perceptionAdapt', { file: '/w/a.s2r.yaml', runDir: '/w/r', realImages: 20, evalImages: 10, simImages: 100, steps: 5 })));
  assert.equal(parseHostMessage(request('perceptionAdapt', { file: '/w/a.s2r.yaml', runDir: '/w/r', steps: '5' })), undefined);
  assert.equal(parseHostMessage(request('perceptionAdapt', { file: '/w/a.s2r.yaml', runDir: '/w/r', realImages: null })), undefined);
});

test('the editor names the model files the jobs write', () => {
  assert.deepEqual(PERCEPTION_MODEL_FILES, MODEL_FILES);
});

test('a run with perception.json: its line and tooltip give the error, the randomized model first', () => {
  const dir = join(mkdtempSync(join(tmpdir(), 'perception-summary-')), 'r1');
  mkdirSync(dir);
  writeFileSync(join(dir, 'run.json'), JSON.stringify({ format: 1, runId: 'r1', experimentName: 'e', task: 'push', seed: 1, status: 'completed', createdAt: '2026-11-25T10:00:00Z', updatedAt: '2026-11-25T10:00:00Z', versions: {}, experiment: {} }));
  const errors = (meanCm: number): Record<string, number> => ({ images: 10, meanCm, p95Cm: 2 * meanCm, medianCm: meanCm, maxCm: 3 * meanCm });
  const write = (models: unknown[]): void => writeFileSync(join(dir, 'perception.json'), JSON.stringify({ version: 1, task: 'push', models }));
  const base = { model: 'perception-no-randomization.onnx', training: { randomization: false, samples: 16, epochs: 1, seed: 1, seconds: 1, simTest: errors(0.5) }, realImages: { errors: errors(9.87), source: 'ws://127.0.0.1:9', groundTruth: 'g', at: 'now' } };
  const randomized = { model: 'perception.onnx', training: { randomization: true, samples: 16, epochs: 1, seed: 1, seconds: 1, simTest: errors(1.234) } };

  write([randomized]);
  assert.equal(runDescription(readRunSummary(dir)), 'vision sim 1.2 cm');
  write([base]);
  assert.equal(runDescription(readRunSummary(dir)), 'vision real 9.9 cm');
  const adapted = { ...randomized, adaptation: { model: 'perception-dann.onnx', before: errors(4.04), after: errors(2.96), realImagesUsed: 4, simImagesUsed: 8, steps: 3, seconds: 1, discriminatorAccuracy: 0.5, source: 'ws://127.0.0.1:9', at: 'now' } };
  write([base, adapted]);
  const summary = readRunSummary(dir);
  assert.equal(runDescription(summary), 'vision real 4.0 cm → 3.0 cm DANN');
  const tooltip = runTooltipLines(summary).filter((l) => l.startsWith('Perception'));
  assert.deepEqual(tooltip, [
    'Perception `perception-no-randomization.onnx`, nominal look: sim 0.50 / 1.00 cm · real 9.87 / 19.74 cm (mean / p95)',
    'Perception `perception.onnx`, visual randomization: sim 1.23 / 2.47 cm · real – · DANN 4.04 / 8.08 cm → 2.96 / 5.92 cm (mean / p95)',
  ]);
  // a broken perception.json is no perception, not a broken run
  writeFileSync(join(dir, 'perception.json'), '{');
  assert.equal(readRunSummary(dir).perception, undefined);
  assert.equal(readRunSummary(dir).status, 'completed');
});
