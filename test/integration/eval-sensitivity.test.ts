/**
 * Sensitivity sweeps on the real simulator with the scripted reacher as the policy: the reacher
 * needs its motors, so motor strength swept down to zero must show a drop; it is a closed-loop
 * controller that shrugs off a little action noise, so that curve stays high; visual parameters are
 * skipped for a state policy. Also the sweep's points: across and beyond the range.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { RandomizationEntry } from '../../src/engine/config/experiment';
import type { Policy } from '../../src/engine/policy/policy';
import { sweepPoints, sweepSensitivity } from '../../src/engine/evaluate/sensitivity';
import { scriptedReachAction } from '../../src/engine/sim/scripted';
import { TASK_DEFINITIONS } from '../../src/engine/sim/tasks';
import { experimentFor } from '../support/sim-fixtures';

const entry = (partial: Partial<RandomizationEntry> & Pick<RandomizationEntry, 'name' | 'group' | 'distribution' | 'operation'>): RandomizationEntry => ({ size: 1, resample: 'episode', ...partial });

/** The scripted reacher behind the Policy interface the evaluator drives. */
const scriptedReacher: Policy = {
  observationSize: TASK_DEFINITIONS.reach.info.observationSize,
  actionSize: TASK_DEFINITIONS.reach.info.actionSize,
  history: 0,
  reset() {},
  act(observation, action) {
    scriptedReachAction(observation, TASK_DEFINITIONS.reach.maxTargetStepRad, action);
  },
  dispose() {},
};

test('sweep points: across the range and half a width beyond each end; whole numbers for randint; geometric for log_uniform', () => {
  const uniform = sweepPoints(entry({ name: 'friction', group: 'physics', distribution: 'uniform', range: [0.5, 1.5], operation: 'scale' }), 5);
  assert.deepEqual(uniform.map((p) => p.raw), [0, 0.5, 1, 1.5, 2]);
  assert.deepEqual(uniform.map((p) => p.inRange), [false, true, true, true, false]);
  const randint = sweepPoints(entry({ name: 'action_delay', group: 'dynamics', distribution: 'randint', range: [0, 4], operation: 'abs' }), 5);
  assert.deepEqual(randint.map((p) => p.raw), [-2, 0, 2, 4, 6]);
  const log = sweepPoints(entry({ name: 'joint_damping', group: 'physics', distribution: 'log_uniform', range: [0.25, 4], operation: 'scale' }), 5);
  assert.deepEqual(log.map((p) => +(p.raw as number).toFixed(6)), [0.0625, 0.25, 1, 4, 16]);
});

test('a parameter the policy depends on shows a drop; one it tolerates does not; visuals are skipped', async () => {
  const experiment = experimentFor('reach', [
    entry({ name: 'motor_strength', group: 'dynamics', distribution: 'uniform', range: [0.1, 1.0], operation: 'scale' }),
    entry({ name: 'action_noise', group: 'dynamics', distribution: 'uniform', range: [0, 0.02], operation: 'abs' }),
    entry({ name: 'light_intensity', group: 'visuals', distribution: 'uniform', range: [0.5, 1.5], operation: 'scale' }),
  ]);
  const progress: number[] = [];
  const report = await sweepSensitivity({ ...experiment, evaluation: { ...experiment.evaluation, maxSteps: 100 } }, scriptedReacher, {
    episodes: 8,
    onPoint: (done) => progress.push(done),
  });
  assert.ok(report.nominal.successRate >= 0.75, `nominal success ${report.nominal.successRate}`);
  assert.deepEqual(report.parameters.map((p) => p.name), ['motor_strength', 'action_noise']);
  assert.deepEqual(report.skipped.map((s) => s.name), ['light_intensity']);

  const motor = report.parameters[0]!;
  // 0.1 - 0.45 clamps to a strength of 0 N·m: the arm cannot move
  const weakest = motor.points[0]!;
  assert.equal(weakest.value, 0);
  assert.equal(weakest.inRange, false);
  assert.equal(weakest.successRate, 0, JSON.stringify(motor.points));
  assert.ok(motor.dropPoints >= 50, `motor_strength drop ${motor.dropPoints} points: ${JSON.stringify(motor.points)}`);

  const noise = report.parameters[1]!;
  assert.ok(noise.dropPoints <= 25, `action_noise drop ${noise.dropPoints} points: ${JSON.stringify(noise.points)}`);
  for (const p of [...motor.points, ...noise.points]) assert.equal(p.episodes, 8);
  // one progress call per point, counting up from 0
  assert.deepEqual(progress, progress.map((_, i) => i));
  assert.equal(progress.length, 1 + motor.points.length + noise.points.length);
});

test('a sweep stops when its signal aborts', async () => {
  const experiment = experimentFor('reach', [entry({ name: 'motor_strength', group: 'dynamics', distribution: 'uniform', range: [0.5, 1.0], operation: 'scale' })]);
  const controller = new AbortController();
  await assert.rejects(
    sweepSensitivity(experiment, scriptedReacher, { episodes: 4, signal: controller.signal, onPoint: (done) => done === 1 && controller.abort() }),
    (error: Error) => error.name === 'AbortError',
  );
});
