/**
 * ARS with some or all rollouts on the robot: stage kinds `mixed` (sim_ratio of the episodes in
 * randomized sim on the worker pool, the rest on the robot link through the safety layer) and
 * `real_finetune` (every episode on the robot). Every real episode is permitted by the robot's
 * motion authority: on a real robot a person confirms the emergency stop and starts each episode
 * (or supervised batch), and after a protective stop only a person re-arms it; the bundled emulator
 * runs unattended.
 *
 * Real episodes steer the policy the same way sim ones do: each real direction runs its + and -
 * perturbations on the robot, and its reward difference enters the same ARS update as the sim
 * directions' (ranked together by |r+ - r-|). Sim rollouts run on the workers after the real ones,
 * never beside them: the robot link's timing comes first.
 *
 * Every real episode is appended to real-rollouts.jsonl before the next starts: the budget counts
 * episodes that ran, even when a crash loses the iteration they belonged to. The trainer state is
 * checkpointed after every iteration, so a cancelled or crashed stage resumes at its last one.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Experiment } from '../config/experiment';
import { TASKS } from '../config/taskCatalog';
import { summarizeEpisodes, type EvaluationReport } from '../evaluate/report';
import { adamAscent, cloneAdam, createAdam } from '../learn/adam';
import { arsUpdate, perturb, sampleDirections } from '../learn/ars';
import { exportPolicyOnnx } from '../policy/onnxExport';
import { JsPolicy } from '../policy/policy';
import { policySpecFor, type PolicySpec } from '../policy/policySpec';
import { startRolloutPool, type RolloutRunner } from '../learn/rolloutPool';
import { cloneStats, createStats, mergeStats, normalizationFrom, pushObservation, type ObservationStats } from '../policy/runningStats';
import { evaluateOnnxPolicy } from '../evaluate/onnxEvaluation';
import type { RolloutTask } from '../learn/workerProtocol';
import { motionAuthorityFor, MotionRefused } from '../robot/motionAuthority';
import { MOTION_LOG_FILE } from '../robot/motionLog';
import { connectRobotEnv, type RobotEnv } from '../robot/robotEnv';
import { appendJsonLine, readJsonLines, writeJsonAtomic } from '../util/atomicFile';
import type { TrainerState } from '../runs/checkpoint';
import type { RunStore } from '../runs/runStore';
import { deriveSeed, Rng } from '../util/rng';
import { initialParameters } from '../policy/mlp';
import { carriedState, openStageRun } from '../stages/stageRun';
import type { StageContext, StageOutcome } from '../stages/types';
import { pct } from '../../common/format';
import { SEED_STREAMS } from '../util/seedStreams';

export const REAL_ROLLOUTS_FILE = 'real-rollouts.jsonl';
const PROGRESS_FILE = 'stage-progress.json';

/**
 * Directions per fine-tuning iteration on the robot: 8 episodes per update, each started by a
 * person, so 100 episodes make 12 updates rather than 1-2 with the sim's 32 directions.
 */
export const FINETUNE_DIRECTIONS = 4;

export interface RealRollout {
  readonly iteration: number;
  readonly direction: number;
  readonly sign: 1 | -1;
  readonly episodeReturn: number;
  readonly length: number;
  readonly success: boolean;
  /** Why the robot aborted the episode (safety stop, halt, lost link), if it did. */
  readonly aborted?: string;
  readonly at: string;
}

export interface RealArsPlan {
  readonly simEpisodes: number;
  readonly realEpisodes: number;
  /** Directions per iteration that run on the robot / in sim. */
  readonly realDirections: number;
  readonly simDirections: number;
}

interface StageProgressFile {
  readonly iteration: number;
  readonly simEpisodes: number;
}

/** Real episodes a stage folder has logged (every started one). */
export function loggedRealEpisodes(runDir: string): RealRollout[] {
  return readJsonLines<RealRollout>(join(runDir, REAL_ROLLOUTS_FILE));
}

export class RobotHalted extends Error {}

export async function runRealArs(context: StageContext, plan: RealArsPlan): Promise<StageOutcome> {
  const experiment: Experiment = context.experiment;
  const task = TASKS[experiment.task];
  const spec = policySpecFor(experiment.policy, task.observationSize, task.actionSize);
  const cfg = experiment.training;
  const { store, resumed } = openStageRun(context.runDir, experiment);
  let state = startState(store, resumed, context, spec, experiment);
  const progressPath = join(context.runDir, PROGRESS_FILE);
  let simDone = resumed && existsSync(progressPath) ? (JSON.parse(readFileSync(progressPath, 'utf8')) as StageProgressFile).simEpisodes : 0;
  const logged = loggedRealEpisodes(context.runDir);
  let realDone = logged.length;
  if (resumed) context.log(`resuming ${context.runDir} at iteration ${state.iteration}: ${simDone} sim and ${realDone} real episodes done`);
  // the budget is what the stage planned, never more than the experiment still allows
  const realTarget = Math.min(plan.realEpisodes, realDone + context.realEpisodeAllowance);
  if (realTarget < plan.realEpisodes) context.log(`the real-episode budget leaves ${realTarget - realDone} of the stage's ${plan.realEpisodes - realDone} remaining real episodes`);

  const normalizationOf = (stats: ObservationStats): { mean: Float64Array; std: Float64Array } =>
    experiment.policy.observationNormalization ? normalizationFrom(stats) : normalizationFrom(createStats(stats.mean.length));
  const maxSteps = Math.min(task.maxEpisodeSteps, experiment.evaluation.maxSteps);
  const noiseSeed = deriveSeed(experiment.seed, -1, SEED_STREAMS.run.explorationNoise);
  const started = performance.now();
  let pool: RolloutRunner | undefined;
  let robot: RobotEnv | undefined;
  const outcome = (partial: Pick<StageOutcome, 'state' | 'message'> & Partial<StageOutcome>): StageOutcome => ({
    simEpisodes: simDone,
    realEpisodes: realDone,
    outputs: {},
    ...(realDone > 0 ? { realSuccess: successOf(loggedRealEpisodes(context.runDir)) } : {}),
    ...partial,
  });

  try {
    if (plan.simDirections > 0 && simDone < plan.simEpisodes) pool = await startRolloutPool(experiment, spec, { workers: cfg.workers });
    if (plan.realDirections > 0 && realDone < realTarget) {
      if (!context.robotAddress) throw new Error(`stage '${context.stage.name}' runs on the robot, but no robot address is configured (robot.address)`);
      context.onProgress({ message: `${context.stage.name}: connecting to ${context.robotAddress}` });
      const motion = motionAuthorityFor(experiment, context.robotAddress, `pipeline stage '${context.stage.name}' (${context.stage.kind})`, context.attendance, join(context.runDir, MOTION_LOG_FILE));
      motion.preflight();
      robot = await connectRobotEnv(experiment, context.robotAddress, { allowedAddresses: [context.robotAddress], eventLogPath: join(context.runDir, 'robot-events.jsonl'), motion });
    }
    const policy = new JsPolicy(spec);
    const action = new Float64Array(spec.actionSize);
    const total = plan.simEpisodes + realTarget;

    for (;;) {
      const realDirections = robot ? Math.min(plan.realDirections, Math.floor((realTarget - realDone) / 2)) : 0;
      const simDirections = pool ? Math.min(plan.simDirections, Math.floor((plan.simEpisodes - simDone) / 2)) : 0;
      const directions = realDirections + simDirections;
      if (directions === 0) break;
      if (context.signal.aborted) throw abortError();
      const iteration = state.iteration;
      const normalization = normalizationOf(state.stats);
      const deltas = sampleDirections(noiseSeed, iteration, directions, state.parameters.length);
      const rewardsPlus = new Float64Array(directions);
      const rewardsMinus = new Float64Array(directions);
      const stats = cloneStats(state.stats);

      // sim directions come after the real ones in the batch
      const simTasks: RolloutTask[] = [];
      for (let k = realDirections; k < directions; k++) {
        for (const sign of [1, -1] as const) {
          simTasks.push({ index: simTasks.length, parameters: perturb(state.parameters, deltas[k]!, cfg.explorationNoise, sign), normMean: normalization.mean, normStd: normalization.std, episodeSeed: deriveSeed(experiment.seed, iteration, k), randomize: true, maxSteps, collectStats: true });
        }
      }

      let steps = 0;
      let successes = 0;
      let returnSum = 0;
      for (let k = 0; k < realDirections; k++) {
        for (const sign of [1, -1] as const) {
          const episodeNumber = realDone + 1;
          // a real robot: a person's start (or one left in their supervised batch); never by itself
          await robot!.permitEpisode(episodeNumber, realTarget);
          if (context.signal.aborted) throw abortError();
          context.onProgress({ fraction: (simDone + realDone) / Math.max(1, total), message: `${context.stage.name}: real episode ${episodeNumber} of ${realTarget}` });
          policy.network.setParameters(perturb(state.parameters, deltas[k]!, cfg.explorationNoise, sign));
          policy.network.setNormalization(normalization.mean, normalization.std);
          const episodeStats = createStats(spec.observationSize);
          const result = await runRealEpisode(robot!, policy, deriveSeed(experiment.seed, iteration, k), maxSteps, action, episodeStats);
          const rollout: RealRollout = { iteration, direction: k, sign, episodeReturn: result.episodeReturn, length: result.length, success: result.success, ...(result.aborted !== undefined ? { aborted: result.aborted } : {}), at: new Date().toISOString() };
          appendJsonLine(join(context.runDir, REAL_ROLLOUTS_FILE), rollout);
          realDone += 1;
          if (result.aborted !== undefined) {
            context.log(`real episode ${episodeNumber}: protective stop: ${result.aborted}`);
            // the robot stays halted until a person re-arms it; without one the stage stops here (resumable)
            await robot!.rearm(`real episode ${episodeNumber} of '${context.stage.name}' ended in a protective stop (${result.aborted}); it counts as a failure`);
          }
          mergeStats(stats, episodeStats);
          if (sign === 1) rewardsPlus[k] = result.episodeReturn;
          else rewardsMinus[k] = result.episodeReturn;
          steps += result.length;
          returnSum += result.episodeReturn;
          if (result.success) successes += 1;
        }
      }
      // the sim rollouts wait for the robot's: on a loaded machine, worker threads busy beside the
      // link starved its heartbeats and the robot's 100 ms watchdog halted it mid-episode
      const simResults = pool && simTasks.length > 0 ? await pool.run(simTasks, context.signal) : [];
      for (const r of simResults) {
        const k = realDirections + (r.index >> 1);
        if (r.index % 2 === 0) rewardsPlus[k] = r.episodeReturn;
        else rewardsMinus[k] = r.episodeReturn;
        steps += r.length;
        returnSum += r.episodeReturn;
        if (r.success) successes += 1;
        if (r.stats) mergeStats(stats, r.stats);
      }
      simDone += 2 * simDirections;

      const step = arsUpdate(state.parameters, deltas, rewardsPlus, rewardsMinus, { ...cfg, directions, topDirections: Math.min(cfg.topDirections, directions) });
      const adam = state.adam ? cloneAdam(state.adam) : createAdam(state.parameters.length);
      const parameters = adamAscent(state.parameters, step.direction, adam, cfg.stepSize);
      const episodes = 2 * directions;
      state = { ...state, iteration: iteration + 1, parameters, adam, stats, envSteps: state.envSteps + steps, episodes: state.episodes + episodes };
      const elapsedSeconds = state.elapsedSeconds + (performance.now() - started) / 1000;
      store.appendMetric({ type: 'progress', iteration: state.iteration, episodes: state.episodes, envSteps: state.envSteps, avgReturn: returnSum / episodes, successRate: successes / episodes, realEpisodes: 2 * realDirections, stepsPerSecond: steps / Math.max(1e-3, elapsedSeconds), etaSeconds: 0, elapsedSeconds });
      store.saveCheckpoint({ ...state, elapsedSeconds });
      writeJsonAtomic(progressPath, { iteration: state.iteration, simEpisodes: simDone } satisfies StageProgressFile);
      context.onProgress({ fraction: (simDone + realDone) / Math.max(1, total), message: `${context.stage.name}: iteration ${state.iteration}, ${simDone} sim + ${realDone} real episodes, success ${pct(successes / episodes, 0)}` });
    }
    robot?.dispose();
    robot = undefined;
    await pool?.close();
    pool = undefined;

    // the stage's policy: exported, and evaluated in sim (the robot's figures are the real rollouts above)
    const normalization = normalizationOf(state.stats);
    store.writePolicy(exportPolicyOnnx(spec, state.parameters, normalization, { metadata: { 'sim2real.task': experiment.task, 'sim2real.experiment': experiment.name, 'sim2real.stage': context.stage.name } }));
    context.onProgress({ message: `${context.stage.name}: evaluating the policy in sim` });
    const sim = await evaluateOnnxPolicy(store.policyPath, experiment, { episodes: experiment.evaluation.episodes, seed: experiment.seed, randomized: experiment.evaluation.randomized, signal: context.signal });
    store.writeEvaluation(sim);
    store.appendMetric({ type: 'evaluation', iteration: state.iteration, envSteps: state.envSteps, stage: 'final', report: sim, elapsedSeconds: state.elapsedSeconds });
    const real = loggedRealEpisodes(context.runDir);
    store.update({ status: 'completed', result: { reason: 'stage_budget', iterations: state.iteration, envSteps: state.envSteps, elapsedSeconds: state.elapsedSeconds, successRate: sim.success_rate } });
    const short = realTarget < plan.realEpisodes ? ` (the budget allowed ${realTarget} of ${plan.realEpisodes} real)` : '';
    return outcome({
      state: 'passed',
      message: `${simDone} sim + ${realDone} real episodes${short}; sim success ${pct(sim.success_rate)}${real.length ? `, real rollouts ${pct(successOf(real))}` : ''}`,
      simSuccess: sim.success_rate,
      outputs: { policy: 'policy.onnx', checkpoints: 'checkpoints' },
    });
  } catch (error) {
    if (context.signal.aborted || (error instanceof Error && error.name === 'AbortError')) {
      store.update({ status: 'cancelled' });
      return outcome({ state: 'cancelled', message: `cancelled at iteration ${state.iteration}; resumes from there` });
    }
    store.update({ status: 'failed', error: error instanceof Error ? error.message : String(error) });
    if (error instanceof RobotHalted || error instanceof MotionRefused) return outcome({ state: 'failed', message: `${error.message}; the stage resumes from its last iteration` });
    throw error;
  } finally {
    robot?.dispose();
    await pool?.close();
  }
}

export interface RealEpisodeResult {
  readonly episodeReturn: number;
  readonly length: number;
  readonly success: boolean;
  readonly aborted?: string;
}

/**
 * One episode on the robot. A protective stop ends it as a failure that scores its return so far
 * plus the remaining steps at its own worst step's reward: tripping a limit must never look better
 * than finishing (the rewards are negative distances, so a cut-short episode would otherwise win).
 */
export async function runRealEpisode(env: RobotEnv, policy: JsPolicy, seed: number, maxSteps: number, action: Float64Array, stats?: ObservationStats): Promise<RealEpisodeResult> {
  await env.resetAsync(seed);
  if (env.lastAbortReason !== undefined) throw new RobotHalted(`the robot did not reset: ${env.lastAbortReason}`);
  const observation = env.observation;
  policy.reset(observation);
  let episodeReturn = 0;
  let length = 0;
  let worst = 0;
  let success = false;
  while (length < maxSteps) {
    if (stats) pushObservation(stats, observation);
    policy.act(observation, action);
    // awaited, not blocked on: the engine reads its messages (a robotStop from VS Code) meanwhile
    const result = await env.stepAsync(action);
    episodeReturn += result.reward;
    worst = Math.min(worst, result.reward);
    length += 1;
    if (result.success) success = true;
    if (result.done) break;
  }
  const aborted = env.lastAbortReason;
  if (aborted === undefined) return { episodeReturn, length, success };
  return { episodeReturn: episodeReturn + (maxSteps - length) * worst, length, success: false, aborted };
}

/** Success rate of the real rollouts (perturbed policies, exploration noise sigma). */
export function successOf(rollouts: readonly RealRollout[]): number {
  return rollouts.length === 0 ? 0 : rollouts.filter((r) => r.success).length / rollouts.length;
}

/** A report over the stage's real rollouts, in the evaluator's shape. */
export function realRolloutReport(rollouts: readonly RealRollout[], experiment: Experiment, policy: string): EvaluationReport {
  return summarizeEpisodes(rollouts, { randomized: false, seed: experiment.seed, task: experiment.task, policy });
}

function startState(store: RunStore, resumed: boolean, context: StageContext, spec: PolicySpec, experiment: Experiment): TrainerState {
  const own = resumed ? store.latestCheckpoint() : undefined;
  if (own) return own;
  const carried = carriedState(context.previousRunDir);
  if (carried) {
    context.log(`starting from ${context.previousRunDir} (iteration ${carried.iteration})`);
    return carried;
  }
  if (context.previousRunDir) throw new Error(`the previous stage (${context.previousRunDir}) left no checkpoint to continue from`);
  // a robot stage with nothing before it starts from the same initial weights the trainer would
  context.log('no earlier stage: starting from initial weights (a gate should stop this before the robot)');
  return { iteration: 0, parameters: initialParameters(spec, new Rng(deriveSeed(experiment.seed, -1, SEED_STREAMS.run.policyInit))), stats: createStats(spec.observationSize), envSteps: 0, episodes: 0, elapsedSeconds: 0 };
}

function abortError(): Error {
  return Object.assign(new Error('stage cancelled'), { name: 'AbortError' });
}

