/**
 * The motion log: one JSON line per decision about moving a robot, appended to `motion-log.jsonl` in
 * the run folder and never rewritten. Confirmations, episode starts with who or what started them,
 * protective stops with their cause, re-arms, refusals: an incident can be reconstructed from it.
 *
 * Both the motion authority (the person's answers) and the robot link (the stops it sends or sees)
 * append to the same file, possibly from two threads; each line is one write to a file opened for
 * appending, which the kernel never interleaves, and is flushed before the call returns.
 */
import { closeSync, fsyncSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { monotonicMs } from '../util/clock';

export const MOTION_LOG_FILE = 'motion-log.jsonl';

export type MotionEventKind =
  /** A motion session began: the robot's address and kind, and whether a person can be asked. */
  | 'session_open'
  | 'session_close'
  /** A person confirmed (or declined) that the hardware emergency stop is within reach. */
  | 'estop_confirmed'
  | 'estop_declined'
  /** A person started one episode or a supervised batch of them (or declined to). */
  | 'episodes_started'
  | 'start_declined'
  /** One episode began, with what started it. */
  | 'episode_start'
  /** A protective stop: sent by the engine, or seen on the robot (watchdog, link loss, another client's stop). */
  | 'protective_stop'
  | 'rearm'
  | 'rearm_declined'
  /** The rule refused a motion before anything moved. */
  | 'refused';

export interface MotionEvent {
  /** Wall clock, ISO 8601. */
  readonly at: string;
  /** CLOCK_MONOTONIC ms, as in the robot event logs (util/clock.ts). */
  readonly tMs: number;
  readonly session: string;
  readonly event: MotionEventKind;
  readonly [field: string]: unknown;
}

/** Appends motion events of one session to one file; a log without a path records nothing. */
export class MotionLog {
  constructor(
    readonly path: string | undefined,
    readonly session: string,
  ) {}

  record(event: MotionEventKind, fields: Record<string, unknown> = {}): MotionEvent {
    const entry: MotionEvent = { at: new Date().toISOString(), tMs: monotonicMs(), session: this.session, event, ...fields };
    if (this.path) {
      mkdirSync(dirname(this.path), { recursive: true });
      const fd = openSync(this.path, 'a');
      try {
        writeSync(fd, `${JSON.stringify(entry)}\n`);
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
    }
    return entry;
  }
}
