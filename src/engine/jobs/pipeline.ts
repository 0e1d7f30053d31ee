/**
 * Run the experiment's transfer pipeline (or resume one): stages, gates, the final robot evaluation
 * and the gap report. For `adapter: emulator` the job starts its own emulator on a free loopback port
 * (unless `connect`, which uses robot.address as it is). Gates are the context's `confirm`; the
 * robot's motion questions go to its attendance, never to a gate's answer.
 */
import * as t from '../../common/schema';
import { runPipeline } from '../pipeline/pipeline';
import { openRobotTarget } from '../pipeline/robotTarget';
import { readPipelineRecord, type PipelineRecord } from '../pipeline/stateFile';
import { writeGapReport } from '../reports/runReport';
import { loadValidExperiment } from './experimentInput';
import { JobInputError, type Job } from './job';

export const pipelineParams = t.object({
  /** Absolute path of the experiment file. */
  file: t.string(),
  /** Folder runs are written under; the pipeline goes to `<runsDir>/<experiment>/pipeline-<id>`. */
  runsDir: t.string(),
  /** Continue this pipeline folder. */
  resumeDir: t.optional(t.string()),
  /** First and last stage to run, by name. */
  from: t.optional(t.string()),
  to: t.optional(t.string()),
  /** With adapter: emulator, connect to robot.address instead of starting an emulator. */
  connect: t.optional(t.boolean()),
});
export type PipelineParams = t.Infer<typeof pipelineParams>;

export interface PipelineJobResult {
  readonly dir: string;
  readonly record: PipelineRecord;
}

export const pipeline: Job<PipelineParams, PipelineJobResult> = async (params, context) => {
  if (params.resumeDir !== undefined && !readPipelineRecord(params.resumeDir)) throw new JobInputError(`${params.resumeDir} holds no pipeline (pipeline.json)`);
  const experiment = loadValidExperiment(params.file, { builtInArmOnly: 'The transfer pipeline' });
  if (experiment.stages.length === 0) throw new JobInputError(`${params.file} has no stages: add a stages list (docs/pipeline.md).`);
  const target = await openRobotTarget(experiment, params.file, { startEmulator: !params.connect });
  try {
    if (target) context.log(`robot: ${target.address}${target.emulator ? ` (reality emulator${target.profile ? `, profile ${target.profile}` : ''})` : ''}`);
    const result = await runPipeline({
      experimentFile: params.file,
      experiment,
      runsDir: params.runsDir,
      ...(params.resumeDir !== undefined ? { resumeDir: params.resumeDir } : {}),
      ...(params.from !== undefined ? { from: params.from } : {}),
      ...(params.to !== undefined ? { to: params.to } : {}),
      ...(target ? { robot: { address: target.address, ...(target.profile ? { profile: target.profile } : {}), emulator: target.emulator } } : {}),
      signal: context.signal,
      confirm: (prompt) => context.confirm(prompt),
      attendance: context.attendance,
      writeReport: (runDir) => {
        const gap = writeGapReport(runDir).gap;
        return gap ? { successPoints: gap.successPoints, verdict: gap.verdict } : undefined;
      },
      onProgress: (progress) =>
        context.progress({ ...(progress.fraction !== undefined ? { fraction: progress.fraction } : {}), message: progress.stage ? `${progress.stage}: ${progress.message.replace(`${progress.stage}: `, '')}` : progress.message }),
      log: context.log,
    });
    return { dir: result.dir, record: result.record };
  } finally {
    await target?.close();
  }
};
