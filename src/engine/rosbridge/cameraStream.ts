/**
 * The robot's camera as the engine sees it: a subscription to sensor_msgs/Image that keeps the
 * latest valid frame and hands out the next ones on request. Frames are checked on arrival
 * (imageMessage.ts): a wrong encoding or size is dropped, counted and reported, never passed on.
 */
import { checkImageMessage, MSG_IMAGE, type CameraFrame } from './imageMessage';

/** What the stream needs of a client (RosbridgeClient has it): a subscription, and its undoing. */
export interface TopicSubscriber {
  subscribe(topic: string, type: string, handler: (msg: Record<string, unknown>) => void): () => void;
}

export interface CameraStreamOptions {
  /** Frames of another size are dropped. [default: any size] */
  readonly expected?: { widthPx: number; heightPx: number };
  /** A dropped frame and why. [default: one stderr line per distinct reason] */
  readonly onDropped?: (reason: string) => void;
}

export class CameraStream {
  private latest: CameraFrame | undefined;
  private readonly waiters = new Set<(frame: CameraFrame) => void>();
  private readonly unsubscribe: () => void;
  private readonly reported = new Set<string>();
  /** Frames refused on arrival (wrong encoding, size or data length). */
  droppedFrames = 0;
  receivedFrames = 0;

  constructor(
    client: TopicSubscriber,
    readonly topic: string,
    private readonly options: CameraStreamOptions = {},
  ) {
    this.unsubscribe = client.subscribe(topic, MSG_IMAGE, (msg) => this.onMessage(msg));
  }

  /** The most recent valid frame, if one has arrived. */
  latestImage(): CameraFrame | undefined {
    return this.latest;
  }

  /** The next valid frame to arrive; rejects after timeoutMs with the topic in the message. */
  nextImage(timeoutMs = 2000): Promise<CameraFrame> {
    return new Promise((resolve, reject) => {
      const waiter = (frame: CameraFrame): void => {
        clearTimeout(timer);
        resolve(frame);
      };
      const timer = setTimeout(() => {
        this.waiters.delete(waiter);
        const dropped = this.droppedFrames ? ` (${this.droppedFrames} frames dropped as invalid)` : '';
        reject(new Error(`no camera image on ${this.topic} within ${timeoutMs} ms${dropped}`));
      }, timeoutMs);
      this.waiters.add(waiter);
    });
  }

  /** The next n valid frames (each a copy, in arrival order). */
  async captureImages(n: number, timeoutPerFrameMs = 2000): Promise<CameraFrame[]> {
    const frames: CameraFrame[] = [];
    for (let i = 0; i < n; i++) frames.push(await this.nextImage(timeoutPerFrameMs));
    return frames;
  }

  close(): void {
    this.unsubscribe();
    this.waiters.clear();
  }

  private onMessage(msg: Record<string, unknown>): void {
    const checked = checkImageMessage(msg, this.options.expected);
    if (!checked.ok) {
      this.droppedFrames++;
      const reason = `camera frame on ${this.topic} dropped: ${checked.error}`;
      if (this.options.onDropped) this.options.onDropped(reason);
      else if (!this.reported.has(checked.error)) {
        this.reported.add(checked.error);
        process.stderr.write(`${reason}\n`);
      }
      return;
    }
    this.receivedFrames++;
    this.latest = checked.frame;
    const waiters = [...this.waiters];
    this.waiters.clear();
    for (const waiter of waiters) waiter(checked.frame);
  }
}
