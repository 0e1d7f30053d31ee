/**
 * Evaluate on Robot, the engine job behind the tree's context action: it runs the run's policy on
 * the experiment's configured robot (here the reality emulator in a child process), writes
 * eval-real.json and refreshes report.json; it refuses any other address and experiments without a
 * robot, before anything connects.
 */
import assert from 'node:assert/strict';
import { ScriptedPerson } from '../support/motion';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { summarizeEpisodes } from '../../src/engine/evaluate/report';
import { initialParameters } from '../../src/engine/policy/mlp';
import { exportPolicyOnnx } from '../../src/engine/policy/onnxExport';
import type { PolicySpec } from '../../src/engine/policy/policySpec';
import { evaluateOnRobot } from '../../src/engine/jobs/evaluateOnRobot';
import { contextOf } from '../support/jobs';
import { Rng } from '../../src/engine/util/rng';
import { REPO, spawnEmulator, tempDir, type EmulatorProcess } from '../support/robot-helpers';

let emulator: EmulatorProcess;
const dir = tempDir('s2r-robotjob-');

before(async () => {
  // the public profile with a looser watchdog: under load the 100 ms one halts the robot mid-episode
  const profile = join(dir, 'mild.yaml');
  writeFileSync(profile, readFileSync(join(REPO, 'examples', 'reality', 'mild.yaml'), 'utf8').replace(/^watchdogMs: .*$/m, 'watchdogMs: 400'));
  emulator = await spawnEmulator(profile, join(dir, 'emulator-events.jsonl'));
});
after(async () => {
  await emulator?.stop();
});

/** The push example, pointed at `address`, with 2 real episodes. */
function experimentFile(name: string, address: string | undefined): string {
  let text = readFileSync(join(REPO, 'examples', 'push.s2r.yaml'), 'utf8').replace(/^name: .*$/m, `name: ${name}`).replace(/^(\s+real_episodes:).*$/m, '$1 2');
  if (address) text = text.replace(/^(\s+address:).*$/m, `$1 ${address}`);
  // without a robot, the stages that run on one are errors of their own: drop them too
  else text = text.slice(0, text.indexOf('\nstages:')) + text.slice(text.indexOf('\nevaluation:'), text.indexOf('\nrobot:'));
  const file = join(dir, `${name}.s2r.yaml`);
  writeFileSync(file, text);
  return file;
}

/** A run folder with an untrained policy (push: 14 observations, 3 actions, hidden [32]) and a sim evaluation. */
function runFolder(name: string): string {
  const runDir = join(dir, 'runs', name, 'r1');
  mkdirSync(join(runDir, 'checkpoints'), { recursive: true });
  const spec: PolicySpec = { observationSize: 14, actionSize: 3, hidden: [32], activation: 'tanh', history: 0 };
  writeFileSync(join(runDir, 'policy.onnx'), exportPolicyOnnx(spec, initialParameters(spec, new Rng(3)), { mean: new Float64Array(14), std: new Float64Array(14).fill(1) }));
  writeFileSync(join(runDir, 'run.json'), JSON.stringify({ format: 1, runId: 'r1', experimentName: name, task: 'push', seed: 7, status: 'completed', createdAt: '', updatedAt: '', versions: {}, experiment: {} }));
  const sim = summarizeEpisodes([{ episodeReturn: 1, length: 150, success: true }, { episodeReturn: 0, length: 150, success: false }], { randomized: true, seed: 7, task: 'push', policy: 'policy.onnx' });
  writeFileSync(join(runDir, 'eval.json'), JSON.stringify(sim));
  return runDir;
}

test('the run policy runs on the configured robot; eval-real.json and report.json are written', { timeout: 120_000 }, async () => {
  const file = experimentFile('robot-job', emulator.url);
  const runDir = runFolder('robot-job');
  const progress: string[] = [];
  const result = await evaluateOnRobot({ file, runDir }, contextOf(new AbortController().signal, (p) => progress.push(p.message), undefined, new ScriptedPerson()));
  assert.equal(result.real.episodes, 2, JSON.stringify(result.real));
  assert.equal(result.real.randomized, false);
  const record = JSON.parse(readFileSync(join(runDir, 'eval-real.json'), 'utf8'));
  assert.equal(record.address, emulator.url);
  assert.deepEqual(record.report, result.real);
  const report = JSON.parse(readFileSync(join(runDir, 'report.json'), 'utf8'));
  assert.deepEqual(report.real, result.real);
  assert.equal(report.gap.verdict, result.report!.gap!.verdict);
  assert.ok(progress.some((m) => m === `real episode 2 of 2 on ${emulator.url}`), progress.join('\n'));
  assert.ok(existsSync(join(runDir, 'robot-events.jsonl')));
});

test('any address other than the configured one is refused before connecting', async () => {
  const file = experimentFile('robot-job-refuse', emulator.url);
  const runDir = runFolder('robot-job-refuse');
  const other = emulator.url.replace(/:\d+$/, ':1');
  await assert.rejects(evaluateOnRobot({ file, runDir, address: other }, contextOf(new AbortController().signal, () => {}, undefined, new ScriptedPerson())), /Refused: .* is not the robot address this experiment configures/);
  assert.ok(!existsSync(join(runDir, 'eval-real.json')));
});

test('an experiment without a robot block is refused with what to add', async () => {
  const file = experimentFile('robot-job-none', undefined);
  const runDir = runFolder('robot-job-none');
  await assert.rejects(evaluateOnRobot({ file, runDir }, contextOf(new AbortController().signal, () => {}, undefined, new ScriptedPerson())), /configures no robot/);
});
