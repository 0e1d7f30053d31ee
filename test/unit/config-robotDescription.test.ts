/**
 * robot.description in an experiment: the URDF's names are checked where they are written (with
 * "did you mean"), what a URDF robot cannot run yet is refused at its key, and the task's spaces
 * follow the arm.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { robotReaderFrom } from '../../src/engine/config/load';
import { requireBuiltInArm, taskInfoFor } from '../../src/engine/config/robotModel';
import { resolveExperiment } from '../../src/engine/config/resolve';
import { validateText } from '../../src/engine/config/validate';
import type { MapNode } from '../../src/engine/config/yamlTree';

const REPO = join(__dirname, '..', '..');
const EXAMPLES = join(REPO, 'examples');
const dir = mkdtempSync(join(tmpdir(), 'robot-description-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const experiment = (robot: string, extra = '') => `name: r\ntask: reach\n${extra}robot:\n  description: ../robots/so101/so101.urdf\n${robot}`;

function findings(text: string, base = EXAMPLES) {
  return validateText(text, { readRobot: robotReaderFrom(base) }).findings.filter((f) => f.severity === 'error').map((f) => ({ line: text.slice(0, f.start).split('\n').length, message: f.message }));
}

describe('robot.description', () => {
  test('the shipped SO-101 example validates, and its task has 2n + 9 observations and n actions', () => {
    const loaded = validateText('name: r\ntask: reach\nrobot:\n  description: ../robots/so101/so101.urdf\n  joints: [shoulder_pan, shoulder_lift, elbow_flex]\n', { readRobot: robotReaderFrom(EXAMPLES) });
    assert.deepEqual(loaded.findings.filter((f) => f.severity === 'error'), []);
    const resolved = resolveExperiment(loaded.root as MapNode, join(EXAMPLES, 'x.s2r.yaml'));
    const info = taskInfoFor(resolved);
    assert.deepEqual([info.observationSize, info.actionSize], [15, 3]);
    assert.deepEqual(info.joints, ['shoulder_pan', 'shoulder_lift', 'elbow_flex']);
    assert.deepEqual(resolved.robot!.description!.basePosition, [0, 0, 0.75]);
    assert.throws(() => requireBuiltInArm(resolved, 'System identification'), /System identification runs the built-in three-link arm only so far.*robot\.description: \.\.\/robots\/so101\/so101\.urdf/);
  });

  test('misspelt joints and end effector are errors at their own lines, with did-you-mean; a fixed joint is named as such', () => {
    const text = experiment('  joints:\n    - shoulder_pan\n    - shoulder_lfit\n    - gripper_tip_joint\n  end_effector: gripper_top\n');
    const errors = findings(text);
    assert.match(errors.find((e) => e.line === 7)!.message, /no movable joint 'shoulder_lfit' in so101; did you mean 'shoulder_lift'\?/);
    assert.match(errors.find((e) => e.line === 8)!.message, /'gripper_tip_joint' in so101 \(it is a fixed joint\)/);
    assert.match(errors.find((e) => e.line === 9)!.message, /no link 'gripper_top' in so101; did you mean 'gripper_tip'\?/);
  });

  test('a missing URDF, a URDF with errors, push and randomization are refused at their keys', () => {
    const missing = findings('name: r\ntask: reach\nrobot:\n  description: nowhere.urdf\n');
    assert.match(missing[0]!.message, /URDF 'nowhere\.urdf' does not exist/);
    writeFileSync(join(dir, 'bad.urdf'), '<robot name="b">\n<link name="a"/>\n<joint name="j" type="revolute"><parent link="a"/><child link="x"/><limit lower="0" upper="1" effort="1" velocity="1"/></joint>\n</robot>\n');
    const broken = findings('name: r\ntask: reach\nrobot:\n  description: bad.urdf\n', dir);
    assert.match(broken[0]!.message, /The URDF has 1 error; the first, at line 3: joint 'j': its child link 'x' does not exist/);
    const push = findings(experiment('', '').replace('task: reach', 'task: push'));
    assert.match(push.find((e) => e.line === 2)!.message, /Task 'push' does not run on a URDF robot yet/);
    const randomized = findings(experiment('', 'randomization:\n  dynamics:\n    action_noise: { distribution: uniform, range: [0.01, 0.05] }\n'));
    assert.match(randomized.find((e) => e.line === 5)!.message, /'action_noise': randomization does not run on a URDF robot yet/);
  });
});
