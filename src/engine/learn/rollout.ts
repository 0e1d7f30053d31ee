/**
 * One training episode with the JS policy: synchronous and allocation-free per step, because this
 * loop is where training spends its time besides the physics.
 */
import type { Env } from '../sim/env';
import type { JsPolicy } from '../policy/policy';
import { pushObservation, type ObservationStats } from '../policy/runningStats';
import type { EpisodeRecord } from '../evaluate/report';

/**
 * Runs one episode from `episodeSeed`. Observations seen (before normalization) are added to
 * `stats` when given: ARS V2 normalizes with statistics of the states its rollouts visit.
 */
export function runEpisode(env: Env, policy: JsPolicy, episodeSeed: number, maxSteps: number, action: Float64Array, stats?: ObservationStats): EpisodeRecord {
  env.reset(episodeSeed);
  const observation = env.observation;
  policy.reset(observation);
  let episodeReturn = 0;
  let length = 0;
  let success = false;
  while (length < maxSteps) {
    if (stats) pushObservation(stats, observation);
    policy.act(observation, action);
    const result = env.step(action);
    episodeReturn += result.reward;
    length += 1;
    if (result.success) success = true;
    if (result.done) break;
  }
  return { episodeReturn, length, success };
}
