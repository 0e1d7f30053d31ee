/**
 * The console's direct stop path (engine side: src/engine/console/stopSocket.ts): a WebSocket to the
 * session's loopback stop socket, opened as soon as a session reports one, so a press goes straight
 * to the robot link instead of through VS Code's relays. Every press is also sent the VS Code way;
 * when this socket is not open (another machine, a closed session) that path alone carries it.
 */
export interface StopEndpoint {
  readonly url: string;
  readonly token: string;
}

export class DirectStop {
  private socket: WebSocket | undefined;
  private endpoint: StopEndpoint | undefined;
  private readonly listeners = new Set<(open: boolean) => void>();

  /** Follow the session: open the socket for a new endpoint, close it when the session has none. */
  follow(endpoint: StopEndpoint | undefined): void {
    if (endpoint?.url === this.endpoint?.url && endpoint?.token === this.endpoint?.token) return;
    this.socket?.close();
    this.socket = undefined;
    this.endpoint = endpoint;
    this.changed();
    if (!endpoint) return;
    let socket: WebSocket;
    try {
      socket = new WebSocket(endpoint.url);
    } catch {
      return;
    }
    this.socket = socket;
    socket.addEventListener('open', () => this.changed());
    socket.addEventListener('close', () => {
      if (this.socket === socket) this.socket = undefined;
      this.changed();
    });
  }

  get open(): boolean {
    return this.socket?.readyState === WebSocket.OPEN;
  }

  /** True when the stop left on the direct path. */
  stop(): boolean {
    if (!this.open || !this.endpoint) return false;
    this.socket!.send(JSON.stringify({ kind: 'stop', token: this.endpoint.token }));
    return true;
  }

  onChange(listener: (open: boolean) => void): void {
    this.listeners.add(listener);
  }

  private changed(): void {
    for (const listener of this.listeners) listener(this.open);
  }
}
