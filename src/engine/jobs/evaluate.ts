/** Evaluate an ONNX policy in sim: success rate with its 95% interval, average return and length (eval.json into a run folder when asked). */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import * as t from '../../common/schema';
import { evaluateOnnxPolicy } from '../evaluate/onnxEvaluation';
import type { EvaluationReport } from '../evaluate/report';
import { writeJsonAtomic } from '../util/atomicFile';
import { loadValidExperiment } from './experimentInput';
import { JobInputError, type Job } from './job';

export const evaluateParams = t.object({
  file: t.string(),
  policy: t.string(),
  episodes: t.optional(t.id()),
  seed: t.optional(t.id()),
  randomized: t.optional(t.boolean()),
  /** Write the report as eval.json into this run folder. */
  runDir: t.optional(t.string()),
});
export type EvaluateParams = t.Infer<typeof evaluateParams>;

export const evaluate: Job<EvaluateParams, EvaluationReport> = async (params, context) => {
  const experiment = loadValidExperiment(params.file);
  if (!existsSync(params.policy)) throw new JobInputError(`No such policy file: ${params.policy}`);
  const episodes = params.episodes ?? experiment.evaluation.episodes;
  const report = await evaluateOnnxPolicy(params.policy, experiment, {
    episodes,
    seed: params.seed ?? experiment.seed,
    randomized: params.randomized ?? experiment.evaluation.randomized,
    signal: context.signal,
    onEpisode: (index) => context.progress({ fraction: (index + 1) / episodes, message: `episode ${index + 1} of ${episodes}` }),
  });
  if (params.runDir !== undefined) writeJsonAtomic(join(params.runDir, 'eval.json'), report);
  return report;
};
