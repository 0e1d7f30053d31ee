/** A status-bar item while the engine works; clicking it shows the engine log. */
import * as vscode from 'vscode';

export class EngineStatus implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('sim2real.engine', vscode.StatusBarAlignment.Left, 10);
  private readonly jobs = new Map<number, string>();
  private nextJob = 1;

  constructor() {
    this.item.name = 'Sim2Real Engine';
    this.item.command = 'sim2real.showEngineLog';
  }

  /** Show `label` until the returned function is called. */
  begin(label: string): () => void {
    const id = this.nextJob++;
    this.jobs.set(id, label);
    this.render();
    return () => {
      this.jobs.delete(id);
      this.render();
    };
  }

  update(label: string, detail: string): void {
    if (this.jobs.size === 0) return;
    this.item.text = `$(sync~spin) ${label}: ${detail}`;
  }

  private render(): void {
    const labels = [...this.jobs.values()];
    if (labels.length === 0) {
      this.item.hide();
      return;
    }
    this.item.text = `$(sync~spin) ${labels.length === 1 ? labels[0] : `Sim2Real: ${labels.length} jobs`}`;
    this.item.tooltip = `${labels.join('\n')}\n\nClick for the engine log.`;
    this.item.show();
  }

  dispose(): void {
    this.item.dispose();
  }
}
