/**
 * RealImageOverlay: the policy's observation is the simulator's, except the puck position (the
 * perception model's estimate from a render of the current state) and the puck velocity (the
 * estimate's change per control period).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadExperiment } from '../../src/engine/config/load';
import { DEFAULT_SHAPE, PuckNet } from '../../src/engine/perception/puckNet';
import { PUSH_PUCK_POSITION_INDEX, PUSH_PUCK_VELOCITY_INDEX, RealImageOverlay } from '../../src/engine/perception/realImageOverlay';
import { createEnv, type SimEnv } from '../../src/engine/sim/simEnv';
import { Rng } from '../../src/engine/util/rng';
import { nominalAppearance } from '../../src/engine/vision/appearance';
import { nominalCamera } from '../../src/engine/vision/visualSample';

test('the overlay replaces the puck position and velocity with the perception estimate, and nothing else', async () => {
  const experiment = loadExperiment(`${__dirname}/../../examples/push.s2r.yaml`).experiment!;
  const sim = (await createEnv(experiment, { randomize: false })) as SimEnv;
  const rng = new Rng(2);
  const net = new PuckNet(DEFAULT_SHAPE, { centre: [0.45, 0], halfExtent: [0.3, 0.35] }, () => rng.next());
  // a head that gives the keypoints weight, so the estimate moves with the image
  for (let i = 0; i < net.headW.size; i++) net.headW.data[i] = rng.gaussian(0, 1);
  const overlay = new RealImageOverlay(sim, net, { camera: nominalCamera(experiment), controlPeriodS: sim.task.controlPeriodS, appearanceFor: () => nominalAppearance() });
  try {
    overlay.reset(11);
    const first = net.predict([overlay.image])[0]!;
    assert.equal(overlay.observation[PUSH_PUCK_POSITION_INDEX], first.x);
    assert.equal(overlay.observation[PUSH_PUCK_POSITION_INDEX + 1], first.y);
    const action = new Float64Array(sim.actionSize).fill(0.5);
    for (let k = 0; k < 5; k++) overlay.step(action);
    const before = { x: overlay.observation[PUSH_PUCK_POSITION_INDEX]!, y: overlay.observation[PUSH_PUCK_POSITION_INDEX + 1]! };
    overlay.step(action);
    const now = net.predict([overlay.image])[0]!;
    assert.equal(overlay.observation[PUSH_PUCK_POSITION_INDEX], now.x);
    assert.ok(Math.abs(overlay.observation[PUSH_PUCK_VELOCITY_INDEX]! - (now.x - before.x) / sim.task.controlPeriodS) < 1e-9);
    for (let i = 0; i < sim.observationSize; i++) {
      if (i >= PUSH_PUCK_POSITION_INDEX && i < PUSH_PUCK_VELOCITY_INDEX + 2) continue;
      assert.equal(overlay.observation[i], sim.observation[i], `observation ${i} must be the simulator's`);
    }
    const truth = sim.trueObservation;
    assert.ok(Math.abs(overlay.lastErrorM - Math.hypot(now.x - truth[PUSH_PUCK_POSITION_INDEX]!, now.y - truth[PUSH_PUCK_POSITION_INDEX + 1]!)) < 1e-9);
  } finally {
    overlay.dispose();
  }
});
