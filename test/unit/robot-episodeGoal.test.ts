/**
 * The goal of a robot episode follows the task's definition from where the puck really is: the same
 * distance, and a direction within the task's spread of straight outward (as the simulator trains).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { goalFromPuck } from '../../src/engine/robot/robotEpisodes';
import { PUSH, pushTask } from '../../src/engine/sim/tasks/push';
import { newEpisodeStart } from '../../src/engine/sim/tasks/task';
import { Rng } from '../../src/engine/util/rng';

const wrap = (a: number): number => Math.atan2(Math.sin(a), Math.cos(a));

test('the goal keeps the sampled distance and its direction relative to outward from the real puck', () => {
  const rng = new Rng(11);
  const sampled = newEpisodeStart();
  const actual = newEpisodeStart();
  const goal = new Float64Array(2);
  let widestTurn = 0;
  for (let k = 0; k < 2000; k++) {
    pushTask.sampleStart(rng, sampled);
    pushTask.sampleStart(rng, actual); // the robot's own reset put the puck elsewhere
    const [px, py] = actual.puckXY;
    goalFromPuck(sampled, px, py, goal);
    const distance = Math.hypot(goal[0] - px, goal[1] - py);
    assert.ok(Math.abs(distance - Math.hypot(sampled.goalXY[0] - sampled.puckXY[0], sampled.goalXY[1] - sampled.puckXY[1])) < 1e-12);
    assert.ok(distance >= PUSH.goalDistanceM[0] - 1e-12 && distance <= PUSH.goalDistanceM[1] + 1e-12);
    const turn = Math.abs(wrap(Math.atan2(goal[1] - py, goal[0] - px) - Math.atan2(py, px)));
    widestTurn = Math.max(widestTurn, turn);
    assert.ok(turn <= PUSH.goalDirectionSpreadRad + 1e-9, `goal ${turn.toFixed(3)} rad off outward (task: ±${PUSH.goalDirectionSpreadRad})`);
  }
  assert.ok(widestTurn > 0.9 * PUSH.goalDirectionSpreadRad, 'the spread is used, not collapsed');
});

test('where the puck is where it was sampled, the goal is the sampled goal', () => {
  const start = newEpisodeStart();
  pushTask.sampleStart(new Rng(3), start);
  const goal = new Float64Array(2);
  goalFromPuck(start, start.puckXY[0], start.puckXY[1], goal);
  assert.ok(Math.abs(goal[0] - start.goalXY[0]) < 1e-12 && Math.abs(goal[1] - start.goalXY[1]) < 1e-12);
});
