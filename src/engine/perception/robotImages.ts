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
import { IMAGE_SIZE } from './puckNet';
import type { RealImageSource } from './perceptionJobs';
import type { LabelledImage } from './samples';

/** Pose messages averaged per label. */
export const LABEL_POSES = 12;
/** After a reset, frames older than this are skipped (the camera may still show the last episode), ms. */
const SETTLE_MS = 150;
const WAIT_MS = 5000;

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
  const camera = client.camera(topics.camera, { expected: { widthPx: IMAGE_SIZE, heightPx: IMAGE_SIZE } });
  const poses: { x: number; y: number; at: number }[] = [];
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
        await new Promise((r) => setTimeout(r, SETTLE_MS));
        const image = (await camera.nextImage(WAIT_MS)).image;
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
    close: async () => {
      camera.close();
      await client.close();
    },
  };
}
