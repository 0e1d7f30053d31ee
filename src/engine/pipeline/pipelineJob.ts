/**
 * The pipeline as an engine request (VS Code): the same runPipeline as the CLI, with the person's
 * answers coming back over the protocol (personPrompts.ts): gates, the emergency stop and re-arms
 * as modal dialogs, episode starts through the safe-test console's "Start episode". Cancelling the
 * request declines whatever is open, so nothing waits on a person who has gone.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Experiment } from '../config/experiment';
import { askPerson, vscodePerson, type PromptSink } from '../personPrompts';
import type { PipelineJobResult, PipelineParams } from '../protocol';
import { runPipeline } from './pipeline';
import { openRobotTarget } from './robotTarget';
import { readPipelineRecord } from './stateFile';

export async function runPipelineJob(
  requestId: number,
  params: PipelineParams,
  experiment: Experiment,
  signal: AbortSignal,
  send: PromptSink,
  onProgress: (progress: { fraction?: number; message: string }) => void,
  log: (line: string) => void,
): Promise<PipelineJobResult> {
  if (params.resumeDir !== undefined && !readPipelineRecord(params.resumeDir)) throw new Error(`${params.resumeDir} holds no pipeline (pipeline.json)`);
  if (experiment.stages.length === 0) throw new Error(`${params.file} has no stages: add a stages list (docs/pipeline.md).`);
  // for adapter: emulator the engine starts its own, on a free loopback port, as the CLI does
  const target = await openRobotTarget(experiment, params.file, { startEmulator: true });
  try {
    if (target) log(`pipeline robot: ${target.address}${target.emulator ? ' (reality emulator)' : ''}`);
    const result = await runPipeline({
      experimentFile: params.file,
      experiment,
      runsDir: params.runsDir,
      ...(params.resumeDir !== undefined ? { resumeDir: params.resumeDir } : {}),
      ...(params.from !== undefined ? { from: params.from } : {}),
      ...(params.to !== undefined ? { to: params.to } : {}),
      ...(target ? { robot: { address: target.address, ...(target.profile ? { profile: target.profile } : {}), emulator: target.emulator } } : {}),
      signal,
      confirm: (prompt) => askPerson(requestId, send, signal, { prompt: 'confirm', message: prompt.message, ...(prompt.stage ? { stage: prompt.stage } : {}) }),
      attendance: { attendant: vscodePerson(requestId, send, signal) },
      onProgress: (progress) => onProgress({ ...(progress.fraction !== undefined ? { fraction: progress.fraction } : {}), message: progress.stage ? `${progress.stage}: ${progress.message.replace(`${progress.stage}: `, '')}` : progress.message }),
      log,
    });
    const report = join(result.dir, 'pipeline.json');
    if (!existsSync(report)) throw new Error(`the pipeline wrote no ${report}`);
    return { dir: result.dir, status: result.record.status, message: result.record.message, realEpisodesUsed: result.record.realEpisodesUsed, realEpisodeBudget: result.record.realEpisodeBudget };
  } finally {
    await target?.close();
  }
}
