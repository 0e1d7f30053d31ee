/**
 * A command watchdog: if nothing feeds it for longer than `timeoutMs`, it fires once. The emulator
 * feeds it on every command and heartbeat, so a crashed engine, a closed editor or a dropped link
 * halts the robot (ros2_control's diff-drive stops after 0.5 s; Franka after 20 missed 1 ms cycles).
 *
 * The check runs on a timer of a fraction of the timeout, so a halt comes at most
 * timeoutMs + timeoutMs/checkDivisor after the last feed. The verdict is taken in setImmediate,
 * after the event loop's I/O phase: when the emulator itself stalled (GC, wasm compilation, a busy
 * core), frames that arrived meanwhile are read before it judges the link silent, so its own stall
 * is not blamed on the client.
 */
import { monotonicMs } from '../util/clock';

export interface WatchdogOptions {
  /** [default: 100] */
  readonly timeoutMs: number;
  /** Timer period = timeoutMs / checkDivisor. [default: 10] */
  readonly checkDivisor?: number;
  readonly now?: () => number;
}

export class Watchdog {
  private lastFeedMs: number;
  private timer: NodeJS.Timeout | undefined;
  private readonly now: () => number;

  constructor(
    private readonly options: WatchdogOptions,
    private readonly onExpire: (silentForMs: number) => void,
  ) {
    if (!(options.timeoutMs > 0)) throw new RangeError(`watchdog timeoutMs must be > 0, got ${options.timeoutMs}`);
    this.now = options.now ?? monotonicMs;
    this.lastFeedMs = this.now();
  }

  get running(): boolean {
    return this.timer !== undefined;
  }

  /** Start watching from now. Idempotent. */
  start(): void {
    this.lastFeedMs = this.now();
    if (this.timer) return;
    const period = Math.max(1, this.options.timeoutMs / (this.options.checkDivisor ?? 10));
    this.timer = setInterval(() => {
      setImmediate(() => {
        if (this.timer) this.check();
      });
    }, period);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  feed(): void {
    this.lastFeedMs = this.now();
  }

  /** Exposed for tests with a fake clock; the timer calls it too. */
  check(): boolean {
    const silent = this.now() - this.lastFeedMs;
    if (silent <= this.options.timeoutMs) return false;
    this.stop();
    this.onExpire(silent);
    return true;
  }
}
