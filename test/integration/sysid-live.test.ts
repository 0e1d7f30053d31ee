// Live system identification against the reality emulator: friction, inertia and delay recovered
// within the issue's tolerances of the emulator's true values, cancellation stops the robot, and bad
// input gets an error that names the joint. Plus the effort mode itself and its safety layer.
import assert from 'node:assert/strict';
import { ScriptedPerson } from '../support/motion';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import type { Experiment } from '../../src/engine/config/experiment';
import { loadExperiment } from '../../src/engine/config/load';
import { checkEffortCommand as checkEffortMessage } from '../../src/engine/rosbridge/messages';
import { parseRealityProfile, type RealityProfile } from '../../src/engine/emulator/realityProfileLoader';
import { RealityPlant } from '../../src/engine/emulator/realityPlant';
import { checkEffortTorques } from '../../src/engine/robot/safety';
import { placeArm } from '../../src/engine/sim/tasks/arm';
import { fitApproach, fitFriction, SysidError } from '../../src/engine/sysid/frictionFit';
import { identifyOnRobot } from '../../src/engine/sysid/live/identifyOnRobot';
import { oscillationInertia } from '../../src/engine/sysid/live/oscillation';
import type { SysidResult } from '../../src/engine/sysid/types';
import { Rng } from '../../src/engine/util/rng';
import { EmulatedRobot } from '../../src/engine/emulator/emulatedRobot';
import { EventLog } from '../../src/engine/rosbridge/eventLog';
import { profileFrom, REPO, spawnEmulator, TEST_SAFETY, tempDir } from '../support/robot-helpers';

const JOINTS = ['shoulder', 'elbow', 'wrist'];

/** A public profile with the watchdog at 1 s: on a loaded 2-core machine the public 100 ms one halts mid-run (see eval-robotJob). Physics unchanged. */
function profileCopy(name: string, dir: string): { path: string; profile: RealityProfile } {
  const text = readFileSync(join(REPO, 'examples', 'reality', `${name}.yaml`), 'utf8').replace(/^watchdogMs: \d+/m, 'watchdogMs: 1000');
  const path = join(dir, `${name}.yaml`);
  writeFileSync(path, text);
  const parsed = parseRealityProfile(text);
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.findings));
  return { path, profile: parsed.profile };
}

function experimentFor(dir: string, address: string): { file: string; experiment: Experiment } {
  const file = join(dir, 'sysid.s2r.yaml');
  writeFileSync(file, `name: sysid-test\ntask: push\nrobot:\n  address: ${address}\n  safety:\n    max_joint_velocity: 3.0\n    max_effort: 10\n`);
  const loaded = loadExperiment(file);
  assert.ok(loaded.experiment, JSON.stringify(loaded.findings));
  return { file, experiment: loaded.experiment };
}

function perJoint(profile: RealityProfile, name: string, j: number): number {
  const v = profile.parameters[name];
  if (v === undefined) return NaN;
  if (typeof v === 'number') return v;
  return (v as Record<string, number>)[JOINTS[j]!]!;
}

/** The emulator's truth: b = joint_damping + viscous friction, c = Coulomb friction, in true (sensor) N·m. */
function trueFriction(profile: RealityProfile, j: number): { b: number; c: number } {
  return { b: perJoint(profile, 'joint_damping', j) + profile.effects.frictionViscousNmsPerRad[j]!, c: profile.effects.frictionCoulombNm[j]! };
}

/**
 * The true inertia about joint j with the joints beyond it held, read from the emulator's own Rapier
 * bodies (masses and principal inertias as the physics engine has them) at the identification pose:
 * independent of the cuboid model the identification uses to turn inertias into link masses.
 */
async function trueInertia(profile: RealityProfile, j: number, pose: readonly number[]): Promise<number> {
  const plant = await RealityPlant.create(profile, new Rng(1));
  try {
    plant.resetEpisode();
    plant.step();
    const links = plant.scene.arm.links;
    placeArm(plant.scene.arm, pose);
    // the joint's axis: the start of link j (the base origin for the shoulder)
    let ax = 0, ay = 0;
    if (j > 0) {
      const prev = links[j - 1]!;
      const c = prev.translation();
      const yaw = 2 * Math.atan2(prev.rotation().z, prev.rotation().w);
      const half = [0.3, 0.25, 0.15][j - 1]! / 2;
      ax = c.x + Math.cos(yaw) * half;
      ay = c.y + Math.sin(yaw) * half;
    }
    let inertia = 0;
    for (let i = j; i < links.length; i++) {
      const body = links[i]!;
      body.recomputeMassPropertiesFromColliders();
      const com = body.worldCom();
      inertia += body.principalInertia().z + body.mass() * ((com.x - ax) ** 2 + (com.y - ay) ** 2);
    }
    return inertia;
  } finally {
    plant.dispose();
  }
}

function within(actual: number, expected: number, fraction: number, what: string): void {
  const error = Math.abs(actual - expected) / Math.abs(expected);
  assert.ok(error <= fraction, `${what}: identified ${actual.toPrecision(4)}, true ${expected.toPrecision(4)} (${(100 * error).toFixed(1)}% off, tolerance ${100 * fraction}%)`);
}

async function identify(profileName: string, joints: string[]): Promise<{ result: SysidResult; profile: RealityProfile; seconds: number }> {
  const dir = tempDir(`sysid-${profileName}`);
  const { path, profile } = profileCopy(profileName, dir);
  const emulator = await spawnEmulator(path, join(dir, 'emulator.jsonl'));
  try {
    const { file, experiment } = experimentFor(dir, emulator.url);
    const started = Date.now();
    const result = await identifyOnRobot(experiment, file, emulator.url, { joints, delayTrials: 10, frictionPoints: 12, inertiaTrials: 4, allowedAddresses: [emulator.url], log: () => undefined, attendance: { attendant: new ScriptedPerson() } });
    return { result, profile, seconds: (Date.now() - started) / 1000 };
  } finally {
    await emulator.stop();
  }
}

for (const profileName of ['mild', 'moderate']) {
  test(`live identification on the ${profileName} profile recovers friction (5%), inertia (10%) and delay (one control step)`, { timeout: 400_000 }, async (t) => {
    const { result, profile, seconds } = await identify(profileName, ['elbow', 'wrist']);
    const row = (what: string, identified: number, truth: number): void => t.diagnostic(`${profileName} ${what}: identified ${identified.toPrecision(4)}, true ${truth.toPrecision(4)}, ${((100 * (identified - truth)) / truth).toFixed(1)}%`);
    t.diagnostic(`${profileName}: ${seconds.toFixed(0)} s`);
    for (const fit of result.friction) {
      const j = JOINTS.indexOf(fit.joint);
      const truth = trueFriction(profile, j);
      row(`${fit.joint} b`, fit.viscousNmsPerRad.value, truth.b);
      row(`${fit.joint} c`, fit.coulombNm.value, truth.c);
      await t.test(`${fit.joint} viscous b within 5%`, () => within(fit.viscousNmsPerRad.value, truth.b, 0.05, `${profileName} ${fit.joint} viscous b`));
      await t.test(`${fit.joint} Coulomb c within 5%`, () => within(fit.coulombNm.value, truth.c, 0.05, `${profileName} ${fit.joint} Coulomb c`));
      assert.ok(fit.viscousNmsPerRad.stdError > 0 && fit.coulombNm.stdError > 0, 'standard errors are reported');
      assert.equal(fit.residualsNm.length, fit.points.length);
    }
    for (const fit of result.inertia) {
      const j = JOINTS.indexOf(fit.joint);
      const truth = await trueInertia(profile, j, fit.poseRad!);
      row(`${fit.joint} I`, fit.inertiaKgM2.value, truth);
      await t.test(`${fit.joint} inertia within 10%`, () => within(fit.inertiaKgM2.value, truth, 0.1, `${profileName} ${fit.joint} inertia`));
    }
    const delay = result.delay!;
    const trueDelayMs = profile.effects.latencyMs;
    t.diagnostic(`${profileName} delay: ${delay.meanMs.toFixed(1)} ± ${delay.stdMs.toFixed(1)} ms, true ${trueDelayMs} ms; ${result.identified.map((p) => `${p.parameter}${p.target ? `.${p.target}` : ''}=${p.value.toPrecision(3)}`).join(' ')}`);
    assert.ok(Math.abs(delay.meanMs - trueDelayMs) <= delay.controlPeriodMs, `${profileName} delay: measured ${delay.meanMs.toFixed(1)} ms, true ${trueDelayMs} ms (tolerance one control step, ${delay.controlPeriodMs} ms)`);
    // the experiment's parameter names
    const names = result.identified.map((p) => `${p.parameter}${p.target ? `.${p.target}` : ''}`);
    for (const expected of ['joint_damping.elbow', 'joint_damping.wrist', 'joint_friction.elbow', 'joint_friction.wrist', 'link_mass.link3', 'link_mass.link2', 'action_delay']) {
      assert.ok(names.includes(expected), `missing ${expected} in ${names.join(', ')}`);
    }
    assert.equal(result.source.kind, 'robot');
  });
}

test('cancelling stops the robot (protective stop) and rejects with an AbortError', { timeout: 120_000 }, async () => {
  const dir = tempDir('sysid-cancel');
  const { path } = profileCopy('mild', dir);
  const emulator = await spawnEmulator(path, join(dir, 'emulator.jsonl'));
  try {
    const { file, experiment } = experimentFor(dir, emulator.url);
    const controller = new AbortController();
    let sweeping = false;
    const run = identifyOnRobot(experiment, file, emulator.url, {
      joints: ['wrist'],
      delayTrials: 0,
      allowedAddresses: [emulator.url],
      signal: controller.signal,
      log: () => undefined,
      attendance: { attendant: new ScriptedPerson() },
      onProgress: (p) => {
        if (!sweeping && p.message.includes('friction sweep')) {
          sweeping = true;
          // mid-sweep: a joint is under torque or about to be
          setTimeout(() => controller.abort(), 300);
        }
      },
    });
    await assert.rejects(run, (e: Error) => e.name === 'AbortError');
    await new Promise((r) => setTimeout(r, 300));
    const events = emulator.events();
    const stop = events.find((e) => e.event === 'stop');
    assert.ok(stop, 'the robot received a stop');
    assert.ok(events.some((e) => e.event === 'state' && (e as { state?: string }).state === 'halted' && (e as { reason?: string }).reason === 'stop'), 'the robot halted for the stop');
    assert.ok(events.some((e) => e.event === 'command' && (e as { mode?: string }).mode === 'effort'), 'effort commands were sent before the cancel');
  } finally {
    await emulator.stop();
  }
});

test('an unreachable robot fails with a clear error within 3 s; an address not configured is refused', async () => {
  const dir = tempDir('sysid-dead');
  const { file, experiment } = experimentFor(dir, 'ws://127.0.0.1:1');
  const started = Date.now();
  await assert.rejects(identifyOnRobot(experiment, file, 'ws://127.0.0.1:1', { allowedAddresses: ['ws://127.0.0.1:1'], attendance: { attendant: new ScriptedPerson() } }), /cannot reach robot at ws:\/\/127\.0\.0\.1:1/);
  assert.ok(Date.now() - started < 3500, `took ${Date.now() - started} ms`);
  await assert.rejects(identifyOnRobot(experiment, file, 'ws://127.0.0.1:2', { allowedAddresses: ['ws://127.0.0.1:1'], attendance: { attendant: new ScriptedPerson() } }), /not a configured robot address/);
  await assert.rejects(identifyOnRobot(experiment, file, 'ws://127.0.0.1:1', { joints: ['knee'], allowedAddresses: ['ws://127.0.0.1:1'], attendance: { attendant: new ScriptedPerson() } }), /no joint 'knee'/);
});

describe('fits name the joint when they cannot be trusted', () => {
  test('too few moving points', () => {
    const points = [
      { torqueNm: 0.1, velocityRadPerS: 1 },
      { torqueNm: -0.1, velocityRadPerS: -1 },
      { torqueNm: 0.01, velocityRadPerS: 0 },
      { torqueNm: 0.2, velocityRadPerS: Number.NaN },
    ];
    assert.throws(() => fitFriction('elbow', points), (e: Error) => e instanceof SysidError && /joint 'elbow': only 2 of 4 sweep points moved/.test(e.message));
  });
  test('one direction only', () => {
    const points = [1, 2, 3, 4, 5].map((v) => ({ torqueNm: 0.05 + 0.1 * v, velocityRadPerS: v }));
    assert.throws(() => fitFriction('wrist', points), /joint 'wrist': the sweep moved the joint in one direction only/);
  });
  test('a run too short to fit', () => {
    assert.throws(() => fitApproach('shoulder', { timeS: [0, 0.01, 0.02], velocityRadPerS: [0, 0.1, 0.2] }), /joint 'shoulder': a sweep run has only 3 joint states/);
  });
  test('the oscillation fit recovers I from a noisy sampled joint under an alternating torque', () => {
    // the sampled joint of oscillation.ts: I·Δv = Δt·(E − b·v_prev − c·sign(v)), states at 100 Hz,
    // the torque alternating every 60 ms; noise on effort and velocity as on the moderate profile
    const I = 0.0035, b = 0.11, c = 0.05, dt = 0.01, A = 0.22;
    const rng = new Rng(7);
    const states = [];
    let v = 0;
    for (let k = 0; k < 300; k++) {
      const E = Math.floor(k / 6 + 0.5) % 2 === 0 ? A : -A;
      v += (dt / I) * (E - b * v - c * Math.sign(v || E));
      states.push({ stampS: k * dt, velocity: [0, 0, v + rng.gaussian(0, 0.02)], effort: [0, 0, E + rng.gaussian(0, 0.05)] });
    }
    const fit = oscillationInertia(states, 2, Math.PI / 0.06, b, c);
    assert.ok(Math.abs(fit.inertiaKgM2 / I - 1) < 0.05, `I ${fit.inertiaKgM2} for ${I}`);
    assert.ok(fit.equations > 200);
    assert.ok(Number.isNaN(oscillationInertia(states.slice(0, 10), 2, Math.PI / 0.06, b, c).inertiaKgM2), 'too few states');
  });
  test('an exact model is recovered with its standard errors near zero', () => {
    const points = [-1.5, -1, -0.5, -0.2, 0.2, 0.5, 1, 1.5].map((v) => ({ torqueNm: 0.08 * v + 0.03 * Math.sign(v), velocityRadPerS: v }));
    const fit = fitFriction('elbow', points);
    assert.ok(Math.abs(fit.viscousNmsPerRad.value - 0.08) < 1e-9 && Math.abs(fit.coulombNm.value - 0.03) < 1e-9);
    assert.ok(fit.viscousNmsPerRad.stdError < 1e-9 && fit.rmsResidualNm < 1e-9);
  });
});

describe('effort commands through the safety layer', () => {
  const measured = { position: [0, 0, 0], velocity: [0, 0, 0], effort: [0, 0, 0] };
  test('NaN, infinities and torques beyond max_effort are violations naming the joint', () => {
    for (const bad of [Number.NaN, Infinity, -Infinity]) {
      const v = checkEffortTorques({ joints: ['elbow'], torquesNm: [bad], measured, jointNames: JOINTS }, TEST_SAFETY);
      assert.ok(!v.ok && v.violation.limit === 'non_finite' && v.violation.joint === 'elbow', String(bad));
    }
    const big = checkEffortTorques({ joints: ['wrist'], torquesNm: [TEST_SAFETY.maxEffort + 0.1], measured, jointNames: JOINTS }, TEST_SAFETY);
    assert.ok(!big.ok && big.violation.limit === 'effort_limit' && /wrist torque command 8\.100 N·m/.test(big.violation.message));
    const unknown = checkEffortTorques({ joints: ['knee'], torquesNm: [0.1], measured, jointNames: JOINTS }, TEST_SAFETY);
    assert.ok(!unknown.ok && /no joint 'knee'/.test(unknown.violation.message));
  });
  test('a joint measured beyond its limits or too fast stops the robot', () => {
    const fast = checkEffortTorques({ joints: ['wrist'], torquesNm: [0.1], measured: { ...measured, velocity: [0, 0, 3] }, jointNames: JOINTS }, TEST_SAFETY);
    assert.ok(!fast.ok && fast.violation.limit === 'joint_velocity_limit' && fast.violation.joint === 'wrist');
    const far = checkEffortTorques({ joints: ['wrist'], torquesNm: [0.1], measured: { ...measured, position: [0, 2.8, 0] }, jointNames: JOINTS }, TEST_SAFETY);
    assert.ok(!far.ok && far.violation.limit === 'joint_position_limit' && far.violation.joint === 'elbow');
    const ok = checkEffortTorques({ joints: ['wrist', 'elbow'], torquesNm: [0.1, -0.2], measured, jointNames: JOINTS }, TEST_SAFETY);
    assert.ok(ok.ok && ok.torquesNm[1] === -0.2);
  });
  test('the emulator reads the joints an effort command names from its layout', () => {
    const named = checkEffortMessage({ layout: { dim: [{ label: 'wrist,shoulder', size: 2, stride: 2 }], data_offset: 0 }, data: [0.1, -0.2] }, JOINTS);
    assert.deepEqual(named.ok && named.value, { joints: [2, 0], torquesNm: [0.1, -0.2] });
    const all = checkEffortMessage({ layout: { dim: [], data_offset: 0 }, data: [0.1, 0.2, 0.3] }, JOINTS);
    assert.deepEqual(all.ok && all.value.joints, [0, 1, 2]);
    assert.match((checkEffortMessage({ layout: { dim: [{ label: 'knee', size: 1, stride: 1 }], data_offset: 0 }, data: [0.1] }, JOINTS) as { error: string }).error, /joint 'knee'/);
    assert.match((checkEffortMessage({ layout: { dim: [{ label: 'wrist', size: 1, stride: 1 }], data_offset: 0 }, data: [null] }, JOINTS) as { error: string }).error, /finite/);
    assert.match((checkEffortMessage({ layout: { dim: [{ label: 'wrist', size: 1, stride: 1 }], data_offset: 0 }, data: [0.1, 0.2] }, JOINTS) as { error: string }).error, /2 values, expected 1/);
  });
});

describe('effort mode in the reality plant', () => {
  test('a held torque reaches (gain x torque - Coulomb) / b; a position command then holds the joint without a kick', async () => {
    const { profile } = profileCopy('moderate', tempDir('sysid-plant'));
    const plant = await RealityPlant.create(profile, new Rng(3));
    try {
      plant.resetEpisode();
      const readings = { name: [...JOINTS], position: [0, 0, 0], velocity: [0, 0, 0], effort: [0, 0, 0] };
      const j = 2;
      const torque = 0.2;
      // start the wrist well inside its range: the run covers about a radian
      plant.command([0, 0, -1.8]);
      for (let k = 0; k < 150; k++) plant.step();
      plant.commandEffort([j], [torque]);
      for (let k = 0; k < 40; k++) plant.step();
      const e = profile.effects;
      const { b, c } = trueFriction(profile, j);
      const expected = (torque * (1 + e.gainError[j]!) - c) / b;
      let mean = 0;
      for (let k = 0; k < 20; k++) {
        plant.step();
        plant.readJoints(readings);
        mean += readings.velocity[j]! / 20;
      }
      assert.ok(Math.abs(mean - expected) / expected < 0.03, `steady ${mean.toFixed(3)} rad/s, expected ${expected.toFixed(3)}`);
      // the effort sensor reads the torque the motor applies: commanded x (1 + gain error)
      assert.ok(Math.abs(readings.effort[j]! - torque * (1 + e.gainError[j]!)) < 5 * e.jointEffortNoiseNm[j]! + 1e-9);
      plant.command(readings.position);
      let peak = 0;
      for (let k = 0; k < 60; k++) {
        plant.step();
        plant.readJoints(readings);
        peak = Math.max(peak, Math.abs(readings.velocity[j]!));
      }
      assert.ok(peak <= mean + 0.1, `after the position command the joint stays below its speed (peak ${peak.toFixed(2)} rad/s)`);
      assert.ok(Math.abs(readings.velocity[j]!) < 0.1, `held at rest (${readings.velocity[j]!.toFixed(3)} rad/s)`);
    } finally {
      plant.dispose();
    }
  });
});

describe('sim2real sysid (CLI)', () => {
  const CLI = join(REPO, 'src', 'engine', 'cli.ts');
  const cli = (args: string[]): { status: number | null; stdout: string; stderr: string } => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', CLI, 'sysid', ...args], { cwd: REPO, encoding: 'utf8', timeout: 120_000 });
    return { status: r.status, stdout: r.stdout, stderr: r.stderr };
  };
  test('usage errors exit 2; a --robot other than robot.address is refused; a dead robot is reported', () => {
    const dir = tempDir('sysid-cli');
    const { file } = experimentFor(dir, 'ws://127.0.0.1:1');
    const both = cli([file, '--robot', 'ws://127.0.0.1:1', '--log', 'x.csv']);
    assert.equal(both.status, 2, both.stderr);
    assert.match(both.stderr, /exactly one of --robot/);
    const other = cli([file, '--robot', 'ws://127.0.0.1:2', '--json']);
    assert.equal(other.status, 1, other.stderr);
    assert.match(other.stderr, /refused: --robot ws:\/\/127\.0\.0\.1:2 is not the experiment's robot\.address/);
    const dead = cli([file, '--robot', 'ws://127.0.0.1:1', '--json', '--out', join(dir, 'out')]);
    assert.equal(dead.status, 1, dead.stderr);
    assert.match(dead.stderr, /sim2real sysid: robot: cannot reach robot at ws:\/\/127\.0\.0\.1:1/);
    assert.equal(dead.stdout.trim(), '');
  });
});

describe('effort mode on the emulated robot: watchdog, stop and reset', () => {
  test('a silent link halts a joint under torque (watchdog); a stop and a reset return every joint to position mode', async () => {
    const profile = profileFrom('task: push\nseed: 5\nwatchdogMs: 60\n');
    const log = new EventLog(join(tempDir('sysid-watchdog'), 'events.jsonl'));
    const robot = await EmulatedRobot.create(profile, log);
    try {
      robot.start();
      robot.arm('test');
      assert.equal(robot.commandEffort([2], [0.3], 'test'), undefined);
      await new Promise((r) => setTimeout(r, 30));
      assert.equal(robot.plant.effortMode[2], 1, 'the wrist is under torque');
      assert.equal(robot.status.state, 'running');
      // no command, no heartbeat
      await new Promise((r) => setTimeout(r, 250));
      assert.equal(robot.status.state, 'halted');
      assert.equal(robot.status.reason, 'watchdog');
      assert.equal(robot.plant.effortMode[2], 0, 'the halt holds position: the wrist is back in position mode');
      assert.match(robot.commandEffort([2], [0.3], 'test') ?? '', /halted \(watchdog\)/);
      robot.arm('test');
      robot.commandEffort([1], [0.2], 'test');
      await new Promise((r) => setTimeout(r, 20));
      assert.equal(robot.plant.effortMode[1], 1);
      robot.stop('test');
      assert.equal(robot.plant.effortMode[1], 0);
      robot.arm('test');
      robot.commandEffort([0], [0.2], 'test');
      await new Promise((r) => setTimeout(r, 20));
      robot.reset('test');
      assert.deepEqual([...robot.plant.effortMode], [0, 0, 0]);
    } finally {
      robot.dispose();
      log.close();
    }
  });
});
