/**
 * Command latency with jitter: each command is due `latencyMs + U(-jitterMs, +jitterMs)` after it
 * arrived, never before 0 and never before the previous command (a link delays, it does not
 * reorder). A stop empties the queue: queued commands are discarded, never applied late. Position
 * and effort commands share the queue, so the robot applies them in the order they were sent.
 */
import type { Rng } from '../../util/rng';

export interface QueuedCommand {
  readonly seq: number;
  readonly targetsRad: Float64Array;
  /** Set for an effort command: the joints (indices) `targetsRad` holds torques for, N·m. */
  readonly effortJoints?: readonly number[];
  readonly receivedMs: number;
  readonly dueMs: number;
}

export class LatencyQueue {
  private readonly queue: QueuedCommand[] = [];
  private lastDueMs = -Infinity;

  constructor(
    private readonly latencyMs: number,
    private readonly jitterMs: number,
    private readonly rng: Rng,
  ) {}

  get length(): number {
    return this.queue.length;
  }

  push(seq: number, targetsRad: Float64Array, receivedMs: number, effortJoints?: readonly number[]): QueuedCommand {
    const jitter = this.jitterMs > 0 ? this.rng.uniform(-this.jitterMs, this.jitterMs) : 0;
    const dueMs = Math.max(receivedMs + Math.max(0, this.latencyMs + jitter), this.lastDueMs);
    this.lastDueMs = dueMs;
    const command = { seq, targetsRad, receivedMs, dueMs, ...(effortJoints ? { effortJoints } : {}) };
    this.queue.push(command);
    return command;
  }

  /** When the next command is due, ms, or undefined when empty. */
  nextDueMs(): number | undefined {
    return this.queue[0]?.dueMs;
  }

  /** Remove and return the commands due at `nowMs`, oldest first. */
  popDue(nowMs: number): QueuedCommand[] {
    let n = 0;
    while (n < this.queue.length && this.queue[n]!.dueMs <= nowMs) n++;
    return this.queue.splice(0, n);
  }

  /** Drop everything (stop, halt, reset); returns what was dropped. */
  clear(): QueuedCommand[] {
    this.lastDueMs = -Infinity;
    return this.queue.splice(0, this.queue.length);
  }
}
