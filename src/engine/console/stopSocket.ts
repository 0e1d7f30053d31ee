/**
 * The console's direct stop path: a loopback WebSocket the session worker listens on, so a press in
 * the console webview reaches the robot link without VS Code's webview -> workbench -> extension host
 * -> engine relays, which took most of a click-to-stop in code-server (docs/benchmarks.md, "Click to
 * stop"); this path leaves only the worker's own hop.
 *
 * It can only stop: nothing sent here moves the robot, arms it or reads anything. Every message must
 * carry the session's random token (sent to the webview in the session state, never logged); anything
 * else closes the connection. The console sends every stop on the VS Code path too, so a webview that
 * cannot reach this machine's 127.0.0.1 (a browser on another computer) loses nothing.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';

export interface StopEndpoint {
  /** ws://127.0.0.1:PORT */
  readonly url: string;
  readonly token: string;
}

/** A stop message is `{"kind":"stop","token":"..."}`; nothing larger is read. */
const MAX_MESSAGE_BYTES = 256;

export class StopSocket {
  private constructor(
    private readonly server: WebSocketServer,
    readonly endpoint: StopEndpoint,
  ) {}

  /** Listen on 127.0.0.1 (an ephemeral port); `onStop` runs synchronously on each valid stop. */
  static open(onStop: () => void, log: (line: string) => void): Promise<StopSocket> {
    const token = randomBytes(32).toString('hex');
    const expected = Buffer.from(token);
    const server = new WebSocketServer({ host: '127.0.0.1', port: 0, maxPayload: MAX_MESSAGE_BYTES, perMessageDeflate: false, clientTracking: true });
    server.on('connection', (socket: WebSocket) => {
      // the stop must not wait for Nagle's algorithm on the reply path either
      (socket as unknown as { _socket?: { setNoDelay?: (on: boolean) => void } })._socket?.setNoDelay?.(true);
      socket.on('message', (data, isBinary) => {
        if (isBinary || !isStop(data.toString(), expected)) {
          log('direct stop socket: refused a message without the session token; connection closed');
          socket.close(1008, 'not a stop for this session');
          return;
        }
        onStop();
      });
      socket.on('error', () => socket.terminate());
    });
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.once('listening', () => {
        const { port } = server.address() as AddressInfo;
        resolve(new StopSocket(server, { url: `ws://127.0.0.1:${port}`, token }));
      });
    });
  }

  close(): Promise<void> {
    for (const client of this.server.clients) client.terminate();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

function isStop(text: string, expected: Buffer): boolean {
  let message: unknown;
  try {
    message = JSON.parse(text);
  } catch {
    return false;
  }
  if (typeof message !== 'object' || message === null) return false;
  const { kind, token } = message as { kind?: unknown; token?: unknown };
  if (kind !== 'stop' || typeof token !== 'string') return false;
  const given = Buffer.from(token);
  return given.length === expected.length && timingSafeEqual(given, expected);
}
