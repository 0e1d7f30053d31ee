/**
 * The gap report panel: one or more runs side by side (sim and real figures with intervals, gap,
 * verdict and advice, training curves, per-parameter sensitivity), redrawn when the run folders
 * change, so a run that is still training shows its curves growing. The report is built here from
 * the run's files with the same code as `sim2real report` (plain file reading, no simulation); the
 * sensitivity sweep and anything else that simulates runs in the engine.
 */
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { gapReportMarkdown, type GapReport } from '../engine/reports/gapReport';
import { visualGapOf } from '../engine/reports/visualGap';
import { buildGapReport, readSensitivity, readTrainingCurve, REPORT_MARKDOWN_FILE, writeGapReport, writeGapReportHtml } from '../engine/reports/runReport';
import { writeFileAtomic } from '../engine/util/atomicFile';
import { readRunSummary } from '../engine/reports/runSummary';
import { GAP_WEBVIEW_MESSAGES, type ChartName, type ExportMessage, type GapHostMessage, type GapWebviewMessage, type RunView } from '../messages/gapReport';
import type { Sim2RealContext } from './context';
import { WebviewPanelHost } from './webviewPanel';
import { reportEngineError, withEngineProgress } from './runCommands';
import { consentToEngineWork } from './trust';

export interface PanelRun {
  readonly runDir: string;
  /** The experiment file the run belongs to (the sensitivity sweep reads its randomization). */
  readonly experiment: vscode.Uri;
}

const CHART_TITLES: Record<ChartName, string> = { 'training-curves': 'Training curves', sensitivity: 'Per-parameter sensitivity', 'transfer-stages': 'Transfer stages' };
/** Files whose change alters what the panel shows; its own outputs (report.*, PNGs) are not among them. */
const WATCHED = /(^|[\\/])(run\.json|metrics\.jsonl|eval\.json|eval-real\.json|sensitivity\.json|perception\.json)$/;
const REDRAW_DEBOUNCE_MS = 300;
/**
 * The panel also compares the run files' sizes and times every this many ms: file events do not
 * reach every VS Code host for folders created after the watcher started (code-server missed them),
 * and the live training curve must not depend on them. A few stat calls per second cost nothing.
 */
const POLL_MS = 1_000;
const POLLED_FILES = ['run.json', 'metrics.jsonl', 'eval.json', 'eval-real.json', 'sensitivity.json', 'perception.json'];

export class GapReportPanel implements vscode.Disposable {
  private static readonly open = new Map<string, GapReportPanel>();
  private readonly host: WebviewPanelHost<GapWebviewMessage, GapHostMessage>;
  private readonly disposables: vscode.Disposable[] = [];
  private timer: NodeJS.Timeout | undefined;
  private readonly sweeping = new Set<string>();
  private signature = '';
  private readonly poll: NodeJS.Timeout;

  /** Show the runs (focusing the panel that already shows exactly these). */
  static show(ctx: Sim2RealContext, runs: readonly PanelRun[]): GapReportPanel {
    const key = runs.map((r) => r.runDir).join('\n');
    const existing = GapReportPanel.open.get(key);
    if (existing) {
      existing.host.panel.reveal();
      return existing;
    }
    const panel = new GapReportPanel(ctx, runs, key);
    GapReportPanel.open.set(key, panel);
    return panel;
  }

  private constructor(
    private readonly ctx: Sim2RealContext,
    private readonly runs: readonly PanelRun[],
    private readonly key: string,
  ) {
    const ids = runs.map((r) => r.runDir.split(/[\\/]/).pop()).join(' vs ');
    this.host = new WebviewPanelHost<GapWebviewMessage, GapHostMessage>({
      viewType: 'sim2real.gapReport',
      title: runs.length > 1 ? `Compare: ${ids}` : `Gap Report: ${ids}`,
      bundle: 'gap-report',
      extensionUri: ctx.extension.extensionUri,
      parse: GAP_WEBVIEW_MESSAGES.parse,
      log: ctx.output,
    });
    for (const run of runs) {
      const watcher = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(vscode.Uri.file(run.runDir), '*'));
      const onEvent = (uri: vscode.Uri): void => {
        if (WATCHED.test(uri.fsPath)) this.redrawSoon();
      };
      this.disposables.push(watcher, watcher.onDidChange(onEvent), watcher.onDidCreate(onEvent), watcher.onDidDelete(onEvent));
    }
    this.disposables.push(
      this.host.onMessage((message) => void this.handle(message)),
      this.host.panel.onDidDispose(() => this.dispose()),
    );
    this.signature = this.filesSignature();
    this.poll = setInterval(() => {
      const signature = this.filesSignature();
      if (signature !== this.signature) this.redrawSoon();
    }, POLL_MS);
    void this.redraw(true);
  }

  private filesSignature(): string {
    const parts: string[] = [];
    for (const run of this.runs) {
      for (const file of POLLED_FILES) {
        try {
          const stat = statSync(join(run.runDir, file));
          parts.push(`${stat.size}:${stat.mtimeMs}`);
        } catch {
          parts.push('-');
        }
      }
    }
    return parts.join('|');
  }

  private redrawSoon(): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.redraw(false), REDRAW_DEBOUNCE_MS);
  }

  /** Read every run and post it; on open, refresh report.json so the file and the panel agree. */
  private async redraw(writeReports: boolean): Promise<void> {
    this.signature = this.filesSignature();
    const views = this.runs.map((run) => runView(run.runDir, writeReports));
    await this.host.post({ kind: 'runs', runs: views });
  }

  private async handle(message: GapWebviewMessage): Promise<void> {
    if (message.kind === 'computeSensitivity') await this.computeSensitivity(message.runDir);
    else await this.export(message);
  }

  private panelRun(runDir: string): PanelRun | undefined {
    // only the panel's own runs: a message never names a folder to write into
    const run = this.runs.find((r) => r.runDir === runDir);
    if (!run) this.ctx.output.warn(`gap report: ignored a request for a run this panel does not show: ${runDir}`);
    return run;
  }

  private async computeSensitivity(runDir: string): Promise<void> {
    const run = this.panelRun(runDir);
    if (!run || this.sweeping.has(runDir)) return;
    if (!(await consentToEngineWork('The sensitivity sweep'))) return;
    this.sweeping.add(runDir);
    const id = runDir.split(/[\\/]/).pop();
    try {
      await this.host.post({ kind: 'sensitivityState', runDir, running: true, message: 'starting…' });
      await withEngineProgress(this.ctx, `Sim2Real: sensitivity of ${id}`, (token, onProgress) =>
        this.ctx.engine.request(
          'sensitivity',
          { file: run.experiment.fsPath, runDir },
          {
            token,
            onProgress: (event) => {
              onProgress(event);
              void this.host.post({ kind: 'sensitivityState', runDir, running: true, message: event.message });
            },
          },
        ),
      );
    } catch (error) {
      await reportEngineError(this.ctx, `the sensitivity sweep of ${id}`, error);
    } finally {
      this.sweeping.delete(runDir);
      await this.host.post({ kind: 'sensitivityState', runDir, running: false });
      await this.redraw(false);
    }
  }

  /** Write each run's report.md and report.html with the panel's charts as PNGs beside them. */
  private async export(message: ExportMessage): Promise<void> {
    const written: string[] = [];
    for (const run of this.runs) {
      if (!existsSync(join(run.runDir, 'eval.json'))) continue;
      const charts: { title: string; file: string }[] = [];
      for (const chart of message.charts.filter((c) => c.runDir === run.runDir)) {
        if (!this.panelRun(chart.runDir)) continue;
        const file = `${chart.name}.png`;
        writeFileAtomic(join(run.runDir, file), Buffer.from(chart.dataUrl.slice(chart.dataUrl.indexOf(',') + 1), 'base64'));
        charts.push({ title: CHART_TITLES[chart.name], file });
        written.push(join(run.runDir, file));
      }
      const report = writeGapReport(run.runDir);
      const markdown = `${gapReportMarkdown(report)}${charts.map((c) => `\n![${c.title}](${c.file})\n`).join('')}`;
      writeFileAtomic(join(run.runDir, REPORT_MARKDOWN_FILE), markdown);
      written.push(join(run.runDir, REPORT_MARKDOWN_FILE), writeGapReportHtml(run.runDir, report, charts));
    }
    await this.host.post({ kind: 'exported', files: written });
    if (written.length === 0) {
      void vscode.window.showWarningMessage('Sim2Real: nothing to export: evaluate a run in sim first.');
      return;
    }
    const html = written.find((f) => f.endsWith('report.html'))!;
    const open = 'Open report.md';
    const choice = await vscode.window.showInformationMessage(`Sim2Real: exported the gap report (${written.length} files) to ${vscode.workspace.asRelativePath(html.replace(/report\.html$/, ''))}.`, open);
    if (choice === open) await vscode.window.showTextDocument(vscode.Uri.file(html.replace(/report\.html$/, REPORT_MARKDOWN_FILE)));
  }

  dispose(): void {
    GapReportPanel.open.delete(this.key);
    clearTimeout(this.timer);
    clearInterval(this.poll);
    for (const d of this.disposables.splice(0)) d.dispose();
    this.host.dispose();
  }
}

/** What the panel shows of one run folder; a run still training has curves but no report yet. */
export function runView(runDir: string, writeReport: boolean): RunView {
  const summary = readRunSummary(runDir);
  const base = { runDir, runId: summary.runId, status: summary.status };
  if (summary.status === 'unreadable') return { ...base, experiment: '', training: [], evaluations: [], note: summary.error ?? 'unreadable run' };
  let curve: ReturnType<typeof readTrainingCurve> = { training: [], evaluations: [] };
  try {
    curve = readTrainingCurve(runDir);
  } catch {
    // metrics unreadable: the table can still show
  }
  let report: GapReport | undefined;
  let note: string | undefined;
  if (summary.sim) {
    try {
      report = writeReport ? writeGapReport(runDir) : buildGapReport(runDir);
    } catch (error) {
      note = error instanceof Error ? error.message : String(error);
    }
  }
  // without a report the perception section stands alone (a perception run has no policy at all)
  const visual = report ? undefined : visualGapOf(runDir);
  if (!report && !note) {
    if (summary.status === 'running') note = 'Training… the curves update as it goes; the table appears once the run is evaluated.';
    else if (!summary.hasPolicy && visual) note = 'A perception run: the puck perception model only, no policy to evaluate.';
    else note = 'Not evaluated in sim yet: run Evaluate in Sim on this run.';
  }
  const sensitivity = readSensitivity(runDir);
  return { ...base, experiment: summary.experimentName ?? '', report, training: curve.training, evaluations: curve.evaluations, ...(sensitivity ? { sensitivity } : {}), ...(note ? { note } : {}), ...(visual ? { visual } : {}) };
}
