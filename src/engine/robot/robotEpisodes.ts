/**
 * Episodes on a robot, with the simulator's task semantics: an action in [-1, 1] moves each joint
 * target by up to the task's maxTargetStepRad (as SimEnv does), every command goes through the safety
 * layer, steps are paced at the task's control period in real time, and the observation, reward and
 * success come from the task's own functions applied to what the robot reports.
 *
 * The goal (push) or target (reach) is the engine's to choose, from the episode seed with the task's
 * own start distribution; for push it is placed relative to where the robot reports the puck.
 *
 * An episode is aborted (termination 'aborted') when the robot halts (stop, watchdog, link lost), the
 * link drops, or the safety layer stops it; the runner stays usable for the next episode.
 */
import { defaultAt } from '../config/schema';
import type { Experiment, SafetyConfig } from '../config/experiment';
import type { StepResult, Termination } from '../sim/env';
import { ARM, JOINT_COUNT, fingerPosition } from '../sim/tasks/arm';
import { TASK_DEFINITIONS } from '../sim/tasks';
import { JOINT_NAMES } from '../sim/tasks/tableScene';
import { newEpisodeStart, type EpisodeStart, type TaskDefinition } from '../sim/tasks/task';
import { Rng, deriveSeed } from '../util/rng';
import type { RobotAddressPolicy } from '../rosbridge/addressPolicy';
import type { ReconnectPolicy } from '../rosbridge/client';
import type { EventSink } from '../rosbridge/eventLog';
import type { EpisodePermit } from './motionAuthority';
import { mergeNames } from '../rosbridge/names';
import { RobotLink } from './robotLink';
import { SEED_STREAMS } from '../util/seedStreams';

export interface RobotEpisodeOptions {
  readonly policy: RobotAddressPolicy;
  readonly reconnect?: Partial<ReconnectPolicy>;
  readonly log?: (line: string) => void;
  readonly events?: EventSink;
  /** Waiting for the robot after a reset, ms. [default: 2000] */
  readonly resetTimeoutMs?: number;
  /** The motion session the link serves (motionAuthority.ts): its permits, its motion log. */
  readonly motion: { readonly session: string; readonly logPath?: string };
}

/** The safety config of the experiment, or the experiment schema's defaults with the arm's joint limits. */
export function safetyFor(experiment: Experiment): SafetyConfig {
  const path = ['robot', 'safety'];
  // the limits come from the schema (the one source of defaults); joint limits from the arm itself
  return experiment.robot?.safety ?? {
    speedScale: defaultAt<number>([...path, 'speed_scale']),
    limitedEpisodes: defaultAt<number>([...path, 'limited_episodes']),
    jointPositionLimits: ARM.jointLimitsRad.map(([lo, hi]) => [lo, hi] as const),
    maxJointVelocity: defaultAt<number>([...path, 'max_joint_velocity']),
    maxEffort: defaultAt<number>([...path, 'max_effort']),
    maxCommandDelta: defaultAt<number>([...path, 'max_command_delta']),
    clipActions: defaultAt<boolean>([...path, 'clip_actions']),
  };
}

export class RobotEpisodeRunner {
  readonly task: TaskDefinition;
  readonly observation: Float64Array;
  readonly result: StepResult = { reward: 0, done: true, success: false, termination: 'none' };
  /** Why the current episode was aborted, if it was. */
  abortReason: string | undefined;
  episodeIndex = -1;
  episodeStep = 0;

  private readonly targets = new Float64Array(JOINT_COUNT);
  private readonly start = newEpisodeStart();
  private readonly goal = new Float64Array(2);
  private readonly tip = new Float64Array(2);
  private deadlineMs = 0;
  private lastPose: { x: number; y: number; t: number } | undefined;
  private readonly puckVelocity = new Float64Array(2);
  private readonly log: (line: string) => void;

  private constructor(
    readonly link: RobotLink,
    experiment: Experiment,
    private readonly options: RobotEpisodeOptions,
  ) {
    this.task = TASK_DEFINITIONS[experiment.task];
    this.observation = new Float64Array(this.task.info.observationSize);
    this.log = options.log ?? ((line) => process.stderr.write(line + '\n'));
  }

  static async connect(experiment: Experiment, url: string, options: RobotEpisodeOptions): Promise<RobotEpisodeRunner> {
    const task = TASK_DEFINITIONS[experiment.task];
    if (!task) throw new Error(`unknown task '${experiment.task}'`);
    const robot = experiment.robot;
    const link = await RobotLink.connect({
      url,
      policy: options.policy,
      names: robot ? { topics: robot.topics, services: robot.services } : mergeNames(),
      jointNames: JOINT_NAMES,
      safety: safetyFor(experiment),
      controlPeriodS: task.controlPeriodS,
      trackObject: task.withPuck,
      watchdogMs: robot?.watchdogMs ?? 100,
      connectTimeoutMs: robot?.connectTimeoutMs ?? 3000,
      reconnect: options.reconnect,
      tipPosition: (q) => {
        const out = new Float64Array(2);
        fingerPosition(q, out);
        return { x: out[0], y: out[1] };
      },
      log: options.log,
      events: options.events,
      motion: options.motion,
    });
    return new RobotEpisodeRunner(link, experiment, options);
  }

  get controlPeriodMs(): number {
    return this.task.controlPeriodS * 1000;
  }

  /**
   * Start an episode the motion authority permitted. Never throws for robot-side trouble (or a
   * missing permit): the episode is marked aborted instead, and nothing moved.
   */
  async reset(episodeSeed: number, permit: EpisodePermit | undefined): Promise<void> {
    const r = this.result;
    r.reward = 0;
    r.success = false;
    r.done = false;
    r.termination = 'none';
    this.episodeStep = 0;
    this.abortReason = undefined;
    this.lastPose = undefined;
    this.puckVelocity.fill(0);
    this.task.sampleStart(new Rng(deriveSeed(episodeSeed, SEED_STREAMS.episode.start, 0)), this.start);
    try {
      if (!permit) throw new Error('no person or rule started this episode (no permit from the motion authority); nothing was sent');
      this.episodeIndex = await this.link.beginEpisode(permit, this.options.resetTimeoutMs ?? 2000);
    } catch (error) {
      this.abort(`episode could not start: ${(error as Error).message}`);
      return;
    }
    const q = this.link.joints!.position;
    for (let i = 0; i < JOINT_COUNT; i++) this.targets[i] = q[i];
    if (this.task.withPuck) {
      const p = this.link.objectPose!.pose.position;
      goalFromPuck(this.start, p.x, p.y, this.goal);
    } else {
      this.goal[0] = this.start.goalXY[0];
      this.goal[1] = this.start.goalXY[1];
    }
    this.buildObservation();
    this.deadlineMs = performance.now() + this.controlPeriodMs;
  }

  /** One control step in real time. */
  async step(action: ArrayLike<number>): Promise<StepResult> {
    const r = this.result;
    if (r.done) return r;
    const maxStep = this.task.maxTargetStepRad;
    const next = new Float64Array(JOINT_COUNT);
    for (let i = 0; i < JOINT_COUNT; i++) {
      const a = action[i];
      const [low, high] = ARM.jointLimitsRad[i];
      // a non-finite action is a broken policy: it must reach the safety layer (and stop the robot),
      // not be clipped into a plausible command as the simulator does
      next[i] = Number.isFinite(a) ? Math.min(high, Math.max(low, this.targets[i] + Math.max(-1, Math.min(1, a)) * maxStep)) : NaN;
    }
    const outcome = this.link.sendCommand(next, this.episodeIndex);
    if (outcome.sent) this.targets.set(outcome.verdict.command);
    else if (outcome.why === 'link_down') return this.abort(`link lost mid-episode: ${outcome.message}`);
    else if (outcome.why === 'stopped' || outcome.why === 'violation' || outcome.why === 'no_permit') return this.abort(outcome.message);
    // 'congested' / 'no_state': the robot keeps its last target for this step

    const wait = this.deadlineMs - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    this.deadlineMs = Math.max(this.deadlineMs + this.controlPeriodMs, performance.now());
    this.episodeStep++;

    const status = this.link.robotStatus;
    // our own stop first: its message names who stopped (the robot's halt that follows only says 'stop')
    if (this.link.stopLatch) return this.abort(`stopped: ${this.link.stopLatch.message}`);
    if (!this.link.isOpen || !this.link.joints) return this.abort(`link lost mid-episode: ${this.link.client.address} is ${this.link.client.linkState}`);
    if (status?.state === 'halted') return this.abort(`robot halted: ${status.reason ?? 'unknown'}${status.detail ? ` (${status.detail})` : ''}`);

    this.buildObservation();
    r.reward = this.task.reward(this.observation);
    r.success = this.task.success(this.observation);
    if (r.success) {
      r.done = true;
      r.termination = 'success';
    } else if (this.episodeStep >= this.task.info.maxEpisodeSteps) {
      r.done = true;
      r.termination = 'timeout';
    }
    return r;
  }

  private abort(reason: string): StepResult {
    const r = this.result;
    this.abortReason = reason;
    r.reward = 0;
    r.success = false;
    r.done = true;
    r.termination = 'aborted' satisfies Termination;
    this.log(`episode ${this.episodeIndex} aborted: ${reason}`);
    this.options.events?.record('warning', { message: `episode aborted: ${reason}` });
    return r;
  }

  /** The task's observation from the robot's reports: [q, dq, tip xy, (puck xy, puck v xy,) goal xy]. */
  private buildObservation(): void {
    const o = this.observation;
    const joints = this.link.joints;
    if (!joints) return;
    for (let i = 0; i < JOINT_COUNT; i++) {
      o[i] = joints.position[i];
      o[3 + i] = joints.velocity[i] ?? 0;
    }
    // the tip from the encoders, as a real robot's forward kinematics would compute it
    fingerPosition(joints.position, this.tip);
    o[6] = this.tip[0];
    o[7] = this.tip[1];
    if (this.task.withPuck) {
      const pose = this.link.objectPose;
      if (pose) {
        const p = pose.pose.position;
        const t = pose.header.stamp.sec + pose.header.stamp.nanosec * 1e-9;
        // the tracker reports poses only: velocity by differencing consecutive stamps
        if (this.lastPose && t > this.lastPose.t) {
          this.puckVelocity[0] = (p.x - this.lastPose.x) / (t - this.lastPose.t);
          this.puckVelocity[1] = (p.y - this.lastPose.y) / (t - this.lastPose.t);
        }
        if (!this.lastPose || t > this.lastPose.t) this.lastPose = { x: p.x, y: p.y, t };
        o[8] = p.x;
        o[9] = p.y;
      }
      o[10] = this.puckVelocity[0];
      o[11] = this.puckVelocity[1];
      o[12] = this.goal[0];
      o[13] = this.goal[1];
    } else {
      o[8] = this.goal[0];
      o[9] = this.goal[1];
    }
  }

  close(): Promise<void> {
    return this.link.close();
  }
}

/**
 * The goal of a robot episode: the task's distance from the puck and its direction relative to
 * straight outward (from the shoulder), taken from the sampled start and applied from where the puck
 * really is. Keeping the sampled offset vector instead turned it by the difference of two
 * independent puck bearings: goals up to ±0.75 rad off outward where the task trains ±0.25, which
 * cost a policy 35 points of success on the emulator with no physical mismatch at all
 * (docs/calibration.md).
 */
export function goalFromPuck(start: EpisodeStart, puckX: number, puckY: number, out: Float64Array): void {
  const dx = start.goalXY[0] - start.puckXY[0];
  const dy = start.goalXY[1] - start.puckXY[1];
  const turn = Math.atan2(dy, dx) - Math.atan2(start.puckXY[1], start.puckXY[0]);
  const direction = Math.atan2(puckY, puckX) + turn;
  const distance = Math.hypot(dx, dy);
  out[0] = puckX + distance * Math.cos(direction);
  out[1] = puckY + distance * Math.sin(direction);
}
