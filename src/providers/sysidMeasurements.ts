/**
 * The coverage diagnostics' second source: the newest system identification result of an
 * experiment (`<runs>/<experiment>/sysid-*\/sysid.json`). Read once per experiment and kept until a
 * sysid.json changes (a watcher) or a command says a new one was written; a result older than the
 * experiment's calibration block is ignored by the check itself.
 */
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { Measurement } from '../engine/config/coverage';
import { newestSysidRun, type SysidRun } from '../engine/sysid/sysidRuns';
import { experimentNameIn, runsDirectory } from './runsFolder';

export class SysidMeasurements implements vscode.Disposable {
  private readonly cache = new Map<string, SysidRun | undefined>();
  private readonly disposables: vscode.Disposable[] = [];
  private readonly changed = new vscode.EventEmitter<void>();
  /** Fires when a result appears, changes or goes. */
  readonly onDidChange = this.changed.event;

  constructor() {
    const watcher = vscode.workspace.createFileSystemWatcher('**/sysid.json');
    const invalidate = (): void => this.invalidate();
    this.disposables.push(watcher, watcher.onDidCreate(invalidate), watcher.onDidChange(invalidate), watcher.onDidDelete(invalidate), this.changed);
  }

  /** Forget what was read (a new result was written) and tell the diagnostics. */
  invalidate(): void {
    this.cache.clear();
    this.changed.fire();
  }

  /** The newest result for the document's experiment, and a key that changes with it (for caches). */
  forDocument(document: vscode.TextDocument): { key: string; measurement?: Measurement } {
    if (document.uri.scheme !== 'file') return { key: '' };
    const name = experimentNameIn(document.getText());
    if (!name) return { key: '' };
    const dir = join(runsDirectory(document.uri), name);
    if (!this.cache.has(dir)) this.cache.set(dir, newestSysidRun(dir));
    const run = this.cache.get(dir);
    if (!run?.result) return { key: '' };
    const result = run.result;
    return {
      key: `${run.file}@${result.createdAt}`,
      measurement: {
        source: run.runId,
        createdAt: result.createdAt,
        values: result.identified.map((id) => ({ parameter: id.parameter, ...(id.target !== undefined ? { target: id.target } : {}), value: id.value })),
      },
    };
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
    this.cache.clear();
  }
}
