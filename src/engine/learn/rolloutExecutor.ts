/**
 * Runs rollout tasks against lazily created environments (one randomized, one nominal). The same
 * code serves worker threads and the in-process runner, so both give identical results.
 */
import type { Experiment } from '../config/experiment';
import type { Env } from '../sim/env';
import type { EnvFactory } from '../evaluate/envFactory';
import { JsPolicy } from '../policy/policy';
import type { PolicySpec } from '../policy/policySpec';
import { runEpisode } from './rollout';
import { createStats } from '../policy/runningStats';
import type { RolloutResult, RolloutTask } from './workerProtocol';

export class RolloutExecutor {
  private readonly envs = new Map<boolean, Env>();
  private readonly policy: JsPolicy;
  private readonly action: Float64Array;

  constructor(
    private readonly experiment: Experiment,
    private readonly spec: PolicySpec,
    private readonly createEnv: EnvFactory,
  ) {
    this.policy = new JsPolicy(spec);
    this.action = new Float64Array(spec.actionSize);
  }

  async run(task: RolloutTask): Promise<RolloutResult> {
    const env = await this.envFor(task.randomize);
    this.policy.network.setParameters(task.parameters);
    this.policy.network.setNormalization(task.normMean, task.normStd);
    const stats = task.collectStats ? createStats(this.spec.observationSize) : undefined;
    const outcome = runEpisode(env, this.policy, task.episodeSeed, task.maxSteps, this.action, stats);
    return { index: task.index, ...outcome, ...(stats ? { stats } : {}) };
  }

  dispose(): void {
    for (const env of this.envs.values()) env.dispose();
    this.envs.clear();
  }

  private async envFor(randomize: boolean): Promise<Env> {
    let env = this.envs.get(randomize);
    if (!env) {
      env = await this.createEnv(this.experiment, { randomize });
      if (env.observationSize !== this.spec.observationSize || env.actionSize !== this.spec.actionSize) {
        throw new Error(`environment has observation ${env.observationSize} / action ${env.actionSize}, policy expects ${this.spec.observationSize} / ${this.spec.actionSize}`);
      }
      this.envs.set(randomize, env);
    }
    return env;
  }
}
