/**
 * The tasks are solvable under the example randomization, and not trivially: a scripted
 * controller that sees only the (noisy) observation succeeds in most episodes, doing nothing never.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { scriptedPushAction, scriptedReachAction } from '../../src/engine/sim/scripted';
import { createEnv } from '../../src/engine/sim/simEnv';
import { EXAMPLE_RANDOMIZATION, experimentFor, FULL_RANDOMIZATION } from '../support/sim-fixtures';
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

test('heavier puck, slower push: the same scripted pusher moves a 1 kg puck slower and takes longer', async () => {
  const run = async (massKg: number): Promise<{ peakSpeed: number; steps: number }> => {
    const mass: RandomizationEntry = { name: 'object_mass', group: 'physics', distribution: 'uniform', range: [massKg, massKg], operation: 'abs', size: 1, resample: 'episode' };
    const env = await createEnv(experimentFor('push', [mass]), { randomize: true });
    const action = new Float64Array(env.actionSize);
    let peakSpeed = 0;
    let steps = 0;
    for (let e = 0; e < 8; e++) {
      env.reset(e);
      let peak = 0;
      for (;;) {
        scriptedPushAction(env.observation, env.task.maxTargetStepRad, action);
        const r = env.step(action);
        peak = Math.max(peak, Math.hypot(env.trueObservation[10], env.trueObservation[11]));
        if (r.done) break;
      }
      peakSpeed += peak / 8;
      steps += env.episodeStep / 8;
    }
    env.dispose();
    return { peakSpeed, steps };
  };
  const light = await run(0.2);
  const heavy = await run(1.0);
  // the finger is position-controlled through a spring (40 N·m/rad): more load, more lag
  assert.ok(heavy.peakSpeed < 0.85 * light.peakSpeed, `peak puck speed ${heavy.peakSpeed} (1 kg) vs ${light.peakSpeed} (0.2 kg) m/s`);
  assert.ok(heavy.steps > light.steps, `episode length ${heavy.steps} vs ${light.steps} control steps`);
});
