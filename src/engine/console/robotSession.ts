/**
 * The safe-test console's robot session, engine main-thread side: starts the session worker (which
 * owns the link and runs episodes), relays its state, telemetry and safety events, records finished
 * episodes in the run folder, and sends stops.
 *
 * A stop is posted straight to the worker's stop port, synchronously, from the IPC message handler:
 * it does not wait for any promise of this thread, and the worker's thread is never blocked by an
 * episode, so the stop reaches the socket ahead of the next command.
 *
 * The console's person answers the motion authority (robot/motionAuthority.ts) by pressing: the
 * emergency-stop confirmation, "Start episode" (one episode per press) and "Arm" (a re-arm). The
 * session asks the authority for a permit before every episode and every re-arm, as every other
 * path that moves a robot does.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { MessageChannel, Worker, type MessagePort } from 'node:worker_threads';
import type { Experiment } from '../config/experiment';
import { evaluationEpisodeSeed } from '../evaluate/runEpisodes';
import type { RealEpisodeRecord, RobotSafetyEntry, RobotSessionState, RobotTelemetrySample } from './sessionState';
import { normalizeRobotUrl } from '../rosbridge/addressPolicy';
import type { RobotStatus } from '../rosbridge/messages';
import { MotionAuthority, MotionRefused, type Attendant } from '../robot/motionAuthority';
import { MOTION_LOG_FILE } from '../robot/motionLog';
import { monotonicMs } from '../util/clock';
import { LoopProbe } from '../util/loopProbe';
import { recordRealEpisode, runFolderOf } from './realEpisodes';
import { isSessionReply, type SessionNotice, type SessionReply, type SessionRequest, type SessionStartup, type SessionStop, type SessionWorkerData, type StopTrace } from './sessionMessages';

export class RobotSessionError extends Error {}

export interface RobotSessionHooks {
  onState(state: RobotSessionState): void;
  onTelemetry(samples: RobotTelemetrySample[]): void;
  onSafety(entry: RobotSafetyEntry): void;
}

export interface OpenRobotSessionOptions {
  readonly policy?: string;
  /** What the user asked to connect to; must be the experiment's robot.address. */
  readonly address?: string;
  /** Where to record episodes; [default: the policy's run folder, when it is in one] */
  readonly runDir?: string;
  /** Engine-side robot event log; [default: console-events.jsonl in the run folder, when there is one] */
  readonly eventLogPath?: string;
  readonly telemetryPeriodMs?: number;
}

/** The engine-side event log of console sessions (stops with their send time, aborted episodes), beside the episodes. */
export const CONSOLE_EVENTS_FILE = 'console-events.jsonl';

/**
 * The one address a console session may open: the experiment's robot.address. An `address` asked
 * for must be that same address (after normalization); anything else is refused before a socket opens.
 */
export function sessionAddress(experiment: Experiment, asked?: string): string {
  const configured = experiment.robot?.address;
  if (!configured) throw new RobotSessionError(`${experiment.name} configures no robot: set robot.address in the experiment to use the safe-test console`);
  const normalized = normalizeRobotUrl(configured);
  if (asked !== undefined && normalizeRobotUrl(asked) !== normalized) {
    throw new RobotSessionError(`refused to connect to ${asked}: the console only connects to the experiment's robot.address (${normalized})`);
  }
  return normalized;
}

/** The person at the console: the answers are the presses, never asked for in between. */
class ConsolePerson implements Attendant {
  readonly channel = 'safe-test console';
  estopConfirmed = false;
  /** Set by the Arm press for the one re-arm it asks for. */
  armPressed = false;
  async confirmEmergencyStop(): Promise<boolean> {
    return this.estopConfirmed;
  }
  async startEpisodes(): Promise<boolean> {
    // every console episode comes with its own press (permitEpisode's startedBy)
    return false;
  }
  async rearm(): Promise<boolean> {
    const pressed = this.armPressed;
    this.armPressed = false;
    return pressed;
  }
}

export class RobotSession {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve(reply: SessionReply): void }>();
  private closed = false;
  private latest: RobotSessionState;

  private constructor(
    private readonly experiment: Experiment,
    private readonly worker: Worker,
    private readonly control: MessagePort,
    private readonly stops: MessagePort,
    readonly address: string,
    private readonly policy: string | undefined,
    readonly runDir: string | undefined,
    private readonly hooks: RobotSessionHooks,
    private readonly motion: MotionAuthority,
    private readonly person: ConsolePerson,
  ) {
    this.latest = { connected: true, address, robot: 'unknown', stopped: false, speedScale: 1, episodesStarted: 0, episodeRunning: false, runDir };
    control.on('message', (m: SessionReply | SessionNotice) => this.onMessage(m));
    worker.on('exit', () => this.onWorkerGone());
  }

  static async open(experiment: Experiment, hooks: RobotSessionHooks, options: OpenRobotSessionOptions = {}): Promise<RobotSession> {
    const address = sessionAddress(experiment, options.address);
    if (options.policy !== undefined && !existsSync(options.policy)) throw new RobotSessionError(`No such policy file: ${options.policy}`);
    const runDir = options.runDir ?? (options.policy ? runFolderOf(options.policy) : undefined);
    const person = new ConsolePerson();
    const motion = new MotionAuthority({
      address,
      adapter: experiment.robot?.adapter,
      path: 'the safe-test console',
      episodesPerStart: 1,
      attendant: person,
      ...(runDir ? { logPath: join(runDir, MOTION_LOG_FILE) } : {}),
    });
    const data: SessionWorkerData = {
      experiment,
      url: address,
      allowedAddresses: [address],
      policyPath: options.policy,
      eventLogPath: options.eventLogPath ?? (runDir ? join(runDir, CONSOLE_EVENTS_FILE) : undefined),
      telemetryPeriodMs: options.telemetryPeriodMs,
      motion: { session: motion.session, ...(motion.log.path ? { logPath: motion.log.path } : {}) },
    };
    const entry = workerEntry();
    const worker = entry.source ? new Worker(entry.source, { eval: true, workerData: data }) : new Worker(entry.file!, { workerData: data });
    const control = new MessageChannel();
    const stops = new MessageChannel();
    worker.postMessage({ control: control.port2, stops: stops.port2 }, [control.port2, stops.port2]);
    const startup = await new Promise<SessionStartup>((resolve) => {
      worker.once('message', (m: SessionStartup) => resolve(m));
      worker.once('error', (error) => resolve({ kind: 'failed', message: error.message }));
      worker.once('exit', (code) => resolve({ kind: 'failed', message: `robot session worker exited with code ${code}` }));
    });
    if (startup.kind === 'failed') {
      await worker.terminate();
      throw new RobotSessionError(startup.message);
    }
    motion.identify(startup.status);
    return new RobotSession(experiment, worker, control.port1, stops.port1, address, options.policy, runDir, hooks, motion, person);
  }

  get state(): RobotSessionState {
    return this.latest;
  }

  /** Protective stop, posted at once (no await on this thread). False when the session is gone. */
  stop(message = 'stop pressed in the safe-test console', trace?: StopTrace): boolean {
    if (this.closed) return false;
    this.stops.postMessage({ kind: 'stop', message, ...(trace ? { trace } : {}) } satisfies SessionStop);
    return true;
  }

  /** The person's answer to "is the hardware emergency stop within your reach?", asked every session. */
  confirmEmergencyStop(confirmed: boolean): void {
    this.person.estopConfirmed = confirmed;
  }

  /**
   * Run one episode a person started with "Start episode"; records it in the run folder. Seeds
   * follow the evaluator's, so episode i of a session is reproducible.
   */
  async startEpisode(seed?: number): Promise<RealEpisodeRecord> {
    const episodeSeed = seed ?? evaluationEpisodeSeed(this.experiment.seed, this.latest.episodesStarted);
    if (this.closed) throw new RobotSessionError('the robot session is closed');
    if (this.latest.episodeRunning) throw new RobotSessionError('an episode is already running');
    const permit = await this.permit(() =>
      this.motion.permitEpisode({
        episode: this.latest.episodesStarted + 1,
        ...(this.robotStatus() ? { robot: this.robotStatus()! } : {}),
        ...(this.latest.stopped ? { stopped: this.latest.stopMessage ?? 'stopped' } : {}),
        startedBy: `person (${this.person.channel})`,
      }),
    );
    const reply = await this.call({ id: this.nextId++, kind: 'startEpisode', seed: episodeSeed, permit });
    if (reply.kind !== 'episode') throw new RobotSessionError(reply.kind === 'error' ? reply.message : 'unexpected reply from the robot session');
    const record: RealEpisodeRecord = { ...reply.record, seed: episodeSeed };
    if (this.runDir) {
      recordRealEpisode(this.runDir, record, { task: this.experiment.task, policy: this.policy ?? '', address: this.address, seed: this.experiment.seed });
    }
    return record;
  }

  /** The person pressed Arm: a re-arm, as the motion authority records it. */
  async arm(): Promise<RobotSessionState> {
    if (this.closed) throw new RobotSessionError('the robot session is closed');
    const cause = this.latest.stopped ? (this.latest.stopMessage ?? 'stopped') : this.latest.robot === 'halted' ? `robot halted (${this.latest.haltReason ?? 'unknown'})` : 'not stopped';
    this.person.armPressed = true;
    const permit = await this.permit(() => this.motion.permitRearm(cause));
    const reply = await this.call({ id: this.nextId++, kind: 'arm', permit });
    if (reply.kind === 'error') throw new RobotSessionError(reply.message);
    return this.latest;
  }

  /** The robot's status as the worker last reported it, in the link's terms. */
  private robotStatus(): RobotStatus | undefined {
    const s = this.latest;
    if (s.robot === 'unknown') return undefined;
    return { state: s.robot, episode: s.episodesStarted, ...(s.haltReason ? { reason: s.haltReason as RobotStatus['reason'] } : {}), ...(s.haltDetail ? { detail: s.haltDetail } : {}) };
  }

  private async permit<T>(ask: () => Promise<T>): Promise<T> {
    try {
      return await ask();
    } catch (error) {
      throw error instanceof MotionRefused ? new RobotSessionError(error.message) : error;
    }
  }

  /** Close the link (the robot's watchdog holds it), then end the worker. */
  async close(): Promise<void> {
    if (this.closed) return;
    const reply = this.call({ id: this.nextId++, kind: 'close' });
    const timeout = new Promise<void>((resolve) => setTimeout(resolve, 3000).unref());
    await Promise.race([reply, timeout]);
    this.closed = true;
    this.motion.close();
    await this.worker.terminate();
  }

  private call(request: SessionRequest): Promise<SessionReply> {
    if (this.closed) return Promise.resolve({ id: request.id, kind: 'error', message: 'the robot session is closed' });
    return new Promise((resolve) => {
      this.pending.set(request.id, { resolve });
      this.control.postMessage(request);
    });
  }

  private readonly probe = LoopProbe.get('engine-main');

  private onMessage(m: SessionReply | SessionNotice): void {
    this.probe?.count(`relay:${isSessionReply(m) ? 'reply' : m.kind}`);
    if (isSessionReply(m)) {
      const pending = this.pending.get(m.id);
      this.pending.delete(m.id);
      pending?.resolve(m);
      return;
    }
    switch (m.kind) {
      case 'state':
        this.latest = { ...m.state, runDir: this.runDir };
        this.hooks.onState(this.latest);
        return;
      case 'telemetry':
        this.hooks.onTelemetry(m.samples);
        return;
      case 'safety':
        this.hooks.onSafety(m.entry);
        return;
    }
  }

  private onWorkerGone(): void {
    const wasClosed = this.closed;
    this.closed = true;
    for (const [id, pending] of this.pending) pending.resolve({ id, kind: 'error', message: 'the robot session ended' });
    this.pending.clear();
    this.latest = { ...this.latest, connected: false, episodeRunning: false };
    this.hooks.onState(this.latest);
    if (!wasClosed) this.hooks.onSafety({ tMs: monotonicMs(), level: 'warning', message: 'the robot session ended unexpectedly; the robot watchdog halts the robot' });
  }
}

/** The bundled worker next to the engine, or (from source, under tsx) the TypeScript file through tsx's require hook. */
function workerEntry(): { file?: string; source?: string } {
  const bundled = join(__dirname, 'robot-session-worker.js');
  if (existsSync(bundled)) return { file: bundled };
  const source = join(__dirname, 'sessionWorker.ts');
  if (existsSync(source)) {
    const tsx = require.resolve('tsx/cjs');
    return { source: `require(${JSON.stringify(tsx)}); require(${JSON.stringify(source)});` };
  }
  throw new RobotSessionError(`robot session worker not found next to ${__dirname} (the build needs an entry 'robot-session-worker': 'src/engine/console/sessionWorker.ts')`);
}
