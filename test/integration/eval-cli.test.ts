import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { initialParameters } from '../../src/engine/policy/mlp';
import { exportPolicyOnnx } from '../../src/engine/policy/onnxExport';
import type { PolicySpec } from '../../src/engine/policy/policySpec';
import { Rng } from '../../src/engine/util/rng';

const root = join(__dirname, '..', '..');
const cli = join(root, 'src', 'engine', 'cli.ts');
const pushExample = join(root, 'examples', 'push.s2r.yaml');
const dir = mkdtempSync(join(tmpdir(), 'eval-cli-'));

function sim2real(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  // generous timeout: tsx start-up plus Rapier init take seconds on a shared, loaded machine
  const result = spawnSync(process.execPath, ['--import', 'tsx', cli, ...args], { cwd: root, encoding: 'utf8', timeout: 180_000 });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

function writePolicy(name: string, spec: PolicySpec): string {
  const rng = new Rng(2);
  const params = initialParameters(spec, rng);
  for (let i = 0; i < params.length; i++) params[i] = params[i]! + rng.gaussian(0, 0.2);
  const file = join(dir, name);
  writeFileSync(file, exportPolicyOnnx(spec, params, { mean: new Float64Array(spec.observationSize), std: new Float64Array(spec.observationSize).fill(1) }));
  return file;
}

test('sim2real eval --json prints one object with the public field names', () => {
  const policy = writePolicy('push.onnx', { observationSize: 14, actionSize: 3, hidden: [8], activation: 'tanh', history: 1 });
  const { status, stdout, stderr } = sim2real('eval', pushExample, '--policy', policy, '--episodes', '2', '--seed', '5', '--json', '--no-randomization');
  assert.equal(status, 0, stderr);
  const report = JSON.parse(stdout);
  for (const key of ['success_rate', 'success_ci', 'avg_return', 'avg_length', 'episodes']) assert.ok(key in report, key);
  assert.equal(report.episodes, 2);
  assert.equal(report.success_ci.length, 2);
  assert.equal(report.seed, 5);
  assert.equal(report.randomized, false);
});

test('sim2real eval refuses an ONNX policy of the wrong shape, naming expected and found shapes', () => {
  const reachPolicy = writePolicy('reach.onnx', { observationSize: 10, actionSize: 3, hidden: [], activation: 'tanh', history: 0 });
  const { status, stdout, stderr } = sim2real('eval', pushExample, '--policy', reachPolicy);
  assert.equal(status, 1);
  assert.equal(stdout, '');
  assert.match(stderr, /expected .*\[batch, 14\].*found .*\[batch, 10\]/);
});

test('sim2real train with an invalid experiment starts nothing and prints the findings', () => {
  const bad = join(dir, 'bad.s2r.yaml');
  writeFileSync(bad, 'name: bad\ntask: juggle\nseed: 1\n');
  const out = join(dir, 'run-bad');
  const { status, stderr } = sim2real('train', bad, '--out', out);
  assert.equal(status, 1);
  assert.match(stderr, /bad\.s2r\.yaml:\d+:\d+: error: .*juggle/);
  assert.ok(!existsSync(out));
});

test('unknown flags are usage errors', () => {
  const { status, stderr } = sim2real('eval', pushExample, '--policy', 'x.onnx', '--episdoes', '3');
  assert.equal(status, 2);
  assert.match(stderr, /unknown option --episdoes/);
});
