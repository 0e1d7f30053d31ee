/**
 * The reality emulator's rosbridge v2 server: serves an EmulatedRobot to any rosbridge client over a
 * WebSocket, on loopback unless asked otherwise. It plays the part rosbridge_server and the robot's
 * ROS nodes play on hardware: joint states and the tracked object's pose at the profile's rates, a
 * status topic, joint commands on the command topic, joint torques on the effort-command topic,
 * heartbeats, and Trigger services for reset, stop and arm.
 *
 * Every frame is validated; malformed, unknown or misaddressed frames are dropped, logged and
 * answered with a rosbridge `status` op, and the session goes on.
 */
import { WebSocketServer, type WebSocket } from 'ws';
import type { AddressInfo } from 'node:net';
import { isLoopbackHost } from '../rosbridge/addressPolicy';
import { monotonicMs } from '../util/clock';
import { EmulatedRobot } from './emulatedRobot';
import { EmulatorCamera } from './emulatorCamera';
import { imageMessage } from '../rosbridge/imageMessage';
import type { EventLog } from '../rosbridge/eventLog';
import {
  checkEffortCommand,
  checkFloat64MultiArray,
  MSG_EMPTY,
  MSG_FLOAT64_MULTI_ARRAY,
  SRV_TRIGGER,
  timeFromMs,
  type RobotStatus,
} from '../rosbridge/messages';
import { encodeFrame, parseFrame, type RosbridgeOp, type StatusLevel } from '../rosbridge/protocol';
import type { RealityProfile } from './realityProfileLoader';
import type { JointReadings } from './realityPlant';
import { LoopProbe } from '../util/loopProbe';

export interface EmulatorOptions {
  /** [default: '127.0.0.1'] */
  readonly host?: string;
  /** 0 picks a free port. [default: 9090, rosbridge's port] */
  readonly port?: number;
  readonly log: EventLog;
  /** Where warnings for people go (non-loopback bind). [default: stderr] */
  readonly warn?: (message: string) => void;
}

interface Session {
  readonly id: string;
  readonly socket: WebSocket;
  /** topic -> minimum ms between messages (rosbridge throttle_rate), and when we last sent. */
  readonly subscriptions: Map<string, { throttleMs: number; lastSentMs: number }>;
  readonly advertised: Map<string, string>;
}

export class RealityEmulator {
  private readonly sessions = new Map<WebSocket, Session>();
  private readonly timers: NodeJS.Timeout[] = [];
  private nextSession = 1;
  private closing = false;
  private readonly joints: JointReadings;
  private readonly started = Date.now();
  private readonly startedMono = performance.now();
  private readonly probe = LoopProbe.get('emulator');

  private constructor(
    readonly robot: EmulatedRobot,
    private readonly server: WebSocketServer,
    private readonly log: EventLog,
    readonly url: string,
    /** Renders the scene as the profile's camera sees it; undefined when camera.rateHz is 0. */
    readonly camera: EmulatorCamera | undefined,
  ) {
    const n = robot.plant.jointNames.length;
    this.joints = { name: [...robot.plant.jointNames], position: new Array(n).fill(0), velocity: new Array(n).fill(0), effort: new Array(n).fill(0) };
    server.on('connection', (socket, request) => this.onConnection(socket, `${request.socket.remoteAddress}:${request.socket.remotePort}`));
    robot.onStatus((status) => this.publishStatus(status));
    log.probe = this.probe;
    const rates = robot.profile.rates;
    this.timers.push(setInterval(() => this.publishJointStates(), 1000 / rates.jointStatesHz));
    if (robot.plant.task.withPuck) this.timers.push(setInterval(() => this.publishObjectPose(), 1000 / rates.objectPoseHz));
    this.timers.push(setInterval(() => this.publishStatus(robot.status), 1000 / rates.statusHz));
    if (camera) this.timers.push(setInterval(() => this.publishCamera(), 1000 / robot.profile.camera.rateHz));
    robot.start();
  }

  static async start(profile: RealityProfile, options: EmulatorOptions): Promise<RealityEmulator> {
    const host = options.host ?? '127.0.0.1';
    if (!isLoopbackHost(host)) {
      (options.warn ?? ((m: string) => process.stderr.write(m + '\n')))(
        `warning: the emulator listens on ${host}, reachable from other machines; anyone who can reach it can move the emulated robot. Use 127.0.0.1 unless you need otherwise.`,
      );
      options.log.record('warning', { message: `listening on non-loopback interface ${host}` });
    }
    const robot = await EmulatedRobot.create(profile, options.log);
    let camera: EmulatorCamera | undefined;
    try {
      // Before listening: a bad texture folder fails the start with its path, not a running robot without images.
      camera = profile.camera.rateHz > 0 ? new EmulatorCamera(profile, robot.plant.scene) : undefined;
    } catch (error) {
      robot.dispose();
      throw error;
    }
    const server = await new Promise<WebSocketServer>((resolve, reject) => {
      const wss = new WebSocketServer({ host, port: options.port ?? 9090, perMessageDeflate: false, maxPayload: 1 << 20 });
      wss.once('listening', () => resolve(wss));
      wss.once('error', (error) => {
        robot.dispose();
        reject(error);
      });
    });
    const port = (server.address() as AddressInfo).port;
    const url = `ws://${host.includes(':') ? `[${host}]` : host}:${port}`;
    options.log.record('listening', { url, profile: profile.name, task: profile.task, seed: profile.seed, watchdogMs: profile.watchdogMs });
    return new RealityEmulator(robot, server, options.log, url, camera);
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  get clientCount(): number {
    return this.sessions.size;
  }

  private onConnection(socket: WebSocket, remote: string): void {
    const session: Session = { id: `client${this.nextSession++}@${remote}`, socket, subscriptions: new Map(), advertised: new Map() };
    this.sessions.set(socket, session);
    (socket as unknown as { _socket?: { setNoDelay?: (v: boolean) => void } })._socket?.setNoDelay?.(true);
    this.log.record('connection', { client: session.id, clients: this.sessions.size });
    socket.on('message', (data, isBinary) => this.onFrame(session, isBinary ? null : data.toString()));
    socket.on('error', () => undefined); // 'close' follows
    socket.on('close', (code) => {
      this.sessions.delete(socket);
      this.log.record('disconnection', { client: session.id, code, clients: this.sessions.size });
      this.robot.clientGone(session.id);
    });
  }

  private onFrame(session: Session, text: string | null): void {
    if (this.closing) return;
    if (text === null) {
      this.drop(session, 'binary frame (rosbridge v2 JSON only)', '<binary>');
      return;
    }
    const parsed = parseFrame(text);
    if (!parsed.ok) {
      this.drop(session, parsed.error, text);
      return;
    }
    if (this.probe) {
      const op = parsed.op;
      this.probe.count(`in:${op.op}${'topic' in op ? ` ${op.topic}` : 'service' in op ? ` ${op.service}` : ''}`);
      this.probe.timed('handleFrame', () => this.handle(session, op, text));
      return;
    }
    this.handle(session, parsed.op, text);
  }

  private handle(session: Session, op: RosbridgeOp, text: string): void {
    const names = this.robot.profile.names;
    switch (op.op) {
      case 'subscribe': {
        const known = this.servedTopics().includes(op.topic);
        session.subscriptions.set(op.topic, { throttleMs: op.throttle_rate ?? 0, lastSentMs: -Infinity });
        this.log.record('subscribe', { client: session.id, topic: op.topic, known });
        if (!known) this.status(session, 'warning', `subscribed to ${op.topic}, which this robot does not publish`, op.id);
        if (op.topic === names.topics.status) this.publishStatus(this.robot.status);
        return;
      }
      case 'unsubscribe':
        session.subscriptions.delete(op.topic);
        return;
      case 'advertise': {
        const expected = op.topic === names.topics.command || op.topic === names.topics.effortCommand ? MSG_FLOAT64_MULTI_ARRAY : op.topic === names.topics.heartbeat ? MSG_EMPTY : undefined;
        if (expected && !sameType(op.type, expected)) {
          this.drop(session, `advertise ${op.topic} as ${op.type}; this robot takes ${expected} there`, text);
          return;
        }
        session.advertised.set(op.topic, op.type);
        this.log.record('advertise', { client: session.id, topic: op.topic, type: op.type });
        return;
      }
      case 'unadvertise':
        session.advertised.delete(op.topic);
        return;
      case 'publish':
        this.onPublish(session, op.topic, op.msg, text);
        return;
      case 'call_service':
        this.onCallService(session, op.service, op.id);
        return;
      default:
        this.drop(session, `op '${op.op}' is not accepted from a client here`, text);
    }
  }

  private onPublish(session: Session, topic: string, msg: Record<string, unknown>, text: string): void {
    const names = this.robot.profile.names;
    if (topic === names.topics.command) {
      const checked = checkFloat64MultiArray(msg, this.joints.name.length);
      if (!checked.ok) {
        this.drop(session, `command: ${checked.error}`, text);
        return;
      }
      const refused = this.robot.command(checked.value, session.id);
      if (refused) this.status(session, 'warning', `command refused: ${refused}`);
      return;
    }
    if (topic === names.topics.effortCommand) {
      const checked = checkEffortCommand(msg, this.joints.name);
      if (!checked.ok) {
        this.drop(session, `effort command: ${checked.error}`, text);
        return;
      }
      const refused = this.robot.commandEffort(checked.value.joints, checked.value.torquesNm, session.id);
      if (refused) this.status(session, 'warning', `effort command refused: ${refused}`);
      return;
    }
    if (topic === names.topics.heartbeat) {
      this.robot.heartbeat(session.id);
      return;
    }
    this.drop(session, `publish on ${topic}, which this robot does not take`, text);
  }

  private onCallService(session: Session, service: string, id: string | undefined): void {
    const s = this.robot.profile.names.services;
    this.log.record('service_call', { client: session.id, service, id });
    let values: { success: boolean; message: string };
    if (service === s.stop) {
      this.robot.stop(session.id);
      values = { success: true, message: 'protective stop (IEC 60204-1 category 2): holding position until armed' };
    } else if (service === s.arm) values = this.robot.arm(session.id);
    else if (service === s.reset) values = this.robot.reset(session.id);
    else {
      this.send(session, { op: 'service_response', ...(id ? { id } : {}), service, values: { success: false, message: `no service ${service} (type ${SRV_TRIGGER})` }, result: false });
      return;
    }
    this.send(session, { op: 'service_response', ...(id ? { id } : {}), service, values, result: true });
  }

  private drop(session: Session, reason: string, frame: string): void {
    this.log.record('dropped_frame', { client: session.id, direction: 'in', reason, frame: frame.slice(0, 200) });
    this.status(session, 'error', `dropped frame: ${reason}`);
  }

  private status(session: Session, level: StatusLevel, msg: string, id?: string): void {
    this.send(session, { op: 'status', ...(id ? { id } : {}), level, msg });
  }

  private send(session: Session, op: RosbridgeOp): void {
    if (session.socket.readyState === session.socket.OPEN) session.socket.send(encodeFrame(op));
  }

  private servedTopics(): string[] {
    const t = this.robot.profile.names.topics;
    return [t.jointStates, t.status, ...(this.robot.plant.task.withPuck ? [t.objectPose] : []), ...(this.camera ? [t.camera] : [])];
  }

  /** `agoMs`: how long before now the reading was taken (a measurement is stamped with its own time). */
  private header(frame: string, agoMs = 0): { stamp: { sec: number; nanosec: number }; frame_id: string } {
    // ROS stamps are wall-clock; derive them from the monotonic clock so they never step backwards
    return { stamp: timeFromMs(this.started + (performance.now() - this.startedMono) - agoMs), frame_id: frame };
  }

  private publish(topic: string, msg: Record<string, unknown>): void {
    let frame: string | undefined;
    const now = performance.now();
    for (const session of this.sessions.values()) {
      const sub = session.subscriptions.get(topic);
      if (!sub || now - sub.lastSentMs < sub.throttleMs) continue;
      sub.lastSentMs = now;
      frame ??= encodeFrame({ op: 'publish', topic, msg });
      this.probe?.count(`out:${topic}`);
      if (session.socket.readyState === session.socket.OPEN) session.socket.send(frame);
    }
  }

  private publishJointStates(): void {
    if (this.closing) return;
    const topic = this.robot.profile.names.topics.jointStates;
    if (!this.anySubscriber(topic)) return;
    this.robot.plant.readJoints(this.joints);
    // the joints as of the last physics step, stamped with that step's time, not the publish time
    const ago = Math.max(0, monotonicMs() - this.robot.stateTimeMs);
    this.publish(topic, { header: this.header('base_link', ago), ...this.joints });
  }

  private publishObjectPose(): void {
    if (this.closing) return;
    const topic = this.robot.profile.names.topics.objectPose;
    if (!this.anySubscriber(topic)) return;
    const pose = this.robot.plant.readObject();
    if (!pose) return;
    this.publish(topic, {
      header: this.header('base_link'),
      pose: { position: { x: pose.x, y: pose.y, z: pose.z }, orientation: { x: 0, y: 0, z: Math.sin(pose.yawRad / 2), w: Math.cos(pose.yawRad / 2) } },
    });
  }

  /** Render only when someone listens: a 64x64 frame costs well under a physics tick (bench/render.bench.ts). */
  private publishCamera(): void {
    if (this.closing || !this.camera) return;
    const topic = this.robot.profile.names.topics.camera;
    if (!this.anySubscriber(topic)) return;
    if (this.probe) this.probe.timed('cameraRender', () => this.publish(topic, imageMessage(this.camera!.capture(), this.header('camera'))));
    else this.publish(topic, imageMessage(this.camera.capture(), this.header('camera')));
  }

  private publishStatus(status: RobotStatus): void {
    this.publish(this.robot.profile.names.topics.status, { data: JSON.stringify(status) });
  }

  private anySubscriber(topic: string): boolean {
    for (const session of this.sessions.values()) if (session.subscriptions.has(topic)) return true;
    return false;
  }

  /** Stop serving: close every client (code 1001), stop the robot's loops, close the log's file last. */
  async close(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    for (const timer of this.timers) clearInterval(timer);
    for (const session of this.sessions.values()) session.socket.close(1001, 'emulator shutting down');
    await new Promise<void>((resolve) => {
      const force = setTimeout(() => {
        for (const session of this.sessions.values()) session.socket.terminate();
        resolve();
      }, 500);
      this.server.close(() => {
        clearTimeout(force);
        resolve();
      });
    });
    this.robot.dispose();
  }
}

/** `std_msgs/msg/Empty` and `std_msgs/Empty` name the same type (ROS 2 and ROS 1 spellings). */
function sameType(a: string, b: string): boolean {
  return a.replace('/msg/', '/') === b.replace('/msg/', '/');
}
