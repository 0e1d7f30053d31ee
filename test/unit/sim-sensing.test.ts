/**
 * The simulator's sensor model (sim/sensing.ts): per-channel noise of the size asked, the fingertip
 * moving with the encoders' noise, a tracker that holds its pose between updates at its own rate and
 * differences the velocity as the robot's episodes do, and nothing changed when every parameter is 0.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Calibration, Experiment } from '../../src/engine/config/experiment';
import { scriptedPushAction } from '../../src/engine/sim/scripted';
import { createEnv, type SimEnv } from '../../src/engine/sim/simEnv';
import { fingerPosition } from '../../src/engine/sim/tasks/arm';
import { Rng } from '../../src/engine/util/rng';
import { experimentFor } from '../support/sim-fixtures';

function calibrated(parameters: Calibration['parameters']): Experiment {
  return { ...experimentFor('push'), calibration: { parameters } };
}

function std(values: readonly number[]): number {
  const m = values.reduce((a, b) => a + b, 0) / values.length;
  return Math.sqrt(values.reduce((a, b) => a + (b - m) ** 2, 0) / (values.length - 1));
}

/** Observation minus truth, per entry, over episodes of random actions (or the scripted pusher, which moves the puck). */
async function errors(experiment: Experiment, steps = 400, push = false): Promise<{ env: SimEnv; byEntry: number[][]; observations: Float64Array[]; truths: Float64Array[] }> {
  const env = await createEnv(experiment, { randomize: false });
  const byEntry: number[][] = Array.from({ length: env.observationSize }, () => []);
  const observations: Float64Array[] = [];
  const truths: Float64Array[] = [];
  const actions = new Rng(3);
  const record = (): void => {
    observations.push(Float64Array.from(env.observation));
    truths.push(Float64Array.from(env.trueObservation));
    for (let i = 0; i < env.observationSize; i++) byEntry[i]!.push(env.observation[i]! - env.trueObservation[i]!);
  };
  let episode = 1;
  env.reset(episode);
  record();
  const action = new Float64Array(3);
  for (let t = 0; t < steps; t++) {
    // the pusher acts on the truth, so what is sensed does not change where the puck goes
    if (push) scriptedPushAction(env.trueObservation, env.task.maxTargetStepRad, action);
    else for (let i = 0; i < 3; i++) action[i] = actions.uniform(-1, 1);
    const r = env.step(action);
    record();
    if (r.done) {
      env.reset(++episode);
      record();
    }
  }
  return { env, byEntry, observations, truths };
}

test('every sensor parameter at 0: the observation is the true one, entry for entry', async () => {
  const { env, byEntry } = await errors(experimentFor('push'), 200);
  for (const e of byEntry) assert.ok(e.every((x) => x === 0));
  env.dispose();
});

test('joint_position_noise and joint_velocity_noise: per joint, of the size asked; the fingertip moves with the encoders', async () => {
  const positionStd = { shoulder: 0.001, elbow: 0.004, wrist: 0.002 };
  const { env, byEntry, observations, truths } = await errors(calibrated({ joint_position_noise: positionStd, joint_velocity_noise: 0.05 }), 2000);
  const expected = [positionStd.shoulder, positionStd.elbow, positionStd.wrist];
  for (let i = 0; i < 3; i++) {
    const s = std(byEntry[i]!);
    assert.ok(Math.abs(s / expected[i]! - 1) < 0.08, `joint ${i} angle noise ${s}, asked ${expected[i]}`);
    const v = std(byEntry[3 + i]!);
    assert.ok(Math.abs(v / 0.05 - 1) < 0.08, `joint ${i} velocity noise ${v}, asked 0.05`);
  }
  // the tip the policy sees is where forward kinematics puts the sensed angles, less the model's offset from the true tip
  const tip = new Float64Array(2);
  const trueTip = new Float64Array(2);
  for (let k = 0; k < observations.length; k++) {
    fingerPosition(observations[k]!.subarray(0, 3), tip);
    fingerPosition(truths[k]!.subarray(0, 3), trueTip);
    assert.ok(Math.abs(observations[k]![6]! - truths[k]![6]! - (tip[0]! - trueTip[0]!)) < 1e-12);
    assert.ok(Math.abs(observations[k]![7]! - truths[k]![7]! - (tip[1]! - trueTip[1]!)) < 1e-12);
  }
  assert.ok(std(byEntry[6]!) > 0.001, 'the tip carries the angle noise');
  // the object and the goal are untouched
  for (const i of [8, 9, 10, 11, 12, 13]) assert.ok(byEntry[i]!.every((x) => x === 0), `entry ${i}`);
  env.dispose();
});

test('object_position_noise without a tracking rate: noisy position, exact velocity', async () => {
  const { env, byEntry } = await errors(calibrated({ object_position_noise: 0.003 }), 1500);
  for (const i of [8, 9]) assert.ok(Math.abs(std(byEntry[i]!) / 0.003 - 1) < 0.08, `entry ${i}: ${std(byEntry[i]!)}`);
  for (const i of [0, 3, 6, 10, 11, 12]) assert.ok(byEntry[i]!.every((x) => x === 0), `entry ${i}`);
  env.dispose();
});

test('object_tracking_rate: the pose is held between updates and the velocity differenced from the last two', async () => {
  // 20 Hz behind a 50 Hz controller: a new pose every 2 or 3 control steps
  const { env, observations, truths } = await errors(calibrated({ object_tracking_rate: 20 }), 3000, true);
  let run = 1;
  const runs: number[] = [];
  for (let k = 1; k < observations.length; k++) {
    const o = observations[k]!;
    const p = observations[k - 1]!;
    if (o[12] !== p[12]) {
      run = 1; // a new episode (new goal)
      continue;
    }
    if (o[8] === p[8] && o[9] === p[9]) run++;
    else {
      runs.push(run);
      run = 1;
    }
  }
  // only count the puck while it moves (at rest the held pose repeats whatever the rate)
  const moving = runs.filter((r) => r <= 3);
  assert.ok(moving.length > 50, `the puck was tracked moving ${moving.length} times`);
  assert.ok(moving.every((r) => r === 2 || r === 3), `updates every 2-3 control steps at 20 Hz, saw runs of ${[...new Set(moving)].join(', ')}`);
  // noise-free, the differenced velocity follows the true one within what a 50 ms difference lags
  let err = 0;
  let n = 0;
  for (let k = 0; k < observations.length; k++) {
    const speed = Math.hypot(truths[k]![10]!, truths[k]![11]!);
    if (speed < 0.05) continue;
    err += Math.hypot(observations[k]![10]! - truths[k]![10]!, observations[k]![11]! - truths[k]![11]!) / speed;
    n++;
  }
  assert.ok(n > 20, `the puck moved in ${n} steps`);
  assert.ok(err / n < 0.6, `differenced velocity relative error ${(err / n).toFixed(2)}`);
  env.dispose();
});

test('object tracker noise, differenced at rate R: velocity noise of about sqrt(2)·sigma·R on a resting puck', async () => {
  const sigma = 0.003;
  const rate = 30;
  const env = await createEnv(calibrated({ object_position_noise: sigma, object_tracking_rate: rate }), { randomize: false });
  const vx: number[] = [];
  for (let episode = 1; episode <= 20; episode++) {
    env.reset(episode);
    // hold: the arm stays folded away from the puck, which rests
    for (let t = 0; t < 60; t++) {
      env.step([0, 0, 0]);
      if (t > 5) vx.push(env.observation[10]!);
    }
  }
  const s = std(vx);
  const expected = Math.SQRT2 * sigma * rate;
  assert.ok(Math.abs(s / expected - 1) < 0.15, `velocity noise ${s.toFixed(4)} m/s, expected about ${expected.toFixed(4)}`);
  env.dispose();
});

test('sensor noise is reproducible from the episode seed and leaves action noise and physics as they were', async () => {
  const base = experimentFor('push', [{ name: 'action_noise', group: 'dynamics', distribution: 'uniform', range: [0.03, 0.03], operation: 'abs', size: 1, resample: 'episode' }]);
  const withSensors: Experiment = { ...base, calibration: { parameters: { joint_velocity_noise: 0.05, object_position_noise: 0.002, object_tracking_rate: 30 } } };
  const run = async (experiment: Experiment): Promise<{ obs: number[]; truth: number[] }> => {
    const env = await createEnv(experiment, { randomize: true });
    const obs: number[] = [];
    const truth: number[] = [];
    env.reset(5);
    for (let t = 0; t < 80; t++) {
      env.step([0.5, -0.5, 0.2]);
      obs.push(...env.observation);
      truth.push(...env.trueObservation);
    }
    env.dispose();
    return { obs, truth };
  };
  const a = await run(withSensors);
  const b = await run(withSensors);
  const plain = await run(base);
  assert.deepEqual(a.obs, b.obs, 'same seed, same sensed observations');
  assert.deepEqual(a.truth, plain.truth, 'the sensors draw from their own stream: the action noise and the physics are unchanged');
});
