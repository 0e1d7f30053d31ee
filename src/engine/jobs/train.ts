/**
 * Train a policy in randomized sim, or resume a run from its last checkpoint. Progress carries the
 * trainer's own events (detail) for charts and terminals; the run lands in `runDir`, or in a new
 * folder under `runsDir`.
 */
import { join } from 'node:path';
import * as t from '../../common/schema';
import { pct } from '../../common/format';
import type { Experiment } from '../config/experiment';
import type { StopEvidence } from '../runs/checkpoint';
import type { EvaluationReport } from '../evaluate/report';
import { train as runTrainer, type TrainingEvent } from '../learn/trainer';
import { newRunId } from '../runs/runStore';
import { loadValidExperiment } from './experimentInput';
import { JobInputError, type Job } from './job';

export const trainParams = t.object({
  /** Absolute path of the experiment file (not needed to resume). */
  file: t.optional(t.string()),
  /** Folder runs are written under (`<runsDir>/<experiment>/<run-id>`). */
  runsDir: t.optional(t.string()),
  /** The run folder itself (the CLI's --out), instead of a new one under runsDir. */
  runDir: t.optional(t.string()),
  seed: t.optional(t.id()),
  maxEnvSteps: t.optional(t.id()),
  workers: t.optional(t.id()),
  /** Continue this run folder from its last checkpoint instead of starting a new run. */
  resumeDir: t.optional(t.string()),
});
export type TrainParams = t.Infer<typeof trainParams>;

/** The engine's request: the experiment and the folder runs go under, always (VS Code resumes with both too). */
export const trainRequestParams = t.object({ ...trainParams.shape, file: t.string(), runsDir: t.string() });

export interface TrainSummary {
  readonly status: 'completed' | 'cancelled';
  readonly reason: string;
  readonly runDir: string;
  readonly iterations: number;
  readonly envSteps: number;
  readonly elapsedSeconds: number;
  readonly policyPath?: string;
  readonly evaluation?: EvaluationReport;
  /** At the target: the periodic evaluation that crossed it and its confirmation on fresh episodes. */
  readonly stopEvidence?: StopEvidence;
}

/** One line per trainer event for a progress notification. */
function describe(event: TrainingEvent): string | undefined {
  switch (event.type) {
    case 'progress':
      return `iteration ${event.iteration} · success ${pct(event.successRate, 0)} · ${Math.round(event.stepsPerSecond)} steps/s · eta ≤ ${Math.round(event.etaSeconds)} s`;
    case 'evaluation':
      return `evaluation (${event.stage}): success ${pct(event.report.success_rate, 0)} over ${event.report.episodes} episodes`;
    case 'checkpoint':
      return undefined;
  }
}

export const train: Job<TrainParams, TrainSummary> = async (params, context) => {
  const resume = params.resumeDir !== undefined;
  let experiment: Experiment | undefined;
  if (!resume) {
    if (params.file === undefined) throw new JobInputError('name an experiment file to train, or a run folder to resume');
    const base = loadValidExperiment(params.file);
    experiment = {
      ...base,
      seed: params.seed ?? base.seed,
      training: { ...base.training, maxEnvSteps: params.maxEnvSteps ?? base.training.maxEnvSteps, workers: params.workers ?? base.training.workers },
    };
  }
  const runDir = params.resumeDir ?? params.runDir ?? join(params.runsDir ?? '.', experiment!.name, newRunId(experiment!.seed));
  context.log(`${resume ? 'resuming' : 'training'} in ${runDir}`);
  const budget = experiment?.training.maxEnvSteps;
  const result = await runTrainer(experiment ?? ({} as Experiment), {
    runDir,
    resume,
    signal: context.signal,
    // a resumed run trains its own snapshot; only the worker count may change
    ...(resume && params.workers !== undefined ? { workers: params.workers } : {}),
    onEvent: (event) => {
      const message = describe(event);
      if (!message) return;
      const fraction = event.type === 'progress' && budget ? Math.min(1, event.envSteps / budget) : undefined;
      context.progress({ message, ...(fraction !== undefined ? { fraction } : {}), detail: event });
    },
  });
  return {
    status: result.status,
    reason: result.reason,
    runDir: result.runDir,
    iterations: result.iterations,
    envSteps: result.envSteps,
    elapsedSeconds: result.elapsedSeconds,
    ...(result.policyPath ? { policyPath: result.policyPath } : {}),
    ...(result.evaluation ? { evaluation: result.evaluation } : {}),
    ...(result.stopEvidence ? { stopEvidence: result.stopEvidence } : {}),
  };
};
