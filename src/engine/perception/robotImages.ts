/**
 * Real camera images with puck labels from a robot over rosbridge (or the reality emulator): for
 * each image, reset the episode (a new puck placement), wait for the scene to settle, take the
 * next sensor_msgs/Image from robot.topics.camera and label it with the puck's tracked position.
 *
 * A reset moves the robot (a real arm drives to its start pose), so each one is an episode the
 * robot's motion authority permits: on a real robot a person confirms the emergency stop and
 * starts the images (one start covers up to robot.episodes_per_start resets), and the engine's
 * stop reaches the link like any other.
 *
 * The label: the emulator publishes the puck pose only through its tracker, with the profile's
 * position noise (objectPositionNoiseM, e.g. 3 mm). The puck lies still after a reset, so the mean
 * of LABEL_POSES pose messages has that noise divided by sqrt(LABEL_POSES) (3 mm -> ~0.9 mm): an
 * order of magnitude under the errors being measured. The report says so in `groundTruth`.
 */
import type { Experiment } from '../config/experiment';
import { RobotAddressPolicy } from '../rosbridge/addressPolicy';
import { RobotLinkError } from '../rosbridge/client';
import { mergeNames } from '../rosbridge/names';
import { motionAuthorityFor, type MotionAttendance } from '../robot/motionAuthority';
import { safetyFor } from '../robot/robotEpisodes';
import { RobotLink } from '../robot/robotLink';
import { TASK_DEFINITIONS } from '../sim/tasks';
import { JOINT_NAMES } from '../sim/tasks/tableScene';
import { IMAGE_SIZE } from './puckNet';
import type { RealImageSource } from './perceptionModel';
import type { LabelledImage } from './samples';

/** Pose messages averaged per label. */
export const LABEL_POSES = 12;
/** After a reset, frames older than this are skipped (the camera may still show the last episode), ms. */
const SETTLE_MS = 150;
const WAIT_MS = 5000;

export interface ConnectImageSourceOptions {
  readonly allowedAddresses: readonly string[];
  readonly signal?: AbortSignal;
  /** The person (or why there is none), for the motion authority. */
  readonly attendance: MotionAttendance;
  /** What takes the images, in the user's words (questions and the motion log). */
  readonly path: string;
  /** motion-log.jsonl of the run the images are for. */
  readonly motionLogPath?: string;
  /** How many images the job takes in all, for the person's questions ("images 1-10 of 300"). */
  readonly plannedImages?: number;
}

export async function connectRealImageSource(experiment: Experiment, url: string, options: ConnectImageSourceOptions): Promise<RealImageSource> {
  const motion = motionAuthorityFor(experiment, url, options.path, options.attendance, options.motionLogPath);
  // a real robot with nobody to ask: refused before a socket opens
  motion.preflight();
  const robot = experiment.robot;
  const task = TASK_DEFINITIONS[experiment.task];
  const names = robot ? { topics: robot.topics, services: robot.services } : mergeNames();
  const link = await RobotLink.connect({
    url,
    policy: RobotAddressPolicy.fromConfigured(options.allowedAddresses),
    names,
    jointNames: JOINT_NAMES,
    safety: safetyFor(experiment),
    controlPeriodS: task.controlPeriodS,
    trackObject: true,
    watchdogMs: robot?.watchdogMs ?? 100,
    connectTimeoutMs: robot?.connectTimeoutMs ?? 3000,
    // a lost link mid-capture ends it; a person re-arms before the next
    reconnect: { enabled: false },
    log: () => undefined,
    motion: { session: motion.session, ...(motion.log.path ? { logPath: motion.log.path } : {}) },
  });
  try {
    await link.waitFor(() => link.robotStatus !== undefined, robot?.connectTimeoutMs ?? 3000, 'robot status').catch(() => undefined);
    motion.identify(link.robotStatus);
  } catch (error) {
    await link.close();
    motion.close();
    throw error;
  }
  const camera = link.client.camera(names.topics.camera, { expected: { widthPx: IMAGE_SIZE, heightPx: IMAGE_SIZE } });
  const poses: { x: number; y: number; at: number }[] = [];
  const detachPoses = link.onObjectPose((pose) => {
    poses.push({ x: pose.pose.position.x, y: pose.pose.position.y, at: performance.now() });
    if (poses.length > 4 * LABEL_POSES) poses.splice(0, poses.length - 4 * LABEL_POSES);
  });
  let taken = 0;

  const waitFor = async <T>(what: string, ready: () => T | undefined): Promise<T> => {
    const deadline = performance.now() + WAIT_MS;
    for (;;) {
      if (options.signal?.aborted) throw Object.assign(new Error('cancelled'), { name: 'AbortError' });
      const value = ready();
      if (value !== undefined) return value;
      if (performance.now() > deadline) throw new RobotLinkError(`no ${what} from ${link.client.address} within ${WAIT_MS} ms`);
      await new Promise((r) => setTimeout(r, 10));
    }
  };

  return {
    address: link.client.address,
    groundTruth: `mean of ${LABEL_POSES} ${names.topics.objectPose} messages with the puck at rest after a reset (tracker noise / sqrt(${LABEL_POSES}))`,
    async take(count, signal) {
      const out: LabelledImage[] = [];
      for (let n = 0; n < count; n++) {
        if (signal?.aborted) throw Object.assign(new Error('cancelled'), { name: 'AbortError' });
        const episode = taken + 1;
        const permit = await motion.permitEpisode({
          episode,
          of: Math.max(options.plannedImages ?? 0, taken + count - n),
          ...(link.robotStatus ? { robot: link.robotStatus } : {}),
          ...(link.stopLatch ? { stopped: link.stopLatch.message } : {}),
        });
        await link.beginEpisode(permit, WAIT_MS);
        taken += 1;
        const after = performance.now() + SETTLE_MS;
        await new Promise((r) => setTimeout(r, SETTLE_MS));
        const latch = link.stopLatch;
        if (latch) throw new RobotLinkError(`the robot was stopped while taking images: ${latch.message}`);
        const image = (await camera.nextImage(WAIT_MS)).image;
        const label = await waitFor(`${LABEL_POSES} poses on ${names.topics.objectPose}`, () => {
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
      detachPoses();
      camera.close();
      await link.close();
      motion.close();
    },
  };
}
