/**
 * The one rule on what may move a robot. Every path that moves one (batch evaluation, pipeline
 * stages, the final evaluation, system identification, perception's camera resets, the safe-test
 * console) asks a MotionAuthority for a permit, and the robot link (robotLink.ts) resets, arms or
 * commands the robot only with one:
 *
 * - The bundled emulator may run unattended: the experiment says `adapter: emulator` and the robot
 *   announces itself as the emulator in its own status. Anything else is a real robot, so a real
 *   robot behind a wrong `adapter:` line is still treated as one.
 * - A real robot moves only with a person: the emergency stop confirmed within reach before the
 *   session's first motion, and each episode started by a person, or each supervised batch of up
 *   to `robot.episodes_per_start` episodes; a protective stop ends a batch.
 * - After a protective stop (safety layer, stop button, Stop Robot command, watchdog, link loss)
 *   nothing moves any robot until a person re-arms it. Nothing re-arms by itself.
 *
 * The authority lives on the thread that can reach the person (a terminal, VS Code's dialogs, the
 * console); permits are plain data, so they cross to a link in another thread with its requests.
 * Every decision goes to the motion log (motionLog.ts).
 */
import { randomBytes } from 'node:crypto';
import type { Experiment, RobotConfig } from '../config/experiment';
import type { RobotStatus } from '../rosbridge/messages';
import { MotionLog } from './motionLog';

export type RobotKind = 'emulator' | 'real';

/** The bundled emulator only when the experiment and the robot's own status both say so. */
export function robotKindOf(adapter: RobotConfig['adapter'] | undefined, status: RobotStatus | undefined): RobotKind {
  return adapter === 'emulator' && status?.emulator === true ? 'emulator' : 'real';
}

export interface MotionPrompt {
  readonly address: string;
  /** What is about to move the robot: "sim2real eval --robot", "Evaluate on Robot", "pipeline stage 'tune' (real_finetune)". */
  readonly path: string;
  /** The question, one paragraph for a person. */
  readonly message: string;
}

export interface StartPrompt extends MotionPrompt {
  /** 1-based number of the first episode this start covers, how many it covers, of how many planned. */
  readonly first: number;
  readonly count: number;
  readonly of?: number;
}

export interface RearmPrompt extends MotionPrompt {
  /** Why the robot stopped. */
  readonly cause: string;
}

/** A person, reached however the path reaches one. Each answer is a person's, never a default. */
export interface Attendant {
  /** Where the person answers, for the log: 'terminal', 'VS Code', 'safe-test console'. */
  readonly channel: string;
  confirmEmergencyStop(prompt: MotionPrompt): Promise<boolean>;
  startEpisodes(prompt: StartPrompt): Promise<boolean>;
  rearm(prompt: RearmPrompt): Promise<boolean>;
}

export type MotionRule = 'real_robot_needs_a_person' | 'emergency_stop_not_confirmed' | 'episode_not_started' | 'rearm_needed' | 'not_rearmed';

/** The rule refused a motion; nothing was sent to the robot for it. */
export class MotionRefused extends Error {
  constructor(
    readonly rule: MotionRule,
    message: string,
  ) {
    super(message);
    this.name = 'MotionRefused';
  }
}

/** Leave to reset, arm and command the robot for one episode. */
export interface EpisodePermit {
  readonly kind: 'episode';
  readonly session: string;
  readonly episode: number;
  /** Who or what started it, as logged. */
  readonly startedBy: string;
  /** No person started it: only the bundled emulator may be moved so (the link checks the robot's status again). */
  readonly unattended: boolean;
  /** The robot was halted before this session's first motion, and may be armed from that halt. */
  readonly armFromHalt: boolean;
}

/** A person's decision to move again after a protective stop. */
export interface RearmPermit {
  readonly kind: 'rearm';
  readonly session: string;
  readonly by: string;
}

/** How a path reaches a person: the attendant, or why there is none and how to run the path attended. */
export interface MotionAttendance {
  readonly attendant?: Attendant;
  readonly unattended?: { readonly why: string; readonly howToAttend: string };
}

export interface MotionAuthorityOptions extends MotionAttendance {
  /** The robot's address (the one configured). */
  readonly address: string;
  readonly adapter: RobotConfig['adapter'] | undefined;
  /** What moves the robot, for questions, refusals and the log. */
  readonly path: string;
  /** One person's start runs at most this many episodes (robot.episodes_per_start). [default: 1] */
  readonly episodesPerStart?: number;
  /** motion-log.jsonl of the run; without it nothing is logged (tests). */
  readonly logPath?: string;
}

export interface EpisodeRequest {
  /** 1-based, counted over what the path runs. */
  readonly episode: number;
  readonly of?: number;
  /** The robot's latest status, as the link last saw it. */
  readonly robot?: RobotStatus;
  /** The link's stop latch, if it is set: why the robot was stopped. */
  readonly stopped?: string;
  /** A person's start already in hand (the console's "Start episode" press), by channel. */
  readonly startedBy?: string;
}

/** The authority for moving the experiment's robot at `address` along `path`. */
export function motionAuthorityFor(experiment: Experiment, address: string, path: string, attendance: MotionAttendance, logPath?: string): MotionAuthority {
  return new MotionAuthority({
    address,
    adapter: experiment.robot?.adapter,
    path,
    episodesPerStart: experiment.robot?.episodesPerStart ?? 1,
    ...(attendance.attendant ? { attendant: attendance.attendant } : {}),
    ...(attendance.unattended ? { unattended: attendance.unattended } : {}),
    ...(logPath ? { logPath } : {}),
  });
}

const NOT_RE_ARMED_BY_ITSELF = 'after a protective stop nothing moves the robot until a person re-arms it';

export class MotionAuthority {
  readonly session = randomBytes(6).toString('hex');
  readonly log: MotionLog;
  private kindValue: RobotKind | undefined;
  private estopConfirmed = false;
  private batchLeft = 0;
  private batchStartedAt = 0;
  /** An episode was permitted in this session: halts from now on are this session's stops. */
  private moved = false;
  private episodes = 0;
  private closed = false;

  constructor(readonly options: MotionAuthorityOptions) {
    this.log = new MotionLog(options.logPath, this.session);
  }

  /**
   * Before any socket opens: a robot the experiment does not declare as the bundled emulator is a
   * real robot, and with nobody to ask the path is refused here.
   */
  preflight(): void {
    const { adapter, attendant, address, path } = this.options;
    if (adapter === 'emulator' || attendant) return;
    this.log.record('refused', { rule: 'real_robot_needs_a_person', address, path, adapter: adapter ?? null });
    throw this.refusal('real_robot_needs_a_person', `${address} is a real robot (adapter: ${adapter ?? 'none'})`);
  }

  get kind(): RobotKind | undefined {
    return this.kindValue;
  }

  get attended(): boolean {
    return this.options.attendant !== undefined;
  }

  /**
   * The robot answered. It is the bundled emulator only if the experiment and its own status both
   * say so; a real robot with nobody to ask is refused here, before anything moves.
   */
  identify(status: RobotStatus | undefined): RobotKind {
    const { address, adapter, path, attendant } = this.options;
    const kind = robotKindOf(adapter, status);
    this.kindValue = kind;
    this.log.record('session_open', {
      address,
      path,
      adapter: adapter ?? null,
      announcedEmulator: status?.emulator === true,
      robot: kind,
      attended: attendant !== undefined,
      ...(attendant ? { channel: attendant.channel } : {}),
      episodesPerStart: this.episodesPerStart,
      robotState: status ? `${status.state}${status.reason ? ` (${status.reason})` : ''}` : 'no status',
    });
    if (kind === 'real' && !attendant) {
      const why =
        adapter === 'emulator'
          ? `the experiment says adapter: emulator, but ${address} does not announce itself as the bundled emulator in its status, so it is treated as a real robot`
          : `${address} is a real robot (adapter: ${adapter ?? 'none'})`;
      this.log.record('refused', { rule: 'real_robot_needs_a_person', address, path });
      throw this.refusal('real_robot_needs_a_person', why);
    }
    return kind;
  }

  /**
   * Leave for the next episode: for a real robot the emergency stop confirmed, then a person's start
   * (or one left in the person's supervised batch). A robot stopped in this session needs a re-arm
   * first (`permitRearm`); one halted before the session's first motion is armed only as a person
   * decides (the emulator may be armed after a watchdog or link-loss halt of an earlier session).
   */
  async permitEpisode(request: EpisodeRequest): Promise<EpisodePermit> {
    const kind = this.requireKind();
    const { attendant } = this.options;
    if (request.stopped !== undefined) throw this.refuseRearmNeeded(request.stopped);
    const status = request.robot;
    const halt = status?.state === 'halted' && status.reason !== 'not_armed' ? `${status.reason ?? 'halted'}${status.detail ? `: ${status.detail}` : ''}` : undefined;
    if (halt !== undefined && this.moved) throw this.refuseRearmNeeded(`robot halted (${halt})`);
    if (kind === 'real') await this.confirmEmergencyStop();

    // Halted before this session moved anything: left over from an earlier session. A stop or a
    // safety halt was a decision, undone only by an explicit re-arm; after a watchdog or link-loss
    // halt (the end of any earlier session) the person's start, told so, is the re-arm, and the
    // bundled emulator is armed unattended.
    let armFromHalt = false;
    let startRearms: string | undefined;
    if (halt !== undefined) {
      const leftOver = status!.reason === 'watchdog' || status!.reason === 'link_lost';
      armFromHalt = true;
      if (!leftOver) await this.askRearm(`the robot is halted from before this session (${halt})`);
      else if (kind === 'emulator' && request.startedBy === undefined) this.log.record('rearm', { by: 'unattended: bundled emulator', cause: `halted before this session (${halt})` });
      else startRearms = `halted since before this session (${halt})`;
    }

    let startedBy: string;
    let unattended = false;
    if (request.startedBy !== undefined) {
      startedBy = request.startedBy;
      this.batchLeft = 0;
    } else if (kind === 'emulator') {
      startedBy = 'unattended: bundled emulator';
      unattended = true;
    } else if (this.batchLeft > 0 && startRearms === undefined) {
      startedBy = `supervised batch started by a person (${attendant!.channel}) at episode ${this.batchStartedAt}`;
      this.batchLeft -= 1;
    } else {
      const count = Math.max(1, Math.min(this.episodesPerStart, request.of !== undefined ? request.of - request.episode + 1 : this.episodesPerStart));
      const last = request.episode + count - 1;
      const episodes = count === 1 ? `episode ${request.episode}` : `episodes ${request.episode}-${last}`;
      const message =
        (startRearms ? `The robot is ${startRearms}: starting re-arms it. ` : '') +
        `Start ${episodes}${request.of !== undefined ? ` of ${request.of}` : ''} on ${this.options.address} (${this.options.path})? ` +
        (count > 1 ? `One start runs this supervised batch of ${count}; any protective stop ends it. ` : '') +
        'Stand by the emergency stop.' +
        // many starts ahead: say how to start them in batches
        (this.episodesPerStart === 1 && request.of !== undefined && request.episode === 1 && request.of > 10 ? ' (robot.episodes_per_start lets one start run a supervised batch.)' : '');
      const yes = await attendant!.startEpisodes({ address: this.options.address, path: this.options.path, message, first: request.episode, count, ...(request.of !== undefined ? { of: request.of } : {}) });
      if (!yes) {
        this.log.record('start_declined', { episode: request.episode, channel: attendant!.channel });
        throw new MotionRefused('episode_not_started', `episode ${request.episode} on ${this.options.address} was not started by a person; nothing moved`);
      }
      this.log.record('episodes_started', { first: request.episode, count, ...(request.of !== undefined ? { of: request.of } : {}), by: `person (${attendant!.channel})` });
      startedBy = `person (${attendant!.channel})`;
      this.batchLeft = count - 1;
      this.batchStartedAt = request.episode;
    }
    if (startRearms !== undefined) this.log.record('rearm', { by: startedBy, cause: startRearms, withStart: true });
    this.moved = true;
    this.episodes += 1;
    this.log.record('episode_start', { episode: request.episode, ...(request.of !== undefined ? { of: request.of } : {}), startedBy, ...(armFromHalt ? { armFromHalt } : {}) });
    return { kind: 'episode', session: this.session, episode: request.episode, startedBy, unattended, armFromHalt };
  }

  /** A person's decision to move again after a protective stop; ends a supervised batch. Refused with nobody to ask. */
  async permitRearm(cause: string): Promise<RearmPermit> {
    this.requireKind();
    if (this.kindValue === 'real') await this.confirmEmergencyStop();
    const by = await this.askRearm(cause);
    return { kind: 'rearm', session: this.session, by };
  }

  /** A protective stop the path saw: a supervised batch ends with it (the link latches on its own). */
  noteStop(): void {
    this.batchLeft = 0;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.kindValue !== undefined) this.log.record('session_close', { episodes: this.episodes });
  }

  private get episodesPerStart(): number {
    return Math.max(1, Math.floor(this.options.episodesPerStart ?? 1));
  }

  private requireKind(): RobotKind {
    if (this.kindValue === undefined) throw new Error('motion authority: identify() the robot before asking for a permit');
    return this.kindValue;
  }

  private async confirmEmergencyStop(): Promise<void> {
    if (this.estopConfirmed) return;
    const attendant = this.options.attendant!;
    const message =
      `${this.options.address} is a real robot and ${this.options.path} is about to move it. ` +
      'Confirm that its hardware emergency stop is within your reach. The software stop is a protective stop, never a replacement for it.';
    const yes = await attendant.confirmEmergencyStop({ address: this.options.address, path: this.options.path, message });
    if (!yes) {
      this.log.record('estop_declined', { channel: attendant.channel });
      throw new MotionRefused('emergency_stop_not_confirmed', `the emergency stop was not confirmed within reach; nothing moved ${this.options.address}`);
    }
    this.estopConfirmed = true;
    this.log.record('estop_confirmed', { by: `person (${attendant.channel})` });
  }

  private async askRearm(cause: string): Promise<string> {
    this.batchLeft = 0;
    const attendant = this.options.attendant;
    if (!attendant) {
      this.log.record('refused', { rule: 'not_rearmed', cause });
      throw new MotionRefused('not_rearmed', `${cause}; ${NOT_RE_ARMED_BY_ITSELF}, and nobody can be asked here (${this.options.unattended?.why ?? 'no person'}). ${this.options.unattended?.howToAttend ?? ''}`.trim());
    }
    const message = `The robot at ${this.options.address} stopped: ${cause}. Check the cause before it moves again. Re-arm it and go on (${this.options.path})?`;
    const yes = await attendant.rearm({ address: this.options.address, path: this.options.path, message, cause });
    if (!yes) {
      this.log.record('rearm_declined', { cause, channel: attendant.channel });
      throw new MotionRefused('not_rearmed', `${cause}; not re-armed: ${NOT_RE_ARMED_BY_ITSELF}`);
    }
    const by = `person (${attendant.channel})`;
    this.log.record('rearm', { by, cause });
    return by;
  }

  private refuseRearmNeeded(cause: string): MotionRefused {
    this.log.record('refused', { rule: 'rearm_needed', cause });
    return new MotionRefused('rearm_needed', `${cause}; ${NOT_RE_ARMED_BY_ITSELF}`);
  }

  private refusal(rule: MotionRule, why: string): MotionRefused {
    const how = this.options.unattended?.howToAttend ?? 'Run it where a person can answer: on a terminal, from VS Code, or in the safe-test console.';
    return new MotionRefused(
      rule,
      `${why}, and nothing was sent to it. Only the bundled emulator (adapter: emulator, announced in its status) runs unattended; ` +
        `a real robot moves only after a person confirms the emergency stop is within reach and starts each episode. ` +
        `Nobody can be asked here: ${this.options.unattended?.why ?? 'no person'}. ${how}`,
    );
  }
}
