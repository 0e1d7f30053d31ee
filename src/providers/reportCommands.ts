/**
 * Open Gap Report and Compare Runs: from a run in the tree, or from the palette with a quick pick
 * of the workspace's runs (several for a comparison), into the gap report panel.
 */
import * as vscode from 'vscode';
import { runDescription, type RunSummary } from '../engine/reports/runSummary';
import type { Sim2RealContext } from './context';
import { EXPERIMENT_GLOB, experimentContents, RunItem } from './experimentTree';
import { GapReportPanel } from './gapReportPanel';

interface RunPick extends vscode.QuickPickItem {
  readonly run: RunSummary;
  readonly experiment: vscode.Uri;
}

/** Every run of every experiment in the workspace, newest first within each experiment. */
async function workspaceRuns(): Promise<RunPick[]> {
  const files = await vscode.workspace.findFiles(EXPERIMENT_GLOB, '{**/node_modules/**,**/.sim2real/**}', 500);
  files.sort((a, b) => a.path.localeCompare(b.path));
  return files.flatMap((experiment) =>
    experimentContents(experiment).runs.map((run) => ({
      label: run.runId,
      description: `${vscode.workspace.asRelativePath(experiment)} · ${runDescription(run)}`,
      detail: run.createdAt ? `started ${new Date(run.createdAt).toLocaleString()}` : undefined,
      run,
      experiment,
    })),
  );
}

export async function openGapReport(ctx: Sim2RealContext, target?: unknown): Promise<void> {
  if (target instanceof RunItem) {
    GapReportPanel.show(ctx, [{ runDir: target.run.dir, experiment: target.experiment }]);
    return;
  }
  const runs = await workspaceRuns();
  if (runs.length === 0) {
    void vscode.window.showInformationMessage('Sim2Real: no runs yet: train an experiment first (Sim2Real: Train Experiment).');
    return;
  }
  const picked = await vscode.window.showQuickPick(runs, { title: 'Open the gap report of which run?', matchOnDescription: true });
  if (picked) GapReportPanel.show(ctx, [{ runDir: picked.run.dir, experiment: picked.experiment }]);
}

export async function compareRuns(ctx: Sim2RealContext, target?: unknown): Promise<void> {
  const runs = await workspaceRuns();
  if (runs.length < 2) {
    void vscode.window.showInformationMessage('Sim2Real: comparing needs at least two runs in the workspace.');
    return;
  }
  // a run the command was started from is picked already
  const preselected = target instanceof RunItem ? target.run.dir : undefined;
  const items = runs.map((r) => ({ ...r, picked: r.run.dir === preselected }));
  const picked = await vscode.window.showQuickPick(items, { title: 'Compare which runs? (two or more)', canPickMany: true, matchOnDescription: true });
  if (!picked) return;
  if (picked.length < 2) {
    void vscode.window.showWarningMessage('Sim2Real: pick at least two runs to compare.');
    return;
  }
  GapReportPanel.show(
    ctx,
    picked.map((p) => ({ runDir: p.run.dir, experiment: p.experiment })),
  );
}
