/** One pending check per document: a new edit replaces the pending one, closing a document drops it. */
import type * as vscode from 'vscode';

export class DocumentDebounce implements vscode.Disposable {
  private readonly timers = new Map<string, NodeJS.Timeout>();

  /** Run `check` after `delayMs` unless the document changes again (or closes) first. */
  schedule(document: vscode.TextDocument, delayMs: number, check: (document: vscode.TextDocument) => void): void {
    const key = document.uri.toString();
    this.cancel(document);
    this.timers.set(
      key,
      setTimeout(() => {
        this.timers.delete(key);
        if (!document.isClosed) check(document);
      }, delayMs),
    );
  }

  cancel(document: vscode.TextDocument): void {
    const key = document.uri.toString();
    const timer = this.timers.get(key);
    if (timer) clearTimeout(timer);
    this.timers.delete(key);
  }

  dispose(): void {
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
  }
}
