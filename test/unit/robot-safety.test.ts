import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { SafetyConfig } from '../../src/engine/config/experiment';
import { checkCommand, MEASURED_VELOCITY_FACTOR, speedScaleFor, type SafetyInput } from '../../src/engine/robot/safety';
import { TEST_SAFETY } from '../support/robot-helpers';

const JOINTS = ['shoulder', 'elbow', 'wrist'];
const CONFIG: SafetyConfig = TEST_SAFETY;
const STRICT: SafetyConfig = { ...CONFIG, clipActions: false };

function input(over: Partial<SafetyInput> = {}): SafetyInput {
  return {
    command: [0.01, 0, 0],
    measured: { position: [0, 0, 0], velocity: [0, 0, 0], effort: [0, 0, 0] },
    jointNames: JOINTS,
    episodeIndex: 5,
    controlPeriodS: 0.02,
    ...over,
  };
}

function violation(over: Partial<SafetyInput>, config = CONFIG) {
  const verdict = checkCommand(input(over), config);
  assert.equal(verdict.ok, false, 'expected a violation');
  return (verdict as Extract<typeof verdict, { ok: false }>).violation;
}

describe('safety layer', () => {
  it('passes a small command unchanged', () => {
    const verdict = checkCommand(input(), CONFIG);
    assert.ok(verdict.ok);
    assert.deepEqual(Array.from(verdict.command), [0.01, 0, 0]);
    assert.equal(verdict.clipped.length, 0);
  });

  it('rejects NaN and infinities, naming the joint', () => {
    for (const bad of [NaN, Infinity, -Infinity]) {
      const v = violation({ command: [0, bad, 0] });
      assert.equal(v.limit, 'non_finite');
      assert.equal(v.joint, 'elbow');
      assert.match(v.message, /^non_finite: elbow command is (NaN|Infinity|-Infinity)/);
    }
  });

  it('rejects a command of the wrong size', () => {
    assert.equal(violation({ command: [0, 0] }).limit, 'command_size');
  });

  it('joint position limit: violation naming the limit and values without clipping, clipped with it', () => {
    const v = violation({ command: [0, 2.7, 0], previousCommand: [0, 2.6, 0] }, STRICT);
    assert.equal(v.limit, 'joint_position_limit');
    assert.equal(v.message, 'joint_position_limit: elbow command 2.700 rad, outside [-2.600, 2.600] rad');
    const clipped = checkCommand(input({ command: [0, 2.7, 0], previousCommand: [0, 2.6, 0] }), CONFIG);
    assert.ok(clipped.ok);
    assert.equal(clipped.command[1], 2.6);
    assert.deepEqual(clipped.clipped.map((c) => c.limit), ['joint_position_limit']);
  });

  it('measured position outside the limits is a violation even with clipping on', () => {
    const v = violation({ measured: { position: [1.9, 0, 0], velocity: [], effort: [] } });
    assert.equal(v.limit, 'joint_position_limit');
    assert.match(v.message, /shoulder measured at 1\.900 rad, outside \[-1\.700, 1\.700\] rad/);
  });

  it('joint velocity limit on the measured speed', () => {
    const fast = 2 * MEASURED_VELOCITY_FACTOR + 0.1;
    const v = violation({ measured: { position: [0, 0, 0], velocity: [0, 0, -fast], effort: [] } });
    assert.equal(v.limit, 'joint_velocity_limit');
    assert.match(v.message, /wrist moving at -2\.600 rad\/s, limit ±2\.500 rad\/s/);
    // just below the monitored limit: fine
    assert.ok(checkCommand(input({ measured: { position: [0, 0, 0], velocity: [0, 0, 2.4], effort: [] } }), CONFIG).ok);
  });

  it('effort limit on the measured torque', () => {
    const v = violation({ measured: { position: [0, 0, 0], velocity: [0, 0, 0], effort: [8.5, 0, 0] } });
    assert.equal(v.limit, 'effort_limit');
    assert.equal(v.message, 'effort_limit: shoulder effort 8.500 N·m, limit ±8.000 N·m');
  });

  it('rate-of-change limit: the smaller of max_command_delta and max_joint_velocity x period', () => {
    // 2 rad/s x 0.02 s = 0.04 rad per step, below max_command_delta 0.25
    const v = violation({ command: [0.1, 0, 0], previousCommand: [0, 0, 0] }, STRICT);
    assert.equal(v.limit, 'rate_of_change_limit');
    assert.equal(v.message, 'rate_of_change_limit: shoulder command changes by 0.100 rad in one step, limit ±0.040 rad');
    const clipped = checkCommand(input({ command: [0.1, 0, 0], previousCommand: [0, 0, 0] }), CONFIG);
    assert.ok(clipped.ok);
    assert.ok(Math.abs(clipped.command[0] - 0.04) < 1e-12);
  });

  it('measures the step from the measured position when nothing was sent yet', () => {
    const verdict = checkCommand(input({ command: [0.5, 0, 0], measured: { position: [0.45, 0, 0], velocity: [], effort: [] } }), CONFIG);
    assert.ok(verdict.ok);
    assert.ok(Math.abs(verdict.command[0] - 0.49) < 1e-12);
  });

  it('speed x0.5 for the first 3 episodes of a session, full speed after', () => {
    for (let episode = 0; episode < 5; episode++) {
      const verdict = checkCommand(input({ command: [1, 0, 0], previousCommand: [0, 0, 0], episodeIndex: episode }), CONFIG);
      assert.ok(verdict.ok);
      const expected = episode < 3 ? 0.02 : 0.04;
      assert.ok(Math.abs(verdict.command[0] - expected) < 1e-12, `episode ${episode}: ${verdict.command[0]}`);
      assert.equal(verdict.speedScale, episode < 3 ? 0.5 : 1);
    }
    assert.equal(speedScaleFor({ ...CONFIG, limitedEpisodes: 0 }, 0), 1);
  });

  it('names the speed limit when only the reduced speed is exceeded', () => {
    const v = violation({ command: [0.03, 0, 0], previousCommand: [0, 0, 0], episodeIndex: 1 }, STRICT);
    assert.equal(v.limit, 'speed_limit');
    assert.match(v.message, /limit ±0\.020 rad \(speed x0\.5 for the first 3 episodes\)/);
  });

  it('workspace bounds on the commanded tip', () => {
    const config: SafetyConfig = { ...CONFIG, workspace: { x: [-0.1, 0.6], y: [-0.5, 0.5] } };
    const tipPosition = (q: ArrayLike<number>) => ({ x: 0.7 * Math.cos(q[0]), y: 0.7 * Math.sin(q[0]) });
    const v = violation({ command: [0.01, 0, 0], tipPosition }, config);
    assert.equal(v.limit, 'workspace_limit');
    assert.match(v.message, /commanded tip at \(0\.700, 0\.007\) m, outside x \[-0\.100, 0\.600\] m, y \[-0\.500, 0\.500\] m/);
    const inside = checkCommand(input({ command: [0.01, 0, 0], tipPosition: () => ({ x: 0.3, y: 0 }) }), config);
    assert.ok(inside.ok);
  });

  it('is pure: the same input gives the same verdict and the input is not modified', () => {
    const command = [0.3, 0, 0];
    const a = checkCommand(input({ command, previousCommand: [0, 0, 0] }), CONFIG);
    const b = checkCommand(input({ command, previousCommand: [0, 0, 0] }), CONFIG);
    assert.deepEqual(a, b);
    assert.deepEqual(command, [0.3, 0, 0]);
  });
});
