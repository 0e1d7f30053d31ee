/**
 * A policy as the evaluator and the trainer drive it: reset at the start of an episode, then one
 * action per observation. The JS network and an ONNX model both fit, so a policy trained elsewhere
 * is evaluated by the same code as one trained here.
 */
import { HistoryInput } from './historyInput';
import { MlpPolicy } from './mlp';
import type { PolicySpec } from './policySpec';

export interface Policy {
  readonly observationSize: number;
  readonly actionSize: number;
  /** Past steps the policy sees besides the current observation. */
  readonly history: number;
  reset(firstObservation: Float64Array): void;
  /** Writes the action for `observation` into `action` (values in [-1, 1]). */
  act(observation: Float64Array, action: Float64Array): void | Promise<void>;
  dispose(): void | Promise<void>;
}

/** The JS forward pass with its history: synchronous, so rollouts never wait on a microtask. */
export class JsPolicy implements Policy {
  readonly network: MlpPolicy;
  private readonly historyInput: HistoryInput;

  constructor(spec: PolicySpec) {
    this.network = new MlpPolicy(spec);
    this.historyInput = new HistoryInput(spec.observationSize, spec.actionSize, spec.history);
  }

  get observationSize(): number {
    return this.network.spec.observationSize;
  }
  get actionSize(): number {
    return this.network.spec.actionSize;
  }
  get history(): number {
    return this.network.spec.history;
  }

  reset(firstObservation: Float64Array): void {
    this.historyInput.reset(firstObservation);
  }

  act(observation: Float64Array, action: Float64Array): void {
    this.network.forward(this.historyInput.build(observation), action);
    this.historyInput.record(observation, action);
  }

  dispose(): void {}
}
