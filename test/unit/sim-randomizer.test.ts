/** The randomizer: distributions, operations, targets, resample modes, and the env's noise. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { RandomizationEntry } from '../../src/engine/config/experiment';
import { parameterInfo } from '../../src/engine/config/parameters';
import { TASKS } from '../../src/engine/config/taskCatalog';
import { drawRaw, drawSlots, resolveValue, sampleSlots, valueOf } from '../../src/engine/sim/randomizer';
import { createEnv } from '../../src/engine/sim/simEnv';
import { SCENE_NOMINAL } from '../../src/engine/sim/tasks/tableScene';
import { Rng } from '../../src/engine/util/rng';
import { experimentFor, FULL_RANDOMIZATION } from '../support/sim-fixtures';

const e = (partial: Partial<RandomizationEntry> & Pick<RandomizationEntry, 'name' | 'distribution'>): RandomizationEntry => ({
  group: parameterInfo(partial.name)!.group,
  operation: 'abs',
  size: 1,
  resample: 'episode',
  ...partial,
});

test('the scene nominal values are the nominal column of parameters.ts', () => {
  const pairs: [string, number][] = [
    ['friction', SCENE_NOMINAL.frictionCoefficient], ['restitution', SCENE_NOMINAL.restitution],
    ['object_mass', SCENE_NOMINAL.puckMassKg], ['link_mass', SCENE_NOMINAL.linkMassKg],
    ['linear_damping', SCENE_NOMINAL.linearDampingPerS], ['angular_damping', SCENE_NOMINAL.angularDampingPerS],
    ['joint_damping', SCENE_NOMINAL.jointDampingNms], ['table_height', SCENE_NOMINAL.tableHeightM],
    ['joint_stiffness', SCENE_NOMINAL.jointStiffnessNmPerRad], ['motor_strength', SCENE_NOMINAL.motorStrengthNm],
  ];
  for (const [name, value] of pairs) assert.equal(parameterInfo(name)!.nominal, value, name);
});

test('distributions stay in range; randint includes both ends; log_uniform is uniform in log', () => {
  const rng = new Rng(1);
  const seen = new Set<number>();
  let logBelowGeoMean = 0;
  for (let i = 0; i < 2000; i++) {
    const u = drawRaw(e({ name: 'friction', distribution: 'uniform', range: [0.5, 1.5] }), rng) as number;
    assert.ok(u >= 0.5 && u < 1.5);
    seen.add(drawRaw(e({ name: 'action_delay', distribution: 'randint', range: [0, 3] }), rng) as number);
    const l = drawRaw(e({ name: 'friction', distribution: 'log_uniform', range: [0.1, 10] }), rng) as number;
    assert.ok(l >= 0.1 && l < 10);
    if (l < 1) logBelowGeoMean++;
  }
  assert.deepEqual([...seen].sort(), [0, 1, 2, 3]);
  assert.ok(Math.abs(logBelowGeoMean / 2000 - 0.5) < 0.05, `${logBelowGeoMean} of 2000 below the geometric mean`);
  const c = drawRaw(e({ name: 'texture', distribution: 'choice', values: ['checker'] }), rng);
  assert.equal(c, 'checker');
});

test('operations: scale multiplies the nominal, add offsets it, abs replaces it; then clamp and round', () => {
  const friction = parameterInfo('friction')!;
  assert.equal(resolveValue(friction, 'scale', 2), 1.2);
  assert.equal(resolveValue(friction, 'add', 0.1), 0.7);
  assert.equal(resolveValue(friction, 'abs', 0.3), 0.3);
  assert.equal(resolveValue(friction, 'abs', -1), 0, 'clamped to min');
  assert.equal(resolveValue(parameterInfo('action_delay')!, 'abs', 2.6), 3, 'integer parameter rounded');
});

test('targeted parameters draw one value per target, only the targets listed', () => {
  const all = sampleSlots([e({ name: 'link_mass', distribution: 'uniform', range: [0.8, 1.2], operation: 'scale' })], TASKS.push);
  assert.deepEqual(all.map((s) => s.key), ['link_mass.link1', 'link_mass.link2', 'link_mass.link3']);
  const one = sampleSlots([e({ name: 'friction', distribution: 'uniform', range: [1, 2], targets: ['puck'] })], TASKS.push);
  assert.deepEqual(one.map((s) => s.key), ['friction.puck']);
  assert.throws(() => sampleSlots([e({ name: 'friction', distribution: 'uniform', range: [1, 2], targets: ['puck'] })], TASKS.reach), /cannot target/);
  const sample = {};
  drawSlots(all, new Rng(2), sample);
  const values = Object.values(sample) as number[];
  assert.equal(new Set(values).size, 3, 'independent draws');
  for (const v of values) assert.ok(v >= 0.4 && v <= 0.6);
  assert.equal(valueOf(sample, 'link_mass', 'link2'), values[1]);
  assert.equal(valueOf(sample, 'friction', 'puck'), 0.6, 'absent -> nominal');
});

test('env: episode parameters change per episode, startup ones never, interval ones every N steps', async () => {
  const experiment = experimentFor('push', [
    e({ name: 'friction', distribution: 'uniform', range: [0.5, 1.5], operation: 'scale', targets: ['puck'] }),
    e({ name: 'object_mass', distribution: 'uniform', range: [0.8, 1.2], operation: 'scale', resample: 'startup' }),
    e({ name: 'joint_stiffness', distribution: 'uniform', range: [0.5, 2], operation: 'scale', targets: ['elbow'], resample: 'interval', intervalSteps: 5 }),
  ]);
  const env = await createEnv(experiment, { randomize: true });
  env.reset(1);
  const friction1 = env.sample['friction.puck'];
  const mass1 = env.sample['object_mass.puck'];
  env.reset(2);
  assert.notEqual(env.sample['friction.puck'], friction1);
  assert.equal(env.sample['object_mass.puck'], mass1);
  const stiffness: number[] = [];
  for (let t = 0; t < 12; t++) {
    env.step([0, 0, 0]);
    stiffness.push(env.scene.jointStiffnessNmPerRad[1]);
  }
  // drawn at reset, redrawn before steps 5 and 10 (0-based: the 6th and 11th step)
  assert.equal(new Set(stiffness.slice(0, 5)).size, 1);
  assert.notEqual(stiffness[5], stiffness[4]);
  assert.equal(new Set(stiffness.slice(5, 10)).size, 1);
  assert.notEqual(stiffness[10], stiffness[9]);
  assert.equal(stiffness[11], env.sample['joint_stiffness.elbow']);
  env.dispose();
  const nominal = await createEnv(experiment, { randomize: false });
  nominal.reset(1);
  assert.deepEqual(nominal.sample, {});
  assert.equal(nominal.scene.jointStiffnessNmPerRad[1], SCENE_NOMINAL.jointStiffnessNmPerRad);
  nominal.dispose();
});

test('env: every physics and dynamics parameter of the sample reaches the scene; visuals are stored', async () => {
  const env = await createEnv(experimentFor('push', FULL_RANDOMIZATION), { randomize: true });
  env.reset(9);
  const s = env.sample;
  assert.equal(env.scene.tableHeightM, s.table_height);
  assert.equal(env.scene.jointStiffnessNmPerRad[2], s['joint_stiffness.wrist']);
  assert.equal(env.scene.jointDampingNms[0], s['joint_damping.shoulder']);
  assert.ok(Math.abs(env.controlPeriodS - (s.action_timestep as number)) < 1e-9);
  assert.ok(Array.isArray(s['object_color.puck']) && (s['object_color.puck'] as number[]).length === 3);
  assert.equal(typeof s.light_intensity, 'number');
  // the puck starts on the randomized table top
  assert.ok(Math.abs(env.scene.puck!.translation().z - (s.table_height as number) - 0.025) < 1e-6, 'Rapier keeps positions in f32');
  env.dispose();
});

test('env: observation noise and action noise have the drawn standard deviation', async () => {
  const experiment = experimentFor('reach', [
    e({ name: 'observation_noise', distribution: 'uniform', range: [0.02, 0.02] }),
    e({ name: 'action_noise', distribution: 'uniform', range: [0.1, 0.1] }),
  ]);
  const env = await createEnv(experiment, { randomize: true });
  env.reset(4);
  let obsSq = 0;
  let obsN = 0;
  let actSq = 0;
  let actN = 0;
  for (let t = 0; t < 100; t++) {
    env.step([0, 0, 0]);
    for (let i = 0; i < env.observationSize; i++) {
      obsSq += (env.observation[i] - env.trueObservation[i]) ** 2;
      obsN++;
    }
    for (let i = 0; i < 3; i++) {
      actSq += env.appliedAction[i] ** 2;
      actN++;
    }
  }
  const obsStd = Math.sqrt(obsSq / obsN);
  const actStd = Math.sqrt(actSq / actN);
  // 1000 and 300 draws: the sample std is within about 10% of the true one
  assert.ok(Math.abs(obsStd - 0.02) < 0.002, `observation noise std ${obsStd}`);
  assert.ok(Math.abs(actStd - 0.1) < 0.012, `action noise std ${actStd}`);
  env.dispose();
});
