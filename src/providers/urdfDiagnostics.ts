/**
 * Problems of URDF files in the Problems panel, at their lines: structure as you type (debounced,
 * meshes' paths resolved but not read), everything including the meshes when a file opens or is
 * saved. package:// URIs search the sim2real.robotPackagePath setting, then the folders above.
 */
import * as vscode from 'vscode';
import { DocumentDebounce } from './documentDebounce';
import { loadUrdf } from '../engine/urdf/loadUrdf';

export class UrdfDiagnostics implements vscode.Disposable {
  readonly collection = vscode.languages.createDiagnosticCollection('sim2real-urdf');
  private readonly pending = new DocumentDebounce();
  private readonly disposables: vscode.Disposable[] = [];

  constructor() {
    this.disposables.push(
      vscode.workspace.onDidOpenTextDocument((d) => this.check(d, true)),
      vscode.workspace.onDidSaveTextDocument((d) => this.check(d, true)),
      vscode.workspace.onDidChangeTextDocument((e) => this.schedule(e.document)),
      vscode.workspace.onDidCloseTextDocument((d) => {
        this.pending.cancel(d);
        this.collection.delete(d.uri);
      }),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration('sim2real.robotPackagePath')) for (const d of vscode.workspace.textDocuments) this.check(d, true);
      }),
    );
    for (const d of vscode.workspace.textDocuments) this.check(d, true);
  }

  check(document: vscode.TextDocument, withMeshes: boolean): void {
    if (!isUrdf(document)) return;
    this.pending.cancel(document);
    const packagePath = vscode.workspace.getConfiguration('sim2real', document.uri).get<string[]>('robotPackagePath', []);
    const loaded = loadUrdf(document.uri.fsPath, { text: document.getText(), packagePath, skipMeshes: !withMeshes });
    const own = loaded.problems.filter((p) => p.file === document.uri.fsPath);
    this.collection.set(
      document.uri,
      own.map((p) => {
        const line = Math.max(0, Math.min(document.lineCount - 1, p.line - 1));
        const text = document.lineAt(line);
        const start = p.column !== undefined ? Math.max(0, p.column - 1) : text.firstNonWhitespaceCharacterIndex;
        const diagnostic = new vscode.Diagnostic(new vscode.Range(line, start, line, text.range.end.character), p.message, p.severity === 'error' ? vscode.DiagnosticSeverity.Error : vscode.DiagnosticSeverity.Warning);
        diagnostic.source = 'sim2real';
        return diagnostic;
      }),
    );
  }

  private schedule(document: vscode.TextDocument): void {
    if (isUrdf(document)) this.pending.schedule(document, 300, (d) => this.check(d, false));
  }

  dispose(): void {
    this.pending.dispose();
    for (const d of this.disposables) d.dispose();
    this.collection.dispose();
  }
}

function isUrdf(document: vscode.TextDocument): boolean {
  return document.uri.scheme === 'file' && (document.languageId === 'urdf' || /\.urdf$/i.test(document.uri.fsPath));
}
