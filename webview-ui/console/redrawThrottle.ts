/**
 * When the live plots redraw: on the next frame after new samples, at most once per interval. The
 * rest of an interval is waited out on a timer, not by asking for a frame on every display frame:
 * each requested frame wakes the browser's compositor threads, CPU the stop path shares on a small
 * machine.
 */
export interface FrameScope {
  /** Runs `callback` on the next frame (requestAnimationFrame where the scope has one). */
  readonly nextFrame: (callback: () => void) => void;
  readonly now: () => number;
}

export class RedrawThrottle {
  private dirty = false;
  private pending = false;
  private lastRedraw = -Infinity;

  constructor(
    private readonly minIntervalMs: number,
    private readonly scope: FrameScope,
    private readonly redraw: () => void,
  ) {}

  /** Something changed: redraw on a coming frame. */
  request(): void {
    this.dirty = true;
    this.schedule();
  }

  private schedule(): void {
    if (this.pending) return;
    this.pending = true;
    this.scope.nextFrame(() => this.frame());
  }

  private frame(): void {
    this.pending = false;
    if (!this.dirty) return;
    const wait = this.minIntervalMs - (this.scope.now() - this.lastRedraw);
    if (wait > 0) {
      this.pending = true;
      setTimeout(() => {
        this.pending = false;
        this.schedule();
      }, wait);
      return;
    }
    this.dirty = false;
    this.lastRedraw = this.scope.now();
    this.redraw();
  }
}
