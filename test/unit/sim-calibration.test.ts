/**
 * Calibrated nominal values reach the simulator: the experiment's calibration block replaces the
 * built-in nominal values (unrandomized parameters take it as is, `scale` multiplies it), and the
 * new joint_friction parameter brakes a joint by the Coulomb torque theory predicts.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Calibration, Experiment } from '../../src/engine/config/experiment';
import { validateText } from '../../src/engine/config/validate';
import { resolveExperiment } from '../../src/engine/config/resolve';
import { ARM, placeArm, readArmState } from '../../src/engine/sim/tasks/arm';
import { createEnv, type SimEnv } from '../../src/engine/sim/simEnv';
import { experimentFor } from '../support/sim-fixtures';

/** Speed feed-forward the shoulder's motor is asked to track, rad/s. */
const TARGET_SPEED = 1;

/**
 * Drive the shoulder as a velocity controller (stiffness 0, target speed TARGET_SPEED) with the arm
 * straight, so the other joints carry no torque at steady rotation; return the steady speed, rad/s.
 */
function steadyShoulderSpeed(env: SimEnv, targetSpeed = TARGET_SPEED): number {
  const scene = env.scene;
  env.reset(1);
  placeArm(scene.arm, [0, 0, 0]);
  for (let i = 0; i < 3; i++) scene.setJointTarget(i, 0, 0);
  scene.setJointStiffness('shoulder', 0);
  scene.setJointTarget(0, 0, targetSpeed);
  const state = new Float64Array(8);
  let sum = 0;
  let count = 0;
  // ~1.2 s: the time constant I/d is a few hundredths of a second; average the last half
  for (let k = 0; k < 240; k++) {
    scene.step();
    if (k >= 120) {
      readArmState(scene.arm, state, 0);
      sum += state[3];
      count++;
    }
  }
  return sum / count;
}

function withCalibration(calibration: Calibration | undefined): Experiment {
  const base = experimentFor('reach');
  return calibration ? { ...base, calibration } : base;
}

/** The straight arm as one rigid body about the shoulder: Σ m(l² + w²)/12 + m r², kg·m² (finger massless). */
function straightArmInertia(linkMassKg: number): number {
  let inertia = 0;
  let x = 0;
  for (const length of ARM.linkLengthsM) {
    const width = 2 * ARM.linkHalfWidthM;
    const r = x + length / 2;
    inertia += (linkMassKg * (length * length + width * width)) / 12 + linkMassKg * r * r;
    x += length;
  }
  return inertia;
}

/**
 * Spin the straight arm up to ~3 rad/s, let the shoulder motor go, and return the least-squares
 * deceleration (rad/s²) and the worst deviation from a straight line (rad/s). `externalNm` adds a constant braking torque through Rapier directly, as a reference.
 */
function spinDown(env: SimEnv, externalNm = 0): { slope: number; worst: number; finalSpeed: number } {
  const scene = env.scene;
  steadyShoulderSpeed(env, 3);
  scene.setMotorStrength('shoulder', 0); // the motor lets go: only friction acts on the shoulder
  const dt = scene.world.timestep;
  const state = new Float64Array(8);
  const times: number[] = [];
  const speeds: number[] = [];
  for (let k = 0; k < 300; k++) {
    readArmState(scene.arm, state, 0);
    if (externalNm > 0 && state[3] > 0) scene.arm.links[0].applyTorqueImpulse({ x: 0, y: 0, z: -externalNm * dt }, true);
    scene.step();
    readArmState(scene.arm, state, 0);
    // from 0.5 s after the release (the elbow swings a little as the shoulder lets go) while it turns faster than 0.1 rad/s
    if (k >= 25 && state[3] > 0.1) {
      times.push((k + 1) * dt);
      speeds.push(state[3]);
    }
  }
  const n = times.length;
  const mt = times.reduce((a, b) => a + b, 0) / n;
  const mv = speeds.reduce((a, b) => a + b, 0) / n;
  let num = 0;
  let den = 0;
  for (let i = 0; i < n; i++) {
    num += (times[i] - mt) * (speeds[i] - mv);
    den += (times[i] - mt) ** 2;
  }
  const slope = num / den;
  let worst = 0;
  for (let i = 0; i < n; i++) worst = Math.max(worst, Math.abs(speeds[i] - (mv + slope * (times[i] - mt))));
  readArmState(scene.arm, state, 0);
  return { slope, worst, finalSpeed: state[3] };
}

test('joint_friction spins a free joint down linearly at c / I, as Coulomb friction does', async () => {
  const inertia = straightArmInertia(0.5);
  for (const coulombNm of [0.2, 0.5]) {
    const env = await createEnv(withCalibration({ parameters: { joint_friction: { shoulder: coulombNm } } }), { randomize: false });
    const reference = await createEnv(withCalibration(undefined), { randomize: false });
    try {
      const friction = spinDown(env);
      const torque = spinDown(reference, coulombNm);
      const theory = -coulombNm / inertia;
      assert.ok(Math.abs(friction.finalSpeed) < 0.02, `the joint stops (${friction.finalSpeed} rad/s)`);
      assert.ok(friction.worst < 0.01, `c = ${coulombNm}: speed falls on a straight line (worst deviation ${friction.worst.toFixed(4)} rad/s), not an exponential`);
      // the same braking as a constant torque c applied through Rapier itself
      assert.ok(Math.abs(friction.slope - torque.slope) < 0.01 * Math.abs(torque.slope), `c = ${coulombNm} N·m: ${friction.slope.toFixed(4)} vs a ${coulombNm} N·m torque ${torque.slope.toFixed(4)} rad/s²`);
      // and close to the rigid-body law; the 50 Hz physics step with PD-held elbow and wrist costs ~4%
      assert.ok(Math.abs(friction.slope - theory) < 0.06 * Math.abs(theory), `c = ${coulombNm} N·m: deceleration ${friction.slope.toFixed(4)} rad/s², theory ${theory.toFixed(4)}`);
    } finally {
      env.dispose();
      reference.dispose();
    }
  }
});

test('without joint_friction the same free joint keeps spinning', async () => {
  const env = await createEnv(withCalibration(undefined), { randomize: false });
  try {
    const scene = env.scene;
    const before = steadyShoulderSpeed(env);
    scene.setMotorStrength('shoulder', 0);
    for (let k = 0; k < 120; k++) scene.step();
    const state = new Float64Array(8);
    readArmState(scene.arm, state, 0);
    assert.ok(state[3] > 0.97 * before, `${before} -> ${state[3]} rad/s`);
  } finally {
    env.dispose();
  }
});

test('a calibrated joint_damping slows the joint as the viscous law says; uncalibrated scenes keep the built-in value', async () => {
  const controller = ARM.controllerDampingNms;
  const builtIn = await createEnv(withCalibration(undefined), { randomize: false });
  const calibrated = await createEnv(withCalibration({ parameters: { joint_damping: { shoulder: 1.5 } } }), { randomize: false });
  try {
    const nominalSpeed = steadyShoulderSpeed(builtIn);
    const calibratedSpeed = steadyShoulderSpeed(calibrated);
    assert.ok(Math.abs(nominalSpeed - controller / (controller + 0.05)) < 0.02, `built-in: ${nominalSpeed}`);
    assert.ok(Math.abs(calibratedSpeed - controller / (controller + 1.5)) < 0.02, `calibrated: ${calibratedSpeed}`);
    assert.equal(calibrated.scene.jointDampingNms[1], 0.05, 'joints the block leaves out keep the built-in value');
  } finally {
    builtIn.dispose();
    calibrated.dispose();
  }
});

test('scale draws multiply the calibrated nominal; abs draws ignore it; unrandomized parameters take it as is', async () => {
  const yaml = `name: cal
task: reach
randomization:
  physics:
    joint_damping: { distribution: uniform, range: [0.5, 1.5], operation: scale, targets: [shoulder] }
  dynamics:
    action_delay: { distribution: randint, range: [0, 0] }
calibration:
  source: sysid.json
  date: "2026-11-25T15:00:00Z"
  parameters:
    joint_damping: { shoulder: 0.4, elbow: 0.2 }
    joint_friction: 0.25
    action_delay: 2
`;
  const validation = validateText(yaml);
  assert.deepEqual(validation.findings.filter((f) => f.severity === 'error'), []);
  const experiment = resolveExperiment(validation.root as never);
  assert.deepEqual(experiment.calibration?.parameters.joint_damping, { shoulder: 0.4, elbow: 0.2 });
  const env = await createEnv(experiment, { randomize: true });
  try {
    const drawn: number[] = [];
    for (let seed = 0; seed < 40; seed++) {
      env.reset(seed);
      drawn.push(env.scene.jointDampingNms[0]);
      assert.equal(env.scene.jointDampingNms[1], 0.2, 'elbow is not randomized: its calibrated value');
      assert.equal(env.scene.jointDampingNms[2], 0.05, 'wrist is neither: the built-in value');
      assert.deepEqual([...env.scene.jointFrictionNm], [0.25, 0.25, 0.25], 'one value for every joint');
      assert.equal(env.sample.action_delay, 0, 'an abs draw replaces the calibrated delay');
    }
    assert.ok(Math.min(...drawn) >= 0.2 - 1e-12 && Math.max(...drawn) <= 0.6 + 1e-12, `scale draws within 0.5-1.5 × 0.4: ${Math.min(...drawn)}-${Math.max(...drawn)}`);
    assert.ok(Math.max(...drawn) - Math.min(...drawn) > 0.2, 'and spread over the range');
  } finally {
    env.dispose();
  }
  const unrandomized = await createEnv(experiment, { randomize: false });
  try {
    unrandomized.reset(0);
    assert.equal(unrandomized.sample.action_delay, 2, 'without randomization the calibrated delay holds');
    assert.equal(unrandomized.scene.jointDampingNms[0], 0.4);
  } finally {
    unrandomized.dispose();
  }
});

test('the calibration block is checked: unknown parameters and targets, bounds, whole-number delays', () => {
  const findings = (block: string) =>
    validateText(`name: cal\ntask: reach\ncalibration:\n  parameters:\n${block}`).findings.filter((f) => f.severity === 'error').map((f) => `${f.code}: ${f.message}`);
  assert.match(findings('    joint_dampin: 0.1\n').join('\n'), /unknown-key.*did you mean 'joint_damping'/);
  assert.match(findings('    joint_damping: { knee: 0.1 }\n').join('\n'), /unknown-key.*knee/);
  assert.match(findings('    joint_damping: -0.1\n').join('\n'), /at least 0/);
  assert.match(findings('    action_delay: 1.5\n').join('\n'), /whole number/);
  assert.match(findings('    object_mass: { puck: 0.3 }\n').join('\n'), /parameter-not-in-task/);
  assert.deepEqual(findings('    joint_friction: { shoulder: 0.2, wrist: 0.1 }\n    link_mass: 0.6\n'), []);
});
