/**
 * Actions on one run from the Experiments tree: reveal its folder, delete it (after a modal
 * confirmation), and evaluate its policy on the experiment's configured robot in the engine.
 */
import { rm } from 'node:fs/promises';
import { basename } from 'node:path';
import * as vscode from 'vscode';
import type { Sim2RealContext } from './context';
import { RunItem } from './experimentTree';
import { reportEngineError, withEngineProgress } from './runCommands';
import { consentToEngineWork } from './trust';
import { pct } from '../common/format';

/** The run a command targets; run commands from the palette explain where to find runs. */
export function targetRun(target: unknown): RunItem | undefined {
  if (target instanceof RunItem) return target;
  void vscode.window.showInformationMessage('Sim2Real: pick a run under an experiment in the Sim2Real view (right-click it).');
  return undefined;
}

export async function revealRunFolder(_ctx: Sim2RealContext, target?: unknown): Promise<void> {
  const run = targetRun(target);
  if (!run) return;
  // revealFileInOS needs a desktop; in a browser-hosted VS Code the Explorer is where folders show
  if (vscode.env.uiKind === vscode.UIKind.Desktop) await vscode.commands.executeCommand('revealFileInOS', vscode.Uri.file(run.run.dir));
  else await vscode.commands.executeCommand('revealInExplorer', vscode.Uri.file(run.run.dir));
}

export async function deleteRun(ctx: Sim2RealContext, target?: unknown): Promise<void> {
  const run = targetRun(target);
  if (!run) return;
  if (run.run.status === 'running' && ctx.engine.busy) {
    void vscode.window.showWarningMessage(`Sim2Real: ${run.run.runId} may still be training; cancel its training first.`);
    return;
  }
  const remove = 'Delete Run';
  const answer = await vscode.window.showWarningMessage(
    `Delete run ${run.run.runId}?`,
    { modal: true, detail: `This deletes ${run.run.dir} with its policy, checkpoints, metrics and reports. It cannot be undone.` },
    remove,
  );
  if (answer !== remove) return;
  try {
    await rm(run.run.dir, { recursive: true, force: true });
    ctx.output.info(`deleted run ${run.run.dir}`);
  } catch (error) {
    void vscode.window.showErrorMessage(`Sim2Real: could not delete ${basename(run.run.dir)}: ${error instanceof Error ? error.message : String(error)}`);
  }
  ctx.tree.refresh();
}

export async function evaluateRunOnRobot(ctx: Sim2RealContext, target?: unknown): Promise<void> {
  const run = targetRun(target);
  if (!run) return;
  if (!run.run.hasPolicy) {
    void vscode.window.showWarningMessage(`Sim2Real: ${run.run.runId} has no policy.onnx yet; train it to the end first.`);
    return;
  }
  // a robot link moves hardware: consent in untrusted workspaces, like any engine work
  if (!(await consentToEngineWork('Evaluation on the robot'))) return;
  const document = await vscode.workspace.openTextDocument(run.experiment);
  if (document.isDirty) await document.save();
  const name = vscode.workspace.asRelativePath(run.experiment);
  try {
    const result = await withEngineProgress(ctx, `Sim2Real: evaluating ${run.run.runId} on the robot`, (token, onProgress) =>
      ctx.engine.request('evaluateOnRobot', { file: run.experiment.fsPath, runDir: run.run.dir }, { token, onProgress }),
    );
    ctx.tree.refresh();
    const real = result.real;
    const gap = result.report?.gap;
    const open = 'Open Gap Report';
    const choice = await vscode.window.showInformationMessage(
      `Sim2Real: real success ${pct(real.success_rate)} [${pct(real.success_ci[0])}, ${pct(real.success_ci[1])}] over ${real.episodes} episodes${gap ? ` · transfer gap ${gap.successPoints.toFixed(1)} points (${gap.verdict})` : ''}${real.halted ? ` · halted ${real.halted}` : ''}.`,
      ...(result.report ? [open] : []),
    );
    if (choice === open) await vscode.commands.executeCommand('sim2real.openGapReport', run);
  } catch (error) {
    await reportEngineError(ctx, `evaluating ${name} on the robot`, error);
  }
}
