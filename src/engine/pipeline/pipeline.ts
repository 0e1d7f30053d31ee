/**
 * The progressive transfer pipeline: the experiment's stages in order (sim, real textures, real
 * images, mixed, fine-tuning on the robot), each in its own run folder, then the final evaluation
 * on the robot and the gap report. Gates stop it before a stage that moves toward the robot;
 * pipeline.json records every step, so it resumes where it stopped after a cancel, a crash or a
 * closed editor: passed stages are kept, the stopped stage continues from its last checkpoint.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { Experiment, StageConfig } from '../config/experiment';
import { REAL_EVALUATION_FILE, type RealEvaluationRecord } from '../runs/runStore';
import { pct } from '../../common/format';
import { appendJsonLine, readJsonLines, writeJsonAtomic } from '../util/atomicFile';
import { newRunId } from '../runs/runStore';
import { MotionAuthority, MotionRefused, type MotionAttendance } from '../robot/motionAuthority';
import { MOTION_LOG_FILE } from '../robot/motionLog';
import { checkGate, movesRobot, plannedRealEpisodes, realEpisodeBudget, selectStages, touchesRobot } from './plan';
import { loggedRealEpisodes } from './realArs';
import { evaluateFinalOnRobot } from './finalEvaluation';
import { STAGE_RUNNERS } from './runners';
import { isStale, readPipelineRecord, writePipelineRecord, type FinalEvaluationRecord, type PipelineRecord, type PipelineStatus, type StageRecord } from './stateFile';
import type { StageContext, StageOutcome, StageProgress, StageRunnerTable } from '../stages/types';

export const FINAL_EPISODES_FILE = 'final-real-episodes.jsonl';

export interface ConfirmPrompt {
  /** The stage about to start, or undefined for the final evaluation. */
  readonly stage?: string;
  readonly message: string;
}

export interface PipelineOptions {
  /** Absolute path of the experiment file. */
  readonly experimentFile: string;
  /** The experiment, validated (its stages, gates and budgets are the ones run). */
  readonly experiment: Experiment;
  /** Folder runs are written under: the pipeline goes to `<runsDir>/<experiment>/pipeline-<id>`. */
  readonly runsDir: string;
  /** Continue this pipeline folder instead of starting a new one. */
  readonly resumeDir?: string;
  /** First and last stage to run, by name. */
  readonly from?: string;
  readonly to?: string;
  /** The robot (or emulator) address real episodes go to; the only address allowed. */
  readonly robot?: { readonly address: string; readonly profile?: string; readonly emulator: boolean };
  readonly signal: AbortSignal;
  /** Ask the person to confirm a step toward the robot (a gate; `--yes` may answer); false stops the pipeline at that gate. */
  confirm(prompt: ConfirmPrompt): Promise<boolean>;
  /**
   * The person the robot's motion authority asks: the emergency stop, every real episode's start,
   * every re-arm. Never `--yes`: without a person a real robot is refused before anything runs.
   */
  readonly attendance: MotionAttendance;
  onProgress?(progress: StageProgress & { readonly stage?: string }): void;
  log?(line: string): void;
  /** Called after every change of pipeline.json. */
  onRecord?(record: PipelineRecord, dir: string): void;
  /** [default: STAGE_RUNNERS] */
  readonly runners?: StageRunnerTable;
  /**
   * Writes the gap report of a run folder (reports/, above this layer) and returns its gap, for the
   * final message; called after the final evaluation and again once the record says how it ended.
   */
  readonly writeReport?: (runDir: string) => { readonly successPoints: number; readonly verdict: string } | undefined;
}

export interface PipelineResult {
  readonly dir: string;
  readonly record: PipelineRecord;
}

export class PipelineError extends Error {}


export function stageFolderName(index: number, stage: StageConfig): string {
  return `${index + 1}-${stage.name.replace(/[^A-Za-z0-9._-]+/g, '_')}`;
}

export async function runPipeline(options: PipelineOptions): Promise<PipelineResult> {
  const experiment = options.experiment;
  const { first, last } = selectStages(experiment.stages, options.from, options.to);
  const runners = options.runners ?? STAGE_RUNNERS;
  const log = (line: string): void => options.log?.(line);
  const { dir, record: initial } = openPipeline(options, first);
  let record: PipelineRecord = initial;
  const save = (changes: Partial<PipelineRecord>): void => {
    record = { ...record, ...changes, updatedAt: new Date().toISOString() };
    writePipelineRecord(dir, record);
    options.onRecord?.(record, dir);
  };
  const setStage = (index: number, changes: Partial<StageRecord>): void => {
    const stages = record.stages.map((s, i) => (i === index ? { ...s, ...changes } : s));
    save({ stages, realEpisodesUsed: realEpisodesUsed(dir, stages) });
  };
  const stop = (status: PipelineStatus, message: string): PipelineResult => {
    save({ status, message, pid: undefined });
    log(message);
    return { dir, record };
  };
  save({ status: 'running', message: 'running', pid: process.pid });
  log(`pipeline ${dir}`);

  // a real robot with nobody to ask: refused now, before any stage runs, rather than at the robot
  const refusal = refuseUnattendedRobot(options, dir, first, last);
  if (refusal) return stop('failed', refusal);

  let robotConfirmed = false;
  let previous: { record: StageRecord; runDir: string } | undefined;
  for (let index = 0; index < experiment.stages.length; index++) {
    const stage = experiment.stages[index]!;
    const current = record.stages[index]!;
    if (index < first) {
      if (current.state === 'passed' && current.runDir) previous = { record: current, runDir: join(dir, current.runDir) };
      else if (current.state === 'pending') setStage(index, { state: 'skipped', message: `before --from '${options.from}'` });
      continue;
    }
    if (index > last) break;
    if (current.state === 'passed' && current.runDir) {
      log(`${stage.name}: passed earlier, kept`);
      previous = { record: current, runDir: join(dir, current.runDir) };
      continue;
    }
    if (stage.skip) {
      setStage(index, { state: 'skipped', message: 'skip: true in the experiment' });
      continue;
    }
    if (options.signal.aborted) return stop('cancelled', `cancelled before '${stage.name}'; resume to continue there`);

    const gate = checkGate(stage, previous?.record);
    if (!gate.open) {
      setStage(index, { state: 'failed_gate', message: gate.message, endedAt: new Date().toISOString() });
      return stop('failed_gate', gate.message);
    }
    const robotStage = touchesRobot(stage.kind);
    if (robotStage && !options.robot) {
      const message = `'${stage.name}' runs on the robot, but the experiment configures no robot (add a robot block with adapter, address and safety).`;
      setStage(index, { state: 'failed', message });
      return stop('failed', message);
    }
    const used = realEpisodesUsed(dir, record.stages);
    if (robotStage && used >= record.realEpisodeBudget) {
      const message = `'${stage.name}' needs real episodes, but the budget is spent: ${used} of ${record.realEpisodeBudget} used (robot.max_real_episodes).`;
      setStage(index, { state: 'failed', message });
      return stop('failed', message);
    }
    if (stage.gate?.confirm || (robotStage && !robotConfirmed)) {
      const question = robotStage
        ? `Start '${stage.name}' (${stage.kind}) on the robot at ${options.robot!.address}? It plans ${plannedRealEpisodes(stage)} real episodes (${used} of ${record.realEpisodeBudget} used so far). ${gate.message}`
        : `Start '${stage.name}' (${stage.kind})? ${gate.message}`;
      const confirmed = await options.confirm({ stage: stage.name, message: question });
      if (!confirmed) {
        const message = `'${stage.name}' was not confirmed; the pipeline stopped before it. Resume to be asked again.`;
        setStage(index, { state: 'failed_gate', message });
        return stop('failed_gate', message);
      }
      if (robotStage) robotConfirmed = true;
    }

    const runDir = join(dir, current.runDir ?? stageFolderName(index, stage));
    const restarting = current.state === 'running' || current.state === 'cancelled' || current.state === 'failed';
    setStage(index, {
      state: 'running',
      runDir: relative(dir, runDir),
      startedAt: current.startedAt ?? new Date().toISOString(),
      message: restarting ? 'continuing from its last checkpoint' : 'running',
      restarts: current.restarts + (restarting && current.runDir ? 1 : 0),
    });
    log(`[${index + 1}/${experiment.stages.length}] ${stage.name} (${stage.kind})${restarting && current.runDir ? ', continuing from its last checkpoint' : ''}`);
    const context: StageContext = {
      experiment,
      experimentFile: options.experimentFile,
      stage,
      index,
      runDir,
      ...(previous ? { previousRunDir: previous.runDir } : {}),
      ...(options.robot ? { robotAddress: options.robot.address } : {}),
      realEpisodeAllowance: Math.max(0, record.realEpisodeBudget - realEpisodesUsed(dir, record.stages)),
      signal: options.signal,
      onProgress: (progress) => options.onProgress?.({ ...progress, stage: stage.name }),
      log,
      attendance: options.attendance,
    };
    let outcome: StageOutcome;
    try {
      mkdirSync(runDir, { recursive: true });
      outcome = await runners[stage.kind](context);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      outcome = { state: options.signal.aborted ? 'cancelled' : 'failed', message, simEpisodes: 0, realEpisodes: 0, outputs: {} };
    }
    setStage(index, {
      state: outcome.state,
      message: outcome.message,
      ...(outcome.simSuccess !== undefined ? { simSuccess: outcome.simSuccess } : {}),
      ...(outcome.realSuccess !== undefined ? { realSuccess: outcome.realSuccess } : {}),
      simEpisodes: outcome.simEpisodes,
      realEpisodes: Math.max(outcome.realEpisodes, loggedRealEpisodes(runDir).length),
      endedAt: new Date().toISOString(),
    });
    log(`${stage.name}: ${outcome.state}: ${outcome.message}`);
    if (outcome.state === 'cancelled') return stop('cancelled', `cancelled in '${stage.name}'; resume to continue it from its last checkpoint`);
    if (outcome.state !== 'passed') return stop('failed', `'${stage.name}' failed: ${outcome.message}`);
    previous = { record: record.stages[index]!, runDir };
  }

  if (last < experiment.stages.length - 1) return stop('stopped', `stopped after '${experiment.stages[last]!.name}' (--to); resume with --from '${experiment.stages[last + 1]!.name}' to go on`);
  if (!previous) return stop('stopped', 'no stage ran, so there is no policy to evaluate on the robot');
  return finalEvaluation(options, dir, record, previous.runDir, robotConfirmed, save, stop);
}

/** The last stage's policy on the robot (evaluation.real_episodes), then the gap report. */
async function finalEvaluation(
  options: PipelineOptions,
  dir: string,
  start: PipelineRecord,
  runDir: string,
  robotConfirmed: boolean,
  save: (changes: Partial<PipelineRecord>) => void,
  stop: (status: PipelineStatus, message: string) => PipelineResult,
): Promise<PipelineResult> {
  const experiment = options.experiment;
  let final: FinalEvaluationRecord = { ...start.final, runDir: relative(dir, runDir) };
  const setFinal = (changes: Partial<FinalEvaluationRecord>, stages = start.stages): void => {
    final = { ...final, ...changes };
    save({ final, realEpisodesUsed: realEpisodesUsed(dir, stages) });
  };
  const planned = experiment.evaluation.realEpisodes;
  if (!options.robot || planned === 0) {
    setFinal({ state: 'skipped', message: options.robot ? 'evaluation.real_episodes is 0' : 'no robot configured' });
    return stop('completed', `all stages done; the final robot evaluation was skipped (${final.message})`);
  }
  const used = realEpisodesUsed(dir, start.stages);
  const episodes = Math.min(planned, start.realEpisodeBudget - used);
  if (episodes <= 0) {
    setFinal({ state: 'failed', message: `the real-episode budget is spent (${used} of ${start.realEpisodeBudget}); no final evaluation` });
    return stop('failed', final.message!);
  }
  if (!robotConfirmed && !(await options.confirm({ message: `Evaluate the final policy on the robot at ${options.robot.address} (${episodes} episodes)?` }))) {
    setFinal({ state: 'pending', message: 'not confirmed' });
    return stop('failed_gate', 'the final robot evaluation was not confirmed; resume to be asked again');
  }
  setFinal({ state: 'running', message: `${episodes} episodes on ${options.robot.address}` });
  options.log?.(`final evaluation: ${episodes} real episodes on ${options.robot.address}`);
  const policy = join(runDir, 'policy.onnx');
  try {
    const real = await evaluateFinalOnRobot(policy, experiment, options.robot.address, {
      episodes,
      signal: options.signal,
      eventLogPath: join(runDir, 'robot-events.jsonl'),
      attendance: options.attendance,
      motionLogPath: join(runDir, MOTION_LOG_FILE),
      onEpisode: (index, record) => {
        appendJsonLine(join(dir, FINAL_EPISODES_FILE), { episode: index + 1, ...record, at: new Date().toISOString() });
        save({ realEpisodesUsed: realEpisodesUsed(dir, start.stages) });
        options.onProgress?.({ fraction: (index + 1) / episodes, message: `final evaluation: real episode ${index + 1} of ${episodes}` });
      },
    });
    const evaluation: RealEvaluationRecord = { report: real, address: options.robot.address, ...(options.robot.profile ? { profile: options.robot.profile } : {}) };
    writeJsonAtomic(join(runDir, REAL_EVALUATION_FILE), evaluation);
    const sim = start.stages.filter((s) => s.runDir && join(dir, s.runDir) === runDir)[0]?.simSuccess;
    setFinal({ state: real.halted ? 'failed' : 'passed', realSuccess: real.success_rate, ...(sim !== undefined ? { simSuccess: sim } : {}), realEpisodes: real.episodes, message: real.halted ? `halted ${real.halted}` : `real success ${pct(real.success_rate)} over ${real.episodes} episodes` });
    const written = options.writeReport?.(runDir);
    const gap = written ? `, gap ${written.successPoints.toFixed(1)} points (${written.verdict})` : '';
    if (real.halted) return stop('failed', `the final evaluation halted ${real.halted}`);
    const usedNow = realEpisodesUsed(dir, start.stages);
    const result = stop('completed', `done: real success ${pct(real.success_rate)} over ${real.episodes} episodes${gap}; ${usedNow} of ${start.realEpisodeBudget} real episodes used; report in ${join(runDir, 'report.md')}`);
    // again, so the report's stages section reads the pipeline's final status
    options.writeReport?.(runDir);
    return result;
  } catch (error) {
    if (options.signal.aborted) {
      setFinal({ state: 'cancelled', message: 'cancelled; resume to run the final evaluation again' });
      return stop('cancelled', 'cancelled in the final evaluation; resume to run it again');
    }
    const message = error instanceof Error ? error.message : String(error);
    setFinal({ state: 'failed', message });
    return stop('failed', `final evaluation failed: ${message}`);
  }
}

/**
 * The message refusing this run when a selected stage (or the final evaluation) would move a robot
 * the experiment does not declare as the bundled emulator and nobody can be asked; undefined when
 * it may go on. Logged to the pipeline's motion log.
 */
function refuseUnattendedRobot(options: PipelineOptions, dir: string, first: number, last: number): string | undefined {
  const { experiment, robot } = options;
  if (!robot || options.attendance.attendant) return undefined;
  const moving = experiment.stages
    .map((stage, index) => ({ stage, index }))
    .filter(({ stage, index }) => index >= first && index <= last && !stage.skip && movesRobot(stage.kind))
    .map(({ stage }) => `'${stage.name}' (${stage.kind})`);
  if (last === experiment.stages.length - 1 && experiment.evaluation.realEpisodes > 0) moving.push('the final evaluation');
  if (moving.length === 0) return undefined;
  try {
    new MotionAuthority({ address: robot.address, adapter: experiment.robot?.adapter, path: `the transfer pipeline (${moving.join(', ')})`, ...options.attendance, logPath: join(dir, MOTION_LOG_FILE) }).preflight();
    return undefined;
  } catch (error) {
    if (error instanceof MotionRefused) return `${moving.join(', ')} would move the robot: ${error.message}`;
    throw error;
  }
}

/** Real episodes the pipeline has run: every stage's logged rollouts plus the final evaluation's. */
export function realEpisodesUsed(dir: string, stages: readonly StageRecord[]): number {
  let used = readJsonLines(join(dir, FINAL_EPISODES_FILE)).length;
  for (const stage of stages) if (stage.runDir) used += loggedRealEpisodes(join(dir, stage.runDir)).length;
  return used;
}

function openPipeline(options: PipelineOptions, first: number): { dir: string; record: PipelineRecord } {
  const experiment = options.experiment;
  const now = new Date().toISOString();
  const freshStage = (stage: StageConfig): StageRecord => ({ name: stage.name, kind: stage.kind, state: 'pending', simEpisodes: 0, realEpisodes: 0, plannedRealEpisodes: plannedRealEpisodes(stage), restarts: 0 });
  if (options.resumeDir) {
    const dir = options.resumeDir;
    const previous = readPipelineRecord(dir);
    if (!previous) throw new PipelineError(`${dir} holds no pipeline (pipeline.json is missing or unreadable)`);
    if (previous.status === 'running' && !isStale(previous)) throw new PipelineError(`the pipeline in ${dir} is still running (process ${previous.pid}); cancel it first`);
    // passed stages are kept, so they must still be the same stages; later ones may change (a gate lowered, a budget raised)
    const stages = experiment.stages.map((stage, index): StageRecord => {
      const old = previous.stages[index];
      if (old && old.name === stage.name && old.kind === stage.kind) {
        const rerun = index >= first && options.from !== undefined && old.state === 'passed';
        if (rerun) return { ...freshStage(stage), restarts: old.restarts + 1, message: `run again (--from '${options.from}')` };
        return { ...old, plannedRealEpisodes: plannedRealEpisodes(stage), ...(old.state === 'skipped' || old.state === 'failed_gate' ? { state: 'pending' as const } : {}) };
      }
      if (old?.state === 'passed') throw new PipelineError(`stage ${index + 1} was '${old.name}' (${old.kind}) when it passed, and is now '${stage.name}' (${stage.kind}): passed stages cannot change; start a new pipeline`);
      return freshStage(stage);
    });
    for (const old of previous.stages.slice(experiment.stages.length)) {
      if (old.state === 'passed') throw new PipelineError(`stage '${old.name}' passed but is no longer in the experiment; start a new pipeline`);
    }
    // a stage run again from scratch needs a fresh folder; the old run stays for comparison
    const withFolders = stages.map((s, index) => (s.state === 'pending' && s.runDir === undefined && previous.stages[index]?.runDir && options.from !== undefined && index >= first ? { ...s, runDir: `${stageFolderName(index, experiment.stages[index]!)}-r${s.restarts}` } : s));
    const final: FinalEvaluationRecord = previous.final.state === 'passed' && options.from === undefined ? previous.final : { state: 'pending', realEpisodes: previous.final.realEpisodes };
    return { dir, record: { ...previous, experiment, stages: withFolders, final, realEpisodeBudget: realEpisodeBudget(experiment), ...(options.robot ? { robot: options.robot } : {}) } };
  }
  const id = `pipeline-${newRunId(experiment.seed)}`;
  const dir = join(options.runsDir, experiment.name.replace(/[^A-Za-z0-9._-]+/g, '_'), id);
  if (existsSync(dir)) throw new PipelineError(`${dir} already exists; resume it or wait a second`);
  mkdirSync(dir, { recursive: true });
  const record: PipelineRecord = {
    format: 'sim2real-pipeline/1',
    id,
    experimentName: experiment.name,
    experimentFile: options.experimentFile,
    task: experiment.task,
    status: 'running',
    message: 'starting',
    createdAt: now,
    updatedAt: now,
    realEpisodeBudget: realEpisodeBudget(experiment),
    realEpisodesUsed: 0,
    ...(options.robot ? { robot: options.robot } : {}),
    stages: experiment.stages.map(freshStage),
    final: { state: 'pending', realEpisodes: 0 },
    experiment,
  };
  writePipelineRecord(dir, record);
  return { dir, record };
}
