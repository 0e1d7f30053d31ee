/**
 * The extension's one context object: it owns every disposable and the shared services, so
 * `activate` stays a list of registrations and `deactivate` has nothing to forget.
 */
import * as vscode from 'vscode';
import { ExperimentDiagnostics } from './diagnostics';
import { ExperimentDocuments } from './experimentDocuments';
import { ExperimentTree } from './experimentTree';

export class Sim2RealContext implements vscode.Disposable {
  readonly subscriptions: vscode.Disposable[] = [];
  readonly output = vscode.window.createOutputChannel('Sim2Real', { log: true });
  readonly documents = new ExperimentDocuments();
  readonly diagnostics = new ExperimentDiagnostics(this.documents);
  readonly tree = new ExperimentTree();

  constructor(readonly extension: vscode.ExtensionContext) {
    this.subscriptions.push(this.output, this.documents, this.diagnostics, this.tree);
  }

  dispose(): void {
    for (const d of this.subscriptions.splice(0).reverse()) d.dispose();
  }
}
