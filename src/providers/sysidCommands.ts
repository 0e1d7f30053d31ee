/**
 * Identify Robot Parameters and Apply to Experiment: run system identification in the engine (live
 * on the experiment's robot, or from a log), store it as a run, open its report, and offer to write
 * the result into the experiment, shown first as a diff against the file and applied on
 * confirmation as one undoable edit. Trusted workspaces only: it moves the robot.
 */
import { dirname, relative, sep } from 'node:path';
import * as vscode from 'vscode';
import { loadExperiment } from '../engine/config/load';
import { applySysidResult, type ApplyOutcome } from '../engine/sysid/apply';
import { readSysidResult } from '../engine/sysid/sysidRuns';
import type { SysidResult } from '../engine/sysid/types';
import type { Sim2RealContext } from './context';
import { reportEngineError, runsDirectory, targetExperiment, withEngineProgress } from './runCommands';
import { SysidReportPanel } from './sysidReportPanel';
import { SysidRunItem } from './sysidTreeItem';

/** Scheme of the read-only documents that hold a proposed experiment text for the diff. */
export const PROPOSED_SCHEME = 'sim2real-proposed';

/** Proposed texts by URI, served read-only to the diff editor. */
export class ProposedExperiments implements vscode.TextDocumentContentProvider, vscode.Disposable {
  private readonly texts = new Map<string, string>();
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;

  propose(experiment: vscode.Uri, text: string): vscode.Uri {
    const uri = vscode.Uri.from({ scheme: PROPOSED_SCHEME, path: experiment.path, query: `calibrated=${Date.now()}` });
    this.texts.set(uri.toString(), text);
    this.changed.fire(uri);
    return uri;
  }

  provideTextDocumentContent(uri: vscode.Uri): string {
    return this.texts.get(uri.toString()) ?? '';
  }

  dispose(): void {
    this.texts.clear();
    this.changed.dispose();
  }
}

let proposals: ProposedExperiments | undefined;

export function registerSysid(ctx: Sim2RealContext): void {
  proposals = new ProposedExperiments();
  ctx.subscriptions.push(proposals, vscode.workspace.registerTextDocumentContentProvider(PROPOSED_SCHEME, proposals));
}

async function requireTrust(): Promise<boolean> {
  if (vscode.workspace.isTrusted) return true;
  const manage = 'Manage Workspace Trust';
  const choice = await vscode.window.showWarningMessage('Sim2Real: identifying robot parameters moves the robot and runs the engine on workspace files; it needs a trusted workspace.', manage);
  if (choice === manage) void vscode.commands.executeCommand('workbench.trust.manage');
  return false;
}

interface SourcePick extends vscode.QuickPickItem {
  readonly source: 'robot' | 'sensors' | 'log';
}

export async function identifySystem(ctx: Sim2RealContext, target?: unknown): Promise<void> {
  if (!(await requireTrust())) return;
  const document = await targetExperiment(target);
  if (!document) return;
  if (document.isDirty) await document.save();
  const name = vscode.workspace.asRelativePath(document.uri);
  const robot = loadExperiment(document.uri.fsPath).experiment?.robot;
  const picked = await vscode.window.showQuickPick<SourcePick>(
    [
      { source: 'robot', label: '$(plug) Robot', description: robot ? `live, at ${robot.address}` : 'the experiment configures no robot', detail: 'Torque sweeps, pulses and step commands through the safety layer.' },
      { source: 'sensors', label: '$(pulse) Robot sensors only', description: robot ? `live, at ${robot.address}` : 'the experiment configures no robot', detail: 'Held still after a reset: the noise of every sensor and the tracker\'s rate. No torque.' },
      { source: 'log', label: '$(file) Log file…', description: '.csv or .mcap', detail: 'Fit the logged joint motion by replaying its commands in simulation.' },
    ],
    { title: `Identify robot parameters for ${name}`, placeHolder: 'Measure on the robot or fit a recorded log?' },
  );
  if (!picked) return;
  let source: { kind: 'robot'; sensorsOnly?: boolean } | { kind: 'log'; file: string };
  if (picked.source === 'sensors') {
    const start = 'Start Measuring';
    const ok = await vscode.window.showWarningMessage(
      `Measure the sensors of the robot at ${robot?.address ?? '(not configured)'}?`,
      { modal: true, detail: 'The robot is reset (it moves to its start pose) and then held still for a few seconds. Keep the arm clear and the emergency stop within reach; cancelling stops the robot.' },
      start,
    );
    if (ok !== start) return;
    source = { kind: 'robot', sensorsOnly: true };
  } else if (picked.source === 'robot') {
    const start = 'Start Identification';
    const ok = await vscode.window.showWarningMessage(
      `Identify the robot at ${robot?.address ?? '(not configured)'}?`,
      { modal: true, detail: 'Each joint is driven by torque sweeps and pulses, and step commands measure the delay. Keep the arm clear and the emergency stop within reach; cancelling stops the robot.' },
      start,
    );
    if (ok !== start) return;
    source = { kind: 'robot' };
  } else {
    const files = await vscode.window.showOpenDialog({ canSelectMany: false, filters: { 'Robot logs': ['csv', 'mcap'] }, title: 'Log with joint states and commands', defaultUri: vscode.Uri.file(dirname(document.uri.fsPath)) });
    if (!files?.[0]) return;
    source = { kind: 'log', file: files[0].fsPath };
  }
  try {
    const done = await withEngineProgress(ctx, `Sim2Real: identifying robot parameters for ${name}`, (token, onProgress) =>
      ctx.engine.request('sysid', { file: document.uri.fsPath, runsDir: runsDirectory(document.uri), source }, { token, onProgress }),
    );
    ctx.measurements.invalidate();
    ctx.tree.refresh();
    // a request with runsDir always stores its result
    const resultFile = done.resultFile!;
    SysidReportPanel.show(ctx, { resultFile, experiment: document.uri });
    const apply = 'Apply to Experiment…';
    const warnings = done.result.warnings.length ? ` ${done.result.warnings.length} warning(s): see the report.` : '';
    const choice = await vscode.window.showInformationMessage(`Sim2Real: identified ${done.result.identified.length} values for ${name}.${warnings}`, apply);
    if (choice === apply) await applyToExperiment(ctx, { resultFile, experiment: document.uri });
  } catch (error) {
    await reportEngineError(ctx, `identifying robot parameters for ${name}`, error);
  }
}

export interface SysidTarget {
  readonly resultFile: string;
  readonly experiment: vscode.Uri;
}

/** The result a command targets: a tree item, a {resultFile, experiment} from a command, or a pick. */
function sysidTarget(target: unknown): SysidTarget | undefined {
  if (target instanceof SysidRunItem) return { resultFile: target.sysid.file, experiment: target.experiment };
  if (typeof target === 'object' && target !== null && typeof (target as SysidTarget).resultFile === 'string' && (target as SysidTarget).experiment instanceof vscode.Uri) return target as SysidTarget;
  void vscode.window.showInformationMessage('Sim2Real: pick a system identification result (sysid-…) under an experiment in the Sim2Real view.');
  return undefined;
}

function loadResult(file: string): SysidResult | undefined {
  const { result, error } = readSysidResult(file);
  if (!result) void vscode.window.showErrorMessage(`Sim2Real: cannot use this result: ${error}`);
  return result;
}

export async function openSysidReport(ctx: Sim2RealContext, target?: unknown): Promise<void> {
  const picked = sysidTarget(target);
  if (picked && loadResult(picked.resultFile)) SysidReportPanel.show(ctx, picked);
}

/** Diff the experiment against its calibrated version, then apply on confirmation (undoable). */
export async function applyToExperiment(ctx: Sim2RealContext, target?: unknown): Promise<boolean> {
  const picked = sysidTarget(target);
  if (!picked || !proposals) return false;
  const result = loadResult(picked.resultFile);
  if (!result) return false;
  const document = await vscode.workspace.openTextDocument(picked.experiment);
  const name = vscode.workspace.asRelativePath(document.uri);
  const version = document.version;
  let outcome: ApplyOutcome;
  try {
    const source = relative(dirname(document.uri.fsPath), picked.resultFile).split(sep).join('/');
    outcome = applySysidResult(document.getText(), result, { source });
  } catch (error) {
    void vscode.window.showErrorMessage(`Sim2Real: cannot apply to ${name}: ${error instanceof Error ? error.message : String(error)}`);
    return false;
  }
  if (outcome.text === document.getText()) {
    void vscode.window.showInformationMessage(`Sim2Real: ${name} already holds these values.`);
    return false;
  }
  const proposed = proposals.propose(document.uri, outcome.text);
  await vscode.commands.executeCommand('vscode.diff', document.uri, proposed, `${name} ↔ calibrated (proposed)`, { preview: true });
  const apply = 'Apply';
  const skipped = outcome.skipped.length ? `\n\nNot applied:\n${outcome.skipped.join('\n')}` : '';
  const answer = await vscode.window.showInformationMessage(`Apply the measured values to ${name}?`, { modal: true, detail: `${outcome.changes.join('\n')}${skipped}` }, apply);
  if (answer !== apply) return false;
  if (document.version !== version) {
    void vscode.window.showWarningMessage(`Sim2Real: ${name} changed while the diff was open; run Apply to Experiment again.`);
    return false;
  }
  const edit = new vscode.WorkspaceEdit();
  edit.replace(document.uri, new vscode.Range(document.positionAt(0), document.positionAt(document.getText().length)), outcome.text);
  if (!(await vscode.workspace.applyEdit(edit))) {
    void vscode.window.showErrorMessage(`Sim2Real: could not edit ${name}.`);
    return false;
  }
  await document.save();
  ctx.diagnostics.refresh(document);
  await vscode.window.showTextDocument(document, { preview: false });
  ctx.output.info(`applied ${picked.resultFile} to ${document.uri.fsPath}:\n${outcome.changes.join('\n')}`);
  void vscode.window.showInformationMessage(`Sim2Real: ${outcome.changes.length} change(s) written to ${name} (Undo reverts them).`);
  return true;
}
