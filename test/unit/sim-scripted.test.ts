/**
 * The tasks are solvable under the example randomization, and not trivially: a scripted
 * controller that sees only the (noisy) observation succeeds in most episodes, doing nothing never.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { scriptedPushAction, scriptedReachAction } from '../../src/engine/sim/scripted';
import { createEnv } from '../../src/engine/sim/simEnv';
import { EXAMPLE_RANDOMIZATION, experimentFor, FULL_RANDOMIZATION } from './sim-fixtures';
import type { RandomizationEntry } from '../../src/engine/config/experiment';
import type { TaskName } from '../../src/engine/config/taskCatalog';

type Controller = (o: ArrayLike<number>, maxTargetStepRad: number, out: Float64Array) => void;

async function successRate(task: TaskName, randomization: readonly RandomizationEntry[], controller: Controller, episodes: number): Promise<number> {
  const env = await createEnv(experimentFor(task, randomization), { randomize: true });
  const action = new Float64Array(env.actionSize);
  let successes = 0;
  for (let e = 0; e < episodes; e++) {
    env.reset(5000 + e);
    for (;;) {
      controller(env.observation, env.task.maxTargetStepRad, action);
      const r = env.step(action);
      if (r.done) {
        if (r.success) successes++;
        assert.notEqual(r.termination, 'exploded');
        break;
      }
    }
  }
  env.dispose();
  return successes / episodes;
}

const hold: Controller = (_o, _m, out) => out.fill(0);

test('push: the scripted pusher succeeds under the example randomization; holding still never does', async () => {
  const scripted = await successRate('push', EXAMPLE_RANDOMIZATION, scriptedPushAction, 40);
  assert.ok(scripted >= 0.9, `scripted success ${scripted}`);
  const idle = await successRate('push', EXAMPLE_RANDOMIZATION, hold, 5);
  assert.equal(idle, 0);
});

test('push: the scripted pusher also succeeds with every physics and dynamics parameter randomized', async () => {
  const scripted = await successRate('push', FULL_RANDOMIZATION, scriptedPushAction, 20);
  assert.ok(scripted >= 0.85, `scripted success ${scripted}`);
});

test('reach: the scripted reacher succeeds under full randomization', async () => {
  const scripted = await successRate('reach', FULL_RANDOMIZATION, scriptedReachAction, 20);
  assert.ok(scripted >= 0.9, `scripted success ${scripted}`);
  const idle = await successRate('reach', FULL_RANDOMIZATION, hold, 5);
  assert.equal(idle, 0);
});
