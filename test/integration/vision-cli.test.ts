/** `sim2real render`: randomized sim frames as PNG, the robot's current image, usage and address errors. */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { PNG } from 'pngjs';
import { profileFrom, REPO, startEmulator, tempDir } from '../support/robot-helpers';

const CLI = join(REPO, 'src', 'engine', 'cli.ts');

function cli(args: string[]): Promise<{ status: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', CLI, ...args], { cwd: REPO, encoding: 'utf8', timeout: 120_000 }, (error, stdout, stderr) => {
      resolve({ status: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

const EXPERIMENT = [
  'name: render-test',
  'task: push',
  'camera: { width_px: 40, height_px: 32, position_jitter: 0.02 }',
  'randomization:',
  '  visuals:',
  '    object_color: { distribution: uniform, range: [0, 1], size: 3 }',
  '    texture: { distribution: choice, values: [checker, noise] }',
  '    camera_noise: { distribution: uniform, range: [0, 0.03] }',
  '',
].join('\n');

test('render FILE --count writes numbered PNGs of the camera size, the same for the same seed', { timeout: 240_000 }, async () => {
  const dir = tempDir('render');
  const file = join(dir, 'vis.s2r.yaml');
  writeFileSync(file, EXPERIMENT);
  const a = await cli(['render', file, '--count', '3', '--seed', '5', '--out', join(dir, 'a.png'), '--json']);
  assert.equal(a.status, 0, a.stderr);
  const files = (JSON.parse(a.stdout) as { files: string[] }).files;
  assert.deepEqual(files, [0, 1, 2].map((i) => join(dir, `a-${i}.png`)));
  const images = files.map((f) => PNG.sync.read(readFileSync(f)));
  for (const image of images) assert.deepEqual([image.width, image.height], [40, 32]);
  assert.ok(!images[0].data.equals(images[1].data), 'episodes differ');
  const b = await cli(['render', file, '--seed', '5', '--out', join(dir, 'b.png')]);
  assert.equal(b.status, 0, b.stderr);
  assert.match(b.stdout, /wrote .*b\.png/);
  assert.ok(PNG.sync.read(readFileSync(join(dir, 'b.png'))).data.equals(images[0].data), 'seed 5, frame 0 again');
});

test('render refuses bad usage (exit 2) and names a bad file (exit 1)', { timeout: 120_000 }, async () => {
  const dir = tempDir('render-bad');
  assert.equal((await cli(['render'])).status, 2);
  assert.equal((await cli(['render', 'x.s2r.yaml', '--count', '0'])).status, 2);
  assert.equal((await cli(['render', 'x.s2r.yaml', '--out', 'frame.jpg'])).status, 2);
  const missing = await cli(['render', join(dir, 'none.s2r.yaml')]);
  assert.equal(missing.status, 1);
  assert.match(missing.stderr, /no such experiment file/);
});

test('render --robot saves the emulator\'s camera image; a silent address fails clearly', { timeout: 240_000 }, async () => {
  const dir = tempDir('render-robot');
  const emu = await startEmulator(profileFrom('task: push\ncamera: { rateHz: 20, widthPx: 32, heightPx: 24, blurRadiusPx: 1 }\n'));
  try {
    const out = join(dir, 'real.png');
    const run = await cli(['render', '--robot', emu.url, '--out', out]);
    assert.equal(run.status, 0, run.stderr);
    const image = PNG.sync.read(readFileSync(out));
    assert.deepEqual([image.width, image.height], [32, 24]);
  } finally {
    await emu.close();
  }
  const silent = await cli(['render', '--robot', 'ws://127.0.0.1:9', '--out', join(dir, 'x.png')]);
  assert.equal(silent.status, 1);
  assert.match(silent.stderr, /ws:\/\/127\.0\.0\.1:9/);
});
