/**
 * URDF robots (src/engine/urdf/loadUrdf.ts, src/engine/sim/urdfArm.ts), run with
 * `npx tsx bench/robots.bench.ts [--repeats 9]` (or `npm run bench -- robots`):
 *  1. loadUrdf() and buildUrdfArm() of a 6-link chain whose links are ~10 MB of binary STL in all
 *     (~200k triangles, generated spheres and tessellated cylinders, collision = visual = the same
 *     file, so each is read once), against the same chain with primitive shapes, both in this run.
 *  2. Steps/s of the SO-101 (dt 5 ms, gravity, armature 0.005, k 40, d 0.5) and the three-link arm
 *     (dt 20 ms, no gravity, k 40, d 6), impulse and multibody joints: (a) world.step() alone,
 *     (b) world.step() plus the arm's per-step work (applyControl, readPositions, readVelocities,
 *     framePosition of the end effector); the ratio b/a per round; and control steps per second at
 *     20 ms each (the SO-101 takes 4 physics steps per 20 ms). Impulse joints with armature diverge
 *     on the SO-101, so its impulse speed is also measured with armature 0. Then the SO-101's
 *     tracking error after holding a target for 2 s under gravity, with either kind of joint.
 *  3. MuJoCo (official WASM build, npm `mujoco-js`) loading robots/so101/so101.urdf itself: its
 *     steps/s against Rapier's multibody arm, and both engines driven open-loop with the same
 *     torque sequence for 2 s (gravity, armature 0.005): joint angle differences, by joint name.
 *
 * What the MuJoCo comparison has to get right to be fair (each found by measuring, not assumed):
 *  - Rapier gives every revolute multibody DOF a built-in damping of 0.1 N·m·s/rad, integrated
 *    implicitly (rapier's `MultibodyJoint::default_damping`; the JS bindings cannot change it), and
 *    the bodies' velocities it reports are one solver substep (dt / numSolverIterations) old while
 *    their poses are current. MuJoCo gets dof_damping 0.1 to match (the SO-101's URDF happens to
 *    say 0.1 too); its frictionloss, joint limits and contacts are off (urdfArm has none of them).
 *  - Rapier integrates each step in numSolverIterations (4) substeps; MuJoCo at dt / 4 integrates
 *    the same way, MuJoCo at dt does not: both are reported.
 *  - mujoco-js 0.0.7 drops a URDF <inertial><origin rpy> rotation (google-deepmind/mujoco#3559, the
 *    SO-101's upper arm has one). MuJoCo reads a copy, in memory, with each inertia tensor rotated
 *    into its link frame and rpy 0; the shipped file is compared as read, too.
 *  - urdfArm adds armature to the child body's inertia tensor about the joint axis, so it also
 *    loads every upstream joint whose axis is parallel; MuJoCo adds it to the joint's own diagonal
 *    of the mass matrix only. A MuJoCo model with urdfArm's armature folded into its link
 *    inertias separates that modelling difference from the rest.
 *
 * Everything is warmed up first (the first ~2,000 Rapier steps run slower) and timed in interleaved
 * rounds; medians, min-max and ratios per round are printed.
 * SIM2REAL_BENCH_SMOKE=1: the same code paths with 2k-triangle meshes, one short round of each
 * (the hold and trajectory runs are short already and run in full).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { World } from '@dimforge/rapier3d-compat';
import { initRapier, type Rapier } from '../src/engine/sim/rapier';
import { buildUrdfArm, UrdfArm } from '../src/engine/sim/urdfArm';
import type { KinematicTree } from '../src/engine/urdf/kinematicTree';
import { principalAxes } from '../src/engine/urdf/inertia';
import { loadUrdf } from '../src/engine/urdf/loadUrdf';
import { parseStl } from '../src/engine/urdf/stl';
import { matrixOf, type Vec3 } from '../src/engine/urdf/transform';
import { announceSmoke, smoke } from './smoke';

const REPEATS = Number(argValue('--repeats') ?? smoke(9, 1));
/** Triangles in all six generated meshes (50 bytes each in binary STL: ~10 MB). */
const MESH_TRIANGLES = smoke(200_000, 12_000);
const STEPS_PER_ROUND = smoke(5000, 100);
const WARMUP_STEPS = smoke(6000, 100);
/** 2 s at 5 ms. */
const HOLD_STEPS = 400;
const TRAJECTORY_STEPS = 400;

const REPO = join(__dirname, '..');
const SO101 = join(REPO, 'robots', 'so101', 'so101.urdf');
const THREE_LINK = join(REPO, 'robots', 'three_link_arm', 'three_link_arm.urdf');
const HOLD_TARGET = [0.4, -0.4, 0.4, -0.4, 0.4, 0.2];
/** Rapier's damping on each revolute DOF of a multibody (MultibodyJoint::default_damping), N·m·s/rad. */
const RAPIER_MULTIBODY_DAMPING = 0.1;

function argValue(flag: string): string | undefined {
  const i = process.argv.indexOf(flag);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

function fmt(x: number): string {
  return Math.abs(x) >= 100 ? x.toFixed(0) : Math.abs(x) >= 10 ? x.toFixed(1) : x.toFixed(2);
}

function describe(label: string, xs: readonly number[], unit: string, width = 52): string {
  const med = median(xs);
  const lo = Math.min(...xs);
  const hi = Math.max(...xs);
  return `${label.padEnd(width)} median ${fmt(med).padStart(7)} ${unit}   min ${fmt(lo)}  max ${fmt(hi)}  (spread ±${((50 * (hi - lo)) / med).toFixed(0)}%)`;
}

function treeOf(path: string): KinematicTree {
  const loaded = loadUrdf(path);
  if (!loaded.tree) throw new Error(`${path}: ${loaded.problems.map((p) => p.message).join('; ')}`);
  return loaded.tree;
}

// ---------------------------------------------------------------------------------------------
// 1. Loading a URDF with 10 MB of meshes

/** A binary STL of the given triangles (xyz triples, three per triangle). */
function binaryStl(triangles: Float32Array): Buffer {
  const count = triangles.length / 9;
  const out = Buffer.alloc(84 + 50 * count);
  out.write('binary STL generated by bench/robots.bench.ts', 0, 'ascii');
  out.writeUInt32LE(count, 80);
  for (let t = 0; t < count; t++) {
    const o = 84 + 50 * t;
    const v = triangles.subarray(9 * t, 9 * t + 9);
    const ux = v[3]! - v[0]!, uy = v[4]! - v[1]!, uz = v[5]! - v[2]!;
    const wx = v[6]! - v[0]!, wy = v[7]! - v[1]!, wz = v[8]! - v[2]!;
    let nx = uy * wz - uz * wy, ny = uz * wx - ux * wz, nz = ux * wy - uy * wx;
    const n = Math.hypot(nx, ny, nz) || 1;
    nx /= n; ny /= n; nz /= n;
    out.writeFloatLE(nx, o);
    out.writeFloatLE(ny, o + 4);
    out.writeFloatLE(nz, o + 8);
    for (let k = 0; k < 9; k++) out.writeFloatLE(v[k]!, o + 12 + 4 * k);
  }
  return out;
}

/** A UV sphere of about `target` triangles. */
function sphereTriangles(radius: number, target: number): Float32Array {
  const n = Math.max(4, Math.round(Math.sqrt(target / 2)));
  const lat = n, lon = n;
  const p = (i: number, j: number): Vec3 => {
    const th = (Math.PI * i) / lat;
    const ph = (2 * Math.PI * j) / lon;
    return [radius * Math.sin(th) * Math.cos(ph), radius * Math.sin(th) * Math.sin(ph), radius * Math.cos(th)];
  };
  const out: number[] = [];
  for (let i = 0; i < lat; i++) {
    for (let j = 0; j < lon; j++) {
      const a = p(i, j), b = p(i + 1, j), c = p(i + 1, j + 1), d = p(i, j + 1);
      if (i > 0) out.push(...a, ...b, ...d);
      if (i < lat - 1) out.push(...b, ...c, ...d);
    }
  }
  return Float32Array.from(out);
}

/** A cylinder along z, its sides cut into rings (every vertex on the hull, many coplanar). */
function cylinderTriangles(radius: number, length: number, target: number): Float32Array {
  const seg = Math.max(6, Math.round(Math.sqrt(target / 2)));
  const stacks = Math.max(1, Math.round((target - 2 * seg) / (2 * seg)));
  const p = (k: number, j: number): Vec3 => {
    const ph = (2 * Math.PI * j) / seg;
    return [radius * Math.cos(ph), radius * Math.sin(ph), -length / 2 + (length * k) / stacks];
  };
  const out: number[] = [];
  for (let k = 0; k < stacks; k++) {
    for (let j = 0; j < seg; j++) {
      const a = p(k, j), b = p(k, j + 1), c = p(k + 1, j + 1), d = p(k + 1, j);
      out.push(...a, ...b, ...c, ...a, ...c, ...d);
    }
  }
  for (let j = 0; j < seg; j++) {
    out.push(0, 0, -length / 2, ...p(0, j + 1), ...p(0, j));
    out.push(0, 0, length / 2, ...p(stacks, j), ...p(stacks, j + 1));
  }
  return Float32Array.from(out);
}

const CHAIN_AXES = ['0 0 1', '0 1 0', '0 1 0', '0 1 0', '1 0 0', '0 1 0'];

/** A 6-joint chain: base + 6 links, 0.15 m apart; each link a sphere or a cylinder. */
function chainUrdf(geometry: (link: number) => string): string {
  const links: string[] = [];
  links.push(`  <link name="base_link"><inertial><mass value="1"/><inertia ixx="0.01" ixy="0" ixz="0" iyy="0.01" iyz="0" izz="0.01"/></inertial></link>`);
  for (let i = 1; i <= 6; i++) {
    const g = geometry(i);
    links.push(
      `  <link name="link${i}">`,
      `    <inertial><origin xyz="0 0 0.075"/><mass value="0.5"/><inertia ixx="0.001" ixy="0" ixz="0" iyy="0.001" iyz="0" izz="0.0005"/></inertial>`,
      `    <visual><origin xyz="0 0 0.075"/><geometry>${g}</geometry></visual>`,
      `    <collision><origin xyz="0 0 0.075"/><geometry>${g}</geometry></collision>`,
      `  </link>`,
      `  <joint name="joint${i}" type="revolute"><parent link="${i === 1 ? 'base_link' : `link${i - 1}`}"/><child link="link${i}"/>`,
      `    <origin xyz="0 0 ${i === 1 ? 0.05 : 0.15}"/><axis xyz="${CHAIN_AXES[i - 1]}"/><limit lower="-2" upper="2" effort="10" velocity="5"/></joint>`,
    );
  }
  return `<?xml version="1.0"?>\n<robot name="mesh_chain">\n${links.join('\n')}\n</robot>\n`;
}

interface MeshFixture {
  readonly dir: string;
  readonly meshUrdf: string;
  readonly primitiveUrdf: string;
  readonly meshFiles: readonly string[];
  readonly bytes: number;
  readonly triangles: number;
}

function writeMeshFixture(): MeshFixture {
  const dir = mkdtempSync(join(tmpdir(), 'bench-robots-'));
  const perMesh = Math.round(MESH_TRIANGLES / 6);
  const meshFiles: string[] = [];
  let bytes = 0;
  let triangles = 0;
  for (let i = 1; i <= 6; i++) {
    const tris = i % 2 ? sphereTriangles(0.05, perMesh) : cylinderTriangles(0.03, 0.15, perMesh);
    const stl = binaryStl(tris);
    const file = join(dir, `link${i}.stl`);
    writeFileSync(file, stl);
    meshFiles.push(file);
    bytes += stl.length;
    triangles += tris.length / 9;
  }
  const meshUrdf = join(dir, 'mesh_chain.urdf');
  writeFileSync(meshUrdf, chainUrdf((i) => `<mesh filename="link${i}.stl"/>`));
  const primitiveUrdf = join(dir, 'primitive_chain.urdf');
  writeFileSync(primitiveUrdf, chainUrdf((i) => (i % 2 ? '<sphere radius="0.05"/>' : '<cylinder radius="0.03" length="0.15"/>')));
  return { dir, meshUrdf, primitiveUrdf, meshFiles, bytes, triangles };
}

function timeMs(fn: () => void): number {
  const t0 = performance.now();
  fn();
  return performance.now() - t0;
}

function loadBench(R: Rapier): void {
  const fixture = writeMeshFixture();
  try {
    console.log(`\n== 1. URDF load: 6-link chain, ${fixture.triangles.toLocaleString('en-US')} triangles in 6 binary STL files, ${(fixture.bytes / 1e6).toFixed(1)} MB (${(fixture.bytes / 1048576).toFixed(1)} MiB; collision = visual, the same file) ==`);
    const mesh = treeOf(fixture.meshUrdf);
    const primitive = treeOf(fixture.primitiveUrdf);
    const vertices = mesh.bodies.reduce((n, b) => n + b.collisions.reduce((m, c) => m + (c.shape.geometry.kind === 'mesh' ? c.shape.geometry.mesh!.vertices.length / 3 : 0), 0), 0);
    const bytes = fixture.meshFiles.map((f) => readFileSync(f));
    const world = (): World => new R.World({ x: 0, y: 0, z: -9.81 });
    const build = (tree: KinematicTree): number => {
      const w = world();
      const ms = timeMs(() => buildUrdfArm(R, w, tree, { basePose: { p: [0, 0, 0], q: [0, 0, 0, 1] }, collisionGroups: 0, joints: 'multibody' }));
      w.free();
      return ms;
    };
    // first (cold) runs, then interleaved timed rounds
    const first = { load: timeMs(() => treeOf(fixture.meshUrdf)), build: build(mesh) };
    const loadMesh: number[] = [];
    const loadPrim: number[] = [];
    const parseOnly: number[] = [];
    const buildMesh: number[] = [];
    const buildPrim: number[] = [];
    const rounds = Math.max(REPEATS, smoke(7, 1));
    for (let r = 0; r < rounds; r++) {
      loadMesh.push(timeMs(() => treeOf(fixture.meshUrdf)));
      loadPrim.push(timeMs(() => treeOf(fixture.primitiveUrdf)));
      parseOnly.push(timeMs(() => bytes.forEach((b) => parseStl(b))));
      buildMesh.push(build(mesh));
      buildPrim.push(build(primitive));
    }
    console.log(`distinct vertices ${vertices.toLocaleString('en-US')}; ${rounds} interleaved rounds after one first run (load ${fmt(first.load)} ms, build ${fmt(first.build)} ms); files in the page cache`);
    console.log(describe('loadUrdf(), meshes', loadMesh, 'ms'));
    console.log(describe('  of which parseStl() of the 6 files (bytes in memory)', parseOnly, 'ms'));
    console.log(describe('loadUrdf(), primitives (baseline)', loadPrim, 'ms'));
    console.log(describe('buildUrdfArm(), convex hulls of the meshes', buildMesh, 'ms'));
    console.log(describe('buildUrdfArm(), primitives (baseline)', buildPrim, 'ms'));
    console.log(describe('load ratio meshes / primitives', loadMesh.map((m, i) => m / loadPrim[i]!), 'x'));
    console.log(describe('build ratio meshes / primitives', buildMesh.map((m, i) => m / buildPrim[i]!), 'x'));
    console.log(describe('load + build, meshes, per MB of STL', loadMesh.map((m, i) => (m + buildMesh[i]!) / (fixture.bytes / 1e6)), 'ms/MB'));
  } finally {
    rmSync(fixture.dir, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------------------------
// 2. Steps per second and tracking

interface RobotCase {
  readonly name: string;
  readonly tree: KinematicTree;
  readonly gravity: number;
  readonly dt: number;
  readonly armature: number;
  readonly stiffness: number;
  readonly damping: number;
  readonly endEffector: string;
  readonly targets: readonly number[];
}

interface ArmWorld {
  readonly world: World;
  readonly arm: UrdfArm;
}

function armWorld(R: Rapier, c: RobotCase, joints: 'impulse' | 'multibody', armature = c.armature, gravity = c.gravity, dt = c.dt): ArmWorld {
  const world = new R.World({ x: 0, y: 0, z: -gravity });
  world.timestep = dt;
  const handles = buildUrdfArm(R, world, c.tree, {
    basePose: { p: [0, 0, 0], q: [0, 0, 0, 1] },
    collisionGroups: 0,
    joints,
    armature: c.tree.joints.map(() => armature),
  });
  const arm = new UrdfArm(c.tree, handles);
  arm.bind(world);
  return { world, arm };
}

/** A timed loop over one world: raw steps, or steps with the arm's per-step work. */
class StepLoop {
  readonly q: Float64Array;
  readonly dq: Float64Array;
  readonly tip = new Float64Array(3);
  readonly w: ArmWorld;
  constructor(R: Rapier, readonly c: RobotCase, readonly joints: 'impulse' | 'multibody', readonly withArmWork: boolean) {
    this.w = armWorld(R, c, joints);
    c.targets.forEach((t, i) => this.w.arm.setJointTarget(i, t, 0, c.stiffness, c.damping));
    this.q = new Float64Array(c.tree.joints.length);
    this.dq = new Float64Array(c.tree.joints.length);
  }

  /** Seconds for `steps` steps. */
  run(steps: number): number {
    const { world, arm } = this.w;
    const t0 = performance.now();
    if (this.withArmWork) {
      for (let s = 0; s < steps; s++) {
        arm.applyControl();
        world.step();
        arm.readPositions(this.q, 0);
        arm.readVelocities(this.dq, 0);
        arm.framePosition(this.c.endEffector, this.tip, 0);
      }
    } else {
      for (let s = 0; s < steps; s++) world.step();
    }
    return (performance.now() - t0) / 1000;
  }
}

function holdError(R: Rapier, c: RobotCase, joints: 'impulse' | 'multibody'): { max: number; worst: string; speed: number } {
  const { world, arm } = armWorld(R, c, joints);
  c.targets.forEach((t, i) => arm.setJointTarget(i, t, 0, c.stiffness, c.damping));
  for (let s = 0; s < HOLD_STEPS; s++) {
    arm.applyControl();
    world.step();
  }
  const q = new Float64Array(c.tree.joints.length);
  const dq = new Float64Array(c.tree.joints.length);
  arm.readPositions(q, 0);
  arm.readVelocities(dq, 0);
  world.free();
  let max = 0;
  let worst = '';
  q.forEach((v, i) => {
    const e = Math.abs(v - c.targets[i]!);
    if (e > max) [max, worst] = [e, c.tree.joints[i]!.name];
  });
  return { max, worst, speed: Math.max(...dq.map(Math.abs)) };
}

// ---------------------------------------------------------------------------------------------
// 3. MuJoCo

type Mujoco = any;

let mujocoModule: Promise<Mujoco> | undefined;
function loadMujoco(): Promise<Mujoco> {
  // mujoco-js is an ES module: a dynamic import from this CommonJS build (as bench/mujoco-scene.ts)
  mujocoModule ??= import('mujoco-js').then((m) => (m.default as unknown as () => Promise<Mujoco>)());
  return mujocoModule;
}

/**
 * The URDF text MuJoCo reads: every <inertial> rewritten as its tensor in the link frame (rpy 0),
 * which mujoco-js 0.0.7 reads right (it drops an inertial's rpy: google-deepmind/mujoco#3559).
 */
function mujocoUrdfText(text: string, tree: KinematicTree): string {
  return text.replace(/<link\s+name="([^"]+)"\s*>([\s\S]*?)<\/link>/g, (block, name: string) => {
    const inertial = tree.robot.links.get(name)?.inertial;
    if (!inertial) return block;
    const r = matrixOf(inertial.origin.q);
    const { ixx, ixy, ixz, iyy, iyz, izz } = inertial.inertia;
    const t = [ixx, ixy, ixz, ixy, iyy, iyz, ixz, iyz, izz];
    const out = new Array<number>(9).fill(0);
    for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) for (let k = 0; k < 3; k++) for (let l = 0; l < 3; l++) out[3 * i + j] += r[3 * i + k]! * t[3 * k + l]! * r[3 * j + l]!;
    const p = inertial.origin.p;
    const g = (v: number): string => v.toPrecision(12);
    const replacement = `<inertial><origin xyz="${p.join(' ')}" rpy="0 0 0"/><mass value="${inertial.massKg}"/><inertia ixx="${g(out[0]!)}" ixy="${g(out[1]!)}" ixz="${g(out[2]!)}" iyy="${g(out[4]!)}" iyz="${g(out[5]!)}" izz="${g(out[8]!)}"/></inertial>`;
    return block.replace(/<inertial>[\s\S]*?<\/inertial>/, replacement);
  });
}

let mujocoFiles = 0;

class MujocoArm {
  readonly model: any;
  readonly data: any;
  readonly qadr: number[];
  readonly dadr: number[];
  readonly qpos: Float64Array;
  readonly qvel: Float64Array;
  readonly qfrc: Float64Array;
  /**
   * The URDF text loaded as MuJoCo reads it, then set up as Rapier's multibody arm is: no contacts,
   * limits or friction loss, damping 0.1 on every joint, the given armature (joint space).
   */
  constructor(readonly mujoco: Mujoco, urdfText: string, names: readonly string[], options: { dt: number; armature: number; gravity: boolean; damping?: number }) {
    const path = `/so101-${mujocoFiles++}.urdf`;
    mujoco.FS.writeFile(path, urdfText);
    this.model = mujoco.MjModel.loadFromXML(path);
    this.data = new mujoco.MjData(this.model);
    const D = mujoco.mjtDisableBit;
    this.model.opt.timestep = options.dt;
    this.model.opt.disableflags = D.mjDSBL_CONTACT.value | D.mjDSBL_LIMIT.value | D.mjDSBL_FRICTIONLOSS.value | (options.gravity ? 0 : D.mjDSBL_GRAVITY.value);
    const JOINT = mujoco.mjtObj.mjOBJ_JOINT.value;
    const ids = names.map((n) => {
      const id = mujoco.mj_name2id(this.model, JOINT, n);
      if (id < 0) throw new Error(`MuJoCo's model has no joint '${n}'`);
      return id;
    });
    this.qadr = ids.map((id) => this.model.jnt_qposadr[id]);
    this.dadr = ids.map((id) => this.model.jnt_dofadr[id]);
    for (const d of this.dadr) {
      this.model.dof_damping[d] = options.damping ?? RAPIER_MULTIBODY_DAMPING;
      this.model.dof_frictionloss[d] = 0;
      this.model.dof_armature[d] = options.armature;
    }
    mujoco.mj_resetData(this.model, this.data);
    mujoco.mj_forward(this.model, this.data);
    this.qpos = this.data.qpos;
    this.qvel = this.data.qvel;
    this.qfrc = this.data.qfrc_applied;
  }

  step(): void {
    this.mujoco.mj_step(this.model, this.data);
  }

  /**
   * Every moving body's inertia as urdfArm gives it to Rapier: the tree's combined inertia plus
   * armature·n nᵀ about the joint axis, written into the compiled model (MuJoCo's compiler refuses
   * such a tensor in a file: 0.005 kg·m² about one axis of a 1e-5 kg·m² link breaks A + B >= C).
   */
  useUrdfArmInertia(tree: KinematicTree, armature: number): void {
    const BODY = this.mujoco.mjtObj.mjOBJ_BODY.value;
    tree.joints.forEach((joint, i) => {
      const body = tree.bodies[i + 1]!;
      const id = this.mujoco.mj_name2id(this.model, BODY, body.name);
      if (id < 0) throw new Error(`MuJoCo's model has no body '${body.name}'`);
      const t = body.mass!.inertia;
      const [x, y, z] = joint.axis;
      const p = principalAxes({
        ixx: t.ixx + armature * x * x, iyy: t.iyy + armature * y * y, izz: t.izz + armature * z * z,
        ixy: t.ixy + armature * x * y, ixz: t.ixz + armature * x * z, iyz: t.iyz + armature * y * z,
      });
      const c = body.mass!.centerOfMass;
      for (let k = 0; k < 3; k++) {
        this.model.body_inertia[3 * id + k] = p.moments[k]!;
        this.model.body_ipos[3 * id + k] = c[k]!;
      }
      const [qx, qy, qz, qw] = p.frame;
      [qw, qx, qy, qz].forEach((v, k) => (this.model.body_iquat[4 * id + k] = v));
    });
    for (const d of this.dadr) this.model.dof_armature[d] = 0;
    this.mujoco.mj_resetData(this.model, this.data);
    this.mujoco.mj_forward(this.model, this.data);
  }

  bodyPosition(name: string): Vec3 {
    const id = this.mujoco.mj_name2id(this.model, this.mujoco.mjtObj.mjOBJ_BODY.value, name);
    const x = this.data.xpos as Float64Array;
    return [x[3 * id]!, x[3 * id + 1]!, x[3 * id + 2]!];
  }

  dispose(): void {
    this.data.delete();
    this.model.delete();
  }
}

/** The open-loop torque of joint i at time t: two sines, |τ| ≤ 0.3 N·m, phases per joint. */
function torqueAt(i: number, t: number): number {
  return 0.3 * (0.6 * Math.sin(2 * Math.PI * 0.7 * t + 1.3 * i) + 0.4 * Math.sin(2 * Math.PI * 1.9 * t + 0.7 * i));
}

/**
 * Rapier's multibody SO-101 driven by torques: PD with k = 1 about a target of q + τ (q read before
 * applyControl, which reads the same state), i.e. exactly τ through applyControl's own path.
 */
function rapierTorqueStep(w: ArmWorld, tau: (i: number) => number, q: Float64Array): void {
  w.arm.readPositions(q, 0);
  for (let i = 0; i < q.length; i++) w.arm.setJointTarget(i, q[i]! + tau(i), 0, 1, 0);
  w.arm.applyControl();
  w.world.step();
}

/**
 * Joint angles after each 5 ms control step (steps × joints), each torque held over its control
 * step; `substeps` physics steps per control step.
 */
function rapierTrajectory(R: Rapier, c: RobotCase, armature: number, steps: number, substeps = 1): Float64Array {
  const w = armWorld(R, c, 'multibody', armature, c.gravity, c.dt / substeps);
  const n = c.tree.joints.length;
  const q = new Float64Array(n);
  const out = new Float64Array(steps * n);
  for (let k = 0; k < steps; k++) {
    for (let s = 0; s < substeps; s++) rapierTorqueStep(w, (i) => torqueAt(i, k * c.dt), q);
    w.arm.readPositions(out, k * n);
  }
  w.world.free();
  return out;
}

/** The same for MuJoCo (disposed after). */
function mujocoTrajectory(mj: MujocoArm, dt: number, substeps: number, steps: number): Float64Array {
  const n = mj.qadr.length;
  const out = new Float64Array(steps * n);
  for (let k = 0; k < steps; k++) {
    for (let i = 0; i < n; i++) mj.qfrc[mj.dadr[i]!] = torqueAt(i, k * dt);
    for (let s = 0; s < substeps; s++) mj.step();
    for (let i = 0; i < n; i++) out[k * n + i] = mj.qpos[mj.qadr[i]!]!;
  }
  mj.dispose();
  return out;
}

function difference(a: Float64Array, b: Float64Array, names: readonly string[]): { max: number; rms: number; worst: string; at: number; maxAt05: number } {
  const n = names.length;
  let max = 0, sum = 0, worst = '', at = 0, maxAt05 = 0;
  for (let k = 0; k < a.length; k++) {
    const d = Math.abs(a[k]! - b[k]!);
    sum += d * d;
    if (d > max) [max, worst, at] = [d, names[k % n]!, Math.floor(k / n)];
    if (Math.floor(k / n) < a.length / n / 4) maxAt05 = Math.max(maxAt05, d);
  }
  return { max, rms: Math.sqrt(sum / a.length), worst, at, maxAt05 };
}

// ---------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  console.log(`node ${process.version}, ${cpus().length} cores, load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}, ${new Date().toISOString()}`);
  announceSmoke(`${MESH_TRIANGLES} mesh triangles, ${REPEATS} round(s) of ${STEPS_PER_ROUND} steps after ${WARMUP_STEPS} warm-up steps`);
  const R = await initRapier();
  const so101 = treeOf(SO101);
  const threeLink = treeOf(THREE_LINK);
  const so101Case: RobotCase = { name: 'SO-101', tree: so101, gravity: 9.81, dt: 0.005, armature: 0.005, stiffness: 40, damping: 0.5, endEffector: 'gripper_tip', targets: HOLD_TARGET };
  const threeLinkCase: RobotCase = { name: 'three-link', tree: threeLink, gravity: 0, dt: 0.02, armature: 0, stiffness: 40, damping: 6, endEffector: 'tool0', targets: [0.4, -0.4, 0.4] };

  // warm the wasm up before anything is timed (the first ~2,000 steps run slower)
  {
    const w = armWorld(R, so101Case, 'multibody');
    for (let s = 0; s < WARMUP_STEPS; s++) {
      w.arm.applyControl();
      w.world.step();
    }
    w.world.free();
  }

  loadBench(R);

  // --- 2. steps/s ---
  // The SO-101 with impulse joints and armature diverges (section 2's hold test shows it): its
  // speed is also measured without armature, where it holds.
  const so101NoArmature: RobotCase = { ...so101Case, name: 'SO-101, armature 0', armature: 0 };
  const cases = [so101Case, so101NoArmature, threeLinkCase];
  const kinds = ['impulse', 'multibody'] as const;
  const specs = [...kinds.map((k) => ({ c: so101Case, k })), { c: so101NoArmature, k: 'impulse' as const }, ...kinds.map((k) => ({ c: threeLinkCase, k }))];
  const loops = specs.map(({ c, k }) => ({ c, k, raw: new StepLoop(R, c, k, false), work: new StepLoop(R, c, k, true) }));
  for (const l of loops) {
    l.raw.run(Math.min(WARMUP_STEPS, 2000));
    l.work.run(Math.min(WARMUP_STEPS, 2000));
  }
  // MuJoCo's loops run in the same rounds (section 3 prints them)
  const mujoco = await loadMujoco();
  const so101Text = readFileSync(SO101, 'utf8');
  const names = so101.joints.map((j) => j.name);
  const fixedText = mujocoUrdfText(so101Text, so101);
  const mjSpeed = new MujocoArm(mujoco, fixedText, names, { dt: so101Case.dt, armature: so101Case.armature, gravity: true });
  const mjSpeedQuarter = new MujocoArm(mujoco, fixedText, names, { dt: so101Case.dt / 4, armature: so101Case.armature, gravity: true });
  const mjRun = (mj: MujocoArm, steps: number, pd: boolean): number => {
    const n = names.length;
    const t0 = performance.now();
    for (let s = 0; s < steps; s++) {
      if (pd) {
        for (let i = 0; i < n; i++) {
          let tau = so101Case.stiffness * (HOLD_TARGET[i]! - mj.qpos[mj.qadr[i]!]!) - so101Case.damping * mj.qvel[mj.dadr[i]!]!;
          tau = Math.max(-2.9, Math.min(2.9, tau));
          mj.qfrc[mj.dadr[i]!] = tau;
        }
      }
      mj.step();
    }
    return (performance.now() - t0) / 1000;
  };
  mjRun(mjSpeed, WARMUP_STEPS, true);
  mjRun(mjSpeedQuarter, WARMUP_STEPS, true);
  const rates = new Map<string, number[]>();
  const add = (key: string, v: number): void => void (rates.get(key) ?? rates.set(key, []).get(key)!).push(v);
  for (let round = 0; round < REPEATS; round++) {
    for (const l of loops) {
      const key = `${l.c.name} ${l.k}`;
      const a = STEPS_PER_ROUND / l.raw.run(STEPS_PER_ROUND);
      const b = STEPS_PER_ROUND / l.work.run(STEPS_PER_ROUND);
      add(`${key} a`, a);
      add(`${key} b`, b);
      add(`${key} b/a`, a / b);
    }
    add('mj raw', STEPS_PER_ROUND / mjRun(mjSpeed, STEPS_PER_ROUND, false));
    add('mj pd', STEPS_PER_ROUND / mjRun(mjSpeed, STEPS_PER_ROUND, true));
    add('mj pd quarter', STEPS_PER_ROUND / mjRun(mjSpeedQuarter, STEPS_PER_ROUND, true));
  }
  const r = (key: string): number[] => rates.get(key)!;

  console.log(`\n== 2. Rapier steps/s (wall clock), ${REPEATS} interleaved rounds of ${STEPS_PER_ROUND} steps; (a) world.step() only, (b) + applyControl, readPositions, readVelocities, framePosition ==`);
  for (const c of cases) {
    const perControl = Math.round(0.02 / c.dt);
    const measured = kinds.filter((k) => rates.has(`${c.name} ${k} a`));
    console.log(`-- ${c.name}: dt ${c.dt * 1000} ms, gravity ${c.gravity}, armature ${c.armature}, k ${c.stiffness}, d ${c.damping}, end effector ${c.endEffector}; ${perControl} step(s) per 20 ms --`);
    for (const k of measured) {
      const key = `${c.name} ${k}`;
      console.log(describe(`${k}: (a) world.step()`, r(`${key} a`), 'steps/s'));
      console.log(describe(`${k}: (b) step + arm work`, r(`${key} b`), 'steps/s'));
      console.log(describe(`${k}: ratio b/a (time per step, per round)`, r(`${key} b/a`), 'x'));
      console.log(describe(`${k}: (b) per 20 ms of simulated time`, r(`${key} b`).map((x) => x / perControl), 'ctrl/s'));
    }
    if (measured.length === 2) console.log(describe('multibody / impulse, (b) time per step', r(`${c.name} multibody b`).map((m, i) => r(`${c.name} impulse b`)[i]! / m), 'x'));
  }
  console.log(describe('SO-101 multibody (armature 0.005) / impulse (armature 0), (b) time per step', r('SO-101 multibody b').map((m, i) => r('SO-101, armature 0 impulse b')[i]! / m), 'x', 76));

  console.log(`\n-- SO-101 holding [${HOLD_TARGET.join(', ')}] rad for 2 s (400 steps of 5 ms), gravity 9.81, k 40, d 0.5 (deterministic: one run each) --`);
  const holds = [
    ...kinds.map((k) => ({ label: `${k}, armature 0.005`, ...holdError(R, so101Case, k) })),
    ...kinds.map((k) => ({ label: `${k}, armature 0`, ...holdError(R, so101NoArmature, k) })),
  ];
  for (const h of holds) console.log(`${`${h.label}: max |q - target| at 2 s`.padEnd(52)} ${h.max.toFixed(4)} rad (${h.worst}); max |dq| then ${fmt(h.speed)} rad/s${h.speed > 100 ? ': diverged' : h.speed > 1 ? ': not at rest' : ''}`);
  {
    // MuJoCo reference: the same explicit PD at 5 ms, the URDF's joint damping (0.1, as Rapier's multibody)
    const mj = new MujocoArm(mujoco, fixedText, names, { dt: so101Case.dt, armature: so101Case.armature, gravity: true });
    mjRun(mj, HOLD_STEPS, true);
    let max = 0, worst = '';
    names.forEach((n, i) => {
      const e = Math.abs(mj.qpos[mj.qadr[i]!]! - HOLD_TARGET[i]!);
      if (e > max) [max, worst] = [e, n];
    });
    console.log(`${'MuJoCo, same explicit PD (reference)'.padEnd(52)} ${max.toFixed(4)} rad (${worst})`);
    console.log(`${'impulse (armature 0) / multibody (armature 0.005)'.padEnd(52)} ${(holds[2]!.max / holds[1]!.max).toFixed(1)} x`);
    mj.dispose();
  }

  // --- 3. MuJoCo ---
  console.log(`\n== 3. MuJoCo (mujoco-js, official WASM) on robots/so101/so101.urdf, read by MuJoCo's own URDF importer ==`);
  console.log(`MuJoCo: ${mjSpeed.model.nbody - 1} bodies, ${mjSpeed.model.njnt} joints, ${mjSpeed.model.ngeom} geoms (base fused into the world, gripper_tip into gripper_link); loads without a <mujoco> extension`);
  console.log(describe('MuJoCo mj_step(), dt 5 ms, no control', r('mj raw'), 'steps/s'));
  console.log(describe('MuJoCo mj_step() + PD in JS (qfrc_applied), dt 5 ms', r('mj pd'), 'steps/s'));
  console.log(describe('MuJoCo / Rapier multibody, raw step', r('mj raw').map((m, i) => m / r('SO-101 multibody a')[i]!), 'x'));
  console.log(describe('MuJoCo / Rapier multibody, step + control', r('mj pd').map((m, i) => m / r('SO-101 multibody b')[i]!), 'x'));
  console.log(describe('MuJoCo at dt 1.25 ms + PD, per 5 ms (4 steps)', r('mj pd quarter').map((m) => m / 4), 'per 5 ms/s'));
  console.log(describe('  / Rapier multibody step + control (same integration)', r('mj pd quarter').map((m, i) => m / 4 / r('SO-101 multibody b')[i]!), 'x'));
  mjSpeed.dispose();
  mjSpeedQuarter.dispose();

  // signs and frames at t = 0
  {
    const w = armWorld(R, so101Case, 'multibody', so101Case.armature, 0);
    const mj = new MujocoArm(mujoco, fixedText, names, { dt: so101Case.dt, armature: so101Case.armature, gravity: false });
    const q0 = new Float64Array(names.length);
    w.arm.readPositions(q0, 0);
    const p = new Float64Array(3);
    w.arm.framePosition('gripper_link', p, 0);
    const m = mj.bodyPosition('gripper_link');
    console.log(`t = 0: Rapier max |q| ${Math.max(...q0.map(Math.abs)).toExponential(1)} rad, MuJoCo max |qpos| ${Math.max(...names.map((_, i) => Math.abs(mj.qpos[mj.qadr[i]!]!))).toExponential(1)}; gripper_link origin ${[...p].map((v) => v.toFixed(4)).join(', ')} m in Rapier, ${m.map((v) => v.toFixed(4)).join(', ')} in MuJoCo`);
    w.world.free();
    mj.dispose();
    const rows: string[] = [];
    let agree = 0;
    for (let j = 0; j < names.length; j++) {
      // +0.01 N·m on joint j alone for 10 steps (50 ms), no gravity, from rest
      const wj = armWorld(R, so101Case, 'multibody', so101Case.armature, 0);
      const qj = new Float64Array(names.length);
      for (let k = 0; k < 10; k++) rapierTorqueStep(wj, (i) => (i === j ? 0.01 : 0), qj);
      wj.arm.readPositions(qj, 0);
      wj.world.free();
      const mjj = new MujocoArm(mujoco, fixedText, names, { dt: so101Case.dt, armature: so101Case.armature, gravity: false });
      mjj.qfrc[mjj.dadr[j]!] = 0.01;
      for (let k = 0; k < 10; k++) mjj.step();
      const mq = mjj.qpos[mjj.qadr[j]!]!;
      mjj.dispose();
      if (Math.sign(qj[j]!) === Math.sign(mq) && mq !== 0) agree++;
      rows.push(`${names[j]} ${(qj[j]! * 1000).toFixed(3)}/${(mq * 1000).toFixed(3)}`);
    }
    console.log(`+0.01 N·m on one joint for 50 ms, no gravity: its angle in mrad, Rapier/MuJoCo: ${rows.join(', ')}; signs agree on ${agree} of ${names.length}`);
  }

  // trajectories
  {
    const dt = so101Case.dt;
    const steps = TRAJECTORY_STEPS;
    const shipped = so101Text;
    const rapierA = rapierTrajectory(R, so101Case, so101Case.armature, steps);
    const rapier0 = rapierTrajectory(R, so101Case, 0, steps);
    const rapierFine = rapierTrajectory(R, so101Case, so101Case.armature, steps, 4);
    const runs: { label: string; mj: () => Float64Array; rapier: Float64Array }[] = [
      { label: 'MuJoCo dt 5 ms (the comparison asked for)', mj: () => mujocoTrajectory(new MujocoArm(mujoco, fixedText, names, { dt, armature: 0.005, gravity: true }), dt, 1, steps), rapier: rapierA },
      { label: 'MuJoCo dt 1.25 ms (= Rapier\'s 4 substeps)', mj: () => mujocoTrajectory(new MujocoArm(mujoco, fixedText, names, { dt: dt / 4, armature: 0.005, gravity: true }), dt, 4, steps), rapier: rapierA },
      {
        label: '  same, armature as urdfArm builds it (body inertia)',
        mj: () => {
          const mj = new MujocoArm(mujoco, fixedText, names, { dt: dt / 4, armature: 0, gravity: true });
          mj.useUrdfArmInertia(so101, so101Case.armature);
          return mujocoTrajectory(mj, dt, 4, steps);
        },
        rapier: rapierA,
      },
      { label: 'armature 0 in both, MuJoCo dt 5 ms', mj: () => mujocoTrajectory(new MujocoArm(mujoco, fixedText, names, { dt, armature: 0, gravity: true }), dt, 1, steps), rapier: rapier0 },
      { label: 'armature 0 in both, MuJoCo dt 1.25 ms', mj: () => mujocoTrajectory(new MujocoArm(mujoco, fixedText, names, { dt: dt / 4, armature: 0, gravity: true }), dt, 4, steps), rapier: rapier0 },
      { label: '  same, the shipped file as MuJoCo reads it', mj: () => mujocoTrajectory(new MujocoArm(mujoco, shipped, names, { dt: dt / 4, armature: 0, gravity: true }), dt, 4, steps), rapier: rapier0 },
    ];
    console.log(`\nOpen loop, 2 s (${steps} steps of 5 ms), gravity, the same torques on both (two sines per joint, |τ| <= 0.3 N·m, held over each 5 ms), from the zero pose;`);
    console.log('joint angles compared by joint name after every 5 ms; damping 0.1 on every joint in both (Rapier\'s built-in multibody damping); MuJoCo: no limits, friction loss or contacts:');
    for (const run of runs) {
      const d = difference(run.rapier, run.mj(), names);
      console.log(`${run.label.padEnd(56)} max ${d.max.toFixed(4)} rad (${d.worst}, t ${((d.at + 1) * dt).toFixed(2)} s)  RMS ${d.rms.toFixed(4)} rad  max over the first 0.5 s ${d.maxAt05.toFixed(4)} rad`);
    }
    const fine = difference(rapierA, rapierFine, names);
    console.log(`${'Rapier dt 5 ms vs Rapier dt 1.25 ms (its own step error)'.padEnd(56)} max ${fine.max.toFixed(4)} rad (${fine.worst})  RMS ${fine.rms.toFixed(4)} rad`);
    // Rapier's multibody built-ins, measured: the damping (terminal velocity of the wrist roll under
    // a constant torque, no gravity) and the age of the velocities it reports (against MuJoCo at
    // dt / 4, the same model, after 10 steps: its velocities then and one substep earlier)
    {
      const w = armWorld(R, so101Case, 'multibody', 0, 0);
      const q = new Float64Array(names.length);
      const roll = names.indexOf('wrist_roll');
      for (let k = 0; k < 100; k++) rapierTorqueStep(w, (i) => (i === roll ? 0.01 : 0), q);
      w.arm.readVelocities(q, 0);
      console.log(`Rapier multibody joint damping, from the wrist roll's terminal velocity under 0.01 N·m: ${(0.01 / q[roll]!).toFixed(4)} N·m·s/rad (none set)`);
      w.world.free();
      const v = armWorld(R, so101Case, 'multibody', 0);
      for (let k = 0; k < 10; k++) rapierTorqueStep(v, (i) => torqueAt(i, k * dt), q);
      const rv = new Float64Array(names.length);
      v.arm.readVelocities(rv, 0);
      v.world.free();
      const mj = new MujocoArm(mujoco, fixedText, names, { dt: dt / 4, armature: 0, gravity: true });
      const before = new Float64Array(names.length);
      for (let k = 0; k < 10; k++) {
        for (let i = 0; i < names.length; i++) mj.qfrc[mj.dadr[i]!] = torqueAt(i, k * dt);
        for (let s = 0; s < 4; s++) {
          if (k === 9 && s === 3) names.forEach((_, i) => (before[i] = mj.qvel[mj.dadr[i]!]!));
          mj.step();
        }
      }
      const gap = (ref: (i: number) => number): number => Math.max(...names.map((_, i) => Math.abs(rv[i]! - ref(i)) / Math.max(1e-9, Math.abs(ref(i)))));
      console.log(`Rapier's joint velocities after 50 ms vs MuJoCo (dt 1.25 ms, armature 0): max relative difference ${(100 * gap((i) => mj.qvel[mj.dadr[i]!]!)).toFixed(1)}% to its velocities then, ${(100 * gap((i) => before[i]!)).toFixed(2)}% to its velocities one substep (1.25 ms) earlier`);
      mj.dispose();
    }
    const rng = (a: Float64Array): string => names.map((n, i) => {
      let lo = Infinity, hi = -Infinity;
      for (let k = i; k < a.length; k += names.length) [lo, hi] = [Math.min(lo, a[k]!), Math.max(hi, a[k]!)];
      return `${n} ${lo.toFixed(2)}..${hi.toFixed(2)}`;
    }).join(', ');
    console.log(`range of motion (Rapier, armature 0.005): ${rng(rapierA)} rad`);
  }
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
