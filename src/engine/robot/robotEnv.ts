/**
 * RobotEnv: the Env contract over a robot link, so the evaluator runs on a robot exactly as in sim.
 *
 * The contract is synchronous (`step()` returns its result), a robot is not: the link runs in a
 * worker thread (linkWorker.ts) and this thread blocks in Atomics.wait for each reply, one control
 * period at a time. Heartbeats, incoming states and stops are handled by the worker meanwhile, so a
 * busy evaluator thread never starves the robot's watchdog or delays a stop.
 *
 * Jobs on the engine's main thread use `resetAsync`/`stepAsync`: the same requests, awaited instead
 * of blocked on, so the thread that reads the engine's IPC channel is free during every control
 * period and a stop from VS Code reaches the link worker at once (blocked, it waited for the step).
 *
 * The motion authority stays on this thread, where the person can be asked: `permitEpisode()`
 * (asynchronous, between episodes) obtains the leave the next `reset()` hands to the worker, and
 * `rearm()` a person's re-arm. A reset without a permit aborts the episode before anything moves.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from 'node:worker_threads';
import { registerOpenLinkPort } from './openLinks';
import type { Experiment } from '../config/experiment';
import type { Env, EpisodeSample, StepResult } from '../sim/env';
import { TASK_DEFINITIONS } from '../sim/tasks';
import { RobotAddressPolicy } from '../rosbridge/addressPolicy';
import { RobotLinkError } from '../rosbridge/client';
import type { RobotStatus } from '../rosbridge/messages';
import type { EpisodePermit, MotionAuthority } from './motionAuthority';
import { checkReachable } from '../rosbridge/reachability';
import type { AttachStopPort, LinkReply, LinkRequest, LinkStartup, LinkWorkerData, StopRequest } from './linkProtocol';

/** Loading the engine's code into the link's thread: about 1 s bundled, several s from source on a busy machine. */
const WORKER_START_TIMEOUT_MS = 60000;

export interface ConnectRobotEnvOptions {
  /**
   * The robot addresses the user configured (the experiment's robot.address, an explicit --robot
   * flag); `url` must be one of them. Use `configuredRobotAddresses`.
   */
  readonly allowedAddresses: readonly string[];
  /** Engine-side JSONL event log (stops with their send time, dropped frames, aborted episodes). */
  readonly eventLogPath?: string;
  /** How long a reset may take before the episode is aborted, ms. [default: 10000] */
  readonly resetTimeoutMs?: number;
  /** Who may move this robot: the env asks it before every episode and every re-arm, and closes it on dispose. */
  readonly motion: MotionAuthority;
}

/** The addresses a user configured: the experiment's robot.address and/or the --robot flag. */
export function configuredRobotAddresses(experiment: Experiment, robotFlag?: string): string[] {
  return [experiment.robot?.address, robotFlag].filter((a): a is string => typeof a === 'string' && a.length > 0);
}

/**
 * Connect to the robot at `url` and return an Env over it. Rejects with a clear error within the
 * experiment's connect timeout (3 s by default) when nothing answers, and at once when `url` is not
 * among `options.allowedAddresses`.
 */
export async function connectRobotEnv(experiment: Experiment, url: string, options: ConnectRobotEnvOptions): Promise<RobotEnv> {
  // checked here too, so a refused address fails before a thread is started
  const normalized = RobotAddressPolicy.fromConfigured(options.allowedAddresses).check(url);
  const connectTimeoutMs = experiment.robot?.connectTimeoutMs ?? 3000;
  const signal = new SharedArrayBuffer(4);
  const entry = workerEntry();
  const motion = options.motion;
  const data: LinkWorkerData = { experiment, url: normalized, allowedAddresses: [...options.allowedAddresses], signal, eventLogPath: options.eventLogPath, motion: { session: motion.session, ...(motion.log.path ? { logPath: motion.log.path } : {}) } };
  const worker = entry.source
    ? new Worker(entry.source, { eval: true, workerData: data, stderr: false })
    : new Worker(entry.file!, { workerData: data, stderr: false });
  const requests = new MessageChannel();
  const stops = new MessageChannel();
  worker.postMessage({ requests: requests.port2, stops: stops.port2 }, [requests.port2, stops.port2]);
  const started = new Promise<LinkStartup>((resolve) => {
    const done = (result: LinkStartup): void => {
      clearTimeout(timer);
      resolve(result);
    };
    // the worker's start-up is not the robot's fault: bound it separately, generously
    const timer = setTimeout(() => done({ kind: 'failed', message: `the robot link thread did not start within ${WORKER_START_TIMEOUT_MS / 1000} s` }), WORKER_START_TIMEOUT_MS + connectTimeoutMs);
    worker.once('message', (m: LinkStartup) => done(m));
    worker.once('error', (error) => done({ kind: 'failed', message: error.message }));
    worker.once('exit', (code) => done({ kind: 'failed', message: `robot link worker exited with code ${code}` }));
  });
  // meanwhile, a dead or wrong address is reported within the connect timeout from this thread
  const reachable = checkReachable(normalized, connectTimeoutMs).then(
    () => started,
    (error: Error): LinkStartup => ({ kind: 'failed', message: error.message }),
  );
  const startup = await Promise.race([started, reachable]);
  if (startup.kind === 'failed') {
    await worker.terminate();
    throw new RobotLinkError(startup.message);
  }
  try {
    // a real robot with nobody to ask is refused here, before anything moves
    motion.identify(startup.status);
  } catch (error) {
    await worker.terminate();
    throw error;
  }
  return new RobotEnv(experiment, worker, requests.port1, stops.port1, new Int32Array(signal), startup.controlPeriodS, options.resetTimeoutMs ?? 10000, motion, startup.status);
}

export class RobotEnv implements Env {
  readonly observationSize: number;
  readonly actionSize: number;
  readonly maxEpisodeSteps: number;
  readonly observation: Float64Array;
  /** A robot's parameters are not drawn: nothing is sampled. */
  readonly sample: EpisodeSample = {};
  /** Why the last episode was aborted (robot halted, link lost, safety stop), if it was. */
  lastAbortReason: string | undefined;
  private readonly result: StepResult = { reward: 0, done: true, success: false, termination: 'none' };
  private nextId = 1;
  private disposed = false;
  private readonly actionBuffer: number[];
  private readonly forgetOpenLink: () => void;
  /** The leave for the next reset (permitEpisode), used once. */
  private permit: EpisodePermit | undefined;
  /** The link's stop latch as of the last reply: why the robot was stopped. */
  private stopped: string | undefined;

  constructor(
    experiment: Experiment,
    private readonly worker: Worker,
    private readonly requests: MessagePort,
    private readonly stops: MessagePort,
    private readonly signal: Int32Array,
    readonly controlPeriodS: number,
    private readonly resetTimeoutMs: number,
    readonly motion: MotionAuthority,
    /** The robot's latest status, as of the last reply. */
    public robotStatus: RobotStatus | undefined,
  ) {
    const task = TASK_DEFINITIONS[experiment.task];
    this.observationSize = task.info.observationSize;
    this.actionSize = task.info.actionSize;
    this.maxEpisodeSteps = task.info.maxEpisodeSteps;
    this.observation = new Float64Array(this.observationSize);
    this.actionBuffer = new Array<number>(this.actionSize).fill(0);
    // the engine's robotStop reaches this link too, through its worker (openLinks.ts)
    this.forgetOpenLink = registerOpenLinkPort(this.createStopPort());
  }

  /**
   * Ask the motion authority for the next episode (a person's start, for a real robot). Throws
   * MotionRefused when it is not given; nothing moves then.
   */
  async permitEpisode(episode: number, of?: number): Promise<void> {
    this.permit = await this.motion.permitEpisode({ episode, ...(of !== undefined ? { of } : {}), ...(this.robotStatus ? { robot: this.robotStatus } : {}), ...(this.stopped !== undefined ? { stopped: this.stopped } : {}) });
  }

  /** Start the permitted episode; without a permit the worker aborts it before sending anything. */
  reset(episodeSeed: number): void {
    this.apply(this.call(this.resetRequest(episodeSeed), this.resetTimeoutMs));
  }

  step(action: ArrayLike<number>): StepResult {
    this.apply(this.call(this.stepRequest(action), this.stepTimeoutMs));
    return this.result;
  }

  /** `reset`, with this thread free while the robot resets. */
  async resetAsync(episodeSeed: number): Promise<void> {
    this.apply(await this.callAsync(this.resetRequest(episodeSeed), this.resetTimeoutMs));
  }

  /** `step`, with this thread free for the control period (a stop from the IPC channel goes out at once). */
  async stepAsync(action: ArrayLike<number>): Promise<StepResult> {
    this.apply(await this.callAsync(this.stepRequest(action), this.stepTimeoutMs));
    return this.result;
  }

  private resetRequest(episodeSeed: number): LinkRequest {
    const permit = this.permit;
    this.permit = undefined;
    return { id: this.nextId++, kind: 'reset', seed: episodeSeed, ...(permit ? { permit } : {}) };
  }

  private stepRequest(action: ArrayLike<number>): LinkRequest {
    for (let i = 0; i < this.actionSize; i++) this.actionBuffer[i] = action[i];
    return { id: this.nextId++, kind: 'step', action: this.actionBuffer };
  }

  /** A step takes one control period; anything far beyond that means the worker is stuck. */
  private get stepTimeoutMs(): number {
    return 5000 + this.controlPeriodS * 1000;
  }

  /** Protective stop, from this thread; the worker sends it at once, even mid-step. No command follows until `rearm()`. */
  stop(message = 'stop requested'): void {
    if (!this.disposed) this.stops.postMessage({ kind: 'stop', message } satisfies StopRequest);
  }

  /**
   * A port any thread can post `{ kind: 'stop', message }` to (transfer it there): the stop button's
   * path can then bypass this thread, which blocks in step() for a control period at a time.
   */
  createStopPort(): MessagePort {
    const channel = new MessageChannel();
    this.stops.postMessage({ kind: 'attach', port: channel.port2 } satisfies AttachStopPort, [channel.port2]);
    return channel.port1;
  }

  /**
   * After a protective stop: a person's decision to move again (asked through the motion
   * authority). Throws MotionRefused when nobody re-arms it.
   */
  async rearm(cause: string): Promise<void> {
    const permit = await this.motion.permitRearm(cause);
    const reply = await this.callAsync({ id: this.nextId++, kind: 'rearm', permit }, this.resetTimeoutMs);
    if (reply.kind === 'error') throw new RobotLinkError(reply.message);
    this.stopped = undefined;
    if (reply.kind === 'done' && reply.status) this.robotStatus = reply.status;
  }

  dispose(): void {
    if (this.disposed) return;
    this.forgetOpenLink();
    this.motion.close();
    try {
      this.call({ id: this.nextId++, kind: 'close' }, 2000);
    } catch {
      // the worker is gone or stuck: terminating it closes the socket, and the robot's watchdog halts it
    }
    this.disposed = true;
    void this.worker.terminate();
  }

  private apply(reply: LinkReply): void {
    const r = this.result;
    if (reply.kind === 'observation') {
      this.observation.set(reply.observation);
      Object.assign(r, reply.result);
      this.lastAbortReason = reply.abortReason;
      if (reply.status) this.robotStatus = reply.status;
      this.stopped = reply.stopped;
      if (reply.stopped !== undefined) this.motion.noteStop();
      return;
    }
    // the worker failed this request: the episode cannot go on
    this.lastAbortReason = reply.kind === 'error' ? reply.message : 'unexpected reply from the robot link';
    r.reward = 0;
    r.success = false;
    r.done = true;
    r.termination = 'aborted';
  }

  /** Send a request and wait for its reply without blocking this thread (the worker's signal, awaited). */
  private async callAsync(request: LinkRequest, timeoutMs: number): Promise<LinkReply> {
    if (this.disposed) throw new RobotLinkError('robot env used after dispose()');
    const deadline = performance.now() + timeoutMs;
    let seen = Atomics.load(this.signal, 0);
    this.requests.postMessage(request);
    for (;;) {
      const received = receiveMessageOnPort(this.requests);
      if (received) {
        const reply = received.message as LinkReply;
        if (reply.id === request.id) return reply;
        continue;
      }
      const left = deadline - performance.now();
      if (left <= 0) return { id: request.id, kind: 'error', message: `robot link did not answer ${request.kind} within ${timeoutMs} ms` };
      const wait = waitAsync(this.signal, 0, seen, left);
      if (wait.async) await wait.value;
      seen = Atomics.load(this.signal, 0);
    }
  }

  /** Send a request and block until its reply. */
  private call(request: LinkRequest, timeoutMs: number): LinkReply {
    if (this.disposed) throw new RobotLinkError('robot env used after dispose()');
    const deadline = performance.now() + timeoutMs;
    let seen = Atomics.load(this.signal, 0);
    this.requests.postMessage(request);
    for (;;) {
      const received = receiveMessageOnPort(this.requests);
      if (received) {
        const reply = received.message as LinkReply;
        if (reply.id === request.id) return reply;
        continue; // a late reply to an earlier, timed-out request
      }
      const left = deadline - performance.now();
      if (left <= 0) return { id: request.id, kind: 'error', message: `robot link did not answer ${request.kind} within ${timeoutMs} ms` };
      Atomics.wait(this.signal, 0, seen, left);
      seen = Atomics.load(this.signal, 0);
    }
  }
}

/** Node's Atomics.waitAsync (ES2024; the lib here is ES2022). */
type WaitAsync = (array: Int32Array, index: number, value: number, timeoutMs: number) => { async: false; value: string } | { async: true; value: Promise<string> };
const waitAsync = (Atomics as unknown as { waitAsync: WaitAsync }).waitAsync;

/** The worker: the bundle's entry next to this code, or (running from source under tsx) the TypeScript file through tsx's require hook. */
function workerEntry(): { file?: string; source?: string } {
  const bundled = join(__dirname, 'robot-link-worker.js');
  if (existsSync(bundled)) return { file: bundled };
  const source = join(__dirname, 'linkWorker.ts');
  if (existsSync(source)) {
    // Node 20 workers ignore the parent's --import hooks for a .ts entry; tsx's CJS hook does the job
    const tsx = require.resolve('tsx/cjs');
    return { source: `require(${JSON.stringify(tsx)}); require(${JSON.stringify(source)});` };
  }
  throw new RobotLinkError(`robot link worker not found next to ${__dirname} (the build needs an entry 'robot-link-worker': 'src/engine/robot/linkWorker.ts')`);
}
