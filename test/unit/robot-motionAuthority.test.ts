/**
 * The motion authority's rules, one test each: who may move which robot, and when. A person is
 * played by a script; every question and every decision is checked, and so is the motion log.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { terminalAttendance, TerminalQuestions } from '../../src/engine/commands/terminalPerson';
import type { RobotStatus } from '../../src/engine/rosbridge/messages';
import { MotionAuthority, MotionRefused, robotKindOf } from '../../src/engine/robot/motionAuthority';
import { ScriptedPerson, testMotion } from '../support/motion';
import { tempDir } from '../support/robot-helpers';

const ADDRESS = 'ws://127.0.0.1:9090';
const EMULATOR: RobotStatus = { state: 'halted', reason: 'not_armed', episode: 0, emulator: true };
const REAL: RobotStatus = { state: 'halted', reason: 'not_armed', episode: 0 };
const RUNNING: RobotStatus = { state: 'running', episode: 1 };

const refused = (rule: MotionRefused['rule']) => (error: unknown): boolean => error instanceof MotionRefused && error.rule === rule;

function logOf(path: string): { event: string; [k: string]: unknown }[] {
  return readFileSync(path, 'utf8').trim().split('\n').map((line) => JSON.parse(line));
}

describe('motion authority', () => {
  test('the bundled emulator only when the experiment says adapter: emulator and the robot announces itself', () => {
    assert.equal(robotKindOf('emulator', EMULATOR), 'emulator');
    assert.equal(robotKindOf('emulator', REAL), 'real', 'a real robot behind a wrong adapter: line is still real');
    assert.equal(robotKindOf('rosbridge', EMULATOR), 'real', 'the emulator at a rosbridge address counts as a real robot');
    assert.equal(robotKindOf('emulator', undefined), 'real', 'no status, no announcement');
    assert.equal(robotKindOf(undefined, EMULATOR), 'real');
  });

  test('the emulator runs unattended: no question, episodes started by the rule', async () => {
    const motion = testMotion(ADDRESS, { person: null });
    assert.equal(motion.identify(EMULATOR), 'emulator');
    const permit = await motion.permitEpisode({ episode: 1, of: 2, robot: EMULATOR });
    assert.deepEqual([permit.unattended, permit.startedBy], [true, 'unattended: bundled emulator']);
  });

  test('a real robot with nobody to ask is refused before a socket opens, and when it answers', () => {
    const dir = tempDir('motion-refuse');
    const logPath = join(dir, 'motion-log.jsonl');
    const real = testMotion(ADDRESS, { adapter: 'rosbridge', person: null, logPath });
    assert.throws(() => real.preflight(), refused('real_robot_needs_a_person'));
    assert.throws(() => real.preflight(), /ws:\/\/127\.0\.0\.1:9090 is a real robot \(adapter: rosbridge\), and nothing was sent to it.*Nobody can be asked here: a test with nobody to ask\. Give the test a person\./s);
    // adapter: emulator passes the preflight, but a robot that does not announce itself is real
    const masked = testMotion(ADDRESS, { adapter: 'emulator', person: null, logPath });
    masked.preflight();
    assert.throws(() => masked.identify(REAL), /does not announce itself as the bundled emulator/);
    assert.deepEqual(logOf(logPath).map((e) => [e.event, e.rule ?? e.robot]), [['refused', 'real_robot_needs_a_person'], ['refused', 'real_robot_needs_a_person'], ['session_open', 'real'], ['refused', 'real_robot_needs_a_person']]);
  });

  test('a real robot: the emergency stop is confirmed once per session, before the first motion', async () => {
    const person = new ScriptedPerson();
    const motion = testMotion(ADDRESS, { adapter: 'rosbridge', person });
    motion.identify(REAL);
    await motion.permitEpisode({ episode: 1, of: 3, robot: REAL });
    await motion.permitEpisode({ episode: 2, of: 3, robot: RUNNING });
    assert.equal(person.questions('estop'), 1);
    assert.equal(person.asked[0]!.question, 'estop', 'asked before the first start');
    assert.match(person.asked[0]!.prompt.message, /is a real robot .* Confirm that its hardware emergency stop is within your reach/);

    const declining = new ScriptedPerson({ estop: false });
    const other = testMotion(ADDRESS, { adapter: 'rosbridge', person: declining });
    other.identify(REAL);
    await assert.rejects(other.permitEpisode({ episode: 1, robot: REAL }), refused('emergency_stop_not_confirmed'));
    assert.equal(declining.questions('start'), 0, 'no start is asked for without the confirmation');
  });

  test('a real robot: a person starts every episode, and a declined start moves nothing', async () => {
    const person = new ScriptedPerson({ start: [true, true, false] });
    const motion = testMotion(ADDRESS, { adapter: 'rosbridge', person });
    motion.identify(REAL);
    const first = await motion.permitEpisode({ episode: 1, of: 3, robot: REAL });
    const second = await motion.permitEpisode({ episode: 2, of: 3, robot: RUNNING });
    assert.deepEqual([first.startedBy, second.startedBy, first.unattended], ['person (test)', 'person (test)', false]);
    await assert.rejects(motion.permitEpisode({ episode: 3, of: 3, robot: RUNNING }), refused('episode_not_started'));
    assert.equal(person.questions('start'), 3);
    const starts = person.asked.filter((q) => q.question === 'start').map((q) => q.prompt.message);
    assert.match(starts[0]!, /^Start episode 1 of 3 on ws:\/\/127\.0\.0\.1:9090 \(a test\)\? Stand by the emergency stop\.$/);
  });

  test('supervised batches: one start runs at most episodes_per_start, and a protective stop ends the batch', async () => {
    const person = new ScriptedPerson();
    const motion = testMotion(ADDRESS, { adapter: 'rosbridge', person, episodesPerStart: 3 });
    motion.identify(REAL);
    const permits = [];
    for (let e = 1; e <= 4; e++) permits.push(await motion.permitEpisode({ episode: e, of: 7, robot: RUNNING }));
    assert.equal(person.questions('start'), 2, 'episodes 1-3 on one start, 4 needs the next');
    assert.match(person.asked.find((q) => q.question === 'start')!.prompt.message, /Start episodes 1-3 of 7 .* One start runs this supervised batch of 3; any protective stop ends it/);
    assert.match(permits[1]!.startedBy, /supervised batch started by a person \(test\) at episode 1/);
    // a stop in episode 4's batch: re-arming ends it, and episode 5 needs a fresh start
    motion.noteStop();
    await motion.permitRearm('a test stop');
    await motion.permitEpisode({ episode: 5, of: 7, robot: RUNNING });
    assert.equal(person.questions('start'), 3);
    // the batch never runs past what the path plans
    const last = person.asked.filter((q) => q.question === 'start').at(-1)!.prompt;
    assert.match(last.message, /Start episodes 5-7 of 7/);
  });

  test('after a protective stop nothing is permitted until a person re-arms; nobody re-arms by itself', async () => {
    const person = new ScriptedPerson({ rearm: [false, true] });
    const motion = testMotion(ADDRESS, { adapter: 'rosbridge', person });
    motion.identify(REAL);
    await motion.permitEpisode({ episode: 1, robot: REAL });
    // the link's latch, and a robot that halted after this session moved it
    await assert.rejects(motion.permitEpisode({ episode: 2, robot: RUNNING, stopped: 'stop pressed in the safe-test console' }), refused('rearm_needed'));
    await assert.rejects(motion.permitEpisode({ episode: 2, robot: { state: 'halted', reason: 'watchdog', episode: 1 } }), refused('rearm_needed'));
    assert.equal(person.questions('rearm'), 0, 'a permit request never re-arms: the path asks for a re-arm itself');
    await assert.rejects(motion.permitRearm('a test stop'), refused('not_rearmed'));
    const permit = await motion.permitRearm('a test stop');
    assert.deepEqual([permit.kind, permit.by], ['rearm', 'person (test)']);

    // the emulator too: unattended it runs, but with nobody to ask it is never re-armed
    const unattended = testMotion(ADDRESS, { person: null });
    unattended.identify(EMULATOR);
    await unattended.permitEpisode({ episode: 1, robot: EMULATOR });
    await assert.rejects(unattended.permitRearm('a safety stop'), /a safety stop; after a protective stop nothing moves the robot until a person re-arms it, and nobody can be asked here/);
  });

  test('halted before the session: a stop needs an explicit re-arm; after a watchdog or link loss the person\'s start re-arms, told so', async () => {
    const person = new ScriptedPerson();
    const motion = testMotion(ADDRESS, { adapter: 'rosbridge', person });
    motion.identify(REAL);
    const permit = await motion.permitEpisode({ episode: 1, robot: { state: 'halted', reason: 'link_lost', detail: 'client1 disconnected', episode: 4 } });
    assert.equal(permit.armFromHalt, true);
    assert.equal(person.questions('rearm'), 0);
    assert.match(person.asked.find((q) => q.question === 'start')!.prompt.message, /^The robot is halted since before this session \(link_lost: client1 disconnected\): starting re-arms it\./);

    const stopped = new ScriptedPerson({ rearm: false });
    const other = testMotion(ADDRESS, { adapter: 'rosbridge', person: stopped });
    other.identify(REAL);
    await assert.rejects(other.permitEpisode({ episode: 1, robot: { state: 'halted', reason: 'stop', episode: 4 } }), refused('not_rearmed'));
    assert.equal(stopped.questions('start'), 0);

    // the emulator, unattended: armed after an earlier session's link loss, never after its stop
    const emulator = testMotion(ADDRESS, { person: null });
    emulator.identify(EMULATOR);
    assert.equal((await emulator.permitEpisode({ episode: 1, robot: { ...EMULATOR, reason: 'link_lost' } })).armFromHalt, true);
    const emulator2 = testMotion(ADDRESS, { person: null });
    emulator2.identify(EMULATOR);
    await assert.rejects(emulator2.permitEpisode({ episode: 1, robot: { ...EMULATOR, reason: 'stop' } }), refused('not_rearmed'));
  });

  test('the motion log records confirmations, starts with who started them, re-arms and refusals, append-only', async () => {
    const dir = tempDir('motion-log');
    const logPath = join(dir, 'motion-log.jsonl');
    const person = new ScriptedPerson({ start: [true, false] });
    const motion = testMotion(ADDRESS, { adapter: 'rosbridge', person, logPath });
    motion.identify(REAL);
    await motion.permitEpisode({ episode: 1, of: 2, robot: REAL });
    await motion.permitRearm('safety layer: joint_velocity_limit');
    await assert.rejects(motion.permitEpisode({ episode: 2, of: 2, robot: RUNNING }));
    motion.close();
    const second = new MotionAuthority({ address: ADDRESS, adapter: 'emulator', path: 'a second session', logPath });
    second.identify(EMULATOR);
    await second.permitEpisode({ episode: 1, robot: EMULATOR });
    const log = logOf(logPath);
    assert.deepEqual(
      log.map((e) => e.event),
      ['session_open', 'estop_confirmed', 'episodes_started', 'episode_start', 'rearm', 'start_declined', 'session_close', 'session_open', 'episode_start'],
    );
    assert.deepEqual(log.filter((e) => e.event === 'episode_start').map((e) => e.startedBy), ['person (test)', 'unattended: bundled emulator']);
    assert.equal(log[0]!.robot, 'real');
    assert.equal(log[4]!.cause, 'safety layer: joint_velocity_limit');
    assert.ok(log.every((e) => typeof e.at === 'string' && typeof e.tMs === 'number' && typeof e.session === 'string'));
    assert.notEqual(log[0]!.session, log.at(-1)!.session);
  });

  test('the CLI: --yes confirms gates only, and with no terminal nobody is asked', () => {
    const questions = new TerminalQuestions();
    const yes = terminalAttendance(questions, 'eval FILE', { yes: true });
    assert.equal(yes.attendant, undefined);
    assert.match(yes.unattended!.why, /--yes confirms gates, never the motion of a real robot/);
    assert.match(yes.unattended!.howToAttend, /on a terminal without --yes/);
    const piped = terminalAttendance(questions, 'eval FILE');
    if (process.stdin.isTTY) assert.equal(piped.attendant?.channel, 'terminal');
    else {
      assert.equal(piped.attendant, undefined);
      assert.equal(piped.unattended!.why, 'standard input is not a terminal');
    }
    questions.close();
  });
});
