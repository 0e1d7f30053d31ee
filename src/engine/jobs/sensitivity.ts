/** Sweep each randomized parameter of a run's policy in sim (sensitivity.json in the run folder). */
import { join } from 'node:path';
import * as t from '../../common/schema';
import { TASKS } from '../config/taskCatalog';
import { SENSITIVITY_FILE, sweepSensitivity, type SensitivityReport } from '../evaluate/sensitivity';
import { OnnxPolicy } from '../policy/onnxPolicy';
import { writeJsonAtomic } from '../util/atomicFile';
import { loadValidExperiment } from './experimentInput';
import type { Job } from './job';
import { runPolicy } from './runFolder';

export const sensitivityParams = t.object({
  file: t.string(),
  /** The run folder: its policy.onnx is swept, and sensitivity.json is written there. */
  runDir: t.string(),
  /** Episodes per point [default: 10]. */
  episodes: t.optional(t.id()),
  /** Points per parameter [default: 5]. */
  points: t.optional(t.id()),
});
export type SensitivityParams = t.Infer<typeof sensitivityParams>;

export const sensitivity: Job<SensitivityParams, SensitivityReport> = async (params, context) => {
  const experiment = loadValidExperiment(params.file, { builtInArmOnly: 'The sensitivity sweep' });
  const policyFile = runPolicy(params.runDir);
  const policy = await OnnxPolicy.load(policyFile, TASKS[experiment.task]);
  try {
    const report = await sweepSensitivity(experiment, policy, {
      ...(params.episodes !== undefined ? { episodes: params.episodes } : {}),
      ...(params.points !== undefined ? { points: params.points } : {}),
      signal: context.signal,
      policyLabel: policyFile,
      onPoint: (done, total, label) => context.progress({ fraction: done / total, message: `point ${done + 1} of ${total}: ${label}` }),
    });
    writeJsonAtomic(join(params.runDir, SENSITIVITY_FILE), report);
    return report;
  } finally {
    await policy.dispose();
  }
};
