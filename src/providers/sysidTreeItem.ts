/**
 * System identification results in the Experiments tree, among the experiment's runs: one item per
 * `sysid-<stamp>/sysid.json`, opening its report; "Apply to Experiment…" on its context menu.
 */
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import * as vscode from 'vscode';
import { listSysidRuns, type SysidRun } from '../engine/sysid/sysidRuns';
import { experimentNameIn, runsDirectory } from './runsFolder';

export class SysidRunItem extends vscode.TreeItem {
  constructor(
    readonly experiment: vscode.Uri,
    readonly sysid: SysidRun,
  ) {
    super(sysid.runId, vscode.TreeItemCollapsibleState.None);
    this.id = `sysid:${sysid.dir}`;
    this.resourceUri = vscode.Uri.file(sysid.file);
    this.contextValue = sysid.result ? 'sysidRun' : 'sysidRun.unreadable';
    const result = sysid.result;
    this.iconPath = new vscode.ThemeIcon(result ? 'pulse' : 'warning', result ? undefined : new vscode.ThemeColor('problemsWarningIcon.foreground'));
    const where = result ? (result.source.kind === 'robot' ? `robot ${result.source.address}` : `log ${result.source.file.split(/[\\/]/).pop()}`) : '';
    this.description = result
      ? `system identification · ${result.identified.length} values · ${where}${result.warnings.length ? ` · ${result.warnings.length} warning(s)` : ''}`
      : (sysid.error ?? 'unreadable');
    this.tooltip = result
      ? new vscode.MarkdownString([`**${sysid.runId}**: system identification (${where})`, `Measured ${new Date(result.createdAt).toLocaleString()}`, ...result.warnings.map((w) => `⚠ ${w}`)].join('\n\n'))
      : sysid.error;
    if (result) this.command = { command: 'sim2real.openSysidReport', title: 'Open System Identification Report', arguments: [this] };
  }
}

/** The experiment's identification results, newest first (none for a file it cannot name). */
export function sysidRunsOf(uri: vscode.Uri): SysidRun[] {
  if (uri.scheme !== 'file') return [];
  let name: string | undefined;
  try {
    name = experimentNameIn(readFileSync(uri.fsPath, 'utf8'));
  } catch {
    return [];
  }
  return name ? listSysidRuns(join(runsDirectory(uri), name)) : [];
}
