/**
 * Messages between the trainer and its rollout workers. Each task is one episode, fully described
 * by its message (weights, normalization, episode seed), so a result never depends on which worker
 * ran it or in what order.
 */
import type { Experiment } from '../config/experiment';
import type { PolicySpec } from '../policy/policySpec';

export interface RolloutTask {
  /** Position in the batch: results are reduced in this order. */
  readonly index: number;
  readonly parameters: Float64Array;
  readonly normMean: Float64Array;
  readonly normStd: Float64Array;
  readonly episodeSeed: number;
  readonly randomize: boolean;
  readonly maxSteps: number;
  /** Return the episode's observation statistics (training rollouts, not evaluation). */
  readonly collectStats: boolean;
}

export interface RolloutResult {
  readonly index: number;
  readonly episodeReturn: number;
  readonly length: number;
  readonly success: boolean;
  readonly stats?: { count: number; mean: Float64Array; m2: Float64Array };
}

/** Trainer -> worker. */
export type ToWorker =
  | { readonly kind: 'init'; readonly experiment: Experiment; readonly spec: PolicySpec; readonly envModule?: string }
  | { readonly kind: 'rollout'; readonly task: RolloutTask };

/** Worker -> trainer. */
export type FromWorker =
  | { readonly kind: 'ready' }
  | { readonly kind: 'result'; readonly result: RolloutResult }
  | { readonly kind: 'error'; readonly message: string };
