/**
 * Training and evaluation from the editor: resolve the experiment, ask for consent in untrusted
 * workspaces, save it, run the job in the engine with a cancellable progress notification, and
 * report the result where the user looks.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { EvaluationReport } from '../engine/evaluate/report';
import type { ProgressEvent } from '../messages/engine';
import type { Sim2RealContext } from './context';
import { EngineError } from './engineClient';
import { isExperiment } from './experimentDocuments';
import { ExperimentItem, RunItem } from './experimentTree';
import { experimentNameIn, runsDirectory } from './runsFolder';
import { consentToEngineWork } from './trust';
import { pct } from '../common/format';

export { runsDirectory };

/** The experiment a command targets: a tree item, a URI (explorer, editor title), or the active editor. */
export async function targetExperiment(target: unknown): Promise<vscode.TextDocument | undefined> {
  const uri = target instanceof ExperimentItem ? target.uri : target instanceof RunItem ? target.experiment : target instanceof vscode.Uri ? target : vscode.window.activeTextEditor?.document.uri;
  if (!uri) {
    void vscode.window.showInformationMessage('Sim2Real: open an experiment (*.s2r.yaml) or pick one in the Sim2Real view.');
    return undefined;
  }
  const document = await vscode.workspace.openTextDocument(uri);
  if (!isExperiment(document)) {
    void vscode.window.showWarningMessage(`Sim2Real: ${vscode.workspace.asRelativePath(uri)} is not an experiment file (*.s2r.yaml).`);
    return undefined;
  }
  return document;
}

/** Run an engine request under a cancellable notification and the status-bar item. */
export async function withEngineProgress<T>(
  ctx: Sim2RealContext,
  title: string,
  job: (token: vscode.CancellationToken, onProgress: (event: ProgressEvent) => void) => Promise<T>,
): Promise<T> {
  const end = ctx.status.begin(title);
  try {
    return await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title, cancellable: true }, (progress, token) => {
      let reported = 0;
      return job(token, (event) => {
        const fraction = event.fraction ?? reported;
        progress.report({ message: event.message, increment: Math.max(0, (fraction - reported) * 100) });
        reported = Math.max(reported, fraction);
        ctx.status.update(title, event.message);
      });
    });
  } finally {
    end();
  }
}

export async function reportEngineError(ctx: Sim2RealContext, what: string, error: unknown): Promise<void> {
  const message = error instanceof Error ? error.message : String(error);
  ctx.output.error(`${what}: ${message}`);
  if (error instanceof EngineError && error.findings?.length) {
    void vscode.commands.executeCommand('workbench.actions.view.problems');
  }
  const choice = await vscode.window.showErrorMessage(`Sim2Real: ${what} failed: ${message}`, 'Show Engine Log');
  if (choice) ctx.output.show(true);
}

export async function trainExperiment(ctx: Sim2RealContext, target?: unknown): Promise<void> {
  const document = await targetExperiment(target);
  if (!document || !(await consentToEngineWork('Training'))) return;
  if (document.isDirty) await document.save();
  const name = vscode.workspace.asRelativePath(document.uri);
  try {
    let shown = false;
    const result = await withEngineProgress(ctx, `Sim2Real: training ${name}`, (token, onProgress) =>
      ctx.engine.request(
        'train',
        { file: document.uri.fsPath, runsDir: runsDirectory(document.uri) },
        {
          token,
          onProgress: (event) => {
            // the run folder exists once progress arrives: show it now rather than wait for a file
            // event (not every host delivers them); the tree then polls while it trains
            if (!shown) ctx.tree.refresh();
            shown = true;
            onProgress(event);
          },
        },
      ),
    );
    ctx.tree.refresh();
    const minutes = (result.elapsedSeconds / 60).toFixed(1);
    const reveal = 'Reveal Run Folder';
    const summary =
      result.status === 'cancelled'
        ? `Sim2Real: training cancelled after ${result.iterations} iterations (${minutes} min); the run can be resumed.`
        : `Sim2Real: trained ${name} in ${minutes} min${result.evaluation ? `: sim success ${pct(result.evaluation.success_rate)} over ${result.evaluation.episodes} episodes` : ''}.`;
    const choice = await vscode.window.showInformationMessage(summary, reveal);
    if (choice === reveal) void vscode.commands.executeCommand('revealFileInOS', vscode.Uri.file(result.runDir));
  } catch (error) {
    await reportEngineError(ctx, `training ${name}`, error);
  }
}

/** Policies of an experiment's runs, newest first. */
function runPolicies(runsDir: string, experimentName: string): { label: string; description: string; path: string; runDir: string }[] {
  const dir = join(runsDir, experimentName);
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .map((run) => ({ run, runDir: join(dir, run), path: join(dir, run, 'policy.onnx') }))
    .filter((r) => existsSync(r.path))
    .map((r) => ({ label: r.run, description: new Date(statSync(r.path).mtimeMs).toLocaleString(), path: r.path, runDir: r.runDir, mtime: statSync(r.path).mtimeMs }))
    .sort((a, b) => b.mtime - a.mtime);
}

export async function evaluateInSim(ctx: Sim2RealContext, target?: unknown): Promise<void> {
  const document = await targetExperiment(target);
  if (!document || !(await consentToEngineWork('Evaluation'))) return;
  if (document.isDirty) await document.save();
  const experimentName = experimentNameIn(document.getText()) ?? '';
  const policies = runPolicies(runsDirectory(document.uri), experimentName);
  const browse = { label: '$(folder-opened) Choose an ONNX file…', description: 'a policy trained here or elsewhere', path: '', runDir: '' };
  // a run picked in the tree names its policy; otherwise ask which one
  const picked =
    target instanceof RunItem && target.run.hasPolicy
      ? { path: join(target.run.dir, 'policy.onnx'), runDir: target.run.dir }
      : await vscode.window.showQuickPick([...policies, browse], { title: 'Evaluate which policy?', placeHolder: policies.length ? 'Newest run first' : 'No trained runs yet' });
  if (!picked) return;
  let policy = picked.path;
  let runDir: string | undefined = picked.runDir || undefined;
  if (!policy) {
    const files = await vscode.window.showOpenDialog({ canSelectMany: false, filters: { 'ONNX policy': ['onnx'] }, title: 'ONNX policy to evaluate' });
    if (!files?.[0]) return;
    policy = files[0].fsPath;
    runDir = undefined;
  }
  const name = vscode.workspace.asRelativePath(document.uri);
  try {
    const report: EvaluationReport = await withEngineProgress(ctx, `Sim2Real: evaluating ${name} in sim`, (token, onProgress) =>
      ctx.engine.request('evaluate', { file: document.uri.fsPath, policy, runDir }, { token, onProgress }),
    );
    ctx.tree.refresh();
    void vscode.window.showInformationMessage(
      `Sim2Real: sim success ${pct(report.success_rate)} [${pct(report.success_ci[0])}, ${pct(report.success_ci[1])}] over ${report.episodes} episodes · return ${report.avg_return.toFixed(2)} · length ${report.avg_length.toFixed(1)}`,
    );
  } catch (error) {
    await reportEngineError(ctx, `evaluating ${name}`, error);
  }
}
