/**
 * A quick TCP check of a robot address, so a wrong or dead address is reported within the connect
 * timeout even when the link's own thread is still starting (loading the engine's code into a worker
 * takes seconds on a busy machine, more when running from source).
 */
import { connect } from 'node:net';
import { RobotLinkError } from './client';

export function checkReachable(url: string, timeoutMs: number): Promise<void> {
  const parsed = new URL(url);
  const host = parsed.hostname.replace(/^\[|\]$/g, '');
  const port = Number(parsed.port || (parsed.protocol === 'wss:' ? 443 : 80));
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port });
    const fail = (why: string): void => {
      clearTimeout(timer);
      socket.destroy();
      reject(new RobotLinkError(`cannot reach robot at ${url}: ${why}`));
    };
    const timer = setTimeout(() => fail(`no answer within ${timeoutMs} ms (is the emulator or rosbridge_server running, and is the address right?)`), timeoutMs);
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.destroy();
      resolve();
    });
    socket.once('error', (error: NodeJS.ErrnoException) =>
      fail(error.code === 'ECONNREFUSED' ? 'connection refused: nothing listens there' : error.code === 'ENOTFOUND' ? 'unknown host' : error.message),
    );
  });
}
