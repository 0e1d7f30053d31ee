/**
 * Workspace trust: an untrusted workspace can read and validate experiments, but engine work (which
 * loads files from the workspace and can drive a robot) starts only with the user's consent.
 */
import * as vscode from 'vscode';

const consented = new Set<string>();

export async function consentToEngineWork(what: string): Promise<boolean> {
  if (vscode.workspace.isTrusted) return true;
  const key = vscode.workspace.workspaceFolders?.map((f) => f.uri.toString()).join('|') ?? '';
  if (consented.has(key)) return true;
  const runOnce = 'Run in This Untrusted Workspace';
  const manage = 'Manage Workspace Trust';
  const choice = await vscode.window.showWarningMessage(
    `Sim2Real: this workspace is not trusted. ${what} runs the engine on files from it (and may connect to a robot). Continue?`,
    { modal: true },
    runOnce,
    manage,
  );
  if (choice === manage) void vscode.commands.executeCommand('workbench.trust.manage');
  if (choice !== runOnce) return false;
  consented.add(key);
  return true;
}
