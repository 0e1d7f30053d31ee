/**
 * The webview side of a panel's messages: one VS Code API handle, a typed post, and a listener that
 * hands on only messages the panel's own check accepts (src/messages/: a webview trusts its host, but
 * a typo in a message should fail loudly in development, not silently).
 */
interface VsCodeApi {
  postMessage(message: unknown): void;
  getState(): unknown;
  setState(state: unknown): void;
}

declare function acquireVsCodeApi(): VsCodeApi;

const api = acquireVsCodeApi();

export function post<Out extends { readonly kind: string }>(message: Out): void {
  api.postMessage(message);
}

/** Listen for host messages, then tell the host we are ready (it holds messages until then). */
export function listen<In>(parse: (raw: unknown) => In | undefined, handler: (message: In) => void): void {
  window.addEventListener('message', (event: MessageEvent<unknown>) => {
    const message = parse(event.data);
    if (message === undefined) {
      console.warn('sim2real: dropped a malformed message from the extension', event.data);
      return;
    }
    handler(message);
  });
  api.postMessage({ kind: 'ready' });
}

export function saveState(state: unknown): void {
  api.setState(state);
}

export function loadState<T>(): T | undefined {
  return api.getState() as T | undefined;
}
