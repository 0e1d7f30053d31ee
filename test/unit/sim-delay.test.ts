/** Action delay: an action reaches the joint targets exactly N control steps after it is sent. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ActionDelayLine } from '../../src/engine/sim/actionDelay';
import { createEnv } from '../../src/engine/sim/simEnv';
import { experimentFor } from '../support/sim-fixtures';

test('delay line: what goes in at step t comes out at t + N, zeros before', () => {
  for (let delay = 0; delay <= 3; delay++) {
    const line = new ActionDelayLine(2, 5);
    line.reset(delay);
    const out = new Float64Array(2);
    for (let t = 0; t < 10; t++) {
      line.push([t + 1, -(t + 1)], out);
      const expected = t - delay >= 0 ? t - delay + 1 : 0;
      assert.deepEqual(Array.from(out), [expected, expected === 0 ? 0 : -expected], `delay ${delay}, step ${t}`);
    }
  }
  assert.throws(() => new ActionDelayLine(1, 3).reset(4), /outside 0..3/);
});

test('env: a changed action shows up in the joint target exactly N control steps later (N = 0..3)', async () => {
  for (let delay = 0; delay <= 3; delay++) {
    const experiment = experimentFor('push', [
      { name: 'action_delay', group: 'dynamics', distribution: 'randint', range: [delay, delay], operation: 'abs', size: 1, resample: 'episode' },
    ]);
    const env = await createEnv(experiment, { randomize: true });
    env.reset(11);
    assert.equal(env.sample.action_delay, delay);
    const start = Float64Array.from(env.jointTargetsRad);
    const sentAt = 4;
    let firstChange = -1;
    for (let t = 0; t < 12; t++) {
      // zeros hold the targets; from step `sentAt` on, drive the elbow at full speed
      env.step(t >= sentAt ? [0, 1, 0] : [0, 0, 0]);
      const moved = env.jointTargetsRad[1] !== start[1];
      if (moved && firstChange < 0) firstChange = t;
      assert.equal(env.jointTargetsRad[0], start[0], 'the shoulder target never moves');
    }
    assert.equal(firstChange, sentAt + delay, `delay ${delay}`);
    env.dispose();
  }
});
