/**
 * The engine's link to one robot (the emulator or a real robot behind rosbridge_server): the latest
 * joint state, object pose and robot status; joint commands through the safety layer; heartbeats for
 * the robot's watchdog; reset, arm and the protective stop.
 *
 * Nothing moves without the motion authority's leave (motionAuthority.ts): a reset or an arm needs
 * an episode permit, commands are sent only inside a permitted episode, and the stop latch is
 * cleared only by a person's re-arm permit.
 *
 * The stop latch: after any protective stop no command leaves the engine until `rearm()`. It is set
 * by `stop()` (a person's stop, a safety violation), and, once this link has moved the robot, by a
 * halt the robot reports (its watchdog, another client's stop) and by the link's loss. The stop is
 * written straight to the socket: commands are never queued in this process (a command that cannot
 * be written at once is dropped, not queued), so nothing of ours can be ahead of it, and the robot
 * discards what its own latency queue still holds.
 */
import type { SafetyConfig } from '../config/experiment';
import type { RobotAddressPolicy } from '../rosbridge/addressPolicy';
import { RosbridgeClient, RobotLinkError, type LinkState, type ReconnectPolicy } from '../rosbridge/client';
import { monotonicMs } from '../util/clock';
import type { EventSink } from '../rosbridge/eventLog';
import type { EpisodePermit, RearmPermit } from './motionAuthority';
import { MotionLog } from './motionLog';
import { registerOpenLink } from './openLinks';
import {
  checkJointState,
  checkPoseStamped,
  checkStatus,
  checkTriggerResponse,
  effortMultiArray,
  float64MultiArray,
  MSG_EMPTY,
  MSG_FLOAT64_MULTI_ARRAY,
  MSG_JOINT_STATE,
  MSG_POSE_STAMPED,
  MSG_STRING,
  type JointStateMsg,
  type PoseStampedMsg,
  type RobotStatus,
} from '../rosbridge/messages';
import type { RobotNames } from '../rosbridge/names';
import { checkCommand, checkEffortTorques, type SafetyVerdict, type SafetyViolation } from './safety';

export interface RobotLinkOptions {
  readonly url: string;
  /** Only these addresses may be opened (what the user configured). */
  readonly policy: RobotAddressPolicy;
  readonly names: RobotNames;
  readonly jointNames: readonly string[];
  readonly safety: SafetyConfig;
  /** Time between commands, s (for the velocity limit). */
  readonly controlPeriodS: number;
  /** Subscribe to the tracked object's pose (push). */
  readonly trackObject: boolean;
  /** The robot's watchdog timeout, ms; heartbeats go out at a quarter of it. [default: 100] */
  readonly watchdogMs?: number;
  /** [default: 3000] */
  readonly connectTimeoutMs?: number;
  readonly reconnect?: Partial<ReconnectPolicy>;
  readonly tipPosition?: (q: ArrayLike<number>) => { x: number; y: number };
  /** Lines for people: protective stops with the limit and values, dropped frames, link changes. [default: stderr] */
  readonly log?: (line: string) => void;
  /** Engine-side event log (e.g. `stop` with its send time, for the stop-latency benchmark). */
  readonly events?: EventSink;
  /** The motion session this link moves the robot for: permits must name it; its stops go to its motion log. */
  readonly motion: { readonly session: string; readonly logPath?: string };
}

export interface StopLatch {
  /** A person's stop, the safety layer, a halt the robot reported, the link's loss. */
  readonly reason: 'user' | 'safety' | 'robot' | 'link';
  readonly message: string;
  readonly violation?: SafetyViolation;
  /** Monotonic ms when the stop frame was written (or the halt or loss was seen). */
  readonly sentAtMs: number;
}

export type CommandOutcome =
  | { readonly sent: true; readonly verdict: SafetyVerdict & { ok: true } }
  | { readonly sent: false; readonly why: 'stopped' | 'no_permit' | 'link_down' | 'congested' | 'no_state' | 'violation'; readonly message: string };

/** Commands are refused (not queued) while more than this is waiting in the socket, bytes. */
const CONGESTION_BYTES = 16 * 1024;

export class RobotLink {
  readonly client: RosbridgeClient;
  joints: JointStateMsg | undefined;
  /** Monotonic ms when `joints` arrived. */
  jointsReceivedMs = -Infinity;
  objectPose: PoseStampedMsg | undefined;
  objectPoseReceivedMs = -Infinity;
  robotStatus: RobotStatus | undefined;
  /** Session episode counter (speed limit for the first episodes); counts `beginEpisode` calls. */
  episodesStarted = 0;
  private latch: StopLatch | undefined;
  /** The episode the motion authority permitted last; commands go out only under one. */
  private permit: EpisodePermit | undefined;
  /** This link has reset or armed the robot: from now on its halts and the link's loss are this session's stops. */
  private moved = false;
  private readonly motionLog: MotionLog;
  /** The robot's answer to the last stop sent: a re-arm waits for it, so the stop's own halt report cannot arrive after the re-arm and latch the link again. */
  private stopReply: Promise<boolean> | undefined;
  /** close() was called: the link's end is ours, not a loss. */
  private closing = false;
  /** Forgets this link in the thread's open links (openLinks.ts) on close. */
  private forgetOpenLink: (() => void) | undefined;
  private previousCommand: Float64Array | undefined;
  private heartbeat: NodeJS.Timeout | undefined;
  private readonly log: (line: string) => void;
  private readonly waiters = new Set<() => void>();
  private readonly jointListeners = new Set<(joints: JointStateMsg, receivedMs: number) => void>();
  private readonly poseListeners = new Set<(pose: PoseStampedMsg, receivedMs: number) => void>();

  private constructor(readonly options: RobotLinkOptions) {
    this.log = options.log ?? ((line) => process.stderr.write(line + '\n'));
    this.motionLog = new MotionLog(options.motion.logPath, options.motion.session);
    this.client = new RosbridgeClient(options.url, options.policy, {
      connectTimeoutMs: options.connectTimeoutMs ?? 3000,
      reconnect: options.reconnect,
      onDropped: (reason, frame) => {
        this.log(`robot link: dropped frame from robot: ${reason}`);
        options.events?.record('dropped_frame', { direction: 'in', reason, frame });
      },
      onStatusOp: (level, msg) => this.log(`robot says (${level}): ${msg}`),
      onLinkState: (state, detail) => this.onLinkState(state, detail),
    });
  }

  /** Connect, subscribe and advertise; rejects with a clear error within connectTimeoutMs. */
  static async connect(options: RobotLinkOptions): Promise<RobotLink> {
    const link = new RobotLink(options);
    await link.client.connect();
    link.wire();
    // the engine's robotStop reaches every link of its thread, whatever path opened it
    link.forgetOpenLink = registerOpenLink((message) => void link.stop(message, 'user'));
    return link;
  }

  private wire(): void {
    const { topics } = this.options.names;
    const c = this.client;
    c.subscribe(topics.jointStates, MSG_JOINT_STATE, (msg) => {
      const checked = checkJointState(msg);
      if (!checked.ok) return this.dropMessage(topics.jointStates, checked.error);
      this.joints = checked.value;
      this.jointsReceivedMs = monotonicMs();
      for (const listener of this.jointListeners) listener(checked.value, this.jointsReceivedMs);
      this.wake();
    });
    if (this.options.trackObject) {
      c.subscribe(topics.objectPose, MSG_POSE_STAMPED, (msg) => {
        const checked = checkPoseStamped(msg);
        if (!checked.ok) return this.dropMessage(topics.objectPose, checked.error);
        this.objectPose = checked.value;
        this.objectPoseReceivedMs = monotonicMs();
        for (const listener of this.poseListeners) listener(checked.value, this.objectPoseReceivedMs);
        this.wake();
      });
    }
    c.subscribe(topics.status, MSG_STRING, (msg) => {
      const checked = checkStatus(msg);
      if (!checked.ok) return this.dropMessage(topics.status, checked.error);
      const before = this.robotStatus?.state;
      this.robotStatus = checked.value;
      this.noteRobotHalt(before, checked.value);
      this.wake();
    });
    c.advertise(topics.command, MSG_FLOAT64_MULTI_ARRAY);
    c.advertise(topics.effortCommand, MSG_FLOAT64_MULTI_ARRAY);
    c.advertise(topics.heartbeat, MSG_EMPTY);
    const period = Math.max(5, (this.options.watchdogMs ?? 100) / 4);
    this.heartbeat = setInterval(() => this.client.publish(topics.heartbeat, {}), period);
  }

  private dropMessage(topic: string, error: string): void {
    this.log(`robot link: dropped message on ${topic}: ${error}`);
    this.options.events?.record('dropped_frame', { direction: 'in', topic, reason: error });
  }

  private onLinkState(state: LinkState, detail?: string): void {
    this.log(`robot link ${this.client?.address ?? this.options.url}: ${state}${detail ? ` (${detail})` : ''}`);
    this.options.events?.record(state === 'open' ? 'connection' : 'disconnection', { state, detail });
    if (state !== 'open') {
      // what we knew about the robot is stale from now on
      this.joints = undefined;
      this.objectPose = undefined;
      this.robotStatus = undefined;
      // a link lost while this session drives the robot is a protective stop: a person re-arms
      if (this.moved && !this.closing) this.latchWithout('link', `link to ${this.client?.address ?? this.options.url} lost (${state}${detail ? `: ${detail}` : ''})`);
    }
    this.wake();
  }

  /**
   * The robot going from moving to halted after this link moved it (its watchdog, a stop from
   * elsewhere) latches like our own stop. Only the change counts: a robot still halted while it
   * is being armed is not a new stop.
   */
  private noteRobotHalt(before: RobotStatus['state'] | undefined, status: RobotStatus): void {
    if (!this.moved || before === undefined || before === 'halted' || status.state !== 'halted' || status.reason === 'not_armed') return;
    this.latchWithout('robot', `robot halted: ${status.reason ?? 'unknown'}${status.detail ? ` (${status.detail})` : ''}`);
  }

  /** Latch a stop that was not ours to send (the robot halted, the link went): nothing moves until a re-arm. */
  private latchWithout(reason: 'robot' | 'link', message: string): void {
    if (this.latch) return;
    this.latch = { reason, message, sentAtMs: monotonicMs() };
    this.previousCommand = undefined;
    this.motionLog.record('protective_stop', { cause: reason === 'robot' ? 'robot halt' : 'link loss', detail: message, address: this.client.address });
    this.log(`protective stop: ${message}; nothing is commanded until a person re-arms the robot`);
  }

  get stopLatch(): StopLatch | undefined {
    return this.latch;
  }

  get isOpen(): boolean {
    return this.client.isOpen;
  }

  /**
   * Protective stop (IEC 60204-1 category 2), not the robot's hardware emergency stop. Written to
   * the socket before this returns; the promise settles with the robot's answer.
   */
  stop(message = 'stop requested', reason: StopLatch['reason'] = 'user', violation?: SafetyViolation, trace?: Readonly<Record<string, number | undefined>>): Promise<boolean> {
    const sentAtMs = monotonicMs();
    const first = this.latch === undefined;
    this.latch ??= { reason, message, violation, sentAtMs };
    this.previousCommand = undefined;
    const reply = this.client.callService(this.options.names.services.stop, {}, 1000);
    this.options.events?.record('stop', { reason, message, sentAtMs, linkOpen: this.client.isOpen, ...trace });
    this.motionLog.record('protective_stop', { cause: reason === 'user' ? 'stop (a person or the job)' : 'safety layer', detail: message, address: this.client.address, ...(first ? {} : { repeated: true }), ...(violation ? { limit: violation.limit } : {}) });
    this.log(`protective stop (IEC 60204-1 category 2, not an emergency stop): ${message}`);
    const answered = reply.then(
      (values) => checkTriggerResponse(values).ok,
      (error: Error) => {
        this.log(`robot did not confirm the stop: ${error.message} (its watchdog halts it within ${this.options.watchdogMs ?? 100} ms without commands)`);
        return false;
      },
    );
    this.stopReply = answered;
    return answered;
  }

  /** A person's decision to move again (the motion authority's re-arm permit): clears the latch and arms the robot. */
  async rearm(permit: RearmPermit): Promise<void> {
    if (permit?.kind !== 'rearm' || permit.session !== this.options.motion.session) {
      throw new RobotLinkError('re-arm refused: only a person re-arms the robot (no re-arm permit from the motion authority)');
    }
    // the stop's halt report comes before its answer: after the answer it cannot latch the link anew
    await this.stopReply;
    this.stopReply = undefined;
    this.latch = undefined;
    this.permit = undefined;
    this.previousCommand = undefined;
    await this.arm();
    // what this link knows of the robot must say armed before anything is decided on it
    await this.waitFor(() => this.robotStatus !== undefined && this.robotStatus.state !== 'halted', 2000, 'status report after arming');
  }

  private async arm(): Promise<void> {
    const values = await this.client.callService(this.options.names.services.arm);
    const checked = checkTriggerResponse(values);
    if (!checked.ok || !checked.value.success) throw new RobotLinkError(`robot refused to arm: ${checked.ok ? checked.value.message : checked.error}`);
  }

  /**
   * Start an episode the motion authority permitted: refuse a robot that is halted unless the
   * permit arms it from that halt, reset, arm the robot when it needs arming, and wait for a joint
   * state newer than the reset. Returns the episode's index in this session.
   */
  async beginEpisode(permit: EpisodePermit, timeoutMs = 2000): Promise<number> {
    if (permit?.kind !== 'episode' || permit.session !== this.options.motion.session) {
      throw new RobotLinkError('no permit for this episode from the motion authority; nothing was sent to the robot');
    }
    if (this.latch) throw new RobotLinkError(`robot stopped (${this.latch.message}); a person re-arms it before the next episode`);
    await this.waitFor(() => this.robotStatus !== undefined, timeoutMs, 'robot status');
    const status = this.robotStatus!;
    if (permit.unattended && status.emulator !== true) {
      throw new RobotLinkError(`${this.client.address} does not announce itself as the bundled emulator: an episode nobody started may not run on it`);
    }
    const halted = status.state === 'halted' && status.reason !== 'not_armed';
    if (halted) {
      const byDecision = status.reason === 'stop' || status.reason === 'safety';
      // a stop is a person's (or a safety layer's) decision, wherever it was pressed: only a person undoes it
      if (!permit.armFromHalt || (permit.unattended && byDecision)) {
        throw new RobotLinkError(`robot is halted by ${status.reason === 'stop' || status.reason === 'safety' ? 'a ' : ''}${status.reason}${status.detail ? ` (${status.detail})` : ''}; a person re-arms it before the next episode`);
      }
    }
    const index = this.episodesStarted++;
    this.permit = permit;
    this.moved = true;
    this.previousCommand = undefined;
    await this.client.callService(this.options.names.services.reset);
    const afterReset = monotonicMs();
    if (status.state === 'halted' || this.robotStatus?.state === 'halted') {
      // a stop may have come while the reset was under way
      const latch = this.stopLatch;
      if (latch) throw new RobotLinkError(`robot stopped (${latch.message}); a person re-arms it before the next episode`);
      await this.arm();
    }
    await this.waitFor(() => this.jointsReceivedMs > afterReset && (!this.options.trackObject || this.objectPoseReceivedMs > afterReset), timeoutMs, 'joint state after reset');
    return index;
  }

  /** Safety-check and send joint position targets (rad). Never queues; never throws. */
  sendCommand(targetsRad: ArrayLike<number>, episodeIndex: number): CommandOutcome {
    if (this.latch) return { sent: false, why: 'stopped', message: `stopped: ${this.latch.message}` };
    if (!this.permit) return { sent: false, why: 'no_permit', message: 'no episode was permitted by the motion authority; command not sent' };
    if (!this.client.isOpen) return { sent: false, why: 'link_down', message: `link to ${this.client.address} is ${this.client.linkState}` };
    const joints = this.joints;
    if (!joints) return { sent: false, why: 'no_state', message: 'no joint state from the robot yet' };
    const verdict = checkCommand(
      {
        command: targetsRad,
        previousCommand: this.previousCommand,
        measured: joints,
        jointNames: this.options.jointNames,
        episodeIndex,
        controlPeriodS: this.options.controlPeriodS,
        tipPosition: this.options.tipPosition,
      },
      this.options.safety,
    );
    if (!verdict.ok) {
      void this.stop(verdict.violation.message, 'safety', verdict.violation);
      return { sent: false, why: 'violation', message: verdict.violation.message };
    }
    if (this.client.bufferedBytes > CONGESTION_BYTES) {
      this.options.events?.record('command_rejected', { reason: 'congested', bufferedBytes: this.client.bufferedBytes });
      return { sent: false, why: 'congested', message: `link congested (${this.client.bufferedBytes} bytes unsent); command dropped` };
    }
    if (!this.client.publish(this.options.names.topics.command, float64MultiArray(verdict.command) as unknown as Record<string, unknown>)) {
      return { sent: false, why: 'link_down', message: 'link closed while sending' };
    }
    this.previousCommand = verdict.command;
    return { sent: true, verdict };
  }

  /**
   * Safety-check and send joint torques, N·m, for `joints` (names): those joints leave position
   * control on the robot until the next position command (docs/robot-link.md, effort mode). Checked
   * against max_effort and the measured state like position commands; call it every control step while
   * a joint is driven by torque, so the checks keep running. Never queues; never throws.
   */
  sendEffort(joints: readonly string[], torquesNm: ArrayLike<number>): CommandOutcome {
    if (this.latch) return { sent: false, why: 'stopped', message: `stopped: ${this.latch.message}` };
    if (!this.permit) return { sent: false, why: 'no_permit', message: 'no episode was permitted by the motion authority; command not sent' };
    if (!this.client.isOpen) return { sent: false, why: 'link_down', message: `link to ${this.client.address} is ${this.client.linkState}` };
    const measured = this.joints;
    if (!measured) return { sent: false, why: 'no_state', message: 'no joint state from the robot yet' };
    const verdict = checkEffortTorques({ joints, torquesNm, measured, jointNames: this.options.jointNames }, this.options.safety);
    if (!verdict.ok) {
      void this.stop(verdict.violation.message, 'safety', verdict.violation);
      return { sent: false, why: 'violation', message: verdict.violation.message };
    }
    if (this.client.bufferedBytes > CONGESTION_BYTES) {
      this.options.events?.record('command_rejected', { reason: 'congested', bufferedBytes: this.client.bufferedBytes });
      return { sent: false, why: 'congested', message: `link congested (${this.client.bufferedBytes} bytes unsent); command dropped` };
    }
    if (!this.client.publish(this.options.names.topics.effortCommand, effortMultiArray(joints, verdict.torquesNm) as unknown as Record<string, unknown>)) {
      return { sent: false, why: 'link_down', message: 'link closed while sending' };
    }
    // the next position command is rate-limited from the measured position, not a stale target
    this.previousCommand = undefined;
    return { sent: true, verdict: { ok: true, command: verdict.torquesNm, clipped: [], speedScale: 1 } };
  }

  /** Every joint state as it arrives (with its monotonic arrival time, ms); returns the unsubscribe. */
  onJointState(listener: (joints: JointStateMsg, receivedMs: number) => void): () => void {
    this.jointListeners.add(listener);
    return () => this.jointListeners.delete(listener);
  }

  /** Every tracked object pose as it arrives (only with `trackObject`); returns the unsubscribe. */
  onObjectPose(listener: (pose: PoseStampedMsg, receivedMs: number) => void): () => void {
    this.poseListeners.add(listener);
    return () => this.poseListeners.delete(listener);
  }

  /** Resolves when `ready()` holds; rejects after timeoutMs naming what was awaited. */
  waitFor(ready: () => boolean, timeoutMs: number, what: string): Promise<void> {
    if (ready()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const check = (): void => {
        if (!ready()) return;
        clearTimeout(timer);
        this.waiters.delete(check);
        resolve();
      };
      const timer = setTimeout(() => {
        this.waiters.delete(check);
        reject(new RobotLinkError(`no ${what} from ${this.client.address} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiters.add(check);
    });
  }

  private wake(): void {
    for (const waiter of [...this.waiters]) waiter();
  }

  /** Clean shutdown: heartbeats stop (so the robot's watchdog takes over), then the socket closes. */
  async close(): Promise<void> {
    this.closing = true;
    this.forgetOpenLink?.();
    this.forgetOpenLink = undefined;
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.heartbeat = undefined;
    await this.client.close();
  }
}
