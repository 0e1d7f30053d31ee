/**
 * The emulated robot's physics: the simulator's scene with the profile's effects, stepped directly
 * (no network, no real time) to check each effect shows up where hardware shows it.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RealityPlant, profileSample, type JointReadings } from '../../src/engine/emulator/realityPlant';
import { Rng } from '../../src/engine/util/rng';
import { profileFrom } from '../support/robot-helpers';

async function plantFor(text: string, seed = 1): Promise<RealityPlant> {
  return RealityPlant.create(profileFrom(text), new Rng(seed));
}

function readings(): JointReadings {
  return { name: ['shoulder', 'elbow', 'wrist'], position: [0, 0, 0], velocity: [0, 0, 0], effort: [0, 0, 0] };
}

/** Command a target (reported frame), run `steps` physics steps, return the true and reported angles. */
function settle(plant: RealityPlant, target: number[], steps: number): { truth: Float64Array; reported: JointReadings } {
  plant.command(target);
  for (let k = 0; k < steps; k++) plant.step();
  const reported = readings();
  plant.readJoints(reported);
  return { truth: plant.trueJointAngles(), reported };
}

describe('reality plant', () => {
  it('applies the profile\'s parameters through the simulator\'s sample keys', () => {
    const sample = profileSample(profileFrom('task: push\nparameters:\n  friction: 0.9\n  link_mass: { link2: 0.7 }\n  light_position: [1, 2, 3]\n'));
    assert.equal(sample['friction.puck'], 0.9);
    assert.equal(sample['friction.table'], 0.9);
    assert.equal(sample['link_mass.link2'], 0.7);
    assert.equal(sample['link_mass.link1'], undefined);
    assert.deepEqual(sample.light_position, [1, 2, 3]);
  });

  it('encoder offsets: the arm settles where the encoders say, offset from where it truly is', async () => {
    const plant = await plantFor('effects:\n  encoderOffsetRad: [0.05, -0.03, 0.02]\n');
    try {
      plant.resetEpisode();
      const start = readings();
      plant.readJoints(start);
      const target = [start.position[0]! + 0.2, start.position[1]!, start.position[2]!];
      const { truth, reported } = settle(plant, target, 300);
      for (let i = 0; i < 3; i++) {
        assert.ok(Math.abs(reported.position[i]! - target[i]!) < 0.01, `joint ${i} reported ${reported.position[i]} vs ${target[i]}`);
      }
      assert.ok(Math.abs(truth[0]! - (target[0]! - 0.05)) < 0.01, `true shoulder ${truth[0]} vs ${target[0]! - 0.05}`);
      assert.ok(Math.abs(truth[1]! - (target[1]! + 0.03)) < 0.01);
    } finally {
      plant.dispose();
    }
  });

  it('Coulomb friction leaves a steady-state error that the frictionless arm does not have', async () => {
    const errorWith = async (text: string): Promise<number> => {
      const plant = await plantFor(text);
      try {
        plant.resetEpisode();
        const q = plant.trueJointAngles();
        const { truth } = settle(plant, [q[0]! + 0.3, q[1]!, q[2]!], 400);
        return Math.abs(truth[0]! - (q[0]! + 0.3));
      } finally {
        plant.dispose();
      }
    };
    const clean = await errorWith('');
    const sticky = await errorWith('effects:\n  frictionCoulombNm: [1.5, 0, 0]\n');
    assert.ok(clean < 0.005, `frictionless error ${clean} rad`);
    // tau_c / k = 1.5 / 40 = 0.0375 rad of dead zone at most
    assert.ok(sticky > 0.01 && sticky < 0.05, `error with Coulomb friction ${sticky} rad`);
  });

  it('torque saturation caps the reported effort', async () => {
    const plant = await plantFor('effects:\n  torqueLimitNm: 2\n');
    try {
      plant.resetEpisode();
      const q = plant.trueJointAngles();
      plant.command([q[0]! + 1, q[1]!, q[2]!]);
      plant.step();
      const r = readings();
      plant.readJoints(r);
      assert.ok(Math.abs(r.effort[0]! - 2) < 1e-9, `effort ${r.effort[0]} at a 1 rad error, capped at 2 N·m`);
    } finally {
      plant.dispose();
    }
  });

  it('backlash: after a reversal the joint does not follow a command smaller than the dead band', async () => {
    const plant = await plantFor('effects:\n  backlashRad: [0.1, 0, 0]\n');
    try {
      plant.resetEpisode();
      const q = Array.from(plant.trueJointAngles());
      const up = settle(plant, [q[0]! + 0.2, q[1]!, q[2]!], 300).truth[0]!;
      // engaged on the upper side: the output lags the input by half the band
      assert.ok(Math.abs(up - (q[0]! + 0.15)) < 0.01, `${up} vs ${q[0]! + 0.15}`);
      const back = settle(plant, [q[0]! + 0.12, q[1]!, q[2]!], 300).truth[0]!;
      assert.ok(Math.abs(back - up) < 0.005, `reversal of 0.08 rad < band moved the joint by ${back - up}`);
    } finally {
      plant.dispose();
    }
  });

  it('sensor noise is seeded: the same seed reports the same values, another seed different ones', async () => {
    const sample = async (seed: number): Promise<number[]> => {
      const plant = await plantFor('effects:\n  jointPositionNoiseRad: 0.01\n', seed);
      try {
        plant.resetEpisode();
        const out: number[] = [];
        for (let k = 0; k < 5; k++) {
          const r = readings();
          plant.readJoints(r);
          out.push(...r.position);
        }
        return out;
      } finally {
        plant.dispose();
      }
    };
    const a = await sample(4);
    assert.deepEqual(await sample(4), a);
    assert.notDeepEqual(await sample(5), a);
  });
});
