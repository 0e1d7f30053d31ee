/** DANN on the configured robot's unlabelled camera images: the -dann model beside the run's, before/after into perception.json. */
import { existsSync, rmSync } from 'node:fs';
import { basename, join } from 'node:path';
import * as t from '../../common/schema';
import { adaptedModelFileOf, weightsFileOf, type AdaptPerceptionResult } from '../perception/perceptionModel';
import { claim, publish, runInWorker, stage, type WorkerOutcome } from '../perception/perceptionWorkerHost';
import type { PositionErrors } from '../perception/samples';
import { MOTION_LOG_FILE } from '../robot/motionLog';
import { JobInputError, type Job } from './job';
import { atLeast, perceptionRobotFields, robotFailure, robotJobInputs } from './perceptionInputs';

/** The CLI's defaults (`sim2real perception adapt`). */
const DEFAULT_DANN_REAL_IMAGES = 200;
const DEFAULT_DANN_EVAL_IMAGES = 100;

export const perceptionAdaptParams = t.object({
  ...perceptionRobotFields,
  /** Unlabelled real images DANN trains on [default: 200]. */
  realImages: t.optional(t.id()),
  /** Held-out real images for the before/after errors [default: 100]. */
  evalImages: t.optional(t.id()),
  /** Labelled sim images [default: 2000]. */
  simImages: t.optional(t.id()),
  /** [default: 500] */
  steps: t.optional(t.id()),
});
export type PerceptionAdaptParams = t.Infer<typeof perceptionAdaptParams>;

export interface PerceptionAdaptResult {
  readonly status: 'completed' | 'cancelled';
  readonly runDir: string;
  readonly model: string;
  readonly adaptedModel?: string;
  readonly before?: PositionErrors;
  readonly after?: PositionErrors;
}

export const perceptionAdapt: Job<PerceptionAdaptParams, PerceptionAdaptResult> = async (params, context) => {
  const { experiment, address, model } = robotJobInputs(params);
  const weights = basename(weightsFileOf(model));
  if (!existsSync(join(params.runDir, weights))) throw new JobInputError(`${params.runDir} has no ${weights} next to ${model}: adapt a model trained by Train Perception Model (its weights are kept for fine-tuning).`);
  atLeast(params.realImages, 1, 'realImages');
  atLeast(params.evalImages, 1, 'evalImages');
  atLeast(params.simImages, 1, 'simImages');
  atLeast(params.steps, 1, 'steps');
  const release = claim(params.runDir);
  const staging = stage(params.runDir, [model, weights]);
  try {
    const job = {
      kind: 'adapt' as const,
      modelPath: join(staging, model),
      address,
      realImages: params.realImages ?? DEFAULT_DANN_REAL_IMAGES,
      evalImages: params.evalImages ?? DEFAULT_DANN_EVAL_IMAGES,
      simImages: params.simImages,
      steps: params.steps,
      motionLogPath: join(params.runDir, MOTION_LOG_FILE),
    };
    let outcome: WorkerOutcome<AdaptPerceptionResult>;
    try {
      outcome = await runInWorker(experiment, job, context.signal, context.progress, context.log, context.attendance.attendant);
    } catch (error) {
      throw robotFailure(error, experiment);
    }
    if (outcome.status === 'cancelled') return { status: 'cancelled', runDir: params.runDir, model };
    const adapted = adaptedModelFileOf(model);
    publish(staging, params.runDir, [adapted, basename(weightsFileOf(adapted))]);
    return { status: 'completed', runDir: params.runDir, model, adaptedModel: adapted, before: outcome.result.before, after: outcome.result.after };
  } finally {
    rmSync(staging, { recursive: true, force: true });
    release();
  }
};
