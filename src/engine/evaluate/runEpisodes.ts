/**
 * run_episodes: drive a policy through N episodes of an environment and report success rate (with a
 * 95% interval), average return and average length. Works with any Policy (JS or ONNX) and any Env
 * (simulated or, later, the robot behind the same contract).
 */
import type { Env, StepResult } from '../sim/env';
import type { Policy } from '../policy/policy';
import { deriveSeed } from '../util/rng';
import { summarizeEpisodes, type EpisodeRecord, type EvaluationReport, type ReportContext } from './report';
import { SEED_STREAMS } from '../util/seedStreams';

/** Steps that wait for a robot instead of blocking the thread (RobotEnv). */
export interface AsyncSteps {
  resetAsync(seed: number): Promise<void>;
  stepAsync(action: ArrayLike<number>): Promise<StepResult>;
}

/** Evaluation episodes never run longer than this, whatever the task's own cap. */
export const EVALUATION_EPISODE_CAP = 500;

/**
 * Seed of evaluation episode `episode`. Iteration -1 is never a training iteration, so evaluation
 * episodes differ from the ones trained on; the trainer's final evaluation and `sim2real eval` with
 * the same seed run the very same episodes.
 */
export function evaluationEpisodeSeed(seed: number, episode: number): number {
  return deriveSeed(deriveSeed(seed, -1, SEED_STREAMS.run.evaluation), 0, episode);
}

export interface RunEpisodesOptions {
  readonly episodes: number;
  readonly seed: number;
  /** Per-episode step cap [default: 500, and never above it]. */
  readonly maxSteps?: number;
  readonly signal?: AbortSignal;
  /** Called after each episode (progress bars). */
  readonly onEpisode?: (index: number, record: EpisodeRecord) => void;
  /** Checked after each episode: a reason ends the evaluation there (a robot halted until a person re-arms it). */
  readonly haltReason?: () => string | undefined;
  /**
   * Awaited before each episode (a robot's motion authority asking a person to start it); a reason
   * it returns ends the evaluation there, before the episode.
   */
  readonly beforeEpisode?: (index: number) => Promise<string | undefined>;
}

/**
 * One evaluation episode from `seed`: the policy acts until the task ends it or `maxSteps` pass.
 * Asynchronous for ONNX policies; training's rollouts keep their own synchronous loop
 * (learn/rollout.ts), which also gathers observation statistics on the hot path. `action` is the
 * caller's scratch buffer (env.actionSize long), reused across episodes. `afterReset` may throw to
 * refuse the episode before the first action (a robot that did not reset).
 */
export async function runEvaluationEpisode(env: Env, policy: Policy, seed: number, maxSteps: number, action: Float64Array, afterReset?: () => void): Promise<EpisodeRecord> {
  // a robot's env waits for its link without blocking the thread (robot/robotEnv.ts)
  const waiting = env as Env & Partial<AsyncSteps>;
  if (waiting.resetAsync) await waiting.resetAsync(seed);
  else env.reset(seed);
  afterReset?.();
  policy.reset(env.observation);
  let episodeReturn = 0;
  let length = 0;
  let success = false;
  while (length < maxSteps) {
    await policy.act(env.observation, action);
    const result = waiting.stepAsync ? await waiting.stepAsync(action) : env.step(action);
    episodeReturn += result.reward;
    length += 1;
    if (result.success) success = true;
    if (result.done) break;
  }
  return { episodeReturn, length, success };
}

export async function runEpisodeRecords(env: Env, policy: Policy, options: RunEpisodesOptions): Promise<EpisodeRecord[]> {
  if (policy.observationSize !== env.observationSize || policy.actionSize !== env.actionSize) {
    throw new Error(`policy takes ${policy.observationSize} observations and gives ${policy.actionSize} actions; the task has ${env.observationSize} and ${env.actionSize}`);
  }
  const maxSteps = Math.min(options.maxSteps ?? EVALUATION_EPISODE_CAP, EVALUATION_EPISODE_CAP);
  const action = new Float64Array(env.actionSize);
  const records: EpisodeRecord[] = [];
  for (let i = 0; i < options.episodes; i++) {
    if (options.signal?.aborted) throw Object.assign(new Error('evaluation cancelled'), { name: 'AbortError' });
    if ((await options.beforeEpisode?.(i)) !== undefined) break;
    if (options.signal?.aborted) throw Object.assign(new Error('evaluation cancelled'), { name: 'AbortError' });
    const record = await runEvaluationEpisode(env, policy, evaluationEpisodeSeed(options.seed, i), maxSteps, action);
    records.push(record);
    options.onEpisode?.(i, record);
    if (options.haltReason?.() !== undefined) break;
  }
  return records;
}

export async function runEpisodes(env: Env, policy: Policy, options: RunEpisodesOptions & Omit<ReportContext, 'seed'>): Promise<EvaluationReport> {
  const records = await runEpisodeRecords(env, policy, options);
  return summarizeEpisodes(records, { randomized: options.randomized, seed: options.seed, task: options.task, policy: options.policy });
}
