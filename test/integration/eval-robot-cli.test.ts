// `sim2real eval --robot`: the same evaluator and JSON shape on the reality emulator, and the
// engine talks only to addresses the user configured.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { exportPolicyOnnx } from '../../src/engine/policy/onnxExport';
import { spawnEmulator, tempDir } from '../support/robot-helpers';

const REPO = join(__dirname, '..', '..');
const CLI = join(REPO, 'src', 'engine', 'cli.ts');

function cli(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, ['--import', 'tsx', CLI, ...args], { cwd: REPO, encoding: 'utf8', timeout: 240_000 });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

function fixtures(dir: string, address: string): { experiment: string; policy: string } {
  const experiment = join(dir, 'reach.s2r.yaml');
  writeFileSync(
    experiment,
    `name: robot-eval\ntask: reach\nseed: 4\nevaluation: {real_episodes: 2, max_steps: 30}\n` +
      `robot:\n  address: ${address}\n  safety: {speed_scale: 0.5, limited_episodes: 3}\n`,
  );
  // a linear policy with zero weights: holds still, so the safety layer never trips
  const policy = join(dir, 'still.onnx');
  const spec = { observationSize: 10, actionSize: 3, hidden: [], activation: 'tanh' as const, history: 0 };
  writeFileSync(policy, exportPolicyOnnx(spec, new Float64Array(10 * 3 + 3), { mean: new Float64Array(10), std: new Float64Array(10).fill(1) }));
  return { experiment, policy };
}

test('eval --robot prints the sim JSON shape from real episodes on the emulator', { timeout: 300_000 }, async () => {
  const dir = tempDir('eval-robot');
  const profile = join(dir, 'profile.yaml');
  writeFileSync(profile, 'task: reach\nseed: 2\n');
  const emulator = await spawnEmulator(profile, join(dir, 'emulator.jsonl'));
  try {
    const { experiment, policy } = fixtures(dir, emulator.url);
    const run = cli(['eval', experiment, '--policy', policy, '--robot', emulator.url, '--json']);
    assert.equal(run.status, 0, run.stderr);
    const report = JSON.parse(run.stdout.trim().split('\n').pop()!);
    for (const key of ['success_rate', 'success_ci', 'avg_return', 'avg_length', 'episodes']) assert.ok(key in report, `missing ${key}`);
    assert.equal(report.episodes, 2);
    assert.equal(report.randomized, false);
    assert.equal(report.success_rate, 0, 'a policy that holds still never reaches the target');
    assert.ok(report.avg_length > 0);
    // the emulator saw the commands
    assert.ok(emulator.events().some((e) => JSON.stringify(e).includes('command')), 'the emulator logged no command');
  } finally {
    await emulator.stop();
  }
});

test('eval --robot on a dead address fails with a clear error, not a hang', () => {
  const dir = tempDir('eval-robot-dead');
  const { experiment, policy } = fixtures(dir, 'ws://127.0.0.1:1');
  const run = cli(['eval', experiment, '--policy', policy, '--robot', 'ws://127.0.0.1:1', '--json']);
  assert.equal(run.status, 1, run.stderr);
  assert.match(run.stderr, /sim2real eval: robot: cannot reach robot at ws:\/\/127\.0\.0\.1:1/);
  assert.equal(run.stdout.trim(), '', 'no report is printed for episodes that never ran');
});
