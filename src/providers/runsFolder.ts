/**
 * Where an experiment's runs live: `<workspace folder>/<sim2real.runsDirectory>/<experiment name>/`.
 * One function shared by the commands (which write runs) and the tree (which lists them), so the two
 * never disagree about the folder.
 */
import { join } from 'node:path';
import * as vscode from 'vscode';

export const RUNS_SETTING_DEFAULT = '.sim2real/runs';

export function runsDirectory(uri: vscode.Uri): string {
  const folder = vscode.workspace.getWorkspaceFolder(uri) ?? vscode.workspace.workspaceFolders?.[0];
  const setting = vscode.workspace.getConfiguration('sim2real', uri).get<string>('runsDirectory', RUNS_SETTING_DEFAULT);
  return folder ? join(folder.uri.fsPath, setting) : join(uri.fsPath, '..', setting);
}

/** The experiment's `name:` as written (runs are filed under it), read without a full parse. */
export function experimentNameIn(text: string): string | undefined {
  return /^name:\s*["']?([A-Za-z0-9][A-Za-z0-9_.-]*)/m.exec(text)?.[1];
}
