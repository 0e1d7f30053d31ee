/**
 * The pipeline as an engine request (VS Code): the same runPipeline as the CLI, with the person's
 * answers coming back over the protocol. A gate or a re-arm becomes a `pipelinePrompt` event of
 * kind `confirm` (a modal dialog in the editor); each fine-tuning episode waits for one of kind
 * `episode` (the safe-test console's "Start episode"). Cancelling the request declines whatever
 * is open, so nothing waits on a person who has gone.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Experiment } from '../config/experiment';
import type { PipelineJobResult, PipelineParams, PipelinePromptClosedEvent, PipelinePromptEvent } from '../protocol';
import { runPipeline } from './pipeline';
import { openRobotTarget } from './robotTarget';
import { readPipelineRecord } from './stateFile';

type Send = (event: PipelinePromptEvent | PipelinePromptClosedEvent) => void;

let nextPromptId = 1;
const openPrompts = new Map<number, (accept: boolean) => void>();

/** The person's answer (pipelineReply); false when the prompt is no longer open. */
export function replyToPrompt(promptId: number, accept: boolean): boolean {
  const resolve = openPrompts.get(promptId);
  if (!resolve) return false;
  openPrompts.delete(promptId);
  resolve(accept);
  return true;
}

function ask(requestId: number, send: Send, signal: AbortSignal, prompt: Omit<PipelinePromptEvent, 'kind' | 'requestId' | 'promptId'>): Promise<boolean> {
  const promptId = nextPromptId++;
  return new Promise<boolean>((resolve) => {
    const done = (accept: boolean): void => {
      signal.removeEventListener('abort', onAbort);
      openPrompts.delete(promptId);
      send({ kind: 'pipelinePromptClosed', promptId });
      resolve(accept);
    };
    const onAbort = (): void => done(false);
    if (signal.aborted) return resolve(false);
    signal.addEventListener('abort', onAbort, { once: true });
    openPrompts.set(promptId, done);
    send({ kind: 'pipelinePrompt', requestId, promptId, ...prompt });
  });
}

export async function runPipelineJob(
  requestId: number,
  params: PipelineParams,
  experiment: Experiment,
  signal: AbortSignal,
  send: Send,
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
      confirm: (prompt) => ask(requestId, send, signal, { prompt: 'confirm', message: prompt.message, ...(prompt.stage ? { stage: prompt.stage } : {}) }),
      awaitEpisodeStart: async (prompt) => {
        const started = await ask(requestId, send, signal, { prompt: 'episode', message: `${prompt.stage}: real episode ${prompt.episode} of ${prompt.of}`, stage: prompt.stage, episode: prompt.episode, of: prompt.of });
        if (!started) throw Object.assign(new Error('the episode was not started'), { name: 'AbortError' });
      },
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
