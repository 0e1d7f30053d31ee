// `sim2real perception train|eval|adapt` end to end: a small model trained on renders, evaluated on
// the reality emulator's camera images (labels from its puck tracker), adapted with DANN; results
// merged into perception.json next to the model; usage and address errors exit as the CLI promises.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { spawnEmulator, tempDir } from '../support/robot-helpers';

const REPO = join(__dirname, '..', '..');
const CLI = join(REPO, 'src', 'engine', 'cli.ts');

function cli(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, ['--import', 'tsx', CLI, ...args], { cwd: REPO, encoding: 'utf8', timeout: 400_000 });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

test('perception: usage errors exit 2 and name the problem', () => {
  const none = cli(['perception']);
  assert.equal(none.status, 2);
  assert.match(none.stderr, /subcommand: train, eval or adapt/);
  const noModel = cli(['perception', 'eval', join(REPO, 'examples', 'push.s2r.yaml'), '--robot', 'ws://127.0.0.1:1']);
  assert.equal(noModel.status, 2);
  assert.match(noModel.stderr, /--model/);
  const badSamples = cli(['perception', 'train', join(REPO, 'examples', 'push.s2r.yaml'), '--samples', '3']);
  assert.equal(badSamples.status, 2);
  assert.match(badSamples.stderr, /--samples needs a whole number >= 16/);
});

test('perception train, eval and adapt on the reality emulator write perception.json', { timeout: 900_000 }, async () => {
  const dir = tempDir('perception-cli');
  const profile = join(dir, 'profile.yaml');
  writeFileSync(profile, readFileSync(join(REPO, 'examples', 'reality', 'moderate.yaml'), 'utf8'));
  const emulator = await spawnEmulator(profile, join(dir, 'emulator.jsonl'));
  try {
    const experiment = join(dir, 'push.s2r.yaml');
    writeFileSync(experiment, readFileSync(join(REPO, 'examples', 'push.s2r.yaml'), 'utf8').replace(/address: .*/, `address: ${emulator.url}`));
    const out = join(dir, 'perception');
    const train = cli(['perception', 'train', experiment, '--samples', '48', '--epochs', '1', '--out', out, '--json']);
    assert.equal(train.status, 0, train.stderr);
    const trained = JSON.parse(train.stdout) as { modelPath: string; training: { randomization: boolean; simTest: { meanCm: number } } };
    assert.ok(existsSync(trained.modelPath));
    assert.equal(trained.training.randomization, true);

    const evaluated = cli(['perception', 'eval', experiment, '--model', trained.modelPath, '--robot', emulator.url, '--images', '4', '--json']);
    assert.equal(evaluated.status, 0, evaluated.stderr);
    const errors = JSON.parse(evaluated.stdout) as { images: number; meanCm: number; p95Cm: number; groundTruth: string };
    assert.equal(errors.images, 4);
    assert.ok(Number.isFinite(errors.meanCm) && errors.meanCm > 0 && errors.p95Cm >= errors.meanCm - 1e-9);
    assert.match(errors.groundTruth, /puck\/pose/);

    const adapted = cli(['perception', 'adapt', experiment, '--model', trained.modelPath, '--images', '4', '--eval-images', '4', '--steps', '3', '--json']);
    assert.equal(adapted.status, 0, adapted.stderr);
    const result = JSON.parse(adapted.stdout) as { adaptedModel: string; before: { meanCm: number }; after: { meanCm: number } };
    assert.ok(existsSync(result.adaptedModel));

    const report = JSON.parse(readFileSync(join(out, 'perception.json'), 'utf8')) as { models: { model: string; realImages?: unknown; adaptation?: { before: unknown; after: unknown } }[] };
    const entry = report.models.find((m) => m.model === 'perception.onnx');
    assert.ok(entry?.realImages && entry.adaptation?.before && entry.adaptation.after);

    // a robot address that nothing listens on: a clear error, exit 1
    const dead = cli(['perception', 'eval', experiment, '--model', trained.modelPath, '--robot', 'ws://127.0.0.1:1', '--images', '1']);
    assert.equal(dead.status, 1);
    assert.match(dead.stderr, /robot: /);
  } finally {
    await emulator.stop();
  }
});
