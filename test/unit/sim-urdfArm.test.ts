/**
 * Any URDF arm in Rapier: joint positions read back as the URDF defines them (zero pose, axis
 * signs), the shipped three-link arm moves like its forward kinematics says, and the SO-101 holds
 * position targets under gravity with multibody joints and PD torques.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';
import type { World } from '@dimforge/rapier3d-compat';
import { initRapier, type Rapier } from '../../src/engine/sim/rapier';
import { fingerPosition } from '../../src/engine/sim/tasks/arm';
import { buildUrdfArm, UrdfArm, type UrdfArmOptions } from '../../src/engine/sim/urdfArm';
import type { KinematicTree } from '../../src/engine/urdf/kinematicTree';
import { loadUrdf } from '../../src/engine/urdf/loadUrdf';

const REPO = join(__dirname, '..', '..');
let R: Rapier;
before(async () => {
  R = await initRapier();
});

function treeOf(path: string): KinematicTree {
  const loaded = loadUrdf(join(REPO, path));
  assert.ok(loaded.tree, loaded.problems.map((p) => p.message).join('\n'));
  return loaded.tree;
}

function armIn(tree: KinematicTree, gravity: number, dt: number, options: Partial<UrdfArmOptions> = {}): { world: World; arm: UrdfArm } {
  const world = new R.World({ x: 0, y: 0, z: -gravity });
  world.timestep = dt;
  const handles = buildUrdfArm(R, world, tree, { basePose: { p: [0, 0, 0.86], q: [0, 0, 0, 1] }, collisionGroups: 0, ...options });
  const arm = new UrdfArm(tree, handles);
  arm.bind(world);
  return { world, arm };
}

describe('URDF arm in Rapier', () => {
  test('the three-link arm: zero pose, targets reached, and the tool frame where forward kinematics puts it', () => {
    const { world, arm } = armIn(treeOf('robots/three_link_arm/three_link_arm.urdf'), 0, 0.02);
    const tip = new Float64Array(3);
    arm.framePosition('tool0', tip, 0);
    assert.deepEqual([...tip].map((v) => Math.round(v * 1e6) / 1e6), [0.7, 0, 0.755]);
    const targets = [0.4, -0.4, 0.4];
    targets.forEach((t, i) => arm.setJointTarget(i, t, 0, 40, 6));
    for (let s = 0; s < 100; s++) world.step();
    const q = new Float64Array(3);
    arm.readPositions(q, 0);
    q.forEach((v, i) => assert.ok(Math.abs(v - targets[i]!) < 0.01, `joint ${i} at ${v}, target ${targets[i]}`));
    const xy = new Float64Array(2);
    fingerPosition(q, xy);
    arm.framePosition('tool0', tip, 0);
    assert.ok(Math.hypot(tip[0]! - xy[0]!, tip[1]! - xy[1]!) < 1e-3, 'the tool frame follows the joint angles read back');
    world.free();
  });

  test('joint signs follow the URDF axes: the SO-101 pan turns about -z, so a positive target swings the tip to -y', () => {
    const { world, arm } = armIn(treeOf('robots/so101/so101.urdf'), 0, 0.005, { joints: 'multibody', armature: Array(6).fill(0.005) });
    for (let i = 0; i < 6; i++) arm.setJointTarget(i, i === 0 ? 0.5 : 0, 0, 40, 0.5);
    assert.ok(arm.stableTimestep() >= 0.005);
    for (let s = 0; s < 400; s++) {
      arm.applyControl();
      world.step();
    }
    const tip = new Float64Array(3);
    arm.framePosition('gripper_tip', tip, 0);
    assert.ok(tip[1]! < -0.1, `tip y ${tip[1]}`);
    world.free();
  });

  test('the SO-101 holds position targets under gravity with multibody joints (within 0.03 rad); impulse joints sag', () => {
    const targets = [0.4, -0.4, 0.4, -0.4, 0.4, 0.2];
    const errors: Record<string, number> = {};
    for (const joints of ['multibody', 'impulse'] as const) {
      // Impulse joints get no armature: with it they diverge (bench/robots.bench.ts), and the
      // comparison is against their best case.
      const armature = Array(6).fill(joints === 'multibody' ? 0.005 : 0);
      const { world, arm } = armIn(treeOf('robots/so101/so101.urdf'), 9.81, 0.005, { joints, armature });
      targets.forEach((t, i) => arm.setJointTarget(i, t, 0, 40, 0.5));
      for (let s = 0; s < 400; s++) {
        arm.applyControl();
        world.step();
      }
      const q = new Float64Array(6);
      arm.readPositions(q, 0);
      errors[joints] = Math.max(...[...q].map((v, i) => Math.abs(v - targets[i]!)));
      const dq = new Float64Array(6);
      arm.readVelocities(dq, 0);
      assert.ok(Math.max(...dq.map(Math.abs)) < 1, `${joints}: the arm is not blown up (joint speeds ${[...dq]})`);
      world.free();
    }
    assert.ok(errors.multibody! < 0.03, `multibody error ${errors.multibody}`);
    assert.ok(errors.impulse! > 2 * errors.multibody!, `impulse ${errors.impulse} vs multibody ${errors.multibody}: the reason multibody is the default for gravity-loaded arms`);
  });
});

describe('forward kinematics from the tree', () => {
  test('agrees with the simulated SO-101 at a held pose', async () => {
    const { linkPose } = await import('../../src/engine/urdf/forwardKinematics');
    const tree = treeOf('robots/so101/so101.urdf');
    const { world, arm } = armIn(tree, 0, 0.005, { joints: 'multibody', armature: Array(6).fill(0.005) });
    const targets = [0.3, 0.5, -0.6, 0.4, 0.7, 0.2];
    targets.forEach((t, i) => arm.setJointTarget(i, t, 0, 40, 0.5));
    for (let s = 0; s < 600; s++) {
      arm.applyControl();
      world.step();
    }
    const q = new Float64Array(6);
    arm.readPositions(q, 0);
    const simulated = new Float64Array(3);
    arm.framePosition('gripper_tip', simulated, 0);
    const predicted = linkPose(tree, q, { p: [0, 0, 0.86], q: [0, 0, 0, 1] }, 'gripper_tip').p;
    assert.ok(Math.hypot(simulated[0]! - predicted[0], simulated[1]! - predicted[1], simulated[2]! - predicted[2]) < 1e-4, `${[...simulated]} vs ${predicted}`);
    world.free();
  });
});

describe('reach on a URDF arm', () => {
  test('SO-101: sizes follow the controlled joints; targets are above the table, within reach, and the same for the same seed', async () => {
    const { loadExperiment } = await import('../../src/engine/config/load');
    const { createTaskEnv } = await import('../../src/engine/evaluate/envFactory');
    const experiment = loadExperiment(join(REPO, 'examples', 'so101-reach.s2r.yaml')).experiment!;
    const env = await createTaskEnv(experiment, { randomize: false });
    const other = await createTaskEnv(experiment, { randomize: false });
    assert.deepEqual([env.observationSize, env.actionSize], [17, 4]);
    for (let seed = 0; seed < 20; seed++) {
      env.reset(seed);
      other.reset(seed);
      const o = env.observation;
      const target = [o[11]!, o[12]!, o[13]!];
      assert.deepEqual([...other.observation], [...o]);
      assert.ok(target[2]! >= 0.78, `target above the table: ${target}`);
      const shoulder = [0.03, -0.018, 0.75 + 0.062 + 0.054];
      assert.ok(Math.hypot(target[0]! - shoulder[0]!, target[1]! - shoulder[1]!, target[2]! - shoulder[2]!) < 0.45, `target within reach: ${target}`);
    }
    // the arm moves where the action says, and a NaN action holds still
    env.reset(3);
    const before = [...env.observation.slice(0, 4)];
    for (let s = 0; s < 10; s++) env.step([1, 0, 0, Number.NaN]);
    const after = env.observation;
    assert.ok(after[0]! - before[0]! > 0.3, `shoulder_pan moved ${after[0]! - before[0]!}`);
    assert.ok(Math.abs(after[3]! - before[3]!) < 0.05, 'wrist_flex held');
    env.dispose();
    other.dispose();
  });
});
