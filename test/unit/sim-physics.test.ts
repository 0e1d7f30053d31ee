/**
 * Each physics and actuator parameter changes what the simulation does, by the amount theory
 * predicts where there is a closed form (sliding distance) and in the right direction elsewhere.
 * All changes go through the scene's named setters, as the randomizer's do.
 */
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { initRapier } from '../../src/engine/sim/rapier';
import { readArmState } from '../../src/engine/sim/tasks/arm';
import { PUCK, SCENE_NOMINAL, TableScene } from '../../src/engine/sim/tasks/tableScene';
import { placeArm } from '../../src/engine/sim/tasks/arm';

const G = SCENE_NOMINAL.gravityMPerS2;
let scene: TableScene;

before(async () => {
  await initRapier();
  scene = new TableScene({ withPuck: true });
});

interface SlideSetup {
  frictionPuck: number;
  frictionTable: number;
  dampingPerS?: number;
  massKg?: number;
}

/** Settle the puck on the table, give it an impulse along +x, and return how far it slides, m. */
function slide(setup: SlideSetup, launch: { speedMPerS?: number; impulseNs?: number }): number {
  scene.restore();
  scene.setFriction('puck', setup.frictionPuck);
  scene.setFriction('table', setup.frictionTable);
  scene.setLinearDamping('puck', setup.dampingPerS ?? 0);
  scene.setAngularDamping('puck', 0);
  if (setup.massKg !== undefined) scene.setObjectMass('puck', setup.massKg);
  scene.placePuck(0, -0.45); // away from the arm's finger
  for (let k = 0; k < 20; k++) scene.step();
  const puck = scene.puck!;
  const x0 = puck.translation().x;
  if (launch.speedMPerS !== undefined) puck.setLinvel({ x: launch.speedMPerS, y: 0, z: 0 }, true);
  else puck.applyImpulse({ x: launch.impulseNs!, y: 0, z: 0 }, true);
  for (let k = 0; k < 2000; k++) {
    scene.step();
    const v = puck.linvel();
    if (Math.hypot(v.x, v.y) < 1e-4) break;
  }
  return puck.translation().x - x0;
}

/**
 * Tolerance of a slide against the closed form, m. The solver integrates in substeps of
 * h = dt / iterations, moving the body with its already-slowed velocity, so the discrete slide
 * falls short of the continuous one by about v*h/2; allow v*h (5 mm of travel at 1 m/s) plus 1 mm
 * for the puck settling into its contact.
 */
function slideTolerance(speed: number): number {
  const substep = scene.world.timestep / scene.world.numSolverIterations;
  return speed * substep + 1e-3;
}

test('friction: a puck launched at v slides v^2 / (2 mu g), less far with more friction', () => {
  const v = 1.5;
  const distances: number[] = [];
  for (const mu of [0.3, 0.6, 1.2]) {
    const d = slide({ frictionPuck: mu, frictionTable: mu }, { speedMPerS: v });
    const theory = (v * v) / (2 * mu * G);
    assert.ok(Math.abs(d - theory) <= slideTolerance(v), `mu ${mu}: slid ${d.toFixed(4)} m, theory ${theory.toFixed(4)} m`);
    distances.push(d);
  }
  // doubling friction halves the slide (the shared discretization error mostly cancels)
  assert.ok(Math.abs(distances[0] / distances[1] - 2) < 0.06, `ratio ${distances[0] / distances[1]}`);
  assert.ok(Math.abs(distances[1] / distances[2] - 2) < 0.06, `ratio ${distances[1] / distances[2]}`);
});

test('friction: Rapier averages the two materials in contact', () => {
  const v = 1.5;
  const d = slide({ frictionPuck: 1.0, frictionTable: 0.4 }, { speedMPerS: v });
  const theory = (v * v) / (2 * 0.7 * G);
  assert.ok(Math.abs(d - theory) <= slideTolerance(v), `slid ${d}, theory ${theory}`);
});

test('linear damping: the slide matches the friction + viscous closed form and shortens with damping', () => {
  const v = 1.5;
  const mu = 0.6;
  const results: number[] = [];
  for (const c of [0.5, 2, 8]) {
    const d = slide({ frictionPuck: mu, frictionTable: mu, dampingPerS: c }, { speedMPerS: v });
    // dv/dt = -mu g - c v  =>  d = v/c - (mu g / c^2) ln(1 + c v / (mu g))
    const theory = v / c - ((mu * G) / (c * c)) * Math.log(1 + (c * v) / (mu * G));
    // Rapier damps as v / (1 + c dt) once per step, a little less than exp(-c dt): allow c dt / 2
    // of the slide on top of the integration tolerance.
    const dampingTolerance = (theory * c * scene.world.timestep) / 2;
    assert.ok(Math.abs(d - theory) <= slideTolerance(v) + dampingTolerance, `c ${c}: slid ${d}, theory ${theory}`);
    results.push(d);
  }
  assert.ok(results[0] > results[1] && results[1] > results[2], `distances ${results}`);
});

test('object mass: the same impulse moves a heavier puck less, as (J/m)^2 / (2 mu g)', () => {
  const impulse = 0.3; // N·s
  const mu = 0.6;
  const light = slide({ frictionPuck: mu, frictionTable: mu, massKg: 0.2 }, { impulseNs: impulse });
  const heavy = slide({ frictionPuck: mu, frictionTable: mu, massKg: 0.3 }, { impulseNs: impulse });
  assert.ok(heavy < light, `heavy ${heavy} vs light ${light}`);
  for (const [m, d] of [[0.2, light], [0.3, heavy]] as const) {
    const v = impulse / m;
    const theory = (v * v) / (2 * mu * G);
    assert.ok(Math.abs(d - theory) <= slideTolerance(v), `m ${m}: slid ${d}, theory ${theory}`);
  }
});

test('angular damping: a spinning puck slows faster with more angular damping', () => {
  const spinAfter = (damping: number): number => {
    scene.restore();
    // Without friction, so that only damping slows the spin (table friction would stop it in 0.1 s).
    scene.setFriction('puck', 0);
    scene.setFriction('table', 0);
    scene.placePuck(0, -0.45);
    scene.setAngularDamping('puck', damping);
    for (let k = 0; k < 10; k++) scene.step();
    scene.puck!.setAngvel({ x: 0, y: 0, z: 20 }, true);
    for (let k = 0; k < 20; k++) scene.step();
    return scene.puck!.angvel().z;
  };
  const low = spinAfter(0.1);
  const high = spinAfter(5);
  assert.ok(high < low && high > 0, `spin after 0.2 s: damping 5 -> ${high}, damping 0.1 -> ${low}`);
});

test('restitution: a dropped puck bounces higher with more restitution', () => {
  const bounce = (restitution: number): number => {
    scene.restore();
    scene.setRestitution('puck', restitution);
    scene.setRestitution('table', restitution);
    scene.placePuck(0, -0.45);
    const puck = scene.puck!;
    const restZ = puck.translation().z;
    puck.setTranslation({ x: 0, y: -0.45, z: restZ + 0.1 }, true);
    let wasFalling = false;
    let peak = -Infinity;
    for (let k = 0; k < 100; k++) {
      scene.step();
      const vz = puck.linvel().z;
      if (vz < -0.5) wasFalling = true;
      if (wasFalling && vz > 0) peak = Math.max(peak, puck.translation().z - restZ);
    }
    return peak === -Infinity ? 0 : peak;
  };
  const none = bounce(0);
  const some = bounce(0.5);
  const lots = bounce(0.9);
  assert.ok(none < 0.01, `restitution 0 rebounds ${none} m`);
  assert.ok(some > none + 0.01 && lots > some, `rebounds ${none}, ${some}, ${lots} m`);
});

test('table height: the puck rests on the moved table top', () => {
  scene.restore();
  scene.setTableHeight(0.77);
  scene.placePuck(0.4, 0);
  for (let k = 0; k < 50; k++) scene.step();
  const z = scene.puck!.translation().z;
  assert.ok(Math.abs(z - (0.77 + PUCK.halfHeightM)) < 2e-3, `puck centre at ${z}`);
});

/** Shoulder angle 0.1 s after its target steps from 0 to 1 rad, with the other joints held. */
function shoulderStep(configure: () => void): number {
  scene.restore();
  placeArm(scene.arm, [0, 0, 0]);
  for (let i = 0; i < 3; i++) scene.setJointTarget(i, 0);
  configure();
  scene.setJointTarget(0, 1);
  const steps = Math.round(0.1 / scene.world.timestep);
  for (let k = 0; k < steps; k++) scene.step();
  const state = new Float64Array(8);
  readArmState(scene.arm, state, 0);
  return state[0];
}

test('joint stiffness: stiffer position control moves further toward the target in 0.1 s', () => {
  const soft = shoulderStep(() => scene.setJointStiffness('shoulder', 20));
  const stiff = shoulderStep(() => scene.setJointStiffness('shoulder', 80));
  assert.ok(stiff > soft + 0.02, `stiffness 80: ${stiff} rad, 20: ${soft} rad`);
});

test('motor strength: a weaker motor (torque limit) moves less in 0.1 s', () => {
  const strong = shoulderStep(() => scene.setMotorStrength('shoulder', 8));
  const weak = shoulderStep(() => scene.setMotorStrength('shoulder', 1));
  assert.ok(weak < strong - 0.02, `limit 1 N·m: ${weak} rad, 8 N·m: ${strong} rad`);
});

test('joint damping: more viscous damping slows the joint', () => {
  const light = shoulderStep(() => scene.setJointDamping('shoulder', 0.05));
  const heavy = shoulderStep(() => scene.setJointDamping('shoulder', 20));
  assert.ok(heavy < light - 0.02, `damping 20: ${heavy} rad, 0.05: ${light} rad`);
});

test('link mass: heavier links respond more slowly', () => {
  const light = shoulderStep(() => undefined);
  const heavy = shoulderStep(() => {
    for (const link of ['link1', 'link2', 'link3']) scene.setLinkMass(link, 2);
  });
  assert.ok(heavy < light - 0.02, `links 2 kg: ${heavy} rad, 0.5 kg: ${light} rad`);
});
