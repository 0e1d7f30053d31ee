/** Diagnostics as you type: debounced off the typing path, each on the key or value at fault. */
import * as vscode from 'vscode';
import { DocumentDebounce } from './documentDebounce';
import type { Finding } from '../engine/config/findings';
import { isExperiment, type ExperimentDocuments } from './experimentDocuments';

export const DIAGNOSTIC_SOURCE = 'sim2real';

export class ExperimentDiagnostics implements vscode.Disposable {
  readonly collection = vscode.languages.createDiagnosticCollection(DIAGNOSTIC_SOURCE);
  private readonly pending = new DocumentDebounce();
  private readonly disposables: vscode.Disposable[] = [];

  constructor(private readonly documents: ExperimentDocuments) {
    this.disposables.push(
      vscode.workspace.onDidOpenTextDocument((d) => this.refresh(d)),
      vscode.workspace.onDidChangeTextDocument((e) => this.schedule(e.document)),
      vscode.workspace.onDidCloseTextDocument((d) => {
        this.pending.cancel(d);
        this.collection.delete(d.uri);
      }),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration('sim2real.validation')) this.refreshAll();
      }),
    );
    this.refreshAll();
  }

  refreshAll(): void {
    for (const document of vscode.workspace.textDocuments) this.refresh(document);
  }

  /** Validate now; returns the findings shown (undefined for a document that is not an experiment). */
  refresh(document: vscode.TextDocument): readonly Finding[] | undefined {
    if (!isExperiment(document)) return undefined;
    this.pending.cancel(document);
    const validation = this.documents.validation(document);
    const showWarnings = vscode.workspace.getConfiguration('sim2real.validation', document.uri).get<boolean>('bestPracticeWarnings', true);
    const findings = validation.findings.filter((f) => showWarnings || f.severity === 'error');
    this.collection.set(document.uri, findings.map((finding) => toDiagnostic(document, finding)));
    return findings;
  }

  private schedule(document: vscode.TextDocument): void {
    if (isExperiment(document)) this.pending.schedule(document, vscode.workspace.getConfiguration('sim2real.validation', document.uri).get<number>('debounceMs', 25), (d) => this.refresh(d));
  }

  dispose(): void {
    this.pending.dispose();
    for (const d of this.disposables) d.dispose();
    this.collection.dispose();
  }
}

function toDiagnostic(document: vscode.TextDocument, finding: Finding): vscode.Diagnostic {
  const range = new vscode.Range(document.positionAt(finding.start), document.positionAt(finding.end));
  const severity =
    finding.severity === 'error' ? vscode.DiagnosticSeverity.Error : finding.severity === 'warning' ? vscode.DiagnosticSeverity.Warning : vscode.DiagnosticSeverity.Information;
  const diagnostic = new vscode.Diagnostic(range, finding.message, severity);
  diagnostic.source = DIAGNOSTIC_SOURCE;
  diagnostic.code = finding.code;
  return diagnostic;
}
