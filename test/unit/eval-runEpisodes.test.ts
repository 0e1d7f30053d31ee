import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runEpisodes, evaluationEpisodeSeed, EVALUATION_EPISODE_CAP } from '../../src/engine/evaluate/runEpisodes';
import type { Policy } from '../../src/engine/policy/policy';
import type { Env, StepResult } from '../../src/engine/sim/env';

/**
 * An env whose episodes are fixed by the seed: success after `seed % 7 + 1` steps when the seed is
 * even, otherwise it never ends on its own. Reward 1 per step. Records the seeds it was reset with.
 */
function scriptedEnv(maxEpisodeSteps: number): Env & { seeds: number[]; actions: number[] } {
  const result: StepResult = { reward: 0, done: false, success: false, termination: 'none' };
  let steps = 0;
  let goal = Infinity;
  const env = {
    observationSize: 2,
    actionSize: 1,
    maxEpisodeSteps,
    observation: new Float64Array(2),
    sample: {},
    seeds: [] as number[],
    actions: [] as number[],
    reset(seed: number) {
      env.seeds.push(seed);
      steps = 0;
      goal = seed % 2 === 0 ? (seed % 7) + 1 : Infinity;
      env.observation[0] = 0;
    },
    step(action: ArrayLike<number>) {
      env.actions.push(action[0]!);
      steps++;
      env.observation[0] = steps;
      result.reward = 1;
      result.success = steps >= goal;
      result.done = result.success || steps >= maxEpisodeSteps;
      result.termination = result.success ? 'success' : result.done ? 'timeout' : 'none';
      return result;
    },
    dispose() {},
  };
  return env;
}

/** Answers asynchronously, like an ONNX Runtime session. */
const echoPolicy: Policy = {
  observationSize: 2,
  actionSize: 1,
  history: 0,
  reset() {},
  async act(observation, action) {
    action[0] = observation[0]! / 1000;
  },
  dispose() {},
};

test('run_episodes reports success rate, CI, average return and length over the seeded episodes', async () => {
  const env = scriptedEnv(150);
  const report = await runEpisodes(env, echoPolicy, { episodes: 40, seed: 3, randomized: true, task: 'test', policy: 'echo' });
  const seeds = Array.from({ length: 40 }, (_, i) => evaluationEpisodeSeed(3, i));
  assert.deepEqual(env.seeds, seeds);
  const lengths = seeds.map((s) => (s % 2 === 0 ? (s % 7) + 1 : 150));
  const successes = seeds.filter((s) => s % 2 === 0).length;
  assert.ok(successes > 0 && successes < 40, 'the seeds give a mix of outcomes');
  assert.equal(report.episodes, 40);
  assert.equal(report.successes, successes);
  assert.equal(report.success_rate, successes / 40);
  assert.ok(report.success_ci[0] < report.success_rate && report.success_rate < report.success_ci[1]);
  const meanLength = lengths.reduce((a, b) => a + b, 0) / 40;
  assert.equal(report.avg_length, meanLength);
  assert.equal(report.avg_return, meanLength); // reward 1 per step
  assert.equal(report.randomized, true);
  // the policy saw the observations the env produced
  assert.equal(env.actions[1], 1 / 1000);
});

test('episodes are capped at 500 steps even when the task allows more', async () => {
  const env = scriptedEnv(10_000);
  const report = await runEpisodes(env, echoPolicy, { episodes: 4, seed: 1, maxSteps: 2000, randomized: false, task: 'test', policy: 'echo' });
  const seeds = env.seeds;
  for (let i = 0; i < 4; i++) assert.equal(seeds[i], evaluationEpisodeSeed(1, i));
  const expected = seeds.map((s) => (s % 2 === 0 ? (s % 7) + 1 : EVALUATION_EPISODE_CAP));
  assert.ok(expected.includes(EVALUATION_EPISODE_CAP), 'some episode runs into the cap');
  assert.equal(report.avg_length, expected.reduce((a, b) => a + b, 0) / 4);
});

test('a policy whose sizes differ from the env is refused', async () => {
  const env = scriptedEnv(10);
  await assert.rejects(runEpisodes(env, { ...echoPolicy, observationSize: 3 }, { episodes: 1, seed: 1, randomized: false, task: 't', policy: 'p' }), /3 observations/);
});

test('evaluation seeds differ from training episode seeds and from other eval seeds', () => {
  const eval7 = new Set(Array.from({ length: 100 }, (_, i) => evaluationEpisodeSeed(7, i)));
  assert.equal(eval7.size, 100);
  assert.ok(!eval7.has(evaluationEpisodeSeed(8, 0)));
});

test('a halt reason ends the evaluation after that episode (a halted robot is not re-armed by software)', async () => {
  const env = scriptedEnv(20);
  let halted: string | undefined;
  const report = await runEpisodes(env, echoPolicy, {
    episodes: 10,
    seed: 3,
    randomized: false,
    task: 'test',
    policy: 'echo',
    onEpisode: (index) => {
      if (index === 2) halted = 'protective stop';
    },
    haltReason: () => halted,
  });
  assert.equal(report.episodes, 3);
  assert.equal(env.seeds.length, 3, 'no episode is started after the halt');
});
