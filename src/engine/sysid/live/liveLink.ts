/**
 * The robot as the live identification procedures see it: a RobotLink (every command through the
 * safety layer) plus a recorder of every joint state, a control-period clock that honours the
 * AbortSignal, and three moves: hold a pose, ramp to a pose, drive one joint by torque.
 *
 * Any failure or cancellation ends in a protective stop (`abort`): a procedure never leaves a joint
 * coasting under a torque command.
 *
 * A procedure is one episode for the robot's motion authority: on a real robot a person confirms
 * the emergency stop and starts it; the bundled emulator runs unattended.
 */
import { resolve } from 'node:path';
import type { Experiment } from '../../config/experiment';
import { RobotAddressPolicy } from '../../rosbridge/addressPolicy';
import { monotonicMs } from '../../util/clock';
import type { JointStateMsg } from '../../rosbridge/messages';
import { mergeNames } from '../../rosbridge/names';
import { motionAuthorityFor, MotionRefused, type MotionAttendance, type MotionAuthority } from '../../robot/motionAuthority';
import { safetyFor } from '../../robot/robotEpisodes';
import { RobotLink } from '../../robot/robotLink';
import { TASK_DEFINITIONS } from '../../sim/tasks';
import { ARM, fingerPosition, JOINT_COUNT } from '../../sim/tasks/arm';
import { JOINT_NAMES } from '../../sim/tasks/tableScene';
import type { SafetyConfig } from '../../config/experiment';
import { SysidError } from '../frictionFit';
import type { SysidResult } from '../types';

/** What every live result starts with: the experiment, the robot it was measured on, when. */
export type LiveResultHeader = Pick<SysidResult, 'version' | 'experimentFile' | 'experiment' | 'task' | 'source' | 'createdAt'>;

/** One joint state as recorded: the robot's stamp (s), its arrival (monotonic ms) and the readings. */
export interface Sample {
  readonly stampS: number;
  readonly receivedMs: number;
  readonly position: readonly number[];
  readonly velocity: readonly number[];
  readonly effort: readonly number[];
}

export class Recording {
  readonly samples: Sample[] = [];
  constructor(private readonly detach: () => void) {}
  stop(): Sample[] {
    this.detach();
    return this.samples;
  }
}

export interface SysidLinkOptions {
  /** Addresses the user configured; the robot's must be one of them. */
  readonly allowedAddresses: readonly string[];
  readonly signal?: AbortSignal;
  /** Lines for people (each run of a procedure, what it measured). */
  readonly log: (line: string) => void;
  /** The person (or why there is none), for the motion authority. */
  readonly attendance: MotionAttendance;
  /** What moves the robot, in the user's words. [default: 'system identification'] */
  readonly path?: string;
  readonly motionLogPath?: string;
}

export class SysidLink {
  readonly safety: SafetyConfig;
  readonly controlPeriodS: number;
  readonly jointNames: readonly string[] = JOINT_NAMES;
  /** Travel each joint may use, rad: the arm's limits within the safety limits, less a margin. */
  readonly windowRad: readonly (readonly [number, number])[];
  /** Last position command sent, rad (the reference of the next ramp step). */
  private lastTargets: number[] | undefined;

  private constructor(
    readonly link: RobotLink,
    experiment: Experiment,
    private readonly signal: AbortSignal | undefined,
    /** Lines for people (each run of a procedure, what it measured). */
    readonly log: (line: string) => void,
    private readonly motion: MotionAuthority,
  ) {
    this.safety = safetyFor(experiment);
    this.controlPeriodS = TASK_DEFINITIONS[experiment.task].controlPeriodS;
    this.windowRad = ARM.jointLimitsRad.map(([lo, hi], i) => {
      const [slo, shi] = this.safety.jointPositionLimits[i] ?? [lo, hi];
      return [Math.max(lo, slo) + WINDOW_MARGIN_RAD, Math.min(hi, shi) - WINDOW_MARGIN_RAD] as const;
    });
  }

  static async connect(experiment: Experiment, address: string, options: SysidLinkOptions): Promise<SysidLink> {
    const { allowedAddresses, signal, log } = options;
    const motion = motionAuthorityFor(experiment, address, options.path ?? 'system identification', options.attendance, options.motionLogPath);
    // a real robot with nobody to ask: refused before a socket opens
    motion.preflight();
    const robot = experiment.robot;
    const task = TASK_DEFINITIONS[experiment.task];
    const link = await RobotLink.connect({
      url: address,
      policy: RobotAddressPolicy.fromConfigured(allowedAddresses),
      names: robot ? { topics: robot.topics, services: robot.services } : mergeNames(),
      jointNames: JOINT_NAMES,
      safety: safetyFor(experiment),
      controlPeriodS: task.controlPeriodS,
      // the tracked object only for its sensor noise at rest (sensorNoise.ts)
      trackObject: task.withPuck,
      watchdogMs: robot?.watchdogMs ?? 100,
      connectTimeoutMs: robot?.connectTimeoutMs ?? 3000,
      // a lost link mid-procedure ends the procedure; it is not silently resumed
      reconnect: { enabled: false },
      tipPosition: (q) => {
        const out = new Float64Array(2);
        fingerPosition(q, out);
        return { x: out[0], y: out[1] };
      },
      log,
      motion: { session: motion.session, ...(motion.log.path ? { logPath: motion.log.path } : {}) },
    });
    try {
      await link.waitFor(() => link.robotStatus !== undefined, robot?.connectTimeoutMs ?? 3000, 'robot status').catch(() => undefined);
      motion.identify(link.robotStatus);
    } catch (error) {
      await link.close();
      motion.close();
      throw error;
    }
    return new SysidLink(link, experiment, signal, log, motion);
  }

  /** The motion authority's leave (a person's start, on a real robot), then reset, arm and a fresh joint state. */
  async begin(): Promise<void> {
    const permit = await this.motion.permitEpisode({
      episode: 1,
      of: 1,
      ...(this.link.robotStatus ? { robot: this.link.robotStatus } : {}),
      ...(this.link.stopLatch ? { stopped: this.link.stopLatch.message } : {}),
    });
    await this.link.beginEpisode(permit, 5000);
    this.lastTargets = undefined;
  }

  get joints(): JointStateMsg {
    const j = this.link.joints;
    if (!j) throw new SysidError(`no joint state from the robot at ${this.link.client.address}`);
    return j;
  }

  record(): Recording {
    const recording: Recording = new Recording(() => detach());
    const detach = this.link.onJointState((msg, receivedMs) => {
      recording.samples.push({ stampS: msg.header.stamp.sec + msg.header.stamp.nanosec * 1e-9, receivedMs, position: [...msg.position], velocity: [...msg.velocity], effort: [...msg.effort] });
    });
    return recording;
  }

  /** Wait one control period (or `ms`); throws an AbortError when cancelled, a SysidError when the robot halted. */
  async tick(ms = this.controlPeriodS * 1000): Promise<void> {
    this.throwIfAborted();
    await new Promise((r) => setTimeout(r, ms));
    this.throwIfAborted();
    const latch = this.link.stopLatch;
    if (latch) throw new SysidError(`the robot was stopped: ${latch.message}`);
    const status = this.link.robotStatus;
    if (status?.state === 'halted') throw new SysidError(`the robot halted (${status.reason}${status.detail ? `: ${status.detail}` : ''})`);
    if (!this.link.isOpen) throw new SysidError(`the link to ${this.link.client.address} closed`);
  }

  throwIfAborted(): void {
    if (this.signal?.aborted) {
      const error = new Error('system identification cancelled');
      error.name = 'AbortError';
      throw error;
    }
  }

  /** Largest position-command step the safety layer lets through unclipped, rad. */
  get rampStepRad(): number {
    const s = this.safety;
    return 0.9 * Math.min(s.maxCommandDelta, s.maxJointVelocity * this.controlPeriodS) * s.speedScale;
  }

  /** Send position targets (every joint back in position mode). */
  hold(targetsRad: readonly number[]): void {
    const outcome = this.link.sendCommand(targetsRad, 0);
    if (!outcome.sent) throw new SysidError(`position command not sent: ${outcome.message}`);
    this.lastTargets = Array.from(outcome.verdict.command);
  }

  /** Hold every joint where it is measured now. */
  holdHere(): void {
    this.lastTargets = undefined;
    this.hold(this.joints.position);
  }

  /**
   * Ramp to `pose` one joint at a time (the outermost first), at the safety layer's step, then wait
   * until the arm is there and at rest. One joint at a time: a light outer link driven through
   * the reaction of an inner one moving overshoots its own target (seen at 2.7 rad/s on the wrist).
   */
  async moveTo(pose: readonly number[], timeoutS = 60): Promise<void> {
    const deadline = monotonicMs() + timeoutS * 1000;
    let targets = this.lastTargets ?? [...this.joints.position];
    const step = this.rampStepRad;
    const fail = (): never => {
      const j = this.joints;
      const worst = j.position.map((q, i) => Math.abs(q - pose[i]!)).reduce((a, b, i, all) => (b > all[a]! ? i : a), 0);
      throw new SysidError(`joint '${this.jointNames[worst]}' did not reach ${pose[worst]!.toFixed(3)} rad within ${timeoutS} s (at ${j.position[worst]!.toFixed(3)} rad)`);
    };
    for (let i = JOINT_COUNT - 1; i >= 0; i--) {
      while (targets[i] !== pose[i]) {
        // never more than four steps ahead of where the joint is measured: if the robot stalls and then
        // takes a burst of queued targets, the last one is still close to the joint
        const measured = this.joints.position[i]!;
        const next = targets[i]! + Math.max(-step, Math.min(step, pose[i]! - targets[i]!));
        targets = [...targets];
        targets[i] = Math.abs(next - pose[i]!) < 1e-12 ? pose[i]! : Math.max(measured - 4 * step, Math.min(measured + 4 * step, next));
        this.hold(targets);
        await this.tick();
        if (monotonicMs() > deadline) fail();
      }
    }
    // Something in the way (the puck against a folded link, seen on the moderate profile) can hold a
    // joint a few centimetres short: at rest that close for a while is good enough to start from,
    // since every run moves away from the end it starts at.
    let restingNearSince: number | undefined;
    for (;;) {
      const j = this.joints;
      const atRest = j.velocity.every((v) => Math.abs(v) < AT_REST_RAD_PER_S);
      const error = Math.max(...j.position.map((q, i) => Math.abs(q - pose[i]!)));
      if (atRest && error < ARRIVED_RAD) return;
      if (atRest && error < NEAR_ENOUGH_RAD) {
        restingNearSince ??= monotonicMs();
        if (monotonicMs() - restingNearSince > NEAR_ENOUGH_REST_MS) return;
      } else restingNearSince = undefined;
      if (monotonicMs() > deadline) fail();
      this.hold(pose);
      await this.tick();
    }
  }

  /** Torque on one joint, N·m; the others keep their position targets. */
  effort(joint: number, torqueNm: number): void {
    const outcome = this.link.sendEffort([this.jointNames[joint]!], [torqueNm]);
    if (!outcome.sent) throw new SysidError(`joint '${this.jointNames[joint]}': effort command not sent: ${outcome.message}`);
    this.lastTargets = undefined;
  }

  /** Protective stop (cancellation, failure): written to the socket before this returns. */
  async abort(reason: string): Promise<void> {
    if (this.link.isOpen && !this.link.stopLatch) await this.link.stop(reason);
  }

  async close(): Promise<void> {
    await this.link.close();
    this.motion.close();
  }

  /**
   * Connect, reset the robot and run a procedure on the link. A failure or a cancellation ends in a
   * protective stop before the error goes on; the link is closed either way.
   */
  static async run<T>(experiment: Experiment, address: string, options: SysidLinkOptions, procedure: (link: SysidLink) => Promise<T>): Promise<T> {
    const link = await SysidLink.connect(experiment, address, options);
    try {
      try {
        await link.begin();
      } catch (error) {
        // refused before anything moved: nothing to stop
        if (error instanceof MotionRefused) throw error;
        await link.abort(`system identification failed: ${(error as Error).message}`);
        throw error;
      }
      try {
        return await procedure(link);
      } catch (error) {
        const cancelled = error instanceof Error && error.name === 'AbortError';
        await link.abort(cancelled ? 'system identification cancelled' : `system identification failed: ${(error as Error).message}`);
        throw error;
      }
    } finally {
      await link.close();
    }
  }

  /** The header of a result measured on this link now. */
  resultHeader(experiment: Experiment, experimentFile: string): LiveResultHeader {
    return {
      version: 1,
      experimentFile: resolve(experimentFile),
      experiment: experiment.name,
      task: experiment.task,
      source: { kind: 'robot', address: this.link.client.address },
      createdAt: new Date().toISOString(),
    };
  }
}

/** Margin kept from each end of a joint's travel, rad. */
const WINDOW_MARGIN_RAD = 0.25;
const ARRIVED_RAD = 0.03;
/** A joint held this close to its pose, at rest for NEAR_ENOUGH_REST_MS, starts from where it is. */
const NEAR_ENOUGH_RAD = 0.1;
const NEAR_ENOUGH_REST_MS = 2000;
const AT_REST_RAD_PER_S = 0.15;

export { JOINT_COUNT };
