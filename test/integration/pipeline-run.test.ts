/**
 * The pipeline end to end with tiny budgets: real training in the simulator, real episodes on the
 * reality emulator through the safety layer. Gates that stop it, cancel and resume, the real-episode
 * budget, and the CLI's flags.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { loadExperiment } from '../../src/engine/config/load';
import { runPipeline, type PipelineOptions } from '../../src/engine/pipeline/pipeline';
import { loggedRealEpisodes } from '../../src/engine/pipeline/realArs';
import { readPipelineRecord } from '../../src/engine/pipeline/stateFile';
import { stagesSectionOf } from '../../src/engine/reports/stagesReport';
import { buildGapReport } from '../../src/engine/reports/runReport';
import { REPO, spawnEmulator, tempDir } from '../support/robot-helpers';
import { ScriptedPerson } from '../support/motion';
import { readJsonLines } from '../../src/engine/util/atomicFile';

const CLI = join(REPO, 'src', 'engine', 'cli.ts');

/** A linear policy, 2 directions (4 episodes per iteration), 20-step episodes: a stage of 8 episodes takes a second or two. */
function experimentText(task: 'push' | 'reach', stages: string, extra = ''): string {
  return `name: tiny
task: ${task}
seed: 3
policy: { hidden: [] }
training: { workers: 1, directions: 2, top_directions: 2, eval_every_iterations: 1, eval_episodes: 4, checkpoint_every_iterations: 1, target_success: 1.0, step_size: 0.01 }
randomization:
  dynamics:
    action_delay: { distribution: randint, range: [0, 1] }
evaluation: { episodes: 4, max_steps: 20, real_episodes: 3 }
stages:
${stages}${extra}`;
}

function load(dir: string, text: string): { file: string; options: Pick<PipelineOptions, 'experimentFile' | 'experiment' | 'runsDir'> } {
  const file = join(dir, 'tiny.s2r.yaml');
  writeFileSync(file, text);
  const loaded = loadExperiment(file);
  assert.ok(loaded.experiment, JSON.stringify(loaded.findings.filter((f) => f.severity === 'error')));
  return { file, options: { experimentFile: file, experiment: loaded.experiment, runsDir: join(dir, 'runs') } };
}

/** Gates confirmed, and nobody to ask about motion (as `--yes` without a terminal). */
const noPerson = {
  confirm: async () => true,
  attendance: { unattended: { why: 'a test with nobody to ask', howToAttend: 'Give the test a person.' } },
};

describe('pipeline in the simulator', () => {
  test('a gate set too high stops the pipeline with its message in pipeline.json and the report', { timeout: 120_000 }, async () => {
    const dir = tempDir('pipeline-gate');
    const { options } = load(dir, experimentText('push', '  - { name: a, kind: sim, episodes: 8 }\n  - { name: b, kind: sim, episodes: 8, gate: { min_sim_success: 1.0, confirm: false } }\n'));
    const result = await runPipeline({ ...options, ...noPerson, signal: new AbortController().signal });
    const record = readPipelineRecord(result.dir)!;
    assert.equal(record.status, 'failed_gate');
    assert.equal(record.stages[0]!.state, 'passed');
    assert.ok(record.stages[0]!.simSuccess! < 1, 'an 8-episode policy does not succeed every time');
    assert.equal(record.stages[1]!.state, 'failed_gate');
    assert.match(record.stages[1]!.message!, /Gate of 'b' not met: 'a' reached \d+\.\d% in sim, the gate needs at least 100\.0% \(gate\.min_sim_success\)/);
    assert.equal(record.stages[1]!.runDir, undefined, 'a stage behind a shut gate starts nothing');
    assert.equal(record.message, record.stages[1]!.message);
    // the stage's gap report carries the stages section with the stop
    const section = stagesSectionOf(join(result.dir, record.stages[0]!.runDir!))!;
    assert.equal(section.status, 'failed_gate');
    assert.deepEqual(section.stages.map((s) => s.state), ['passed', 'failed_gate']);
    assert.equal(buildGapReport(join(result.dir, record.stages[0]!.runDir!)).stages?.message, record.message);
  });

  test('resume after a cancel continues the stopped stage from its checkpoint and keeps the passed one', { timeout: 180_000 }, async () => {
    const dir = tempDir('pipeline-resume');
    const { options } = load(dir, experimentText('push', '  - { name: a, kind: sim, episodes: 8 }\n  - { name: b, kind: sim, episodes: 16 }\n'));
    const controller = new AbortController();
    let bIterations = 0;
    const first = await runPipeline({
      ...options,
      ...noPerson,
      signal: controller.signal,
      onProgress: (p) => {
        // cancel once stage b has finished two iterations (checkpointed every iteration)
        if (p.stage === 'b' && /episodes/.test(p.message) && ++bIterations === 2) controller.abort();
      },
    });
    assert.equal(first.record.status, 'cancelled');
    assert.deepEqual(first.record.stages.map((s) => s.state), ['passed', 'cancelled']);
    const aDir = join(first.dir, first.record.stages[0]!.runDir!);
    const bDir = join(first.dir, first.record.stages[1]!.runDir!);
    const aRun = readFileSync(join(aDir, 'run.json'), 'utf8');
    const aMetrics = readFileSync(join(aDir, 'metrics.jsonl'), 'utf8');
    const bBefore = readFileSync(join(bDir, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { type: string; iteration?: number; episodes?: number });
    const bLastIteration = Math.max(...bBefore.filter((e) => e.type === 'progress').map((e) => e.iteration!));

    const lines: string[] = [];
    const second = await runPipeline({ ...options, ...noPerson, resumeDir: first.dir, signal: new AbortController().signal, log: (l) => lines.push(l) });
    assert.equal(second.dir, first.dir);
    assert.equal(second.record.status, 'completed', second.record.message);
    assert.deepEqual(second.record.stages.map((s) => s.state), ['passed', 'passed']);
    assert.equal(second.record.stages[1]!.restarts, 1);
    assert.ok(lines.some((l) => l === 'a: passed earlier, kept'), lines.join('\n'));
    assert.ok(!lines.some((l) => l.startsWith('[1/2]')), 'stage a must not run again');
    assert.equal(readFileSync(join(aDir, 'run.json'), 'utf8'), aRun, 'the passed stage is untouched');
    assert.equal(readFileSync(join(aDir, 'metrics.jsonl'), 'utf8'), aMetrics);
    // b went on from its checkpoint: its progress iterations continue without repeats
    const bAfter = readFileSync(join(bDir, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { type: string; iteration?: number; episodes?: number });
    const iterations = bAfter.filter((e) => e.type === 'progress').map((e) => e.iteration!);
    assert.deepEqual(iterations, [...new Set(iterations)].sort((x, y) => x - y), 'iterations continue, none repeated');
    assert.ok(iterations.some((i) => i > bLastIteration));
    assert.equal(second.record.stages[1]!.simEpisodes, 16);
    assert.equal(second.record.final.state, 'skipped', 'no robot configured');
  });
});

describe('pipeline on the reality emulator', () => {
  test('real episodes are counted against robot.max_real_episodes; the bundled emulator runs them unattended', { timeout: 240_000 }, async () => {
    const dir = tempDir('pipeline-budget');
    const profile = join(dir, 'profile.yaml');
    // the robot's watchdog as long as the experiment's watchdog_ms: the link feeds it at a quarter of that
    writeFileSync(profile, 'task: reach\nseed: 2\nwatchdogMs: 400\n');
    const emulator = await spawnEmulator(profile, join(dir, 'emulator.jsonl'));
    try {
      const stages =
        '  - { name: a, kind: sim, episodes: 8 }\n' +
        '  - { name: m, kind: mixed, episodes: 8, sim_ratio: 0.5, gate: { min_sim_success: 0.0, confirm: true } }\n' +
        '  - { name: f, kind: real_finetune, episodes: 4 }\n';
      // the plan is 4 + 4 + 3 = 11; the budget allows 9, so the final evaluation gets what is left
      const robot = `robot:\n  address: ${emulator.url}\n  watchdog_ms: 400\n  max_real_episodes: 9\n  safety: { speed_scale: 0.5, limited_episodes: 2 }\n`;
      const { options } = load(dir, experimentText('reach', stages, robot));
      const person = new ScriptedPerson();
      const questions: string[] = [];
      const result = await runPipeline({
        ...options,
        robot: { address: emulator.url, emulator: true },
        signal: new AbortController().signal,
        confirm: async (prompt) => {
          questions.push(prompt.message);
          return true;
        },
        attendance: { attendant: person },
      });
      const record = readPipelineRecord(result.dir)!;
      assert.equal(record.status, 'completed', record.message);
      assert.equal(record.realEpisodeBudget, 9);
      const [, mixed, finetune] = record.stages;
      assert.equal(mixed!.realEpisodes, 4);
      assert.equal(loggedRealEpisodes(join(result.dir, mixed!.runDir!)).length, 4);
      assert.equal(mixed!.simEpisodes, 4);
      assert.equal(finetune!.realEpisodes, 4);
      // the bundled emulator (adapter: emulator, announced in its status) runs unattended
      assert.equal(person.asked.length, 0, JSON.stringify(person.asked));
      // the stage's motion session (the final evaluation, a session of its own, logs into the same run)
      const log = readJsonLines<{ event: string; session: string; startedBy?: string; robot?: string; path?: string }>(join(result.dir, finetune!.runDir!, 'motion-log.jsonl'));
      const opened = log.filter((e) => e.event === 'session_open');
      assert.deepEqual(opened.map((e) => [e.robot, e.path]), [['emulator', "pipeline stage 'f' (real_finetune)"], ['emulator', "the pipeline's final evaluation"]]);
      const stage = log.filter((e) => e.session === opened[0]!.session && e.event === 'episode_start');
      assert.deepEqual(stage.map((e) => e.startedBy), Array(4).fill('unattended: bundled emulator'));
      assert.equal(record.final.realEpisodes, 1, 'the final evaluation got what the budget left');
      assert.equal(record.realEpisodesUsed, 9);
      assert.ok(questions[0]!.startsWith("Start 'm' (mixed) on the robot"), questions[0]);
      // the emulator saw exactly those episodes' resets
      const resets = emulator.events().filter((e) => JSON.stringify(e).includes('reset')).length;
      assert.ok(resets >= 9, `the emulator logged ${resets} resets`);
      const report = buildGapReport(join(result.dir, finetune!.runDir!));
      assert.equal(report.stages?.realEpisodesUsed, 9);
      assert.equal(report.stages?.realEpisodeBudget, 9);
      assert.equal(report.real?.episodes, 1);
    } finally {
      await emulator.stop();
    }
  });
});

describe('sim2real pipeline (CLI)', () => {
  function cli(args: string[]): { status: number | null; stdout: string; stderr: string } {
    const result = spawnSync(process.execPath, ['--import', 'tsx', CLI, 'pipeline', ...args], { cwd: REPO, encoding: 'utf8', timeout: 180_000 });
    return { status: result.status, stdout: result.stdout, stderr: result.stderr };
  }

  test('--to stops after a stage, --from on --resume goes on, a gate without --yes or a terminal refuses', { timeout: 300_000 }, () => {
    const dir = tempDir('pipeline-cli');
    const { file } = load(dir, experimentText('push', '  - { name: a, kind: sim, episodes: 8 }\n  - { name: b, kind: sim, episodes: 8, gate: { confirm: true } }\n'));
    const runs = join(dir, 'runs');

    const unknown = cli([file, '--from', 'x', '--runs', runs]);
    assert.equal(unknown.status, 2, unknown.stderr);
    assert.match(unknown.stderr, /--from: no stage named 'x'; the stages are 'a', 'b'/);

    const toA = cli([file, '--to', 'a', '--runs', runs, '--json']);
    assert.equal(toA.status, 0, toA.stderr);
    const stopped = JSON.parse(toA.stdout) as { dir: string; status: string; message: string; stages: { state: string }[] };
    assert.equal(stopped.status, 'stopped');
    assert.deepEqual(stopped.stages.map((s) => s.state), ['passed', 'pending']);
    assert.match(stopped.message, /stopped after 'a' \(--to\)/);

    // b asks for confirmation: spawnSync gives no terminal, so without --yes it refuses
    const refused = cli(['--resume', stopped.dir, '--from', 'b', '--json']);
    assert.equal(refused.status, 1, refused.stderr);
    assert.match(refused.stderr, /refused: no terminal to confirm on; pass --yes/);
    const refusedRecord = JSON.parse(refused.stdout) as { status: string; stages: { state: string; message?: string }[] };
    assert.equal(refusedRecord.status, 'failed_gate');
    assert.match(refusedRecord.stages[1]!.message!, /'b' was not confirmed/);

    const yes = cli(['--resume', stopped.dir, '--from', 'b', '--yes', '--json']);
    assert.equal(yes.status, 0, yes.stderr);
    const done = JSON.parse(yes.stdout) as { status: string; stages: { state: string; restarts: number }[] };
    assert.equal(done.status, 'completed');
    assert.deepEqual(done.stages.map((s) => s.state), ['passed', 'passed']);
    assert.equal(done.stages[0]!.restarts, 0, '--from b keeps a');
  });
});
