import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { motorTorque, trueStiffness, trueTorqueLimit } from '../../src/engine/emulator/effects/actuator';
import { Backlash } from '../../src/engine/emulator/effects/backlash';
import { COULOMB_SMOOTHING_RAD_PER_S, frictionTorqueNm } from '../../src/engine/sim/jointFriction';
import { LatencyQueue } from '../../src/engine/emulator/effects/latencyQueue';
import { Watchdog } from '../../src/engine/emulator/watchdog';
import { Rng } from '../../src/engine/util/rng';

describe('reality effects', () => {
  it('backlash: the output waits until the input crosses the dead band, then follows at half the band', () => {
    const b = new Backlash([0.1]);
    b.reset([0]);
    assert.equal(b.apply(0, 0.04), 0); // inside the band: nothing moves
    assert.ok(Math.abs(b.apply(0, 0.2) - 0.15) < 1e-12); // pushed: lags by half the band
    assert.ok(Math.abs(b.apply(0, 0.12) - 0.15) < 1e-12); // reversal: dead band again
    assert.ok(Math.abs(b.apply(0, 0.0) - 0.05) < 1e-12);
    const none = new Backlash([0]);
    none.reset([0]);
    assert.equal(none.apply(0, 0.3), 0.3);
  });

  it('friction opposes motion: Coulomb saturates, viscous grows with speed', () => {
    assert.equal(frictionTorqueNm(1, 0.2, 0), -0.2);
    assert.equal(frictionTorqueNm(-1, 0.2, 0), 0.2);
    assert.ok(Math.abs(frictionTorqueNm(COULOMB_SMOOTHING_RAD_PER_S / 2, 0.2, 0) + 0.1) < 1e-12);
    assert.equal(frictionTorqueNm(0, 0.2, 0.5), -0);
    assert.ok(Math.abs(frictionTorqueNm(2, 0, 0.5) + 1) < 1e-12);
  });

  it('gain error scales gain and torque; saturation caps the torque', () => {
    assert.ok(Math.abs(trueStiffness(40, -0.25) - 30) < 1e-12);
    assert.ok(Math.abs(trueTorqueLimit(8, 0.1, 0) - 8.8) < 1e-12);
    assert.equal(trueTorqueLimit(8, 0.1, 5), 5);
    assert.equal(motorTorque(1, 0, 0, 40, 1, 6), 6);
    assert.equal(motorTorque(0, 0.01, 0, 40, 1, 6), -0.4);
  });

  it('latency queue: latency ± jitter, never negative, never reordered, cleared by a stop', () => {
    const q = new LatencyQueue(20, 15, new Rng(7));
    const dues: number[] = [];
    for (let i = 0; i < 200; i++) {
      const c = q.push(i, new Float64Array(3), i * 2);
      dues.push(c.dueMs);
      assert.ok(c.dueMs >= c.receivedMs, 'never before arrival');
    }
    for (let i = 1; i < dues.length; i++) assert.ok(dues[i] >= dues[i - 1], 'never reordered');
    const delays = dues.map((d, i) => d - i * 2);
    // a delay is latency ± jitter, unless the command had to wait for its predecessor (same due time)
    for (let i = 0; i < delays.length; i++) {
      const inBand = delays[i] >= 5 - 1e-9 && delays[i] <= 35 + 1e-9;
      assert.ok(inBand || (i > 0 && dues[i] === dues[i - 1]), `command ${i}: delay ${delays[i]}`);
    }
    assert.equal(q.popDue(20 + 15 + 1).map((c) => c.seq)[0], 0);
    const dropped = q.clear();
    assert.ok(dropped.length > 0);
    assert.equal(q.length, 0);
    assert.equal(q.nextDueMs(), undefined);
  });

  it('latency without jitter is exact', () => {
    const q = new LatencyQueue(30, 0, new Rng(1));
    assert.equal(q.push(1, new Float64Array(1), 100).dueMs, 130);
    assert.equal(q.push(2, new Float64Array(1), 150).dueMs, 180);
    assert.deepEqual(q.popDue(129), []);
    assert.deepEqual(q.popDue(130).map((c) => c.seq), [1]);
  });

  it('watchdog fires once after the timeout, not before, and not when fed', () => {
    let now = 0;
    let fired = 0;
    const dog = new Watchdog({ timeoutMs: 100, now: () => now }, () => fired++);
    dog.start();
    now = 90;
    assert.equal(dog.check(), false);
    dog.feed();
    now = 180;
    assert.equal(dog.check(), false);
    now = 191;
    assert.equal(dog.check(), true);
    assert.equal(fired, 1);
    assert.equal(dog.running, false);
    assert.throws(() => new Watchdog({ timeoutMs: 0 }, () => undefined), /timeoutMs must be > 0/);
  });
});
