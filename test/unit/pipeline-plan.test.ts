/**
 * The pipeline's decisions without a simulator or a robot: real-episode plans and the budget,
 * --from/--to selection, gates, and the validator's findings on stage lists.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Experiment, StageConfig } from '../../src/engine/config/experiment';
import { resolveExperiment } from '../../src/engine/config/resolve';
import { validateText } from '../../src/engine/config/validate';
import { checkGate, mixedSplit, plannedRealEpisodes, realEpisodeBudget, selectStages, StageSelectionError } from '../../src/engine/pipeline/plan';
import type { StageRecord } from '../../src/engine/pipeline/stateFile';

const HEAD = 'name: t\ntask: push\nrandomization:\n  dynamics:\n    action_delay: { distribution: randint, range: [0, 3] }\n';
const ROBOT = 'robot:\n  address: ws://127.0.0.1:9090\n  safety: {}\n';

function findings(text: string): { code: string; severity: string; message: string; line: number }[] {
  const v = validateText(text);
  return v.findings.map((f) => ({ code: f.code, severity: f.severity, message: f.message, line: v.lines.positionAt(f.start).line }));
}

function experimentOf(text: string): Experiment {
  const v = validateText(text);
  assert.deepEqual(v.findings.filter((f) => f.severity === 'error'), [], 'fixture must be valid');
  return resolveExperiment(v.root as never);
}

const stage = (over: Partial<StageConfig>): StageConfig => ({ name: 's', kind: 'sim', episodes: 100, skip: false, ...over });
const record = (over: Partial<StageRecord>): StageRecord => ({ name: 'prev', kind: 'sim', state: 'passed', simEpisodes: 10, realEpisodes: 0, plannedRealEpisodes: 0, restarts: 0, ...over });

describe('real-episode plan and budget', () => {
  test('a mixed stage runs sim_ratio of its episodes in sim, the rest on the robot', () => {
    assert.deepEqual(mixedSplit(500, 0.8), { sim: 400, real: 100 });
    assert.deepEqual(mixedSplit(160, 0.8), { sim: 128, real: 32 });
    assert.deepEqual(mixedSplit(10, 1), { sim: 10, real: 0 });
  });

  test('only mixed and fine-tuning stages plan real episodes; skipped ones plan none', () => {
    assert.equal(plannedRealEpisodes(stage({ kind: 'sim', episodes: 10000 })), 0);
    assert.equal(plannedRealEpisodes(stage({ kind: 'sim_real_images', episodes: 2000 })), 0);
    assert.equal(plannedRealEpisodes(stage({ kind: 'mixed', episodes: 500, simRatio: 0.8 })), 100);
    assert.equal(plannedRealEpisodes(stage({ kind: 'real_finetune', episodes: 100 })), 100);
    assert.equal(plannedRealEpisodes(stage({ kind: 'real_finetune', episodes: 100, skip: true })), 0);
  });

  test('the budget is robot.max_real_episodes, else the stages plus the final evaluation (the seed: 100 + 100 + 50)', () => {
    const seed = `${HEAD}stages:\n  - { name: a, kind: sim, episodes: 10000 }\n  - { name: m, kind: mixed, episodes: 500, sim_ratio: 0.8, gate: { min_sim_success: 0.95 } }\n  - { name: f, kind: real_finetune, episodes: 100 }\nevaluation: { real_episodes: 50 }\n${ROBOT}`;
    assert.equal(realEpisodeBudget(experimentOf(seed)), 250);
    assert.equal(realEpisodeBudget(experimentOf(seed.replace('  safety: {}\n', '  safety: {}\n  max_real_episodes: 120\n'))), 120);
  });
});

describe('--from / --to', () => {
  const stages = [stage({ name: 'a' }), stage({ name: 'b' }), stage({ name: 'c' })];
  test('select by name, inclusive', () => {
    assert.deepEqual(selectStages(stages), { first: 0, last: 2 });
    assert.deepEqual(selectStages(stages, 'b'), { first: 1, last: 2 });
    assert.deepEqual(selectStages(stages, undefined, 'b'), { first: 0, last: 1 });
    assert.deepEqual(selectStages(stages, 'b', 'b'), { first: 1, last: 1 });
  });
  test('unknown names and a --to before --from are errors naming the stages', () => {
    assert.throws(() => selectStages(stages, 'x'), (e: Error) => e instanceof StageSelectionError && /--from: no stage named 'x'; the stages are 'a', 'b', 'c'/.test(e.message));
    assert.throws(() => selectStages(stages, 'c', 'a'), /--to 'a' comes before --from 'c'/);
  });
});

describe('gates', () => {
  const mixed = stage({ name: 'mixed', kind: 'mixed', simRatio: 0.8, gate: { minSimSuccess: 0.95, confirm: true } });
  test('opens when the previous stage reached the sim threshold', () => {
    const gate = checkGate(mixed, record({ simSuccess: 0.96 }));
    assert.equal(gate.open, true);
    assert.match(gate.message, /sim 96\.0% >= 95\.0%/);
  });
  test('stays shut below the threshold, naming both numbers and the field', () => {
    const gate = checkGate(mixed, record({ simSuccess: 0.9 }));
    assert.equal(gate.open, false);
    assert.match(gate.message, /'prev' reached 90\.0% in sim, the gate needs at least 95\.0% \(gate\.min_sim_success\)/);
  });
  test('stays shut without a previous stage, after a failed one, or without the measurement', () => {
    assert.equal(checkGate(mixed, undefined).open, false);
    assert.match(checkGate(mixed, record({ state: 'failed', simSuccess: 1 })).message, /did not pass \(failed\)/);
    assert.match(checkGate(mixed, record({})).message, /measured no sim success/);
    const real = stage({ name: 'f', kind: 'real_finetune', gate: { minRealSuccess: 0.5, confirm: false } });
    assert.match(checkGate(real, record({ simSuccess: 1 })).message, /measured no real success/);
    assert.equal(checkGate(real, record({ kind: 'mixed', realSuccess: 0.6 })).open, true);
  });
  test('a stage without thresholds is open (confirmation is asked separately)', () => {
    assert.equal(checkGate(stage({ gate: { confirm: true } }), undefined).open, true);
  });
});

describe('validator findings on the stage list', () => {
  const codes = (text: string): string[] => findings(text).map((f) => `${f.severity}:${f.code}`);

  test('the example pipelines validate without errors', () => {
    const sim = `${HEAD}stages:\n  - { name: a, kind: sim }\n  - { name: m, kind: mixed, sim_ratio: 0.8, gate: { min_sim_success: 0.95 } }\n  - { name: f, kind: real_finetune, episodes: 100 }\n${ROBOT}`;
    assert.deepEqual(codes(sim), []);
  });

  test('fine-tuning before any simulation stage is an error on its kind', () => {
    const found = findings(`${HEAD}stages:\n  - { name: f, kind: real_finetune, episodes: 10 }\n  - { name: a, kind: sim }\n${ROBOT}`);
    const order = found.find((f) => f.code === 'stage-order' && f.severity === 'error');
    assert.ok(order, JSON.stringify(found));
    assert.match(order.message, /'f' \(real_finetune\) runs on the robot before any simulation stage/);
    assert.equal(order.line, 6, "on the first stage's line (0-based)");
  });

  test('a mixed stage without sim_ratio is an error', () => {
    assert.ok(codes(`${HEAD}stages:\n  - { name: a, kind: sim }\n  - { name: m, kind: mixed, gate: { min_sim_success: 0.95 } }\n${ROBOT}`).includes('error:missing-key'));
  });

  test('a success gate on the first stage can never open; a confirm-only gate there is fine', () => {
    const found = findings(`${HEAD}stages:\n  - { name: a, kind: sim, gate: { min_sim_success: 0.5 } }\n`);
    const gate = found.find((f) => f.code === 'gate-unreachable');
    assert.ok(gate);
    assert.equal(gate.severity, 'error');
    assert.match(gate.message, /first stage that runs/);
    assert.deepEqual(codes(`${HEAD}stages:\n  - { name: a, kind: sim, gate: { confirm: true } }\n`), []);
    // skipping the first stage makes the second one first
    assert.ok(codes(`${HEAD}stages:\n  - { name: a, kind: sim, skip: true }\n  - { name: b, kind: sim, gate: { min_sim_success: 0.5 } }\n`).includes('error:gate-unreachable'));
  });

  test('min_real_success after a stage that never ran on the robot is an error', () => {
    const found = findings(`${HEAD}stages:\n  - { name: a, kind: sim }\n  - { name: m, kind: mixed, sim_ratio: 0.8, gate: { min_sim_success: 0.95, min_real_success: 0.5 } }\n${ROBOT}`);
    assert.match(found.find((f) => f.code === 'gate-unreachable')?.message ?? '', /'a' \(sim\), which never runs on the robot/);
  });

  test('duplicate names are an error', () => {
    assert.ok(codes(`${HEAD}stages:\n  - { name: a, kind: sim }\n  - { name: a, kind: sim }\n`).includes('error:duplicate-stage'));
  });

  test('robot stages need a robot block', () => {
    assert.ok(codes(`${HEAD}stages:\n  - { name: a, kind: sim }\n  - { name: f, kind: real_finetune, gate: { min_sim_success: 0.95 } }\n`).includes('error:stage-needs-robot'));
  });

  test('skipping and reordering within the sim stages is allowed; going back from the robot is a warning', () => {
    assert.deepEqual(codes(`${HEAD}stages:\n  - { name: a, kind: sim }\n  - { name: t, kind: sim_real_textures, skip: true }\n  - { name: i, kind: sim_real_images }\n`), []);
    assert.ok(codes(`${HEAD}stages:\n  - { name: a, kind: sim }\n  - { name: m, kind: mixed, sim_ratio: 0.8, gate: { min_sim_success: 0.95 } }\n  - { name: b, kind: sim }\n${ROBOT}`).includes('warning:stage-order'));
  });

  test('a budget below the plan is a warning naming the numbers', () => {
    const found = findings(`${HEAD}stages:\n  - { name: a, kind: sim }\n  - { name: f, kind: real_finetune, episodes: 100, gate: { min_sim_success: 0.95 } }\nevaluation: { real_episodes: 50 }\n${ROBOT.replace('safety: {}\n', 'safety: {}\n  max_real_episodes: 120\n')}`);
    const budget = found.find((f) => f.code === 'stage-budget');
    assert.ok(budget);
    assert.match(budget.message, /max_real_episodes is 120, but the stages plan 100 real episodes and the final evaluation 50 \(150 in all\)/);
  });
});

describe('what the tree shows of a pipeline', () => {
  test('the newest pipeline folder, and one line per stage', async () => {
    const { mkdtempSync, mkdirSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const { latestPipeline, stageLine } = await import('../../src/engine/pipeline/pipelineSummary');
    const { writePipelineRecord } = await import('../../src/engine/pipeline/stateFile');
    const root = mkdtempSync(join(tmpdir(), 's2r-pipeline-tree-'));
    const write = (id: string, createdAt: string, status: 'running' | 'failed_gate', pid?: number): void => {
      mkdirSync(join(root, id));
      writePipelineRecord(join(root, id), {
        format: 'sim2real-pipeline/1', id, experimentName: 't', experimentFile: '/x.s2r.yaml', task: 'push', status, message: '', createdAt, updatedAt: createdAt,
        ...(pid !== undefined ? { pid } : {}), realEpisodeBudget: 10, realEpisodesUsed: 0,
        stages: [record({ name: 'a', state: 'running' })], final: { state: 'pending', realEpisodes: 0 }, experiment: {} as Experiment,
      });
    };
    write('pipeline-20260101-000000-s1', '2026-01-01T00:00:00.000Z', 'failed_gate');
    // a pid that cannot be alive: the newest pipeline was interrupted
    write('pipeline-20260102-000000-s1', '2026-01-02T00:00:00.000Z', 'running', 2 ** 22 + 12345);
    mkdirSync(join(root, 'not-a-pipeline'));
    const latest = latestPipeline(root)!;
    assert.equal(latest.record.id, 'pipeline-20260102-000000-s1');
    assert.equal(latest.stale, true);
    assert.equal(stageLine(latest.record.stages[0]!, latest.stale), 'interrupted');
    assert.equal(stageLine(record({ state: 'passed', simSuccess: 0.955, realSuccess: 0.8, kind: 'mixed', realEpisodes: 12 })), 'passed · sim 96% · real 80% · 12 real episodes');
    assert.equal(stageLine(record({ state: 'failed_gate' })), 'failed gate');
  });
});
