// The engine's perception requests (perceptionRequests.ts) with their worker thread (the protocol
// checks are in test/unit/perception-requests-protocol.test.ts): a new run appears whole, training into a run
// keeps the other models' entries, a cancel stops the worker and leaves nothing behind, evaluate
// and adapt take real images from the reality emulator, and a robot that is not there, not
// configured or not the configured one is a clear error.
import assert from 'node:assert/strict';
import { ScriptedPerson } from '../support/motion';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { perceptionAdapt } from '../../src/engine/jobs/perceptionAdapt';
import { perceptionEvaluate } from '../../src/engine/jobs/perceptionEvaluate';
import { perceptionTrain } from '../../src/engine/jobs/perceptionTrain';
import { contextOf } from '../support/jobs';
import { listRuns, runDescription, runTooltipLines } from '../../src/engine/reports/runSummary';
import { profileFrom, REPO, startEmulator, tempDir } from '../support/robot-helpers';

const EXAMPLE = readFileSync(join(REPO, 'examples', 'perception.s2r.yaml'), 'utf8');

function experimentAt(dir: string, address: string | undefined): string {
  const file = join(dir, 'perception.s2r.yaml');
  const text = address === undefined ? EXAMPLE.replace(/\nrobot:[\s\S]*$/, '\n').replace(/\n {2}- \{ name: real-textures[\s\S]*?(?=\n\nevaluation:)/, '') : EXAMPLE.replace(/address: .*/, `address: ${address}`);
  writeFileSync(file, text);
  return file;
}

const quiet = (): void => undefined;
const stagingIn = (dir: string): string[] => readdirSync(dir).filter((name) => name.startsWith('.perception-'));

test('perceptionTrain: a new run appears whole in the runs folder; bad counts and experiments are named', { timeout: 120_000 }, async () => {
  const dir = tempDir('perception-requests-train');
  const file = experimentAt(dir, 'ws://127.0.0.1:1');
  const runsDir = join(dir, 'runs');
  const fractions: number[] = [];
  const result = await perceptionTrain({ file, runsDir, samples: 32, epochs: 1 }, contextOf(new AbortController().signal, (p) => p.fraction !== undefined && fractions.push(p.fraction), quiet));
  assert.equal(result.status, 'completed');
  assert.ok(result.runDir.startsWith(join(runsDir, 'push-perception')), result.runDir);
  for (const name of ['run.json', 'perception.onnx', 'perception.weights.json', 'perception.json']) assert.ok(existsSync(join(result.runDir, name)), name);
  assert.ok(result.training && result.training.samples === 32 && Number.isFinite(result.training.simTest.meanCm));
  assert.deepEqual(stagingIn(join(runsDir, 'push-perception')), []);
  assert.ok(fractions.includes(1), `progress reached 1: ${fractions.join(', ')}`);
  // the tree lists it like any run of the experiment
  const runs = listRuns(join(runsDir, 'push-perception'));
  assert.deepEqual(runs.map((r) => r.dir), [result.runDir]);
  assert.equal(runs[0]!.status, 'completed');
  assert.match(runDescription(runs[0]!), /^vision sim \d+\.\d cm$/);
  assert.ok(runTooltipLines(runs[0]!).some((l) => l.startsWith('Perception `perception.onnx`, visual randomization: sim ')));

  await assert.rejects(perceptionTrain({ file, runsDir, samples: 8 }, contextOf(new AbortController().signal, quiet, quiet)), /samples must be a whole number >= 16, got 8/);
  const broken = join(dir, 'broken.s2r.yaml');
  writeFileSync(broken, EXAMPLE.replace('seed: 7', 'seed: seven'));
  await assert.rejects(perceptionTrain({ file: broken, runsDir }, contextOf(new AbortController().signal, quiet, quiet)), /broken\.s2r\.yaml has 1 error\(s\); nothing was started\. First: .*broken\.s2r\.yaml:5:7: error/);
  await assert.rejects(perceptionTrain({ file, runsDir, runDir: dir }, contextOf(new AbortController().signal, quiet, quiet)), /is not a run folder \(no run\.json\)/);
});

test('perceptionTrain: cancel stops the worker within a batch and leaves neither a run nor a staging folder', { timeout: 120_000 }, async (t) => {
  const dir = tempDir('perception-requests-cancel');
  const file = experimentAt(dir, 'ws://127.0.0.1:1');
  const runsDir = join(dir, 'runs');
  const controller = new AbortController();
  let abortedAt = 0;
  const running = perceptionTrain(
    { file, runsDir, samples: 3000, epochs: 6 }, contextOf(controller.signal,
    () => {
      // a moment into the job: the worker is inside its render and training loops by then
      if (abortedAt === 0) {
        abortedAt = -1;
        setTimeout(() => {
          abortedAt = performance.now();
          controller.abort();
        }, 1500);
      }
    },
    quiet,));
  const result = await running;
  const stopMs = performance.now() - abortedAt;
  assert.equal(result.status, 'cancelled');
  t.diagnostic(`cancel to cancelled result: ${stopMs.toFixed(0)} ms`);
  // 3000 renders and 6 epochs take minutes; a stop well inside the 10 s grace means the loop read the flag
  assert.ok(stopMs < 8000, `stopped ${stopMs.toFixed(0)} ms after the cancel`);
  const experimentDir = join(runsDir, 'push-perception');
  assert.deepEqual(readdirSync(experimentDir), [], 'nothing left in the experiment folder');
});

test('perceptionTrain into a run keeps its other files and models; evaluate and adapt on the emulator; robot errors', { timeout: 300_000 }, async () => {
  const emu = await startEmulator(profileFrom(readFileSync(join(REPO, 'examples', 'reality', 'moderate.yaml'), 'utf8')));
  try {
    const dir = tempDir('perception-requests-robot');
    const file = experimentAt(dir, emu.url);
    const runsDir = join(dir, 'runs');
    const runDir = join(runsDir, 'push-perception', 'policy-run');
    mkdirSync(runDir, { recursive: true });
    writeFileSync(join(runDir, 'run.json'), JSON.stringify({ format: 1, runId: 'policy-run', experimentName: 'push-perception', task: 'push', seed: 7, status: 'completed', createdAt: '2026-11-25T10:00:00Z', updatedAt: '2026-11-25T10:00:00Z', versions: {}, experiment: {} }));
    writeFileSync(join(runDir, 'policy.onnx'), 'not touched');
    writeFileSync(join(runDir, 'perception.json'), JSON.stringify({ version: 1, task: 'push', models: [{ model: 'older.onnx' }] }));

    const trained = await perceptionTrain({ file, runsDir, runDir, samples: 32, epochs: 1, randomization: false }, contextOf(new AbortController().signal, quiet, quiet));
    assert.equal(trained.status, 'completed');
    assert.equal(trained.modelPath, join(runDir, 'perception-no-randomization.onnx'));
    assert.equal(readFileSync(join(runDir, 'policy.onnx'), 'utf8'), 'not touched');
    const models = (): string[] => (JSON.parse(readFileSync(join(runDir, 'perception.json'), 'utf8')) as { models: { model: string }[] }).models.map((m) => m.model);
    assert.deepEqual(models(), ['older.onnx', 'perception-no-randomization.onnx']);

    const model = 'perception-no-randomization.onnx';
    const messages: string[] = [];
    const evaluated = await perceptionEvaluate({ file, runDir, model, images: 6, address: emu.url }, contextOf(new AbortController().signal, (p) => messages.push(p.message), quiet, new ScriptedPerson()));
    assert.equal(evaluated.status, 'completed');
    assert.equal(evaluated.errors?.images, 6);
    assert.ok(evaluated.errors!.meanCm > 0 && Number.isFinite(evaluated.errors!.p95Cm));
    assert.ok(messages.some((m) => /6 of 6 camera images/.test(m)), messages.join('\n'));
    const report = JSON.parse(readFileSync(join(runDir, 'perception.json'), 'utf8')) as { models: { model: string; realImages?: { source: string } }[] };
    assert.equal(report.models.find((m) => m.model === model)?.realImages?.source, emu.url);
    assert.match(runDescription(listRuns(join(runsDir, 'push-perception'))[0]!), /vision real \d+\.\d cm/);

    const adapted = await perceptionAdapt({ file, runDir, model, realImages: 4, evalImages: 4, simImages: 32, steps: 3 }, contextOf(new AbortController().signal, quiet, quiet, new ScriptedPerson()));
    assert.equal(adapted.status, 'completed');
    assert.equal(adapted.adaptedModel, 'perception-no-randomization-dann.onnx');
    assert.ok(existsSync(join(runDir, 'perception-no-randomization-dann.onnx')) && existsSync(join(runDir, 'perception-no-randomization-dann.weights.json')));
    assert.ok(adapted.before && adapted.after && adapted.before.images === 4);
    assert.deepEqual(stagingIn(runDir), []);

    // only the configured address, a clear message when nothing listens, a model that is missing
    await assert.rejects(perceptionEvaluate({ file, runDir, model, address: 'ws://127.0.0.1:2' }, contextOf(new AbortController().signal, quiet, quiet, new ScriptedPerson())), /Refused: ws:\/\/127\.0\.0\.1:2 is not the robot address this experiment configures/);
    const dead = experimentAt(tempDir('perception-requests-dead'), 'ws://127.0.0.1:1');
    await assert.rejects(perceptionEvaluate({ file: dead, runDir, model, images: 1 }, contextOf(new AbortController().signal, quiet, quiet, new ScriptedPerson())), /127\.0\.0\.1:1.*Is the reality emulator running there\?/s);
    assert.deepEqual(stagingIn(runDir), [], 'a failed job leaves no staging folder');
    await assert.rejects(perceptionEvaluate({ file, runDir, model: 'perception.onnx' }, contextOf(new AbortController().signal, quiet, quiet, new ScriptedPerson())), /has no perception model perception\.onnx/);
    const noRobot = experimentAt(tempDir('perception-requests-norobot'), undefined);
    await assert.rejects(perceptionAdapt({ file: noRobot, runDir, model }, contextOf(new AbortController().signal, quiet, quiet, new ScriptedPerson())), /configures no robot/);
  } finally {
    await emu.close();
  }
});
