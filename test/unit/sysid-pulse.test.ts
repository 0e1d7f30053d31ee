/**
 * Inertia from a torque pulse: only the states while the joint still accelerates carry I. A fast
 * joint (the moderate wrist: I/b = 31 ms) settles within a few 100 Hz states; fitted over the whole
 * pulse, a 2% error in the viscous b made I come out several times too large.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { pulseInertia } from '../../src/engine/sysid/frictionFit';
import { accelerationPhase } from '../../src/engine/sysid/live';
import type { Sample } from '../../src/engine/sysid/liveLink';

const I = 0.003435;
const b = 0.11;
const c = 0.05;

/** States of the wrist (joint 2) under a constant torque from rest, at 100 Hz, from the first that shows motion. */
function pulse(torqueNm: number, phaseS: number): Sample[] {
  const steady = (torqueNm - c) / b;
  const out: Sample[] = [];
  for (let k = 0; k < 100; k++) {
    const t = phaseS + 0.01 * k;
    const v = steady * (1 - Math.exp(-t / (I / b)));
    if (v > 0.08) out.push({ stampS: t, receivedMs: 1000 * t, position: [0, 0, 0], velocity: [0, 0, v], effort: [0, 0, torqueNm] });
  }
  return out;
}

function inertiaOf(samples: readonly Sample[], torqueNm: number, viscous: number): number {
  const t0 = samples[0]!.stampS;
  return pulseInertia({ timeS: samples.map((s) => s.stampS - t0), velocityRadPerS: samples.map((s) => s.velocity[2]!) }, torqueNm, viscous, c);
}

test('a pulse that settles: the acceleration phase gives I within 5% with b 2% off; the whole pulse does not', () => {
  for (const phase of [0, 0.003, 0.006]) {
    const torque = 0.16;
    const all = pulse(torque, phase);
    const accelerating = accelerationPhase(all, 2, (torque - c) / b);
    assert.ok(accelerating.length >= 4 && accelerating.length < 12, `${accelerating.length} accelerating states`);
    const good = inertiaOf(accelerating, torque, 1.02 * b);
    assert.ok(Math.abs(good / I - 1) < 0.05, `acceleration phase: I ${good} for ${I}`);
    const bad = inertiaOf(all, torque, 1.02 * b);
    assert.ok(!(Math.abs(bad / I - 1) < 0.5), `the whole pulse was expected to fail here (I ${bad})`);
  }
});

test('a pulse cut by the speed limit before it settles keeps every state', () => {
  const samples = pulse(0.3, 0).filter((s) => s.velocity[2]! < 1.5);
  assert.equal(accelerationPhase(samples, 2, (0.3 - c) / b).length, samples.length);
});
