/**
 * The extension's one context object: it owns every disposable and the shared services, so
 * `activate` stays a list of registrations and `deactivate` has nothing to forget.
 */
import * as vscode from 'vscode';
import { ExperimentDiagnostics } from './diagnostics';
import { ExperimentDocuments } from './experimentDocuments';
import { EngineClient } from './engineClient';
import { ExperimentTree } from './experimentTree';
import { EngineStatus } from './statusBar';
import { SysidMeasurements } from './sysidMeasurements';
import { UrdfDiagnostics } from './urdfDiagnostics';

export class Sim2RealContext implements vscode.Disposable {
  readonly subscriptions: vscode.Disposable[] = [];
  readonly output = vscode.window.createOutputChannel('Sim2Real', { log: true });
  readonly documents = new ExperimentDocuments();
  /** The newest system identification result per experiment, for the coverage diagnostics. */
  readonly measurements = new SysidMeasurements();
  readonly diagnostics = new ExperimentDiagnostics(this.documents);
  /** Robot descriptions' problems in the Problems panel. */
  readonly urdfDiagnostics = new UrdfDiagnostics();
  readonly tree = new ExperimentTree();
  readonly status = new EngineStatus();
  /** Started on first use, not at activation. */
  readonly engine: EngineClient;

  constructor(readonly extension: vscode.ExtensionContext) {
    this.engine = new EngineClient(extension.asAbsolutePath('dist/engine.js'), this.output);
    this.documents.measurements = (document) => this.measurements.forDocument(document);
    this.diagnostics.refreshAll(); // documents already open get their coverage findings too
    this.subscriptions.push(
      this.measurements.onDidChange(() => {
        this.diagnostics.refreshAll();
        this.tree.refresh();
      }),
      this.output,
      this.measurements,
      this.documents,
      this.diagnostics,
      this.urdfDiagnostics,
      this.tree,
      this.status,
      this.engine,
      this.engine.onDidChangeState((state) => {
        if (state === 'crashed') {
          void vscode.window.showErrorMessage('Sim2Real: the engine crashed; it restarts with the next job. Runs keep what was written.', 'Show Engine Log').then((choice) => {
            if (choice) this.output.show(true);
          });
        }
      }),
    );
  }

  dispose(): void {
    for (const d of this.subscriptions.splice(0).reverse()) d.dispose();
  }
}
