/**
 * URDF loading: the shipped robots load whole; every kind of bad input is reported at its file and
 * line, and a mesh over the limit is refused from its size alone.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync, truncateSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { combineInertials, principalAxes } from '../../src/engine/urdf/inertia';
import { loadUrdf } from '../../src/engine/urdf/loadUrdf';
import { parseUrdf } from '../../src/engine/urdf/parseUrdf';
import { parseStl } from '../../src/engine/urdf/stl';
import { compose, quatFromRpy, rotate } from '../../src/engine/urdf/transform';
import { binaryStl, boxTriangles } from '../support/stlFiles';

const REPO = join(__dirname, '..', '..');
const dir = mkdtempSync(join(tmpdir(), 'urdf-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const LINK = (name: string, mass = '0.1') =>
  `<link name="${name}"><inertial><mass value="${mass}"/><inertia ixx="1e-4" iyy="1e-4" izz="1e-4" ixy="0" ixz="0" iyz="0"/></inertial></link>`;
const JOINT = (name: string, parent: string, child: string, type = 'revolute') =>
  `<joint name="${name}" type="${type}"><parent link="${parent}"/><child link="${child}"/><axis xyz="0 0 1"/><limit lower="-1" upper="1" effort="2" velocity="3"/></joint>`;

function problemsOf(text: string): { line: number; message: string }[] {
  return parseUrdf(text, 'robot.urdf').problems.filter((p) => p.severity === 'error').map(({ line, message }) => ({ line, message }));
}

describe('URDF', () => {
  test('the shipped three-link arm and SO-101 load, with the expected joints, frames and masses', () => {
    const three = loadUrdf(join(REPO, 'robots', 'three_link_arm', 'three_link_arm.urdf'));
    assert.deepEqual(three.problems, []);
    assert.deepEqual(three.tree!.joints.map((j) => j.name), ['shoulder', 'elbow', 'wrist']);
    assert.deepEqual(three.tree!.bodies.at(-1)!.links, ['link3', 'finger', 'tool0'], 'fixed joints merge into their parent body');
    assert.equal(three.tree!.frames.get('tool0')!.body, 3);
    const so101 = loadUrdf(join(REPO, 'robots', 'so101', 'so101.urdf'));
    assert.deepEqual(so101.problems.filter((p) => p.severity === 'error'), []);
    assert.deepEqual(so101.tree!.joints.map((j) => j.name), ['shoulder_pan', 'shoulder_lift', 'elbow_flex', 'wrist_flex', 'wrist_roll', 'gripper']);
    for (const body of so101.tree!.bodies.slice(1)) assert.ok(body.mass!.massKg > 0.005 && body.mass!.massKg < 0.2, `${body.name} weighs about 0.1 kg`);
  });

  test('malformed XML is reported at its line and column', () => {
    const [p] = parseUrdf('<robot name="r">\n  <link name="a">\n</robot>\n', 'robot.urdf').problems;
    assert.equal(p!.line, 3);
    assert.match(p!.message, /malformed XML: .*closing tag/);
  });

  test('each structural error names the element at its line, with did-you-mean for names', () => {
    const text = [
      '<robot name="r">', // 1
      LINK('base'), // 2
      LINK('upper'), // 3
      JOINT('j1', 'base', 'uper'), // 4: unknown child
      LINK('zero', '0'), // 5: zero mass
      JOINT('j2', 'base', 'zero'), // 6
      '<link name="bad"><inertial><mass value="1"/><inertia ixx="1" iyy="1" izz="1" ixy="2" ixz="0" iyz="0"/></inertial></link>', // 7: not PD
      JOINT('j3', 'upper', 'bad'), // 8: upper is unreachable (j1 failed), so no loop error here
      JOINT('j4', 'base', 'upper', 'floating'), // 9: unsupported type
      '</robot>',
    ].join('\n');
    const problems = problemsOf(text);
    const at = (line: number) => problems.filter((p) => p.line === line).map((p) => p.message).join(' | ');
    assert.match(at(4), /child link 'uper' does not exist; did you mean 'upper'\?/);
    assert.match(at(5), /mass 0 kg; a link's mass must be positive/);
    assert.match(at(7), /not positive definite/);
    assert.match(at(9), /type 'floating' .*not supported/);
  });

  test('two roots, a kinematic loop and a missing parent are errors at the right lines', () => {
    const twoRoots = problemsOf(['<robot name="r">', LINK('a'), LINK('b'), '</robot>'].join('\n'));
    assert.deepEqual(twoRoots.map((p) => p.line), [3]);
    assert.match(twoRoots[0]!.message, /a second root: link 'b'/);
    const loop = problemsOf(['<robot name="r">', LINK('base'), LINK('a'), LINK('b'), JOINT('j1', 'base', 'a'), JOINT('j2', 'a', 'b'), JOINT('j3', 'b', 'a'), '</robot>'].join('\n'));
    assert.equal(loop[0]!.line, 7);
    assert.match(loop[0]!.message, /kinematic loop: link 'a' is the child of joint 'j3' and of joint 'j1'/);
    const cycle = problemsOf(['<robot name="r">', LINK('a'), LINK('b'), JOINT('j1', 'a', 'b'), JOINT('j2', 'b', 'a'), '</robot>'].join('\n'));
    assert.match(cycle.map((p) => p.message).join(), /kinematic loop/);
    const missing = problemsOf(['<robot name="r">', LINK('a'), JOINT('j1', 'nothing', 'a'), '</robot>'].join('\n'));
    assert.deepEqual(missing.map((p) => p.line), [3]);
    assert.match(missing[0]!.message, /parent link 'nothing' does not exist/);
  });

  test('a mimic joint, a xacro file and MJCF are refused with what to do', () => {
    const mimic = problemsOf(['<robot name="r">', LINK('a'), LINK('b'), `<joint name="j" type="revolute"><parent link="a"/><child link="b"/><limit lower="0" upper="1" effort="1" velocity="1"/>`, '<mimic joint="k"/></joint>', '</robot>'].join('\n'));
    assert.equal(mimic[0]!.line, 5);
    assert.match(mimic[0]!.message, /mimic joints are not supported; make it a fixed joint/);
    const xacro = loadUrdf(join(dir, 'arm.urdf.xacro'));
    assert.match(xacro.problems[0]!.message, /expand it first: `xacro robot\.urdf\.xacro > robot\.urdf`/);
    assert.match(problemsOf('<mujoco model="m"/>')[0]!.message, /looks like MJCF/);
  });

  test('a moving link with no mass anywhere in its body is an error; a massless fixed frame is not', () => {
    const text = ['<robot name="r">', LINK('base'), '<link name="a"/>', '<link name="tip"/>', JOINT('j', 'base', 'a'), JOINT('t', 'a', 'tip', 'fixed'), '</robot>'].join('\n');
    writeFileSync(join(dir, 'massless.urdf'), text);
    const loaded = loadUrdf(join(dir, 'massless.urdf'));
    assert.equal(loaded.tree, undefined);
    assert.match(loaded.problems[0]!.message, /link 'a' moves \(joint 'j'\) but neither it nor any link fixed to it has an <inertial>/);
    writeFileSync(join(dir, 'massive-tip.urdf'), text.replace('<link name="tip"/>', LINK('tip')));
    assert.deepEqual(loadUrdf(join(dir, 'massive-tip.urdf')).problems, []);
  });

  test('meshes: package://, relative and file:// paths, binary and ASCII STL, scale; a missing, corrupt or 100 MB mesh is an error at its line', () => {
    const pkg = join(dir, 'ws', 'src', 'my_robot_description');
    mkdirSync(join(pkg, 'meshes'), { recursive: true });
    mkdirSync(join(pkg, 'urdf'), { recursive: true });
    writeFileSync(join(pkg, 'meshes', 'box.stl'), binaryStl(boxTriangles(0.1, 0.2, 0.3)));
    const ascii = ['solid box', ...boxTriangles(0.1, 0.1, 0.1).map((t) => `facet normal 0 0 0\nouter loop\n${t.map((v) => `vertex ${v.join(' ')}`).join('\n')}\nendloop\nendfacet`), 'endsolid box'].join('\n');
    writeFileSync(join(pkg, 'meshes', 'ascii.stl'), ascii);
    writeFileSync(join(pkg, 'meshes', 'corrupt.stl'), Buffer.alloc(200, 7));
    writeFileSync(join(pkg, 'meshes', 'huge.stl'), '');
    truncateSync(join(pkg, 'meshes', 'huge.stl'), 100 * 1024 * 1024); // sparse: 100 MB on paper, no disk
    const meshLink = (name: string, filename: string, scale = '1 1 1') =>
      `<link name="${name}"><inertial><mass value="0.1"/><inertia ixx="1e-4" iyy="1e-4" izz="1e-4" ixy="0" ixz="0" iyz="0"/></inertial><collision><geometry><mesh filename="${filename}" scale="${scale}"/></geometry></collision></link>`;
    const good = ['<robot name="r">', meshLink('base', 'package://my_robot_description/meshes/box.stl', '2 2 2'), meshLink('a', '../meshes/ascii.stl'), meshLink('b', `file://${join(pkg, 'meshes', 'box.stl')}`), JOINT('j1', 'base', 'a'), JOINT('j2', 'a', 'b'), '</robot>'].join('\n');
    writeFileSync(join(pkg, 'urdf', 'good.urdf'), good);
    const loaded = loadUrdf(join(pkg, 'urdf', 'good.urdf'));
    assert.deepEqual(loaded.problems, []);
    const base = loaded.tree!.bodies[0]!.collisions[0]!.shape.geometry;
    assert.equal(base.kind, 'mesh');
    if (base.kind === 'mesh') {
      assert.equal(base.mesh!.vertices.length, 8 * 3, 'eight distinct corners');
      assert.ok(Math.abs(Math.max(...base.mesh!.vertices) - 0.3) < 1e-6, 'scaled by 2');
    }
    const bad = ['<robot name="r">', meshLink('base', 'package://my_robot_description/meshes/missing.stl'), meshLink('a', '../meshes/corrupt.stl'), meshLink('b', '../meshes/huge.stl'), meshLink('c', 'package://no_such_pkg/x.stl'), JOINT('j1', 'base', 'a'), JOINT('j2', 'a', 'b'), JOINT('j3', 'b', 'c'), '</robot>'].join('\n');
    writeFileSync(join(pkg, 'urdf', 'bad.urdf'), bad);
    const started = Date.now();
    const refused = loadUrdf(join(pkg, 'urdf', 'bad.urdf'));
    assert.ok(Date.now() - started < 2000, 'nothing reads the 100 MB file');
    const byLine = new Map(refused.problems.map((p) => [p.line, p.message]));
    assert.match(byLine.get(2)!, /package 'my_robot_description' has no file 'meshes\/missing\.stl'/);
    assert.match(byLine.get(3)!, /truncated or not an STL file/);
    assert.match(byLine.get(4)!, /100\.0 MB is over the 50 MB limit/);
    assert.match(byLine.get(5)!, /package 'no_such_pkg'/);
  });

  test('STL: binary and ASCII give the same distinct vertices; a NaN vertex is refused', () => {
    const triangles = boxTriangles(1, 2, 3);
    const fromBinary = parseStl(binaryStl(triangles));
    assert.equal(fromBinary.triangles, 12);
    assert.equal(fromBinary.vertices.length, 24);
    assert.equal(fromBinary.indices.length, 36);
    assert.throws(() => parseStl(new TextEncoder().encode('solid x\nfacet normal 0 0 1\nouter loop\nvertex 0 0 nan\nvertex 1 0 0\nvertex 0 1 0\nendloop\nendfacet\nendsolid')), /not three numbers/);
  });

  test('transforms follow URDF rpy (fixed axes: roll, then pitch, then yaw) and compose', () => {
    const q = quatFromRpy(0, 0, Math.PI / 2);
    const v = rotate(q, [1, 0, 0]);
    assert.ok(Math.abs(v[0]) < 1e-12 && Math.abs(v[1] - 1) < 1e-12);
    const rollThenYaw = rotate(quatFromRpy(Math.PI / 2, 0, Math.PI / 2), [0, 1, 0]);
    assert.deepEqual(rollThenYaw.map((x) => Math.round(x * 1e9) / 1e9 + 0), [0, 0, 1]);
    const t = compose({ p: [1, 0, 0], q }, { p: [1, 0, 0], q: [0, 0, 0, 1] });
    assert.deepEqual(t.p.map((x) => Math.round(x * 1e9) / 1e9 + 0), [1, 1, 0]);
  });

  test('combined inertia follows the parallel-axis theorem; principal axes diagonalize it', () => {
    const point = { ixx: 1e-9, iyy: 1e-9, izz: 1e-9, ixy: 0, ixz: 0, iyz: 0 };
    const two = combineInertials([
      { inertial: { massKg: 1, origin: { p: [0, 0, 0], q: [0, 0, 0, 1] }, inertia: point }, linkInBody: { p: [-1, 0, 0], q: [0, 0, 0, 1] } },
      { inertial: { massKg: 1, origin: { p: [0, 0, 0], q: [0, 0, 0, 1] }, inertia: point }, linkInBody: { p: [1, 0, 0], q: [0, 0, 0, 1] } },
    ])!;
    assert.equal(two.massKg, 2);
    assert.ok(Math.abs(two.inertia.izz - 2) < 1e-6 && Math.abs(two.inertia.iyy - 2) < 1e-6 && two.inertia.ixx < 1e-6);
    const { moments } = principalAxes({ ixx: 2, iyy: 2, izz: 1, ixy: 1, ixz: 0, iyz: 0 });
    assert.deepEqual([...moments].sort().map((m) => Math.round(m * 1e9) / 1e9), [1, 1, 3]);
  });
});
