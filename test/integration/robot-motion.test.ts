/**
 * Who may move a robot, on every path that moves one, against the reality emulator on loopback
 * behind `adapter: rosbridge`, so that it counts as a real robot: without a person each path is
 * refused and the robot hears no reset, arm or command; with a person's answers (typed on a real
 * terminal for the CLI, a scripted person for the engine's jobs) each path proceeds; after a
 * protective stop nothing moves until a person re-arms; the engine's stop reaches a batch
 * evaluation and a pipeline stage. The motion log records each decision.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Experiment } from '../../src/engine/config/experiment';
import { loadExperiment } from '../../src/engine/config/load';
import { RobotSession, RobotSessionError } from '../../src/engine/console/robotSession';
import { exportPolicyOnnx } from '../../src/engine/policy/onnxExport';
import { runPipeline } from '../../src/engine/pipeline/pipeline';
import { readPipelineRecord } from '../../src/engine/pipeline/stateFile';
import type { EngineEvent, PersonPromptEvent } from '../../src/messages/engine';
import { RosbridgeClient } from '../../src/engine/rosbridge/client';
import { RobotAddressPolicy } from '../../src/engine/rosbridge/addressPolicy';
import { MotionRefused } from '../../src/engine/robot/motionAuthority';
import { DEFAULT_ROBOT_NAMES } from '../../src/engine/rosbridge/names';
import { stopOpenLinks } from '../../src/engine/robot/openLinks';
import { connectRobotEnv } from '../../src/engine/robot/robotEnv';
import type { RobotEvent } from '../../src/engine/rosbridge/eventLog';
import { evaluateOnRobot } from '../../src/engine/jobs/evaluateOnRobot';
import { contextOf } from '../support/jobs';
import { readJsonLines } from '../../src/engine/util/atomicFile';
import { sysid as sysidJob } from '../../src/engine/jobs/sysid';
import { EngineProcess } from '../support/engineProcess';
import { ScriptedPerson, testMotion } from '../support/motion';
import { REPO, spawnEmulator, tempDir, waitUntil, type EmulatorProcess } from '../support/robot-helpers';
import { lastJson, PERSON_SAYS_YES, runOnTerminal } from '../support/terminal';

const CLI = join(REPO, 'src', 'engine', 'cli.ts');
const NAME = 'motion-real';

/** What moves the robot, as the emulator logs it. */
const MOTION = new Set(['reset', 'arm', 'command']);
const moves = (events: readonly RobotEvent[]): RobotEvent[] => events.filter((e) => MOTION.has(e.event));

/** The experiment: the emulator's address behind adapter: rosbridge, a tiny sim stage and a mixed stage. */
function writeExperiment(dir: string, address: string, extra = ''): string {
  const file = join(dir, `${NAME}.s2r.yaml`);
  writeFileSync(
    file,
    `name: ${NAME}
task: reach
seed: 5
policy: { hidden: [] }
training: { workers: 1, directions: 2, top_directions: 2, eval_every_iterations: 1, eval_episodes: 4, checkpoint_every_iterations: 1, target_success: 1.0, step_size: 0.01 }
evaluation: { episodes: 4, max_steps: 20, real_episodes: 1 }
stages:
  - { name: warm-up, kind: sim, episodes: 8 }
  - { name: mix, kind: mixed, episodes: 8, sim_ratio: 0.5, gate: { min_sim_success: 0.0, confirm: true } }
robot:
  adapter: rosbridge
  address: ${address}
  watchdog_ms: 400
  safety: { speed_scale: 0.5, limited_episodes: 2 }
${extra}`,
  );
  return file;
}

function load(file: string): Experiment {
  const loaded = loadExperiment(file);
  assert.ok(loaded.experiment, JSON.stringify(loaded.findings.filter((f) => f.severity === 'error')));
  return loaded.experiment;
}

/** A run folder with a policy that holds still (the safety layer never trips) and a sim evaluation. */
function runFolder(dir: string): string {
  const runDir = join(dir, 'runs', NAME, 'r1');
  mkdirSync(runDir, { recursive: true });
  const spec = { observationSize: 10, actionSize: 3, hidden: [], activation: 'tanh' as const, history: 0 };
  writeFileSync(join(runDir, 'policy.onnx'), exportPolicyOnnx(spec, new Float64Array(10 * 3 + 3), { mean: new Float64Array(10), std: new Float64Array(10).fill(1) }));
  writeFileSync(join(runDir, 'run.json'), JSON.stringify({ format: 1, runId: 'r1', experimentName: NAME, task: 'reach', seed: 5, status: 'completed', createdAt: '', updatedAt: '', versions: {}, experiment: {} }));
  writeFileSync(join(runDir, 'eval.json'), JSON.stringify({ success_rate: 0.5, success_ci: [0.1, 0.9], avg_return: -1, std_return: 0, avg_length: 20, episodes: 4, successes: 2, randomized: true, seed: 5, task: 'reach', policy: 'policy.onnx' }));
  return runDir;
}

function cli(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, ['--import', 'tsx', CLI, ...args], { cwd: REPO, encoding: 'utf8', timeout: 240_000 });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

const motionLog = (path: string): { event: string; [k: string]: unknown }[] => readJsonLines(path);

describe('a real robot (the emulator behind adapter: rosbridge)', () => {
  let emu: EmulatorProcess;
  let dir: string;
  let file: string;
  let experiment: Experiment;
  let runDir: string;
  let policy: string;
  before(async () => {
    dir = tempDir('motion');
    const profile = join(dir, 'profile.yaml');
    writeFileSync(profile, 'task: reach\nseed: 2\nwatchdogMs: 400\n');
    emu = await spawnEmulator(profile, join(dir, 'emulator.jsonl'));
    file = writeExperiment(dir, emu.url);
    experiment = load(file);
    runDir = runFolder(dir);
    policy = join(runDir, 'policy.onnx');
  });
  after(async () => {
    await emu?.stop();
  });

  test('without a person every path is refused before anything moves, and says how to run it attended', { timeout: 400_000 }, async () => {
    const eval_ = cli(['eval', file, '--policy', policy, '--robot', emu.url, '--json']);
    assert.equal(eval_.status, 1, eval_.stderr);
    assert.match(eval_.stderr, /sim2real eval: refused: ws:\/\/127\.0\.0\.1:\d+ is a real robot \(adapter: rosbridge\), and nothing was sent to it\..*Nobody can be asked here: standard input is not a terminal\. Run `sim2real eval .*` on a terminal/s);
    assert.equal(eval_.stdout, '');

    const sysid = cli(['sysid', file, '--robot', emu.url, '--sensors-only', '--out', join(dir, 'sysid-refused')]);
    assert.equal(sysid.status, 1, sysid.stderr);
    assert.match(sysid.stderr, /sim2real sysid: refused: .* is a real robot/);
    assert.ok(!existsSync(join(dir, 'sysid-refused', 'sysid.json')));

    const model = join(dir, 'model.onnx');
    writeFileSync(model, 'never read: refused first');
    const perception = cli(['perception', 'eval', file, '--model', model, '--robot', emu.url, '--images', '2']);
    assert.equal(perception.status, 1, perception.stderr);
    assert.match(perception.stderr, /sim2real perception eval: refused: .* is a real robot/);

    // --yes confirms gates, never motion: refused before the first stage, even the sim one
    const pipeline = cli(['pipeline', file, '--yes', '--connect', '--runs', join(dir, 'runs-yes'), '--json']);
    assert.equal(pipeline.status, 1, pipeline.stderr);
    const record = JSON.parse(pipeline.stdout) as { status: string; message: string; stages: { state: string }[] };
    assert.equal(record.status, 'failed');
    assert.match(record.message, /'mix' \(mixed\), the final evaluation would move the robot: .*--yes confirms gates, never the motion of a real robot.*without --yes/s);
    assert.deepEqual(record.stages.map((s) => s.state), ['pending', 'pending']);

    // the jobs VS Code runs: a person who does not confirm the emergency stop, or does not start
    await assert.rejects(evaluateOnRobot({ file, runDir }, contextOf(new AbortController().signal, () => {}, undefined, new ScriptedPerson({ estop: false }))), /the emergency stop was not confirmed within reach; nothing moved/);
    const noStart = new ScriptedPerson({ start: false });
    await assert.rejects(evaluateOnRobot({ file, runDir }, contextOf(new AbortController().signal, () => {}, undefined, noStart)), /episode 1 on .* was not started by a person; nothing moved/);
    assert.deepEqual(noStart.asked.map((q) => q.question), ['estop', 'start']);
    await assert.rejects(sysidJob({ file, runsDir: join(dir, 'runs'), source: { kind: 'robot', sensorsOnly: true } }, contextOf(new AbortController().signal, () => {}, () => {}, new ScriptedPerson({ estop: false }))), /emergency stop was not confirmed/);

    // the console: no episode before the person confirms the emergency stop in it
    const session = await RobotSession.open(experiment, { onState() {}, onTelemetry() {}, onSafety() {} }, { policy, address: emu.url });
    try {
      await assert.rejects(session.startEpisode(), (e: Error) => e instanceof RobotSessionError && /the emergency stop was not confirmed/.test(e.message));
    } finally {
      await session.close();
    }

    // the pipeline's mixed stage with a person who does not start its real episodes
    const result = await runPipeline({
      experimentFile: file,
      experiment,
      runsDir: join(dir, 'runs-declined'),
      robot: { address: emu.url, emulator: false },
      signal: new AbortController().signal,
      confirm: async () => true,
      attendance: { attendant: new ScriptedPerson({ start: false }) },
    });
    assert.equal(result.record.stages[1]!.state, 'failed');
    assert.match(result.record.stages[1]!.message ?? '', /was not started by a person; nothing moved; the stage resumes from its last iteration/);

    assert.deepEqual(moves(emu.events()), [], 'no reset, arm or command reached the robot');
    // and each refusal is in the motion log of its run
    assert.ok(motionLog(join(dir, 'runs-yes', NAME, readdirNewest(join(dir, 'runs-yes', NAME)), 'motion-log.jsonl')).some((e) => e.event === 'refused' && e.rule === 'real_robot_needs_a_person'));
    assert.ok(motionLog(join(runDir, 'motion-log.jsonl')).some((e) => e.event === 'estop_declined'));
  });

  test('with a person at the terminal each CLI path proceeds, and the motion log says who started what', { timeout: 600_000 }, async () => {
    const before = emu.events().length;
    const eval_ = await runOnTerminal(process.execPath, ['--import', 'tsx', CLI, 'eval', file, '--policy', policy, '--robot', emu.url, '--episodes', '2', '--json'], PERSON_SAYS_YES, { cwd: REPO });
    assert.equal(eval_.status, 0, eval_.output);
    assert.equal(lastJson<{ episodes: number }>(eval_.output).episodes, 2);
    assert.deepEqual(eval_.answered.map((a) => a.slice(0, 12)), ['Type yes whe', 'Press Enter ', 'Press Enter ']);
    const log = motionLog(join(runDir, 'motion-log.jsonl'));
    const session = log.filter((e) => e.session === log.at(-1)!.session);
    assert.deepEqual(session.map((e) => e.event).filter((e) => e !== 'rearm'), ['session_open', 'estop_confirmed', 'episodes_started', 'episode_start', 'episodes_started', 'episode_start', 'session_close']);
    assert.deepEqual(session.filter((e) => e.event === 'episode_start').map((e) => e.startedBy), ['person (terminal)', 'person (terminal)']);
    assert.equal(session[0]!.robot, 'real');
    assert.ok(moves(emu.events().slice(before)).some((e) => e.event === 'command'));

    const sysid = await runOnTerminal(process.execPath, ['--import', 'tsx', CLI, 'sysid', file, '--robot', emu.url, '--sensors-only', '--noise-seconds', '1', '--out', join(dir, 'sysid'), '--json'], PERSON_SAYS_YES, { cwd: REPO });
    assert.equal(sysid.status, 0, sysid.output);
    assert.ok(existsSync(join(dir, 'sysid', 'sysid.json')));
    assert.ok(motionLog(join(dir, 'sysid', 'motion-log.jsonl')).some((e) => e.event === 'episode_start' && e.startedBy === 'person (terminal)'));

    // the pipeline on a terminal, without --yes: the gate, the emergency stop, a start for each real episode
    const runs = join(dir, 'runs-attended');
    const pipeline = await runOnTerminal(process.execPath, ['--import', 'tsx', CLI, 'pipeline', file, '--connect', '--runs', runs], PERSON_SAYS_YES, { cwd: REPO, timeoutMs: 400_000 });
    assert.equal(pipeline.status, 0, pipeline.output);
    const record = readPipelineRecord(join(runs, NAME, readdirNewest(join(runs, NAME))))!;
    assert.equal(record.status, 'completed', record.message);
    const starts = pipeline.answered.filter((a) => a.startsWith('Press Enter')).length;
    assert.equal(starts, 4 + 1, "the mixed stage's 4 real episodes and the final evaluation's 1, each started");
    assert.equal(pipeline.answered.filter((a) => a.startsWith('Type yes')).length, 2, 'the emergency stop confirmed for each motion session (the stage, the final evaluation)');
  });

  test('after a protective stop nothing moves until a person re-arms, whoever stopped it', { timeout: 120_000 }, async () => {
    const person = new ScriptedPerson({ rearm: [false, true] });
    const env = await connectRobotEnv(experiment, emu.url, { allowedAddresses: [emu.url], motion: testMotion(emu.url, { adapter: 'rosbridge', person }) });
    try {
      await env.permitEpisode(1);
      env.reset(1);
      env.step([0.5, 0, 0]);
      // the engine's stop (VS Code's button, the Stop Robot command)
      assert.equal(stopOpenLinks('test: stop from VS Code'), 1);
      let r = env.step([0.5, 0, 0]);
      for (let k = 0; k < 5 && !r.done; k++) r = env.step([0.5, 0, 0]);
      assert.equal(r.termination, 'aborted');
      const stoppedAt = emu.events().length;
      await assert.rejects(env.permitEpisode(2), (e: Error) => e instanceof MotionRefused && e.rule === 'rearm_needed');
      env.reset(2); // without a permit: the worker refuses it
      assert.equal(env.step([0.5, 0, 0]).termination, 'aborted');
      await assert.rejects(env.rearm('test stop'), (e: Error) => e instanceof MotionRefused && e.rule === 'not_rearmed');
      await new Promise((resolve) => setTimeout(resolve, 300));
      assert.deepEqual(moves(emu.events().slice(stoppedAt)), [], 'nothing moved between the stop and a re-arm');

      await env.rearm('test stop');
      await env.permitEpisode(2);
      env.reset(2);
      assert.equal(env.step([0.5, 0, 0]).termination, 'none');

      // another client's stop, seen as the robot's halt: the same latch
      const other = new RosbridgeClient(emu.url, RobotAddressPolicy.fromConfigured([emu.url]), { reconnect: { enabled: false } });
      await other.connect();
      await other.callService(DEFAULT_ROBOT_NAMES.services.stop);
      await other.close();
      r = env.step([0.5, 0, 0]);
      for (let k = 0; k < 5 && !r.done; k++) r = env.step([0.5, 0, 0]);
      assert.equal(r.termination, 'aborted');
      await assert.rejects(env.permitEpisode(3), (e: Error) => e instanceof MotionRefused && e.rule === 'rearm_needed');
      assert.equal(person.questions('rearm'), 2);
    } finally {
      env.dispose();
    }
  });

  test('the engine\'s stop halts the robot during Evaluate on Robot and during the mixed stage', { timeout: 400_000 }, async () => {
    const engine = await EngineProcess.start();
    try {
      let nextId = 1;
      const answer = (prompt: PersonPromptEvent): void => {
        // a person who confirms and starts, re-arms a robot left halted by an earlier test, and does not re-arm after this test's stop
        const accept = prompt.prompt !== 'rearm' || /from before this session/.test(prompt.message);
        engine.send({ kind: 'request', id: 1000 + nextId++, method: 'personReply', params: { promptId: prompt.promptId, accept } });
      };
      const answered = new Set<number>();
      const answering = setInterval(() => {
        for (const e of engine.events) if (e.kind === 'personPrompt' && !answered.has(e.promptId)) {
          answered.add(e.promptId);
          answer(e);
        }
      }, 20);
      try {
        for (const job of ['evaluateOnRobot', 'pipeline'] as const) {
          const before = emu.events().length;
          const id = nextId++;
          const params = job === 'evaluateOnRobot' ? { file, runDir, episodes: 5 } : { file, runsDir: join(dir, 'runs-engine') };
          engine.send({ kind: 'request', id, method: job, params });
          // moving: commands reach the robot, and the engine says a link is open (the host shows the stop)
          await waitUntil(() => emu.events().slice(before).filter((e) => e.event === 'command').length >= 5, 120_000, `${job}: commands on the robot`);
          assert.ok(engine.events.some((e) => e.kind === 'robotMotion' && e.openLinks === 1));
          engine.send({ kind: 'request', id: nextId++, method: 'robotStop', params: { message: `test: stop during ${job}` } });
          const done = (await engine.next((e) => (e.kind === 'finished' || e.kind === 'failed') && 'requestId' in e && e.requestId === id, 120_000)) as EngineEvent;
          const events = emu.events().slice(before);
          const stopAt = events.findIndex((e) => e.event === 'stop');
          assert.ok(stopAt >= 0, `${job}: the robot received the stop`);
          assert.deepEqual(moves(events.slice(stopAt + 1)), [], `${job}: nothing moved after the stop`);
          if (job === 'evaluateOnRobot') {
            assert.equal(done.kind, 'finished', JSON.stringify(done));
            assert.match(JSON.stringify(done), /"halted":"after episode \d of 5: .*test: stop during evaluateOnRobot/);
          } else {
            assert.equal(done.kind, 'finished', JSON.stringify(done));
            assert.match(JSON.stringify(done), /"status":"failed"/);
          }
        }
        await waitUntil(() => engine.events.filter((e) => e.kind === 'robotMotion').at(-1)?.kind === 'robotMotion' && (engine.events.filter((e) => e.kind === 'robotMotion').at(-1) as { openLinks: number }).openLinks === 0, 10_000, 'no link open after the jobs');
      } finally {
        clearInterval(answering);
      }
    } finally {
      engine.kill();
    }
  });
});

/** The newest entry of a folder (run and pipeline ids sort by time). */
function readdirNewest(folder: string): string {
  return readdirSync(folder).filter((n) => !n.startsWith('.')).sort().at(-1)!;
}
