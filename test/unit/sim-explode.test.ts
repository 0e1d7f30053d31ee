/** An exploding simulation ends the episode as 'exploded'; the env recovers at the next reset. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createEnv } from '../../src/engine/sim/simEnv';
import { experimentFor } from '../support/sim-fixtures';

test('a body flung far away ends the episode as exploded, and the next reset runs normally', async () => {
  const env = await createEnv(experimentFor('push'), { randomize: false });
  env.reset(3);
  env.step([0, 0, 0]);
  const before = Float64Array.from(env.observation);
  // What a diverging solver does: a body leaves the scene within one control step.
  env.scene.puck!.setLinvel({ x: 1e5, y: 0, z: 0 }, true);
  const r = env.step([0, 0, 0]);
  assert.equal(r.done, true);
  assert.equal(r.success, false);
  assert.equal(r.termination, 'exploded');
  assert.ok(r.reward <= -(env.maxEpisodeSteps - 2), `explosion reward ${r.reward}`);
  assert.deepEqual(Array.from(env.observation), Array.from(before), 'the observation keeps its last finite value');
  assert.equal(env.step([0, 0, 0]).termination, 'exploded', 'stepping a finished episode does nothing');

  env.reset(3);
  for (let t = 0; t < 20; t++) {
    const s = env.step([0.2, -0.2, 0.1]);
    assert.equal(s.termination, 'none');
    assert.ok(env.observation.every(Number.isFinite));
  }
  env.dispose();
});

test('NaN positions count as exploded; non-finite actions are treated as "hold"', async () => {
  const env = await createEnv(experimentFor('reach'), { randomize: false });
  env.reset(5);
  const r = env.step([Number.NaN, Number.POSITIVE_INFINITY, 0]);
  assert.equal(r.termination, 'none');
  assert.ok(env.jointTargetsRad.every(Number.isFinite));
  const link3 = env.scene.arm.links[2];
  const p = link3.translation();
  link3.setTranslation({ x: Number.NaN, y: p.y, z: p.z }, true);
  assert.equal(env.step([0, 0, 0]).termination, 'exploded');
  env.reset(5);
  assert.ok(env.observation.every(Number.isFinite));
  assert.equal(env.step([0, 0, 0]).termination, 'none');
  env.dispose();
});
