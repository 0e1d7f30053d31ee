/** A run's perception model on the configured robot's camera images: the errors merged into perception.json. */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import * as t from '../../common/schema';
import { claim, publish, runInWorker, stage, type WorkerOutcome } from '../perception/perceptionWorkerHost';
import type { PositionErrors } from '../perception/samples';
import { MOTION_LOG_FILE } from '../robot/motionLog';
import type { Job } from './job';
import { atLeast, perceptionRobotFields, robotFailure, robotJobInputs } from './perceptionInputs';

/** The CLI's default (`sim2real perception eval`). */
const DEFAULT_EVAL_IMAGES = 100;

export const perceptionEvaluateParams = t.object({
  ...perceptionRobotFields,
  /** Real images [default: 100]. */
  images: t.optional(t.id()),
});
export type PerceptionEvaluateParams = t.Infer<typeof perceptionEvaluateParams>;

export interface PerceptionEvaluateResult {
  readonly status: 'completed' | 'cancelled';
  readonly runDir: string;
  readonly model: string;
  readonly source?: string;
  readonly errors?: PositionErrors;
}

export const perceptionEvaluate: Job<PerceptionEvaluateParams, PerceptionEvaluateResult> = async (params, context) => {
  const { experiment, address, model } = robotJobInputs(params);
  atLeast(params.images, 1, 'images');
  const release = claim(params.runDir);
  const staging = stage(params.runDir, [model]);
  try {
    const job = { kind: 'evaluate' as const, modelPath: join(staging, model), address, images: params.images ?? DEFAULT_EVAL_IMAGES, motionLogPath: join(params.runDir, MOTION_LOG_FILE) };
    let outcome: WorkerOutcome<{ errors: PositionErrors; source: string }>;
    try {
      outcome = await runInWorker(experiment, job, context.signal, context.progress, context.log, context.attendance.attendant);
    } catch (error) {
      throw robotFailure(error, experiment);
    }
    if (outcome.status === 'cancelled') return { status: 'cancelled', runDir: params.runDir, model };
    publish(staging, params.runDir, []);
    return { status: 'completed', runDir: params.runDir, model, source: outcome.result.source, errors: outcome.result.errors };
  } finally {
    rmSync(staging, { recursive: true, force: true });
    release();
  }
};
