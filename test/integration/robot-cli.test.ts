/** `sim2real robot`: a URDF read as the simulator will, with JSON for scripts and file:line problems. */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { binaryStl, boxTriangles } from '../support/stlFiles';

const REPO = join(__dirname, '..', '..');
const CLI = join(REPO, 'src', 'engine', 'cli.ts');
const dir = mkdtempSync(join(tmpdir(), 'robot-cli-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function cli(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ status: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', CLI, ...args], { cwd: REPO, encoding: 'utf8', timeout: 60_000, env: { ...process.env, ...env } }, (error, stdout, stderr) => {
      resolve({ status: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

test('the SO-101 reads as six movable joints from the base outwards, with its limits, as JSON', async () => {
  const { status, stdout } = await cli(['robot', 'robots/so101/so101.urdf', '--json']);
  assert.equal(status, 0);
  const summary = JSON.parse(stdout);
  assert.deepEqual(summary.joints.map((j: { name: string }) => j.name), ['shoulder_pan', 'shoulder_lift', 'elbow_flex', 'wrist_flex', 'wrist_roll', 'gripper']);
  assert.equal(summary.joints[4].upper, 2.7925);
  assert.equal(summary.joints[0].effort, 2.9);
  assert.ok(summary.leafLinks.includes('gripper_tip'));
  assert.deepEqual(summary.problems, []);
});

test('a package:// mesh resolves through --package-path and ROS_PACKAGE_PATH; a bad URDF exits 1 with file:line', async () => {
  const pkg = join(dir, 'share', 'arm_description');
  mkdirSync(join(pkg, 'meshes'), { recursive: true });
  writeFileSync(join(pkg, 'meshes', 'link.stl'), binaryStl(boxTriangles(0.1, 0.05, 0.05)));
  const urdf = join(dir, 'elsewhere', 'arm.urdf');
  mkdirSync(join(dir, 'elsewhere'));
  const inertial = '<inertial><mass value="0.2"/><inertia ixx="1e-4" iyy="1e-4" izz="1e-4" ixy="0" ixz="0" iyz="0"/></inertial>';
  writeFileSync(urdf, [
    '<robot name="arm">',
    `<link name="base">${inertial}</link>`,
    `<link name="link1">${inertial}<collision><geometry><mesh filename="package://arm_description/meshes/link.stl"/></geometry></collision></link>`,
    '<joint name="j1" type="continuous"><parent link="base"/><child link="link1"/><axis xyz="0 0 1"/></joint>',
    '</robot>',
  ].join('\n'));
  const unresolved = await cli(['robot', urdf]);
  assert.equal(unresolved.status, 1);
  assert.match(unresolved.stdout, /arm\.urdf:3: error: link 'link1': mesh 'package:\/\/arm_description\/meshes\/link\.stl': package 'arm_description' has no file/);
  for (const run of [await cli(['robot', urdf, '--package-path', join(dir, 'share')]), await cli(['robot', urdf], { ROS_PACKAGE_PATH: join(dir, 'share') })]) {
    assert.equal(run.status, 0, run.stdout + run.stderr);
    assert.match(run.stdout, /joint j1 \(continuous\) base -> link1, axis 0 0 1, range unlimited/);
    assert.match(run.stdout, /link\.stl: 12 triangles, 8 distinct vertices/);
  }
  const usage = await cli(['robot']);
  assert.equal(usage.status, 2);
  assert.match(usage.stderr, /name one URDF file/);
});

test('reach on the SO-101: train writes a policy with its 17 inputs, eval runs it, and jobs that need the built-in arm refuse', async () => {
  const out = join(dir, 'so101-run');
  const trained = await cli(['train', 'examples/so101-reach.s2r.yaml', '--max-steps', '20000', '--out', out, '--workers', '1']);
  assert.equal(trained.status, 0, trained.stdout + trained.stderr);
  assert.match(trained.stdout, /final evaluation of policy\.onnx: success/);
  const evaluated = await cli(['eval', 'examples/so101-reach.s2r.yaml', '--policy', join(out, 'policy.onnx'), '--episodes', '5', '--json']);
  assert.equal(evaluated.status, 0, evaluated.stderr);
  assert.equal(JSON.parse(evaluated.stdout).episodes, 5);
  const sysid = await cli(['sysid', 'examples/so101-reach.s2r.yaml', '--robot', 'ws://127.0.0.1:9090']);
  assert.notEqual(sysid.status, 0);
  assert.match(sysid.stderr + sysid.stdout, /System identification runs the built-in three-link arm only so far/);
});
