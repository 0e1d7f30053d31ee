/**
 * The Experiments view: every *.s2r.yaml in the workspace with its error and warning counts.
 * Later issues hang stages and runs under each experiment.
 */
import * as vscode from 'vscode';
import { DIAGNOSTIC_SOURCE } from './diagnostics';

export const EXPERIMENT_GLOB = '**/*.s2r.{yaml,yml}';
const EXCLUDE_GLOB = '{**/node_modules/**,**/.sim2real/**}';

export class ExperimentItem extends vscode.TreeItem {
  constructor(readonly uri: vscode.Uri, errors: number, warnings: number) {
    super(vscode.workspace.asRelativePath(uri, false).replace(/\.s2r\.ya?ml$/, ''), vscode.TreeItemCollapsibleState.None);
    this.resourceUri = uri;
    this.contextValue = 'experiment';
    this.iconPath = new vscode.ThemeIcon(errors > 0 ? 'error' : warnings > 0 ? 'warning' : 'beaker', errors > 0 ? new vscode.ThemeColor('problemsErrorIcon.foreground') : undefined);
    this.description = errors + warnings === 0 ? 'valid' : [errors ? `${errors} error${errors > 1 ? 's' : ''}` : '', warnings ? `${warnings} warning${warnings > 1 ? 's' : ''}` : ''].filter(Boolean).join(', ');
    this.tooltip = new vscode.MarkdownString(`**${vscode.workspace.asRelativePath(uri)}**\n\n${this.description}`);
    this.command = { command: 'vscode.open', title: 'Open Experiment', arguments: [uri] };
  }
}

export class ExperimentTree implements vscode.TreeDataProvider<ExperimentItem>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<ExperimentItem | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly disposables: vscode.Disposable[] = [];

  constructor() {
    const watcher = vscode.workspace.createFileSystemWatcher(EXPERIMENT_GLOB);
    this.disposables.push(
      watcher,
      watcher.onDidCreate(() => this.refresh()),
      watcher.onDidDelete(() => this.refresh()),
      vscode.languages.onDidChangeDiagnostics((e) => {
        if (e.uris.some((uri) => /\.s2r\.ya?ml$/.test(uri.path))) this.refresh();
      }),
      this.changed,
    );
  }

  refresh(): void {
    this.changed.fire(undefined);
  }

  getTreeItem(item: ExperimentItem): vscode.TreeItem {
    return item;
  }

  async getChildren(parent?: ExperimentItem): Promise<ExperimentItem[]> {
    if (parent) return [];
    const files = await vscode.workspace.findFiles(EXPERIMENT_GLOB, EXCLUDE_GLOB, 500);
    files.sort((a, b) => a.path.localeCompare(b.path));
    return files.map((uri) => {
      const ours = vscode.languages.getDiagnostics(uri).filter((d) => d.source === DIAGNOSTIC_SOURCE);
      const errors = ours.filter((d) => d.severity === vscode.DiagnosticSeverity.Error).length;
      const warnings = ours.filter((d) => d.severity === vscode.DiagnosticSeverity.Warning).length;
      return new ExperimentItem(uri, errors, warnings);
    });
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}
