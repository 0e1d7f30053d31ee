/**
 * Sim2Real: Run Transfer Pipeline. Runs (or resumes) the experiment's stages in the engine under a
 * cancellable progress notification. The engine's questions (gates, and on a real robot the
 * emergency stop, episode starts and re-arms) are answered through personPrompts.ts. The tree shows
 * each stage's state from pipeline.json as it changes.
 */
import { join } from 'node:path';
import * as vscode from 'vscode';
import { loadExperiment } from '../engine/config/load';
import { latestPipeline } from '../engine/pipeline/pipelineSummary';
import type { Sim2RealContext } from './context';
import { isExperiment } from './experimentDocuments';
import { EXPERIMENT_GLOB, ExperimentItem, GroupItem, StageItem } from './experimentTree';
import { reportEngineError, runsDirectory, targetExperiment, withEngineProgress } from './runCommands';
import { consentToEngineWork } from './trust';

let running = false;

export async function runPipelineCommand(ctx: Sim2RealContext, target?: unknown): Promise<void> {
  if (running) {
    void vscode.window.showInformationMessage('Sim2Real: a transfer pipeline is already running; cancel it from its notification first.');
    return;
  }
  // from the tree: the experiment, its Stages group or one of its stages; from the palette: the
  // active editor's, else the workspace's only experiment, else the user's pick
  const fromTree = target instanceof GroupItem || target instanceof StageItem ? target.experiment : target instanceof ExperimentItem || target instanceof vscode.Uri ? target : undefined;
  const document = await targetExperiment(fromTree ?? (await pickExperiment()));
  if (!document || !(await consentToEngineWork('The transfer pipeline'))) return;
  if (document.isDirty) await document.save();
  const loaded = loadExperiment(document.uri.fsPath);
  if (!loaded.experiment) {
    void vscode.window.showErrorMessage(`Sim2Real: ${vscode.workspace.asRelativePath(document.uri)} has errors; fix them before running the pipeline.`);
    void vscode.commands.executeCommand('workbench.actions.view.problems');
    return;
  }
  const runsDir = runsDirectory(document.uri);
  // a pipeline that stopped before its end can go on where it stopped
  const previous = latestPipeline(join(runsDir, loaded.experiment.name));
  let resumeDir: string | undefined;
  if (previous && (previous.stale || ['cancelled', 'failed', 'failed_gate', 'stopped'].includes(previous.record.status))) {
    const resume = { label: `$(debug-continue) Resume ${previous.record.id}`, description: previous.stale ? 'interrupted' : previous.record.message, resume: true };
    const fresh = { label: '$(play) Start a new pipeline', description: 'from the first stage', resume: false };
    const picked = await vscode.window.showQuickPick([resume, fresh], { title: 'Run Transfer Pipeline', placeHolder: 'The last pipeline stopped before its end' });
    if (!picked) return;
    if (picked.resume) resumeDir = previous.dir;
  }

  const name = vscode.workspace.asRelativePath(document.uri);
  running = true;
  try {
    const result = await withEngineProgress(ctx, `Sim2Real: transfer pipeline ${name}`, (token, onProgress) =>
      ctx.engine.request('pipeline', { file: document.uri.fsPath, runsDir, ...(resumeDir ? { resumeDir } : {}) }, {
        token,
        onProgress: (event) => {
          ctx.tree.refresh();
          onProgress(event);
        },
      }),
    );
    ctx.tree.refresh();
    const message = `Sim2Real: pipeline ${result.status}: ${result.message} (real episodes ${result.realEpisodesUsed} of ${result.realEpisodeBudget})`;
    const reveal = 'Reveal Pipeline Folder';
    const choice = result.status === 'completed' || result.status === 'stopped' ? await vscode.window.showInformationMessage(message, reveal) : await vscode.window.showWarningMessage(message, reveal);
    if (choice === reveal) void vscode.commands.executeCommand('revealFileInOS', vscode.Uri.file(join(result.dir, 'pipeline.json')));
  } catch (error) {
    await reportEngineError(ctx, `transfer pipeline ${name}`, error);
  } finally {
    running = false;
    ctx.tree.refresh();
  }
}

async function pickExperiment(): Promise<vscode.Uri | undefined> {
  const active = vscode.window.activeTextEditor?.document;
  if (active && isExperiment(active)) return active.uri;
  const files = await vscode.workspace.findFiles(EXPERIMENT_GLOB, '{**/node_modules/**,**/.sim2real/**}', 50);
  if (files.length <= 1) return files[0];
  const picked = await vscode.window.showQuickPick(
    files.map((uri) => ({ label: vscode.workspace.asRelativePath(uri), uri })),
    { title: 'Run Transfer Pipeline: which experiment?' },
  );
  return picked?.uri;
}
