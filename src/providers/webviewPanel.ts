/**
 * What every Sim2Real webview panel shares: a strict Content Security Policy (no inline script, a
 * fresh nonce, resources only from the extension's dist/webview folder), the bundled script and
 * stylesheet of the panel, codicons, a ready handshake, and messages checked on arrival by the
 * panel's own validator before any handler sees them. Handlers are disposed with the panel.
 */
import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';

export interface PanelOptions<In> {
  readonly viewType: string;
  readonly title: string;
  /** The bundle in dist/webview/<bundle>.js (and .css), built from webview-ui/<bundle>/main.ts. */
  readonly bundle: string;
  readonly extensionUri: vscode.Uri;
  readonly column?: vscode.ViewColumn;
  /** Checks a message from the webview; undefined drops it (and it is logged). */
  readonly parse: (raw: unknown) => In | undefined;
  readonly log: vscode.LogOutputChannel;
  /** Sources the page may connect to (CSP connect-src); none unless a panel needs one. */
  readonly connectSrc?: readonly string[];
  /** Sources the page may start workers from (CSP worker-src); none unless a panel needs one. */
  readonly workerSrc?: readonly string[];
}

export class WebviewPanelHost<In extends { readonly kind: string }, Out extends { readonly kind: string }> implements vscode.Disposable {
  readonly panel: vscode.WebviewPanel;
  private readonly disposables: vscode.Disposable[] = [];
  private readonly handlers = new Set<(message: In) => void>();
  private readyResolve!: () => void;
  /** Resolves when the webview's script says it is ready for messages. */
  readonly ready = new Promise<void>((resolve) => (this.readyResolve = resolve));

  constructor(private readonly options: PanelOptions<In>) {
    const root = vscode.Uri.joinPath(options.extensionUri, 'dist', 'webview');
    this.panel = vscode.window.createWebviewPanel(options.viewType, options.title, options.column ?? vscode.ViewColumn.Active, {
      enableScripts: true,
      retainContextWhenHidden: true,
      localResourceRoots: [root],
    });
    this.panel.iconPath = vscode.Uri.joinPath(options.extensionUri, 'media', 'sim2real.svg');
    this.panel.webview.html = panelHtml(this.panel.webview, root, options.bundle, options.title, options.connectSrc, options.workerSrc);
    this.disposables.push(
      this.panel.webview.onDidReceiveMessage((raw: unknown) => {
        if (typeof raw === 'object' && raw !== null && (raw as { kind?: unknown }).kind === 'ready') {
          this.readyResolve();
          return;
        }
        const message = options.parse(raw);
        if (!message) {
          options.log.warn(`${options.viewType}: dropped a malformed message from the webview: ${JSON.stringify(raw)?.slice(0, 200)}`);
          return;
        }
        for (const handler of this.handlers) handler(message);
      }),
      this.panel.onDidDispose(() => this.dispose()),
    );
  }

  onMessage(handler: (message: In) => void): vscode.Disposable {
    this.handlers.add(handler);
    return new vscode.Disposable(() => this.handlers.delete(handler));
  }

  /** Posts once the webview is ready (messages sent earlier would be lost). */
  async post(message: Out): Promise<void> {
    await this.ready;
    await this.panel.webview.postMessage(message);
  }

  dispose(): void {
    this.handlers.clear();
    for (const d of this.disposables.splice(0)) d.dispose();
    this.panel.dispose();
  }
}

function panelHtml(webview: vscode.Webview, root: vscode.Uri, bundle: string, title: string, connectSrc: readonly string[] = [], workerSrc: readonly string[] = []): string {
  const nonce = randomBytes(16).toString('base64');
  const asset = (path: string): string => webview.asWebviewUri(vscode.Uri.joinPath(root, path)).toString();
  const csp = [
    "default-src 'none'",
    `img-src ${webview.cspSource} data: blob:`,
    `style-src ${webview.cspSource} 'nonce-${nonce}'`,
    `font-src ${webview.cspSource}`,
    `script-src 'nonce-${nonce}'`,
    `connect-src ${connectSrc.length ? connectSrc.join(' ') : "'none'"}`,
    `worker-src ${workerSrc.length ? workerSrc.join(' ') : "'none'"}`,
    "frame-src 'none'",
    "form-action 'none'",
  ].join('; ');
  // No data is spliced into the page: everything arrives later by message, after `ready`.
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<title>${escapeHtml(title)}</title>
<link rel="stylesheet" id="vscode-codicon-stylesheet" href="${asset('codicons/codicon.css')}" nonce="${nonce}">
<link rel="stylesheet" href="${asset(`${bundle}.css`)}" nonce="${nonce}">
<script nonce="${nonce}">window.litNonce = ${JSON.stringify(nonce)};</script>
</head>
<body>
<div id="app"></div>
<script type="module" nonce="${nonce}" src="${asset(`${bundle}.js`)}"></script>
</body>
</html>`;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
