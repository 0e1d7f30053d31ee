/**
 * The extension's side of the engine process: started lazily with child_process.fork, its stderr and
 * logs go to the output channel, it must say `ready` within a timeout, a crash fails the requests in
 * flight with a message and the next request starts a fresh engine, and shutdown is graceful
 * (disconnect) before it is forceful (kill).
 */
import { fork, type ChildProcess } from 'node:child_process';
import * as vscode from 'vscode';
import { parseEngineMessage, type EngineEvent, type EngineRequests, type ProgressEvent, type PersonPromptClosedEvent, type PersonPromptEvent, type RequestMethod, type RobotEvent } from '../messages/engine';
import type { FindingJson } from '../messages/engine';

const READY_TIMEOUT_MS = 15_000;
const SHUTDOWN_GRACE_MS = 2_000;

interface Pending {
  readonly method: RequestMethod;
  resolve(result: unknown): void;
  reject(error: Error): void;
  onProgress?(event: ProgressEvent): void;
}

export class EngineError extends Error {
  constructor(
    message: string,
    readonly findings?: readonly FindingJson[],
  ) {
    super(message);
  }
}

export class EngineClient implements vscode.Disposable {
  private child: ChildProcess | undefined;
  private starting: Promise<ChildProcess> | undefined;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly stateChanged = new vscode.EventEmitter<'running' | 'stopped' | 'crashed'>();
  readonly onDidChangeState = this.stateChanged.event;
  /** The robot session's events (state, telemetry, safety), which belong to no request. */
  private readonly robotEvents = new vscode.EventEmitter<RobotEvent>();
  readonly onRobotEvent = this.robotEvents.event;
  /** A running job's questions for the person (gates, the emergency stop, episode starts, re-arms). */
  private readonly personEvents = new vscode.EventEmitter<PersonPromptEvent | PersonPromptClosedEvent>();
  readonly onPersonPrompt = this.personEvents.event;
  /** How many robot links the engine holds open (any path): the robot stop is shown while there are any. */
  private readonly motionEvents = new vscode.EventEmitter<number>();
  readonly onRobotMotion = this.motionEvents.event;
  private disposed = false;
  /** Engines we asked to stop: their exit is not a crash. */
  private readonly stopping = new WeakSet<ChildProcess>();

  constructor(
    private readonly enginePath: string,
    private readonly output: vscode.LogOutputChannel,
  ) {}

  get running(): boolean {
    return this.child !== undefined;
  }

  get busy(): boolean {
    return [...this.pending.values()].some((p) => p.method === 'train' || p.method === 'evaluate' || p.method.startsWith('perception'));
  }

  /** Send a request; a cancellation token turns into a `cancel` request for it. */
  async request<M extends RequestMethod>(
    method: M,
    params: EngineRequests[M]['params'],
    options: { token?: vscode.CancellationToken; onProgress?: (event: ProgressEvent) => void } = {},
  ): Promise<EngineRequests[M]['result']> {
    const child = await this.start();
    const id = this.nextId++;
    const result = new Promise<EngineRequests[M]['result']>((resolve, reject) => {
      this.pending.set(id, { method, resolve: resolve as (r: unknown) => void, reject, onProgress: options.onProgress });
    });
    const cancel = options.token?.onCancellationRequested(() => {
      if (this.child === child && child.connected) child.send({ kind: 'request', id: this.nextId++, method: 'cancel', params: { requestId: id } });
    });
    child.send({ kind: 'request', id, method, params });
    try {
      return await result;
    } finally {
      cancel?.dispose();
    }
  }

  async restart(): Promise<void> {
    await this.stop();
    await this.start();
  }

  private start(): Promise<ChildProcess> {
    if (this.disposed) return Promise.reject(new EngineError('The extension is shutting down.'));
    if (this.child) return Promise.resolve(this.child);
    this.starting ??= this.spawn().finally(() => (this.starting = undefined));
    return this.starting;
  }

  private spawn(): Promise<ChildProcess> {
    return new Promise((resolve, reject) => {
      this.output.info(`starting engine ${this.enginePath}`);
      const child = fork(this.enginePath, [], { stdio: ['ignore', 'pipe', 'pipe', 'ipc'], execArgv: [] });
      const timer = setTimeout(() => {
        child.kill();
        reject(new EngineError(`The engine did not start within ${READY_TIMEOUT_MS / 1000} s; see the Sim2Real output for its log.`));
      }, READY_TIMEOUT_MS);
      child.stdout?.on('data', (chunk: Buffer) => this.output.info(chunk.toString().trimEnd()));
      child.stderr?.on('data', (chunk: Buffer) => this.output.error(chunk.toString().trimEnd()));
      child.on('message', (raw: unknown) => {
        const event = parseEngineMessage(raw);
        if (!event) {
          this.output.warn(`dropped a malformed engine message: ${JSON.stringify(raw)?.slice(0, 200)}`);
          return;
        }
        if (event.kind === 'ready') {
          clearTimeout(timer);
          this.child = child;
          this.output.info(`engine ready (${Object.entries(event.versions).map(([k, v]) => `${k} ${v}`).join(', ')})`);
          this.stateChanged.fire('running');
          resolve(child);
          return;
        }
        this.dispatch(event);
      });
      child.on('error', (error) => this.output.error(`engine process error: ${error.message}`));
      child.on('exit', (code, signal) => {
        clearTimeout(timer);
        const wasReady = this.child === child;
        if (wasReady) this.child = undefined;
        const expected = this.disposed || this.stopping.has(child);
        const why = `engine exited (${signal ?? `code ${code}`})`;
        if (!wasReady) {
          reject(new EngineError(`The engine failed to start: ${why}. See the Sim2Real output.`));
          return;
        }
        this.output[expected ? 'info' : 'error'](why);
        for (const [id, pending] of this.pending) {
          pending.reject(new EngineError(`The engine stopped while running '${pending.method}' (${why}); the run folder keeps what was written.`));
          this.pending.delete(id);
        }
        this.stateChanged.fire(expected ? 'stopped' : 'crashed');
      });
    });
  }

  private dispatch(event: Exclude<EngineEvent, { kind: 'ready' }>): void {
    if (event.kind === 'log') {
      const line = event.requestId !== undefined ? `[${event.requestId}] ${event.message}` : event.message;
      this.output[event.level === 'warn' ? 'warn' : event.level](line);
      return;
    }
    if (event.kind === 'robotState' || event.kind === 'robotTelemetry' || event.kind === 'robotSafety') {
      this.robotEvents.fire(event);
      return;
    }
    if (event.kind === 'personPrompt' || event.kind === 'personPromptClosed') {
      this.personEvents.fire(event);
      return;
    }
    if (event.kind === 'robotMotion') {
      this.motionEvents.fire(event.openLinks);
      return;
    }
    const pending = this.pending.get(event.requestId);
    if (!pending) return;
    if (event.kind === 'progress') pending.onProgress?.(event);
    else {
      this.pending.delete(event.requestId);
      if (event.kind === 'finished') pending.resolve(event.result);
      else pending.reject(new EngineError(event.message, event.findings));
    }
  }

  /** Disconnect (the engine aborts its jobs, writes their state and exits), then kill if it lingers. */
  async stop(): Promise<void> {
    const child = this.child;
    if (!child) return;
    this.stopping.add(child);
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        resolve();
      }, SHUTDOWN_GRACE_MS);
      child.once('exit', () => {
        clearTimeout(timer);
        resolve();
      });
      if (child.connected) child.disconnect();
      else child.kill('SIGKILL');
    });
  }

  dispose(): void {
    this.disposed = true;
    void this.stop();
    this.stateChanged.dispose();
    this.robotEvents.dispose();
    this.personEvents.dispose();
    this.motionEvents.dispose();
  }
}
