/**
 * A training run on disk: one folder (default `.sim2real/runs/<experiment>/<run-id>/`) holding
 *   run.json          experiment snapshot, seed, versions, status
 *   metrics.jsonl     one event per line (progress, evaluation, checkpoint), flushed per line
 *   checkpoints/      iter-NNNNNN.json trainer states (exact; the last few are kept)
 *   policy.onnx       the exported policy
 *   eval.json         the final evaluation report (sim)
 *   eval-real.json    the evaluation on the robot, with its address
 * Every whole-file write is atomic, so a killed process leaves a readable, resumable run.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Experiment } from '../config/experiment';
import type { EvaluationReport } from '../evaluate/report';
import { appendJsonLine, readJsonLines, writeFileAtomic, writeJsonAtomic } from '../util/atomicFile';
import { deserializeCheckpoint, serializeCheckpoint, type StopEvidence, type TrainerState } from './checkpoint';

/** The robot's evaluation of a run's policy (Evaluate on Robot, the console, the pipeline). */
export const REAL_EVALUATION_FILE = 'eval-real.json';

/** What eval-real.json holds: the report and where it ran. */
export interface RealEvaluationRecord {
  readonly report: EvaluationReport;
  readonly address: string;
  readonly profile?: string;
}

export type RunStatus = 'running' | 'completed' | 'cancelled' | 'failed';

export interface RunRecord {
  readonly format: 1;
  readonly runId: string;
  readonly experimentName: string;
  readonly task: string;
  readonly seed: number;
  readonly status: RunStatus;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly versions: Readonly<Record<string, string>>;
  /** The experiment exactly as trained (with CLI overrides applied). */
  readonly experiment: Experiment;
  /** Outcome summary once the run stops. */
  readonly result?: {
    readonly reason: string;
    readonly iterations: number;
    readonly envSteps: number;
    readonly elapsedSeconds: number;
    readonly successRate?: number;
    /** At the target: the periodic evaluation that crossed it and its confirmation on fresh episodes. */
    readonly stopEvidence?: StopEvidence;
  };
  readonly error?: string;
}

/** Checkpoints kept on disk; older ones are deleted (resume only needs the last). */
const KEPT_CHECKPOINTS = 3;

export const RUNS_FOLDER = join('.sim2real', 'runs');

/** `<workspace>/.sim2real/runs/<experiment>/<run-id>` */
export function defaultRunDir(workspace: string, experimentName: string, runId: string): string {
  return join(workspace, RUNS_FOLDER, safeName(experimentName), runId);
}

/** Sortable and readable: `20261125-120500-s7`. */
export function newRunId(seed: number, now = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  return `${stamp}-s${seed}`;
}

/** A new run's record: running, created now, with a fresh run id and the engine's versions. */
export function newRunRecord(experiment: Experiment, versions: Readonly<Record<string, string>>, now = new Date()): RunRecord {
  return {
    format: 1,
    runId: newRunId(experiment.seed, now),
    experimentName: experiment.name,
    task: experiment.task,
    seed: experiment.seed,
    status: 'running',
    createdAt: now.toISOString(),
    updatedAt: now.toISOString(),
    versions,
    experiment,
  };
}

function safeName(name: string): string {
  return name.replace(/[^A-Za-z0-9._-]+/g, '_') || 'experiment';
}

export class RunStore {
  private constructor(readonly dir: string) {}

  get runJsonPath(): string {
    return join(this.dir, 'run.json');
  }
  get metricsPath(): string {
    return join(this.dir, 'metrics.jsonl');
  }
  get checkpointsDir(): string {
    return join(this.dir, 'checkpoints');
  }
  get policyPath(): string {
    return join(this.dir, 'policy.onnx');
  }
  get evaluationPath(): string {
    return join(this.dir, 'eval.json');
  }

  /** A new run folder; refuses a folder that already holds a run (resume it instead). */
  static create(dir: string, record: RunRecord): RunStore {
    const store = new RunStore(dir);
    if (existsSync(store.runJsonPath)) throw new Error(`${dir} already holds a run; resume it or choose another folder`);
    mkdirSync(store.checkpointsDir, { recursive: true });
    writeJsonAtomic(store.runJsonPath, record);
    return store;
  }

  static open(dir: string): RunStore {
    const store = new RunStore(dir);
    if (!existsSync(store.runJsonPath)) throw new Error(`${dir} holds no run (run.json is missing)`);
    store.record();
    return store;
  }

  record(): RunRecord {
    return JSON.parse(readFileSync(this.runJsonPath, 'utf8')) as RunRecord;
  }

  update(changes: Partial<Omit<RunRecord, 'format' | 'runId' | 'createdAt'>>): RunRecord {
    const next = { ...this.record(), ...changes, updatedAt: new Date().toISOString() };
    writeJsonAtomic(this.runJsonPath, next);
    return next;
  }

  appendMetric(event: unknown): void {
    appendJsonLine(this.metricsPath, event);
  }

  metrics<T = unknown>(): T[] {
    return readJsonLines<T>(this.metricsPath);
  }

  /**
   * Drop metric lines from iterations after `iteration` (work a crash or cancel threw away), so a
   * resumed run's metrics read as one uninterrupted run.
   */
  truncateMetricsAfter(iteration: number): void {
    const kept = this.metrics<{ iteration?: number }>().filter((e) => typeof e.iteration !== 'number' || e.iteration <= iteration);
    writeFileAtomic(this.metricsPath, kept.map((e) => `${JSON.stringify(e)}\n`).join(''));
  }

  saveCheckpoint(state: TrainerState): string {
    const path = join(this.checkpointsDir, `iter-${String(state.iteration).padStart(6, '0')}.json`);
    writeJsonAtomic(path, serializeCheckpoint(state));
    for (const old of this.checkpointFiles().slice(0, -KEPT_CHECKPOINTS)) rmSync(join(this.checkpointsDir, old), { force: true });
    return path;
  }

  /** The newest checkpoint that reads back whole, if any. */
  latestCheckpoint(): TrainerState | undefined {
    for (const file of this.checkpointFiles().reverse()) {
      try {
        return deserializeCheckpoint(JSON.parse(readFileSync(join(this.checkpointsDir, file), 'utf8')));
      } catch {
        // unreadable: fall back to the one before
      }
    }
    return undefined;
  }

  writePolicy(bytes: Uint8Array): void {
    writeFileAtomic(this.policyPath, bytes);
  }

  writeEvaluation(report: EvaluationReport): void {
    writeJsonAtomic(this.evaluationPath, report);
  }

  private checkpointFiles(): string[] {
    if (!existsSync(this.checkpointsDir)) return [];
    return readdirSync(this.checkpointsDir)
      .filter((f) => /^iter-\d+\.json$/.test(f))
      .sort();
  }
}
