/**
 * Real camera images with puck labels from a robot over rosbridge (or the reality emulator): for
 * each image, reset the episode (a new puck placement), wait for the scene to settle, take the
 * next sensor_msgs/Image from robot.topics.camera and label it with the puck's tracked position.
 *
 * The label: the emulator publishes the puck pose only through its tracker, with the profile's
 * position noise (objectPositionNoiseM, e.g. 3 mm). The puck lies still after a reset, so the mean
 * of LABEL_POSES pose messages has that noise divided by sqrt(LABEL_POSES) (3 mm -> ~0.9 mm): an
 * order of magnitude under the errors being measured. The report says so in `groundTruth`.
 */
import type { Experiment } from '../config/experiment';
import { RobotAddressPolicy } from '../robot/addressPolicy';
import { RobotLinkError, RosbridgeClient } from '../robot/client';
import { checkPoseStamped, MSG_POSE_STAMPED } from '../robot/messages';
import { DEFAULT_ROBOT_NAMES } from '../robot/names';
import type { RgbImage } from '../vision/types';
import type { RealImageSource } from './perceptionJobs';
import type { LabelledImage } from './samples';

export const MSG_IMAGE = 'sensor_msgs/msg/Image';
/** Pose messages averaged per label. */
export const LABEL_POSES = 12;
/** After a reset, frames older than this are skipped (the camera may still show the last episode), ms. */
const SETTLE_MS = 150;
const WAIT_MS = 5000;

/** A sensor_msgs/Image (rgb8 or bgr8) as an RgbImage; `data` as rosbridge sends uint8[] (base64) or numbers. */
export function decodeImageMessage(msg: Record<string, unknown>): RgbImage {
  const width = msg.width;
  const height = msg.height;
  const encoding = msg.encoding;
  if (typeof width !== 'number' || typeof height !== 'number' || !Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw new RobotLinkError(`sensor_msgs/Image: 'width' and 'height' must be whole numbers >= 1 (got ${String(width)} x ${String(height)})`);
  }
  if (encoding !== 'rgb8' && encoding !== 'bgr8') throw new RobotLinkError(`sensor_msgs/Image: encoding '${String(encoding)}' is not supported (rgb8 or bgr8)`);
  const step = typeof msg.step === 'number' ? msg.step : width * 3;
  if (step < width * 3) throw new RobotLinkError(`sensor_msgs/Image: step ${step} is shorter than a row of ${width} rgb pixels`);
  const raw = typeof msg.data === 'string' ? Uint8Array.from(Buffer.from(msg.data, 'base64')) : Array.isArray(msg.data) ? Uint8Array.from(msg.data as number[]) : undefined;
  if (!raw) throw new RobotLinkError("sensor_msgs/Image: 'data' must be a base64 string or a list of bytes");
  if (raw.length < step * height) throw new RobotLinkError(`sensor_msgs/Image: ${raw.length} bytes of data, ${height} rows of ${step} need ${step * height}`);
  const data = new Uint8Array(width * height * 3);
  for (let r = 0; r < height; r++) {
    for (let c = 0; c < width; c++) {
      const src = r * step + 3 * c;
      const dst = 3 * (r * width + c);
      data[dst] = raw[src + (encoding === 'bgr8' ? 2 : 0)]!;
      data[dst + 1] = raw[src + 1]!;
      data[dst + 2] = raw[src + (encoding === 'bgr8' ? 0 : 2)]!;
    }
  }
  return { width, height, data };
}

export interface ConnectImageSourceOptions {
  readonly allowedAddresses: readonly string[];
  readonly signal?: AbortSignal;
}

export async function connectRealImageSource(experiment: Experiment, url: string, options: ConnectImageSourceOptions): Promise<RealImageSource> {
  const policy = RobotAddressPolicy.fromConfigured(options.allowedAddresses);
  const client = new RosbridgeClient(url, policy, { connectTimeoutMs: experiment.robot?.connectTimeoutMs ?? 3000, reconnect: { enabled: false } });
  await client.connect();
  const topics = experiment.robot?.topics ?? DEFAULT_ROBOT_NAMES.topics;
  const services = experiment.robot?.services ?? DEFAULT_ROBOT_NAMES.services;
  let latestImage: { image: RgbImage; at: number } | undefined;
  let imageError: Error | undefined;
  const poses: { x: number; y: number; at: number }[] = [];
  client.subscribe(topics.camera, MSG_IMAGE, (msg) => {
    try {
      latestImage = { image: decodeImageMessage(msg), at: performance.now() };
    } catch (error) {
      imageError = error as Error;
    }
  });
  client.subscribe(topics.objectPose, MSG_POSE_STAMPED, (msg) => {
    const checked = checkPoseStamped(msg);
    if (!checked.ok) return;
    poses.push({ x: checked.value.pose.position.x, y: checked.value.pose.position.y, at: performance.now() });
    if (poses.length > 4 * LABEL_POSES) poses.splice(0, poses.length - 4 * LABEL_POSES);
  });

  const waitFor = async <T>(what: string, ready: () => T | undefined): Promise<T> => {
    const deadline = performance.now() + WAIT_MS;
    for (;;) {
      if (options.signal?.aborted) throw Object.assign(new Error('cancelled'), { name: 'AbortError' });
      if (imageError) throw imageError;
      const value = ready();
      if (value !== undefined) return value;
      if (performance.now() > deadline) throw new RobotLinkError(`no ${what} from ${client.address} within ${WAIT_MS} ms`);
      await new Promise((r) => setTimeout(r, 10));
    }
  };

  return {
    address: client.address,
    groundTruth: `mean of ${LABEL_POSES} ${topics.objectPose} messages with the puck at rest after a reset (tracker noise / sqrt(${LABEL_POSES}))`,
    async take(count, signal) {
      const out: LabelledImage[] = [];
      for (let n = 0; n < count; n++) {
        if (signal?.aborted) throw Object.assign(new Error('cancelled'), { name: 'AbortError' });
        await client.callService(services.reset);
        const after = performance.now() + SETTLE_MS;
        const image = await waitFor(`image on ${topics.camera}`, () => (latestImage && latestImage.at > after ? latestImage.image : undefined));
        const label = await waitFor(`${LABEL_POSES} poses on ${topics.objectPose}`, () => {
          const fresh = poses.filter((p) => p.at > after);
          if (fresh.length < LABEL_POSES) return undefined;
          const used = fresh.slice(0, LABEL_POSES);
          return { x: used.reduce((s, p) => s + p.x, 0) / used.length, y: used.reduce((s, p) => s + p.y, 0) / used.length };
        });
        out.push({ image, x: label.x, y: label.y });
      }
      return out;
    },
    close: () => client.close(),
  };
}
