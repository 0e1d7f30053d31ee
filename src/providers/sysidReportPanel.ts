/**
 * The system identification report: per joint the fitted friction curve tau = b·v + c·sign(v) over
 * the measured points and its residuals, the inertia trials, the delay histogram, each value with
 * its standard error. One panel per result; "Apply to Experiment…" in the panel runs the same
 * diff-then-apply as the command.
 */
import { basename, dirname } from 'node:path';
import * as vscode from 'vscode';
import { readSysidResult } from '../engine/sysid/sysidRuns';
import { SYSID_WEBVIEW_MESSAGES, type SysidHostMessage, type SysidWebviewMessage } from '../messages/sysidReport';
import type { Sim2RealContext } from './context';
import { WebviewPanelHost } from './webviewPanel';

export interface SysidReportTarget {
  readonly resultFile: string;
  readonly experiment: vscode.Uri;
}

export class SysidReportPanel implements vscode.Disposable {
  private static readonly open = new Map<string, SysidReportPanel>();
  private readonly host: WebviewPanelHost<SysidWebviewMessage, SysidHostMessage>;
  private readonly disposables: vscode.Disposable[] = [];

  static show(ctx: Sim2RealContext, target: SysidReportTarget): SysidReportPanel {
    const existing = SysidReportPanel.open.get(target.resultFile);
    if (existing) {
      existing.host.panel.reveal();
      return existing;
    }
    const panel = new SysidReportPanel(ctx, target);
    SysidReportPanel.open.set(target.resultFile, panel);
    return panel;
  }

  private constructor(
    ctx: Sim2RealContext,
    private readonly target: SysidReportTarget,
  ) {
    const runId = basename(dirname(target.resultFile));
    this.host = new WebviewPanelHost<SysidWebviewMessage, SysidHostMessage>({
      viewType: 'sim2real.sysidReport',
      title: `System Identification: ${runId}`,
      bundle: 'sysid-report',
      extensionUri: ctx.extension.extensionUri,
      parse: SYSID_WEBVIEW_MESSAGES.parse,
      log: ctx.output,
    });
    this.disposables.push(
      this.host,
      this.host.onMessage((message) => {
        if (message.kind === 'apply') void vscode.commands.executeCommand('sim2real.applySysidToExperiment', { resultFile: target.resultFile, experiment: target.experiment });
      }),
      this.host.panel.onDidDispose(() => this.dispose()),
    );
    const { result, error } = readSysidResult(target.resultFile);
    if (!result) {
      void vscode.window.showErrorMessage(`Sim2Real: cannot show ${target.resultFile}: ${error}`);
      return;
    }
    void this.host.post({ kind: 'result', runId, experiment: vscode.workspace.asRelativePath(target.experiment), result });
  }

  dispose(): void {
    SysidReportPanel.open.delete(this.target.resultFile);
    for (const d of this.disposables.splice(0)) d.dispose();
  }
}
