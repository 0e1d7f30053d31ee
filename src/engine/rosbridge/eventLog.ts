/**
 * The emulator's event log: one JSON object per line, each with a monotonic `tMs` (clock.ts), so
 * tests and benchmarks can check what the robot saw and when. Lines are written synchronously: the
 * log must survive the emulator being killed, and a test may read it the moment an event happened.
 */
import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { monotonicMs } from '../util/clock';
import type { LoopProbe } from '../util/loopProbe';

export type RobotEventKind =
  | 'log_start'
  | 'listening'
  | 'connection'
  | 'disconnection'
  | 'subscribe'
  | 'advertise'
  | 'command'
  | 'command_applied'
  | 'command_rejected'
  | 'command_discarded'
  | 'heartbeat'
  | 'service_call'
  | 'stop'
  | 'arm'
  | 'reset'
  | 'watchdog_halt'
  | 'dropped_frame'
  | 'state'
  | 'warning'
  | 'closed';

export interface RobotEvent {
  readonly tMs: number;
  readonly event: RobotEventKind;
  readonly [field: string]: unknown;
}

export interface EventSink {
  record(event: RobotEventKind, fields?: Record<string, unknown>): RobotEvent;
  close(): void;
}

export class EventLog implements EventSink {
  private fd: number | undefined;
  private readonly listeners = new Set<(e: RobotEvent) => void>();
  /** Diagnostics: times each line's write (loopProbe.ts). */
  probe: LoopProbe | undefined;

  /** `path` undefined: events only go to listeners. */
  constructor(path?: string) {
    if (path) {
      mkdirSync(dirname(path), { recursive: true });
      this.fd = openSync(path, 'a');
    }
    this.record('log_start', { wallClock: new Date().toISOString(), pid: process.pid });
  }

  record(event: RobotEventKind, fields: Record<string, unknown> = {}): RobotEvent {
    const entry: RobotEvent = { tMs: monotonicMs(), event, ...fields };
    if (this.fd !== undefined) {
      if (this.probe) this.probe.timed('logWrite', () => writeSync(this.fd!, JSON.stringify(entry) + '\n'));
      else writeSync(this.fd, JSON.stringify(entry) + '\n');
    }
    for (const listener of this.listeners) listener(entry);
    return entry;
  }

  onEvent(listener: (e: RobotEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  close(): void {
    if (this.fd === undefined) return;
    this.record('closed');
    closeSync(this.fd);
    this.fd = undefined;
  }
}

/** Read a JSONL event log; a torn last line (process killed mid-write) is skipped. */
export function parseEventLog(text: string): RobotEvent[] {
  const events: RobotEvent[] = [];
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    try {
      events.push(JSON.parse(line) as RobotEvent);
    } catch {
      // torn line: ignored on purpose
    }
  }
  return events;
}
