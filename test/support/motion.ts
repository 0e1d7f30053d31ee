/**
 * The motion authority in tests: a person played by a script (answers given in advance, every
 * question recorded) and helpers to get a link's permits the way the engine's paths do.
 */
import type { RobotLink } from '../../src/engine/robot/robotLink';
import { MotionAuthority, type Attendant, type EpisodePermit, type MotionPrompt, type RearmPrompt, type StartPrompt } from '../../src/engine/robot/motionAuthority';

export interface Script {
  /** Answers in order; the last one repeats. [default: yes] */
  readonly estop?: boolean | readonly boolean[];
  readonly start?: boolean | readonly boolean[];
  readonly rearm?: boolean | readonly boolean[];
}

/** A person as a test plays one. */
export class ScriptedPerson implements Attendant {
  readonly channel = 'test';
  readonly asked: { readonly question: 'estop' | 'start' | 'rearm'; readonly prompt: MotionPrompt }[] = [];
  private readonly counts = { estop: 0, start: 0, rearm: 0 };

  constructor(private readonly script: Script = {}) {}

  async confirmEmergencyStop(prompt: MotionPrompt): Promise<boolean> {
    return this.answer('estop', prompt);
  }
  async startEpisodes(prompt: StartPrompt): Promise<boolean> {
    return this.answer('start', prompt);
  }
  async rearm(prompt: RearmPrompt): Promise<boolean> {
    return this.answer('rearm', prompt);
  }

  questions(kind: 'estop' | 'start' | 'rearm'): number {
    return this.asked.filter((q) => q.question === kind).length;
  }

  private answer(question: 'estop' | 'start' | 'rearm', prompt: MotionPrompt): boolean {
    this.asked.push({ question, prompt });
    const given = this.script[question];
    const n = this.counts[question]++;
    if (given === undefined) return true;
    if (typeof given === 'boolean') return given;
    return given[Math.min(n, given.length - 1)] ?? true;
  }
}

export interface TestMotionOptions {
  readonly adapter?: 'emulator' | 'rosbridge';
  /** null: nobody to ask. [default: a ScriptedPerson who says yes] */
  readonly person?: Attendant | null;
  readonly logPath?: string;
  readonly episodesPerStart?: number;
}

/** The motion authority of a test link (adapter: emulator unless said otherwise). */
export function testMotion(address: string, options: TestMotionOptions = {}): MotionAuthority {
  const person = options.person === undefined ? new ScriptedPerson() : options.person;
  return new MotionAuthority({
    address,
    adapter: options.adapter ?? 'emulator',
    path: 'a test',
    ...(person ? { attendant: person } : { unattended: { why: 'a test with nobody to ask', howToAttend: 'Give the test a person.' } }),
    ...(options.logPath ? { logPath: options.logPath } : {}),
    ...(options.episodesPerStart ? { episodesPerStart: options.episodesPerStart } : {}),
  });
}

/** RobotLink.connect's `motion` for this authority. */
export function linkMotion(motion: MotionAuthority): { session: string; logPath?: string } {
  return { session: motion.session, ...(motion.log.path ? { logPath: motion.log.path } : {}) };
}

/** The link's next episode permit, as the engine's paths ask for it (the robot identified from its own status first). */
export async function permitNext(link: RobotLink, motion: MotionAuthority, episode = link.episodesStarted + 1): Promise<EpisodePermit> {
  if (motion.kind === undefined) {
    await link.waitFor(() => link.robotStatus !== undefined, 3000, 'robot status');
    motion.identify(link.robotStatus);
  }
  return motion.permitEpisode({ episode, ...(link.robotStatus ? { robot: link.robotStatus } : {}), ...(link.stopLatch ? { stopped: link.stopLatch.message } : {}) });
}
