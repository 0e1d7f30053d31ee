/**
 * Training: ARS V2-t on worker threads under domain randomization, with progress events, periodic
 * evaluation, checkpoints, cancel and resume, ending in an exported ONNX policy and its evaluation.
 * Used by the CLI (`sim2real train`) and by the extension's engine process.
 *
 * Determinism: every random draw derives from the experiment seed by (stream, index) --
 * perturbations from (noise seed, iteration, direction) in this thread, each rollout's episode from
 * deriveSeed(seed, iteration, direction) (both signs of a direction meet the same episode), and
 * results are reduced in task order. Worker count and scheduling cannot change the weights, and a
 * resumed run continues exactly as if it had never stopped.
 */
import * as ort from 'onnxruntime-node';
import type { Experiment } from '../config/experiment';
import { taskInfoFor } from '../config/robotModel';
import { EVALUATION_EPISODE_CAP } from '../evaluate/runEpisodes';
import { evaluateOnnxPolicy } from '../evaluate/onnxEvaluation';
import { summarizeEpisodes, type EvaluationReport } from '../evaluate/report';
import type { StopEvaluation, StopEvidence, TrainerState } from '../runs/checkpoint';
import { newRunRecord, RunStore, type RunRecord } from '../runs/runStore';
import { deriveSeed, Rng } from '../util/rng';
import { adamAscent, cloneAdam, createAdam } from './adam';
import { arsUpdate, perturb, sampleDirections } from './ars';
import { initialParameters } from '../policy/mlp';
import { exportPolicyOnnx } from '../policy/onnxExport';
import { policySpecFor, type PolicySpec } from '../policy/policySpec';
import { abortError, startRolloutPool, type RolloutRunner } from './rolloutPool';
import { cloneStats, createStats, mergeStats, normalizationFrom, type ObservationStats } from '../policy/runningStats';
import type { RolloutTask } from './workerProtocol';
import packageJson from '../../../package.json';
import { SEED_STREAMS } from '../util/seedStreams';

export interface TrainingProgress {
  readonly type: 'progress';
  /** Iterations completed. */
  readonly iteration: number;
  /** Training episodes run so far (2 per direction per iteration). */
  readonly episodes: number;
  readonly envSteps: number;
  /** Mean return of this iteration's rollouts (perturbed policies). */
  readonly avgReturn: number;
  /** Success rate of this iteration's rollouts. */
  readonly successRate: number;
  readonly stepsPerSecond: number;
  /** Time left to the env-step budget at the current speed (an upper bound: training stops at the target). */
  readonly etaSeconds: number;
  readonly elapsedSeconds: number;
}

export interface TrainingEvaluation {
  readonly type: 'evaluation';
  readonly iteration: number;
  readonly envSteps: number;
  /** 'sim' for periodic evaluation, 'final' for the exported ONNX policy, 'robot' from the robot hook. */
  readonly stage: 'sim' | 'confirmation' | 'final' | 'robot';
  readonly report: EvaluationReport;
  readonly elapsedSeconds: number;
}

export interface TrainingCheckpoint {
  readonly type: 'checkpoint';
  readonly iteration: number;
  readonly envSteps: number;
  readonly path: string;
}

export type TrainingEvent = TrainingProgress | TrainingEvaluation | TrainingCheckpoint;

/** What the robot hook is given: the current policy as ONNX bytes, ready for the robot runner. */
export interface RobotEvaluationRequest {
  readonly iteration: number;
  readonly onnx: Uint8Array;
  readonly spec: PolicySpec;
  readonly experiment: Experiment;
  readonly signal: AbortSignal;
}

/**
 * "Evaluate on the robot periodically" (domain.md, workflow step 2). Called after each periodic sim
 * evaluation when given; the robot issue supplies the implementation (safety checks, a human starting
 * each episode). Return undefined to skip this time.
 */
export type RobotEvaluationHook = (request: RobotEvaluationRequest) => Promise<EvaluationReport | undefined>;

export interface TrainOptions {
  /** The run folder (see runs/runStore.ts). */
  readonly runDir: string;
  /** Continue the run in runDir from its last checkpoint (the run's own experiment snapshot is used). */
  readonly resume?: boolean;
  readonly signal?: AbortSignal;
  readonly onProgress?: (event: TrainingProgress) => void;
  /** Every event: progress, evaluation, checkpoint. */
  readonly onEvent?: (event: TrainingEvent) => void;
  /** Worker threads [default: experiment.training.workers]; 0 runs rollouts in this thread. */
  readonly workers?: number;
  /** A module exporting createEnv (tests use small envs); default: the built-in simulator. */
  readonly envModule?: string;
  readonly evaluateOnRobot?: RobotEvaluationHook;
  /** Stop once this many training episodes have run (a pipeline stage's budget; whole iterations, so it may run over by less than one). */
  readonly maxEpisodes?: number;
  /** How the ARS direction is applied: Adam (default) or ARS's plain step (alpha * direction). */
  readonly optimizer?: 'adam' | 'sgd';
}

export type StopReason = 'target_reached' | 'max_env_steps' | 'cancelled';

export interface TrainResult {
  readonly status: 'completed' | 'cancelled';
  readonly reason: StopReason;
  readonly runDir: string;
  readonly iterations: number;
  readonly envSteps: number;
  readonly elapsedSeconds: number;
  /** Final weights and normalization (float64, exact). */
  readonly parameters: Float64Array;
  readonly normalization: { readonly mean: Float64Array; readonly std: Float64Array };
  readonly policyPath?: string;
  /** Iteration whose weights policy.onnx holds: the last at the target, else the best evaluated. */
  readonly exportedIteration?: number;
  /** Evaluation of the exported ONNX policy (also eval.json). */
  readonly evaluation?: EvaluationReport;
  /** At the target: the periodic evaluation that crossed it and the confirmation on fresh episodes. */
  readonly stopEvidence?: StopEvidence;
}

export function engineVersions(): Record<string, string> {
  return { engine: packageJson.version, node: process.version, onnxruntime: ort.env.versions.node ?? 'unknown' };
}

export async function train(experimentIn: Experiment, options: TrainOptions): Promise<TrainResult> {
  const signal = options.signal ?? new AbortController().signal;
  const { store, experiment } = openRun(experimentIn, options);
  const task = taskInfoFor(experiment);
  const spec = policySpecFor(experiment.policy, task.observationSize, task.actionSize);
  const cfg = experiment.training;
  const seed = experiment.seed;
  const optimizer = options.optimizer ?? 'adam';

  let state: TrainerState = (options.resume ? store.latestCheckpoint() : undefined) ?? {
    iteration: 0,
    parameters: initialParameters(spec, new Rng(deriveSeed(seed, -1, SEED_STREAMS.run.policyInit))),
    stats: createStats(spec.observationSize),
    envSteps: 0,
    episodes: 0,
    elapsedSeconds: 0,
  };
  if (options.resume) store.truncateMetricsAfter(state.iteration);
  store.update({ status: 'running' });

  const emit = (event: TrainingEvent): void => {
    store.appendMetric(event);
    options.onEvent?.(event);
    if (event.type === 'progress') options.onProgress?.(event);
  };
  const sessionStart = performance.now();
  const elapsed = (): number => state.elapsedSeconds + (performance.now() - sessionStart) / 1000;
  const sessionStartSteps = state.envSteps;
  const checkpoint = (): void => {
    const snapshot = { ...state, elapsedSeconds: elapsed() };
    const path = store.saveCheckpoint(snapshot);
    emit({ type: 'checkpoint', iteration: state.iteration, envSteps: state.envSteps, path });
  };

  let pool: RolloutRunner | undefined;
  let reason: StopReason = 'max_env_steps';
  try {
    pool = await startRolloutPool(experiment, spec, { workers: options.workers ?? cfg.workers, ...(options.envModule ? { envModule: options.envModule } : {}) });
    const noiseSeed = deriveSeed(seed, -1, SEED_STREAMS.run.explorationNoise);
    const maxSteps = Math.min(task.maxEpisodeSteps, experiment.evaluation.maxSteps);
    if (state.stopEvidence !== undefined) reason = 'target_reached';

    while (reason !== 'target_reached' && state.envSteps < cfg.maxEnvSteps && (options.maxEpisodes === undefined || state.episodes < options.maxEpisodes)) {
      if (signal.aborted) throw abortError();
      const iteration = state.iteration;
      const normalization = normalizationOf(experiment, state.stats);
      const deltas = sampleDirections(noiseSeed, iteration, cfg.directions, state.parameters.length);
      const tasks: RolloutTask[] = [];
      deltas.forEach((delta, k) => {
        const episodeSeed = deriveSeed(seed, iteration, k);
        for (const sign of [1, -1] as const) {
          tasks.push({
            index: tasks.length,
            parameters: perturb(state.parameters, delta, cfg.explorationNoise, sign),
            normMean: normalization.mean,
            normStd: normalization.std,
            episodeSeed,
            randomize: true,
            maxSteps,
            collectStats: true,
          });
        }
      });
      const results = await pool.run(tasks, signal);

      const rewardsPlus = new Float64Array(cfg.directions);
      const rewardsMinus = new Float64Array(cfg.directions);
      const stats = cloneStats(state.stats);
      let steps = 0;
      let successes = 0;
      let returnSum = 0;
      for (const r of results) {
        const k = r.index >> 1;
        if (r.index % 2 === 0) rewardsPlus[k] = r.episodeReturn;
        else rewardsMinus[k] = r.episodeReturn;
        steps += r.length;
        returnSum += r.episodeReturn;
        if (r.success) successes += 1;
        if (r.stats) mergeStats(stats, r.stats);
      }
      const step = arsUpdate(state.parameters, deltas, rewardsPlus, rewardsMinus, cfg);
      let parameters = step.parameters;
      let adam = state.adam;
      if (optimizer === 'adam') {
        adam = state.adam ? cloneAdam(state.adam) : createAdam(state.parameters.length);
        parameters = adamAscent(state.parameters, step.direction, adam, cfg.stepSize);
      }
      state = { ...state, iteration: iteration + 1, parameters, ...(adam ? { adam } : {}), stats, envSteps: state.envSteps + steps, episodes: state.episodes + results.length };

      const sessionSeconds = (performance.now() - sessionStart) / 1000;
      const stepsPerSecond = sessionSeconds > 0 ? (state.envSteps - sessionStartSteps) / sessionSeconds : 0;
      emit({
        type: 'progress',
        iteration: state.iteration,
        episodes: state.episodes,
        envSteps: state.envSteps,
        avgReturn: returnSum / results.length,
        successRate: successes / results.length,
        stepsPerSecond,
        etaSeconds: stepsPerSecond > 0 ? Math.max(0, cfg.maxEnvSteps - state.envSteps) / stepsPerSecond : 0,
        elapsedSeconds: elapsed(),
      });

      if (state.iteration % cfg.evalEveryIterations === 0) {
        const report = await evaluateInSim(pool, experiment, spec, state, signal);
        state = { ...state, lastEvalSuccess: report.success_rate };
        // Iterations differ a lot under randomization; remember the best evaluated weights
        // (success first, return breaks ties) so a run that ends on its budget exports those.
        const best = state.best;
        if (!best || report.success_rate > best.successRate || (report.success_rate === best.successRate && report.avg_return > best.avgReturn)) {
          const norm = normalizationOf(experiment, state.stats);
          state = { ...state, best: { iteration: state.iteration, successRate: report.success_rate, avgReturn: report.avg_return, parameters: state.parameters, normMean: norm.mean, normStd: norm.std } };
        }
        emit({ type: 'evaluation', iteration: state.iteration, envSteps: state.envSteps, stage: 'sim', report, elapsedSeconds: elapsed() });
        if (options.evaluateOnRobot) {
          const norm = normalizationOf(experiment, state.stats);
          const robotReport = await options.evaluateOnRobot({ iteration: state.iteration, onnx: exportPolicyOnnx(spec, state.parameters, norm), spec, experiment, signal });
          if (robotReport) emit({ type: 'evaluation', iteration: state.iteration, envSteps: state.envSteps, stage: 'robot', report: robotReport, elapsedSeconds: elapsed() });
        }
        if (report.success_rate >= cfg.targetSuccess) {
          // The first crossing of a noisy estimate is biased high (it is picked for being high):
          // stop only when the same weights also reach the target on fresh episodes (or, with
          // stop_rule lower_bound, when the lower end of their interval does).
          const confirmation = await evaluateInSim(pool, experiment, spec, state, signal, SEED_STREAMS.run.confirmationEvaluation);
          emit({ type: 'evaluation', iteration: state.iteration, envSteps: state.envSteps, stage: 'confirmation', report: confirmation, elapsedSeconds: elapsed() });
          const confirmed = (cfg.stopRule ?? 'confirm') === 'lower_bound' ? confirmation.success_ci[0] : confirmation.success_rate;
          if (confirmed >= cfg.targetSuccess) {
            reason = 'target_reached';
            state = { ...state, stopEvidence: { iteration: state.iteration, candidate: evidenceOf(report), confirmation: evidenceOf(confirmation) } };
          }
        }
      }
      if (state.iteration % cfg.checkpointEveryIterations === 0 || reason === 'target_reached') checkpoint();
    }
  } catch (error) {
    await pool?.close();
    pool = undefined;
    if (isAbort(error) || signal.aborted) {
      // keep the last completed iteration: resume continues from exactly here
      checkpoint();
      const result = resultOf('cancelled', 'cancelled', store, experiment, state, elapsed());
      store.update({ status: 'cancelled', result: summaryOf(result) });
      return result;
    }
    store.update({ status: 'failed', error: error instanceof Error ? error.message : String(error) });
    throw error;
  } finally {
    await pool?.close();
  }

  try {
    if (state.iteration % cfg.checkpointEveryIterations !== 0 && reason !== 'target_reached') checkpoint();
    // at the target the current weights are the ones that passed; on a spent budget, the best evaluated
    const exported = reason === 'target_reached' || !state.best ? { parameters: state.parameters, normalization: normalizationOf(experiment, state.stats) } : { parameters: state.best.parameters, normalization: { mean: state.best.normMean, std: state.best.normStd } };
    store.writePolicy(exportPolicyOnnx(spec, exported.parameters, exported.normalization, { producerVersion: packageJson.version, metadata: { 'sim2real.task': experiment.task, 'sim2real.experiment': experiment.name } }));
    const evaluation = await evaluateOnnxPolicy(store.policyPath, experiment, { episodes: experiment.evaluation.episodes, seed, randomized: experiment.evaluation.randomized, signal, ...(options.envModule ? { envModule: options.envModule } : {}) });
    store.writeEvaluation(evaluation);
    emit({ type: 'evaluation', iteration: state.iteration, envSteps: state.envSteps, stage: 'final', report: evaluation, elapsedSeconds: elapsed() });
    const result = { ...resultOf('completed', reason, store, experiment, state, elapsed()), policyPath: store.policyPath, exportedIteration: reason === 'target_reached' || !state.best ? state.iteration : state.best.iteration, evaluation };
    store.update({ status: 'completed', result: summaryOf(result) });
    return result;
  } catch (error) {
    if (isAbort(error) || signal.aborted) {
      const result = resultOf('cancelled', 'cancelled', store, experiment, state, elapsed());
      store.update({ status: 'cancelled', result: summaryOf(result) });
      return result;
    }
    store.update({ status: 'failed', error: error instanceof Error ? error.message : String(error) });
    throw error;
  }
}

function openRun(experiment: Experiment, options: TrainOptions): { store: RunStore; experiment: Experiment } {
  if (options.resume) {
    const store = RunStore.open(options.runDir);
    // the snapshot, not the file as it reads today: a resumed run must train the same experiment
    return { store, experiment: store.record().experiment };
  }
  return { store: RunStore.create(options.runDir, newRunRecord(experiment, engineVersions())), experiment };
}

/** The current (unperturbed) policy on fresh episodes, in parallel on the pool. */
async function evaluateInSim(pool: RolloutRunner, experiment: Experiment, spec: PolicySpec, state: TrainerState, signal: AbortSignal, stream: number = SEED_STREAMS.run.periodicEvaluation): Promise<EvaluationReport> {
  const normalization = normalizationOf(experiment, state.stats);
  const evalSeed = deriveSeed(experiment.seed, -1, stream);
  const episodes = experiment.training.evalEpisodes;
  const tasks: RolloutTask[] = Array.from({ length: episodes }, (_, i) => ({
    index: i,
    parameters: state.parameters,
    normMean: normalization.mean,
    normStd: normalization.std,
    episodeSeed: deriveSeed(evalSeed, state.iteration, i),
    randomize: experiment.evaluation.randomized,
    maxSteps: Math.min(experiment.evaluation.maxSteps, EVALUATION_EPISODE_CAP, taskInfoFor(experiment).maxEpisodeSteps),
    collectStats: false,
  }));
  const results = await pool.run(tasks, signal);
  return summarizeEpisodes(results, { randomized: experiment.evaluation.randomized, seed: experiment.seed, task: experiment.task, policy: `iteration ${state.iteration} (JS)` });
}

/** ARS V2 normalization, or the identity when the experiment turns it off (ARS V1). */
function normalizationOf(experiment: Experiment, stats: ObservationStats): { mean: Float64Array; std: Float64Array } {
  if (experiment.policy.observationNormalization) return normalizationFrom(stats);
  return normalizationFrom(createStats(stats.mean.length));
}

function isAbort(error: unknown): boolean {
  return error instanceof Error && error.name === 'AbortError';
}

function evidenceOf(report: EvaluationReport): StopEvaluation {
  return { successRate: report.success_rate, episodes: report.episodes, ci95: [report.success_ci[0], report.success_ci[1]] };
}

function resultOf(status: TrainResult['status'], reason: StopReason, store: RunStore, experiment: Experiment, state: TrainerState, elapsedSeconds: number): TrainResult {
  return {
    status,
    reason,
    runDir: store.dir,
    iterations: state.iteration,
    envSteps: state.envSteps,
    elapsedSeconds,
    parameters: state.parameters,
    normalization: normalizationOf(experiment, state.stats),
    ...(state.stopEvidence ? { stopEvidence: state.stopEvidence } : {}),
  };
}

function summaryOf(result: TrainResult): NonNullable<RunRecord['result']> {
  return {
    reason: result.reason,
    iterations: result.iterations,
    envSteps: result.envSteps,
    elapsedSeconds: result.elapsedSeconds,
    ...(result.evaluation ? { successRate: result.evaluation.success_rate } : {}),
    ...(result.stopEvidence ? { stopEvidence: result.stopEvidence } : {}),
  };
}
