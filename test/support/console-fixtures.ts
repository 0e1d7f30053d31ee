/**
 * Fixtures for the safe-test console's tests (unit and e2e): an experiment whose robot.address is the
 * emulator a test started (written at test time, since the port is only known then), and a small
 * ONNX policy in a run folder, exported from a seeded random network (no training needed to drive
 * a robot; the tests check the console, not the policy's skill).
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { initialParameters, MlpPolicy } from '../../src/engine/policy/mlp';
import { exportPolicyOnnx } from '../../src/engine/policy/onnxExport';
import type { PolicySpec } from '../../src/engine/policy/policySpec';
import { Rng } from '../../src/engine/util/rng';

export const REPO = join(__dirname, '..', '..');
export const CONSOLE_EXPERIMENT_NAME = 'console-push';
/** The public reality profile the console tests run against. */
export const PUBLIC_PROFILE = join(REPO, 'examples', 'reality', 'mild.yaml');

/**
 * The public profile with a longer watchdog (`watchdogMs`, [default: 400]): test machines here run
 * at a load of 10-15 on 2 cores, and the emulator or the link then misses the profile's 100 ms now
 * and then, which halts the robot (correctly) and aborts the episode the test needs.
 */
export function writeConsoleProfile(dir: string, watchdogMs = 400): string {
  const text = readFileSync(PUBLIC_PROFILE, 'utf8').replace(/^watchdogMs: .*$/m, `watchdogMs: ${watchdogMs}`);
  if (!text.includes(`watchdogMs: ${watchdogMs}`)) throw new Error('the public profile has no watchdogMs line to replace');
  const file = join(dir, 'mild-console.yaml');
  writeFileSync(file, text);
  return file;
}

/** Write `<dir>/console-push.s2r.yaml` from the push example, pointing robot.address at `address`. */
export function writeConsoleExperiment(dir: string, address: string): string {
  const template = readFileSync(join(REPO, 'examples', 'push.s2r.yaml'), 'utf8');
  // max_effort 9 N·m: the example's 8 equals the mild profile's motor strength, and that profile's
  // +2 % gain error reports 8.16 N·m whenever a motor saturates, which stops any brisk motion
  const text = template
    .replace(/^name: .*$/m, `name: ${CONSOLE_EXPERIMENT_NAME}`)
    .replace(/^(\s+address:).*$/m, `$1 ${address}`)
    .replace(/^(\s+max_effort:).*$/m, '$1 9');
  if (!text.includes(address)) throw new Error('the push example has no robot.address line to replace');
  const file = join(dir, `${CONSOLE_EXPERIMENT_NAME}.s2r.yaml`);
  writeFileSync(file, text);
  return file;
}

/**
 * A run folder `<runsDir>/console-push/<runId>` with run.json and policy.onnx (push: 14 observations,
 * 3 actions, one hidden layer of 32, no history, as in the example). Returns the policy's path.
 */
export function writeConsolePolicy(runsDir: string, runId = 'fixture-run', seed = 7, noise = 0, shoulderBias = 0.15): string {
  const runDir = join(runsDir, CONSOLE_EXPERIMENT_NAME, runId);
  mkdirSync(runDir, { recursive: true });
  const spec: PolicySpec = { observationSize: 14, actionSize: 3, hidden: [32], activation: 'tanh', history: 0 };
  const rng = new Rng(seed);
  const network = new MlpPolicy(spec);
  const parameters = initialParameters(spec, rng);
  // The initializer's network acts near zero; a bias on the shoulder's output makes a slow, visible
  // sweep for the plots. (Noisier random weights drove the wrist into the effort limit, and the
  // safety layer stopped every episode: right for a robot, useless for a console test.)
  for (let i = 0; i < parameters.length; i++) parameters[i] = parameters[i]! + rng.gaussian(0, noise);
  parameters[parameters.length - spec.actionSize] = shoulderBias;
  const mean = new Float64Array(spec.observationSize);
  const std = new Float64Array(spec.observationSize).fill(1);
  const policy = join(runDir, 'policy.onnx');
  writeFileSync(policy, exportPolicyOnnx(spec, parameters, { mean, std }));
  writeFileSync(join(runDir, 'run.json'), JSON.stringify({ id: runId, experiment: CONSOLE_EXPERIMENT_NAME, note: 'console test fixture' }, null, 2));
  return policy;
}
