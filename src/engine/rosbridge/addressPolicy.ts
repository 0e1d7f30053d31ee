/**
 * Which robot addresses the engine may open. The client takes one of these and refuses any other URL,
 * so the engine can only talk to a robot the user configured (the experiment's `robot.address` or an
 * explicit `--robot` flag): nothing derived from a frame, a file or a default can widen it.
 */

export class AddressNotAllowedError extends Error {}

export class RobotAddressPolicy {
  private readonly allowed: ReadonlySet<string>;

  private constructor(addresses: readonly string[]) {
    this.allowed = new Set(addresses.map(normalizeRobotUrl));
  }

  /** `addresses`: exactly what the user configured. Invalid URLs throw here, not at connect time. */
  static fromConfigured(addresses: readonly string[]): RobotAddressPolicy {
    if (addresses.length === 0) throw new AddressNotAllowedError('no robot address configured: set robot.address in the experiment or pass --robot ws://HOST:PORT');
    return new RobotAddressPolicy(addresses);
  }

  /** The normalized URL, or a thrown AddressNotAllowedError. */
  check(url: string): string {
    const normalized = normalizeRobotUrl(url);
    if (!this.allowed.has(normalized)) {
      throw new AddressNotAllowedError(`refusing to connect to ${normalized}: not a configured robot address (allowed: ${[...this.allowed].join(', ')})`);
    }
    return normalized;
  }

  get addresses(): readonly string[] {
    return [...this.allowed];
  }
}

/** ws://host:port/path with the default port spelled out, so equal addresses compare equal. */
export function normalizeRobotUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new AddressNotAllowedError(`'${url}' is not a robot address; expected ws://HOST:PORT`);
  }
  if (parsed.protocol !== 'ws:' && parsed.protocol !== 'wss:') {
    throw new AddressNotAllowedError(`'${url}' is not a WebSocket address (ws:// or wss://)`);
  }
  if (parsed.username || parsed.password) throw new AddressNotAllowedError(`'${url}': credentials in robot URLs are not supported`);
  const port = parsed.port || (parsed.protocol === 'wss:' ? '443' : '80');
  return `${parsed.protocol}//${parsed.hostname}:${port}${parsed.pathname === '/' ? '' : parsed.pathname}`;
}

const LOOPBACK_V4 = /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/;

/** True for 127.0.0.0/8, ::1 and localhost: the emulator's default and the only test addresses. */
export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  return LOOPBACK_V4.test(h) || h === '::1' || h === 'localhost';
}
