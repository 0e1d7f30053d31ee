/**
 * A rosbridge v2 client on `ws` (docs/robot-link.md says why not roslib): connect with a timeout,
 * subscribe, advertise + publish, call services with a client-side timeout, reconnect with backoff,
 * clean shutdown. Every incoming frame is validated; bad ones are dropped and reported, never thrown.
 *
 * The same client drives the reality emulator and a real rosbridge_server: only the URL differs, and
 * the URL must pass the RobotAddressPolicy given at construction.
 */
import WebSocket from 'ws';
import type { RobotAddressPolicy } from './addressPolicy';
import { CameraStream, type CameraStreamOptions } from './cameraStream';
import { encodeFrame, parseFrame, type PublishOp, type RosbridgeOp, type ServiceResponseOp } from './protocol';

export class RobotLinkError extends Error {}

export interface ReconnectPolicy {
  /** [default: true] */
  readonly enabled: boolean;
  /** First retry delay, ms; doubled each attempt. [default: 100] */
  readonly initialDelayMs: number;
  /** [default: 2000] */
  readonly maxDelayMs: number;
  /** Give up after this many failed attempts in a row. [default: 20] */
  readonly maxAttempts: number;
}

export interface RosbridgeClientOptions {
  /** [default: 3000] The issue's bound for a clear error on a wrong address. */
  readonly connectTimeoutMs?: number;
  /** Client-side bound on any service call, ms. [default: 2000] */
  readonly serviceTimeoutMs?: number;
  readonly reconnect?: Partial<ReconnectPolicy>;
  /** A frame from the robot that was dropped (malformed, unknown op, unexpected message). */
  readonly onDropped?: (reason: string, frame: string) => void;
  /** A rosbridge `status` op from the robot (rosbridge's way of reporting our mistakes or refusals). */
  readonly onStatusOp?: (level: string, msg: string) => void;
  /** Link state changes, for logs and the status bar. */
  readonly onLinkState?: (state: LinkState, detail?: string) => void;
}

export type LinkState = 'connecting' | 'open' | 'reconnecting' | 'closed';

export const DEFAULT_RECONNECT: ReconnectPolicy = { enabled: true, initialDelayMs: 100, maxDelayMs: 2000, maxAttempts: 20 };

type MessageHandler = (msg: Record<string, unknown>) => void;

interface PendingCall {
  readonly resolve: (values: Record<string, unknown>) => void;
  readonly reject: (error: Error) => void;
  readonly timer: NodeJS.Timeout;
  readonly service: string;
}

export class RosbridgeClient {
  private socket: WebSocket | undefined;
  private readonly url: string;
  private nextId = 1;
  private readonly subscriptions = new Map<string, { type: string; handlers: Set<MessageHandler>; throttleRateMs: number; id: string }>();
  private readonly advertised = new Map<string, string>();
  private readonly pendingCalls = new Map<string, PendingCall>();
  private closedByUser = false;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private reconnectAttempts = 0;
  private readonly reconnectPolicy: ReconnectPolicy;
  private state: LinkState = 'closed';

  constructor(url: string, policy: RobotAddressPolicy, private readonly options: RosbridgeClientOptions = {}) {
    // by construction: a client exists only for an allowed address
    this.url = policy.check(url);
    this.reconnectPolicy = { ...DEFAULT_RECONNECT, ...(options.reconnect ?? {}) };
  }

  get address(): string {
    return this.url;
  }

  get linkState(): LinkState {
    return this.state;
  }

  get isOpen(): boolean {
    return this.socket?.readyState === WebSocket.OPEN;
  }

  /** Bytes written but not yet handed to the OS; the link keeps commands out while this is large. */
  get bufferedBytes(): number {
    return this.socket?.bufferedAmount ?? 0;
  }

  /** Resolves once the socket is open; rejects with a clear error within connectTimeoutMs. */
  async connect(): Promise<void> {
    this.closedByUser = false;
    this.setState('connecting');
    await this.open();
    this.reconnectAttempts = 0;
    this.setState('open');
  }

  private open(): Promise<void> {
    const timeoutMs = this.options.connectTimeoutMs ?? 3000;
    return new Promise<void>((resolve, reject) => {
      // perMessageDeflate off: rosbridge_server does not negotiate it and it adds latency to stops
      const socket = new WebSocket(this.url, { handshakeTimeout: timeoutMs, perMessageDeflate: false });
      let settled = false;
      const fail = (message: string): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        socket.removeAllListeners();
        socket.on('error', () => undefined);
        socket.terminate();
        reject(new RobotLinkError(message));
      };
      const timer = setTimeout(() => fail(`robot at ${this.url} did not answer within ${timeoutMs} ms (is the emulator or rosbridge_server running, and is the address right?)`), timeoutMs);
      socket.once('open', () => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        socket.removeAllListeners('error');
        this.attach(socket);
        resolve();
      });
      socket.once('error', (error: NodeJS.ErrnoException) => {
        const why = error.code === 'ECONNREFUSED' ? 'connection refused: nothing listens there'
          : error.code === 'ENOTFOUND' ? 'unknown host'
          : error.message;
        fail(`cannot reach robot at ${this.url}: ${why}`);
      });
    });
  }

  private attach(socket: WebSocket): void {
    this.socket = socket;
    socket.setMaxListeners(0);
    // Nagle would hold a small stop frame back behind an unacknowledged command frame
    (socket as unknown as { _socket?: { setNoDelay?: (v: boolean) => void } })._socket?.setNoDelay?.(true);
    socket.on('message', (data, isBinary) => this.onFrame(isBinary ? null : data.toString()));
    socket.on('error', () => undefined); // 'close' follows and does the work
    socket.on('close', (code, reason) => this.onClose(code, reason.toString()));
    // resubscribe and re-advertise after a reconnect: the server forgot us
    for (const [topic, sub] of this.subscriptions) this.send({ op: 'subscribe', id: sub.id, topic, type: sub.type, ...(sub.throttleRateMs ? { throttle_rate: sub.throttleRateMs } : {}) });
    for (const [topic, type] of this.advertised) this.send({ op: 'advertise', id: this.id('advertise'), topic, type });
  }

  private onClose(code: number, reason: string): void {
    this.socket = undefined;
    for (const [id, call] of this.pendingCalls) {
      clearTimeout(call.timer);
      call.reject(new RobotLinkError(`link to ${this.url} closed before ${call.service} answered`));
      this.pendingCalls.delete(id);
    }
    if (this.closedByUser || !this.reconnectPolicy.enabled) {
      this.setState('closed', `code ${code}${reason ? ` ${reason}` : ''}`);
      return;
    }
    this.scheduleReconnect(`link lost (code ${code})`);
  }

  private scheduleReconnect(detail: string): void {
    if (this.reconnectAttempts >= this.reconnectPolicy.maxAttempts) {
      this.setState('closed', `gave up after ${this.reconnectAttempts} reconnect attempts: ${detail}`);
      return;
    }
    const delay = Math.min(this.reconnectPolicy.maxDelayMs, this.reconnectPolicy.initialDelayMs * 2 ** this.reconnectAttempts);
    this.reconnectAttempts++;
    this.setState('reconnecting', `${detail}; retry ${this.reconnectAttempts} in ${delay} ms`);
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = undefined;
      if (this.closedByUser) return;
      this.open().then(
        () => {
          this.reconnectAttempts = 0;
          this.setState('open', 'reconnected');
        },
        (error: Error) => this.scheduleReconnect(error.message),
      );
    }, delay);
  }

  private setState(state: LinkState, detail?: string): void {
    this.state = state;
    this.options.onLinkState?.(state, detail);
  }

  private onFrame(text: string | null): void {
    if (text === null) {
      this.options.onDropped?.('binary frame (rosbridge v2 JSON only)', '<binary>');
      return;
    }
    const parsed = parseFrame(text);
    if (!parsed.ok) {
      this.options.onDropped?.(parsed.error, text.slice(0, 200));
      return;
    }
    const op = parsed.op;
    switch (op.op) {
      case 'publish':
        this.onPublish(op, text);
        return;
      case 'service_response':
        this.onServiceResponse(op, text);
        return;
      case 'status':
        // rosbridge reports our own mistakes this way; surface them, they are not fatal
        this.options.onStatusOp?.(op.level, op.msg);
        return;
      default:
        this.options.onDropped?.(`op '${op.op}' is not expected from a robot`, text.slice(0, 200));
    }
  }

  private onPublish(op: PublishOp, text: string): void {
    const sub = this.subscriptions.get(op.topic);
    if (!sub) {
      this.options.onDropped?.(`publish on ${op.topic}, which we did not subscribe to`, text.slice(0, 200));
      return;
    }
    for (const handler of sub.handlers) handler(op.msg);
  }

  private onServiceResponse(op: ServiceResponseOp, text: string): void {
    const call = op.id ? this.pendingCalls.get(op.id) : undefined;
    if (!call) {
      this.options.onDropped?.(`service_response for unknown call id ${op.id ?? '(none)'}`, text.slice(0, 200));
      return;
    }
    this.pendingCalls.delete(op.id!);
    clearTimeout(call.timer);
    if (op.result) call.resolve(op.values ?? {});
    else call.reject(new RobotLinkError(`${call.service} failed on the robot: ${JSON.stringify(op.values ?? {})}`));
  }

  private id(kind: string): string {
    return `${kind}:${this.nextId++}`;
  }

  /** Write one frame now. Returns false when the link is down (the frame is not queued). */
  send(op: RosbridgeOp): boolean {
    const socket = this.socket;
    if (!socket || socket.readyState !== WebSocket.OPEN) return false;
    socket.send(encodeFrame(op));
    return true;
  }

  /** Write raw text (tests of the robot's handling of garbage). */
  sendRaw(text: string): boolean {
    const socket = this.socket;
    if (!socket || socket.readyState !== WebSocket.OPEN) return false;
    socket.send(text);
    return true;
  }

  subscribe(topic: string, type: string, handler: MessageHandler, throttleRateMs = 0): () => void {
    let sub = this.subscriptions.get(topic);
    if (!sub) {
      // the id names this subscription: rosbridge unsubscribes by it
      sub = { type, handlers: new Set(), throttleRateMs, id: this.id('subscribe') };
      this.subscriptions.set(topic, sub);
      this.send({ op: 'subscribe', id: sub.id, topic, type, ...(throttleRateMs ? { throttle_rate: throttleRateMs } : {}) });
    }
    sub.handlers.add(handler);
    return () => {
      const current = this.subscriptions.get(topic);
      if (!current) return;
      current.handlers.delete(handler);
      if (current.handlers.size === 0) {
        this.subscriptions.delete(topic);
        this.send({ op: 'unsubscribe', id: current.id, topic });
      }
    };
  }

  /** The robot's camera on `topic` (sensor_msgs/Image): latestImage(), nextImage(), captureImages(n). */
  camera(topic: string, options: CameraStreamOptions = {}): CameraStream {
    return new CameraStream(this, topic, options);
  }

  advertise(topic: string, type: string): void {
    if (this.advertised.get(topic) === type) return;
    this.advertised.set(topic, type);
    this.send({ op: 'advertise', id: this.id('advertise'), topic, type });
  }

  /** Publish on an advertised topic. Returns false when the link is down. */
  publish(topic: string, msg: Record<string, unknown>): boolean {
    if (!this.advertised.has(topic)) throw new RobotLinkError(`publish on ${topic} before advertise`);
    return this.send({ op: 'publish', topic, msg });
  }

  /**
   * Call a service; rejects when the link is down, on `result: false`, or when no answer comes within
   * the client-side timeout (the `timeout` field alone is enforced only by the server).
   */
  callService(service: string, args: Record<string, unknown> = {}, timeoutMs = this.options.serviceTimeoutMs ?? 2000): Promise<Record<string, unknown>> {
    const id = this.id(`call_service:${service}`);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pendingCalls.delete(id);
        reject(new RobotLinkError(`${service} did not answer within ${timeoutMs} ms`));
      }, timeoutMs);
      this.pendingCalls.set(id, { resolve, reject, timer, service });
      if (!this.send({ op: 'call_service', id, service, args, timeout: timeoutMs / 1000 })) {
        clearTimeout(timer);
        this.pendingCalls.delete(id);
        reject(new RobotLinkError(`cannot call ${service}: link to ${this.url} is ${this.state}`));
      }
    });
  }

  /** Clean shutdown: unsubscribe, unadvertise, close with 1000; no reconnect afterwards. */
  async close(): Promise<void> {
    this.closedByUser = true;
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    const socket = this.socket;
    if (!socket) {
      this.setState('closed', 'closed by the engine');
      return;
    }
    if (socket.readyState === WebSocket.OPEN) {
      for (const [topic, sub] of this.subscriptions) this.send({ op: 'unsubscribe', id: sub.id, topic });
      for (const topic of this.advertised.keys()) this.send({ op: 'unadvertise', id: this.id('unadvertise'), topic });
    }
    await new Promise<void>((resolve) => {
      const force = setTimeout(() => {
        socket.terminate();
        resolve();
      }, 500);
      socket.once('close', () => {
        clearTimeout(force);
        resolve();
      });
      socket.close(1000, 'engine shutting down');
    });
  }
}
