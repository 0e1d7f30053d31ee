/** A status-bar item while the engine works; clicking it shows the engine log. */
import * as vscode from 'vscode';

export class EngineStatus implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('sim2real.engine', vscode.StatusBarAlignment.Left, 10);
  private readonly jobs = new Map<number, string>();
  private nextJob = 1;
  /**
   * While a robot session is connected the busy icon stands still: a spinning icon is an endless
   * animation, so the browser composites frames for it without pause (measured in code-server:
   * the only animation running while training), CPU the stop button's press then waits for.
   */
  private still = false;
  /** The running job's latest progress line, redrawn when the icon changes. */
  private detail: { label: string; text: string } | undefined;

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
    this.detail = { label, text: detail };
    this.item.text = `${this.icon} ${label}: ${detail}`;
  }

  /** Stop (or resume) the busy icon's animation; see `still`. */
  setStill(still: boolean): void {
    if (still === this.still) return;
    this.still = still;
    if (this.jobs.size === 0) return;
    if (this.detail) this.update(this.detail.label, this.detail.text);
    else this.render();
  }

  private get icon(): string {
    return this.still ? '$(sync)' : '$(sync~spin)';
  }

  private render(): void {
    const labels = [...this.jobs.values()];
    this.detail = undefined;
    if (labels.length === 0) {
      this.item.hide();
      return;
    }
    this.item.text = `${this.icon} ${labels.length === 1 ? labels[0] : `Sim2Real: ${labels.length} jobs`}`;
    this.item.tooltip = `${labels.join('\n')}\n\nClick for the engine log.`;
    this.item.show();
  }

  dispose(): void {
    this.item.dispose();
  }
}
