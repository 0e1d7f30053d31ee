/**
 * How a control step ends an episode, the same for every simulated env: a blown-up state ends it
 * at a penalty for the steps it would have had left, success ends it, and so does the step cap.
 */
import type { StepResult } from './env';

/** Reward per control step left when the simulation explodes (task rewards stay above -1 per step). */
export const EXPLOSION_PENALTY_PER_STEP = 1;

/** An entry beyond the limit or not finite: the state has blown up. */
export function exploded(observation: Float64Array, limit: number): boolean {
  for (let i = 0; i < observation.length; i++) {
    // Written so that NaN fails the comparison and counts as exploded.
    if (!(Math.abs(observation[i]!) < limit)) return true;
  }
  return false;
}

/** A fresh episode: nothing decided yet. */
export function startEpisode(r: StepResult): void {
  r.reward = 0;
  r.done = false;
  r.success = false;
  r.termination = 'none';
}

export function endExploded(r: StepResult, episodeStep: number, maxEpisodeSteps: number): StepResult {
  r.reward = -EXPLOSION_PENALTY_PER_STEP * (maxEpisodeSteps - episodeStep + 1);
  r.done = true;
  r.success = false;
  r.termination = 'exploded';
  return r;
}

/** Reward and success of a step that did not blow up; done on success or at the step cap. */
export function scoreStep(r: StepResult, reward: number, success: boolean, episodeStep: number, maxEpisodeSteps: number): StepResult {
  r.reward = reward;
  r.success = success;
  if (success) {
    r.done = true;
    r.termination = 'success';
  } else if (episodeStep >= maxEpisodeSteps) {
    r.done = true;
    r.termination = 'timeout';
  }
  return r;
}
