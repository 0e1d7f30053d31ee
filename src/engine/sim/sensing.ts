/**
 * The robot's sensors, reproduced in the simulator channel by channel: noise on the joint encoders
 * and joint velocities, noise on the object tracker, and a tracker that reports poses at its own
 * rate, from which the object's velocity is differenced exactly as the robot's episodes do
 * (robot/robotEpisodes.ts). The experiment-wide `observation_noise` is added after this, to every
 * entry, by the env.
 *
 * Why per channel: on the `moderate` emulator the tracker's 3 mm at 30 Hz, differenced into a
 * velocity, was most of what a policy trained on exact velocities lost on the robot
 * (docs/calibration.md); one noise for all 14 entries cannot carry it without ten times the real
 * noise on the joint angles.
 *
 * Every parameter at its nominal 0 leaves the observation untouched and draws nothing, so
 * experiments that do not use these parameters keep their exact traces.
 */
import type { Rng } from '../util/rng';
import type { EpisodeSample } from './env';
import { valueOf } from './randomizer';
import { fingerPosition, JOINT_COUNT } from './tasks/arm';
import type { ObservationLayout, TaskDefinition } from './tasks/task';

/** One tracked pose: position (m) and the time it was taken, s since the episode's reset. */
interface TrackedPose {
  x: number;
  y: number;
  t: number;
}

export class SimSensing {
  private readonly layout: ObservationLayout;
  private readonly jointNames: readonly string[];
  private readonly objectName: string | undefined;
  private readonly jointPositionStd = new Float64Array(JOINT_COUNT);
  private readonly jointVelocityStd = new Float64Array(JOINT_COUNT);
  private objectPositionStd = 0;
  /** 0: the exact pose and velocity at every control step. */
  private trackingPeriodS = 0;
  private anyJointPositionNoise = false;
  private rng: Rng | undefined;

  // the tracker between control steps
  private readonly latest: TrackedPose = { x: 0, y: 0, t: 0 };
  private readonly before: TrackedPose = { x: 0, y: 0, t: 0 };
  private hasBefore = false;
  private nextPoseS = 0;
  /** Time of the last control step, s since reset, and the object's true position then. */
  private stepTimeS = 0;
  private readonly trueAtStep = { x: 0, y: 0 };

  private readonly trueQ = new Float64Array(JOINT_COUNT);
  private readonly sensedQ = new Float64Array(JOINT_COUNT);
  private readonly trueTip = new Float64Array(2);
  private readonly sensedTip = new Float64Array(2);

  constructor(task: TaskDefinition) {
    this.layout = task.observationLayout;
    this.jointNames = task.info.joints;
    this.objectName = task.info.objects[0];
  }

  /** Read the channel parameters of the episode (drawn, calibrated or nominal). */
  configure(sample: EpisodeSample): void {
    this.anyJointPositionNoise = false;
    for (let i = 0; i < JOINT_COUNT; i++) {
      const joint = this.jointNames[i];
      this.jointPositionStd[i] = joint === undefined ? 0 : valueOf(sample, 'joint_position_noise', joint);
      this.jointVelocityStd[i] = joint === undefined ? 0 : valueOf(sample, 'joint_velocity_noise', joint);
      if (this.jointPositionStd[i] > 0) this.anyJointPositionNoise = true;
    }
    const object = this.objectName;
    const tracked = object !== undefined && this.layout.objectPosition !== undefined;
    this.objectPositionStd = tracked ? valueOf(sample, 'object_position_noise', object) : 0;
    const rateHz = tracked ? valueOf(sample, 'object_tracking_rate', object) : 0;
    this.trackingPeriodS = rateHz > 0 ? 1 / rateHz : 0;
  }

  /**
   * A new episode: the tracker takes a pose at the reset (the robot's reset waits for one) and its
   * next ones at a random phase of its period, as a free-running tracker would.
   */
  reset(rng: Rng, truth: Float64Array, out: Float64Array): void {
    this.rng = rng;
    this.stepTimeS = 0;
    this.hasBefore = false;
    const p = this.layout.objectPosition;
    if (p !== undefined) {
      this.trueAtStep.x = truth[p];
      this.trueAtStep.y = truth[p + 1];
      if (this.trackingPeriodS > 0) {
        this.trackPose(truth[p], truth[p + 1], 0);
        this.nextPoseS = this.trackingPeriodS * (1 - rng.next());
      }
    }
    this.write(truth, out);
  }

  /** A control step of dtS seconds ended with `truth`: take the tracker's poses due meanwhile, then write the sensed observation. */
  step(truth: Float64Array, dtS: number, out: Float64Array): void {
    const p = this.layout.objectPosition;
    const endS = this.stepTimeS + dtS;
    if (p !== undefined) {
      const x = truth[p];
      const y = truth[p + 1];
      if (this.trackingPeriodS > 0) {
        // poses between two control steps: the object's path taken as straight between them
        while (this.nextPoseS <= endS) {
          const f = dtS > 0 ? (this.nextPoseS - this.stepTimeS) / dtS : 1;
          this.takePose(this.trueAtStep.x + f * (x - this.trueAtStep.x), this.trueAtStep.y + f * (y - this.trueAtStep.y), this.nextPoseS);
          this.nextPoseS += this.trackingPeriodS;
        }
      }
      this.trueAtStep.x = x;
      this.trueAtStep.y = y;
    }
    this.stepTimeS = endS;
    this.write(truth, out);
  }

  /** A new tracked pose at time t; the one before it is kept for the differenced velocity. */
  private takePose(x: number, y: number, t: number): void {
    this.before.x = this.latest.x;
    this.before.y = this.latest.y;
    this.before.t = this.latest.t;
    this.hasBefore = true;
    this.trackPose(x, y, t);
  }

  private trackPose(x: number, y: number, t: number): void {
    this.latest.x = x + this.noise(this.objectPositionStd);
    this.latest.y = y + this.noise(this.objectPositionStd);
    this.latest.t = t;
  }

  private write(truth: Float64Array, out: Float64Array): void {
    out.set(truth);
    const { jointPosition: q, jointVelocity: dq, tip, objectPosition: p, objectVelocity: v } = this.layout;
    for (let i = 0; i < JOINT_COUNT; i++) {
      out[q + i] = truth[q + i] + this.noise(this.jointPositionStd[i]);
      out[dq + i] = truth[dq + i] + this.noise(this.jointVelocityStd[i]);
    }
    if (this.anyJointPositionNoise) {
      // the robot's fingertip is forward kinematics of its encoders: it carries their noise
      for (let i = 0; i < JOINT_COUNT; i++) {
        this.trueQ[i] = truth[q + i];
        this.sensedQ[i] = out[q + i];
      }
      fingerPosition(this.trueQ, this.trueTip);
      fingerPosition(this.sensedQ, this.sensedTip);
      out[tip] = truth[tip] + this.sensedTip[0] - this.trueTip[0];
      out[tip + 1] = truth[tip + 1] + this.sensedTip[1] - this.trueTip[1];
    }
    if (p === undefined) return;
    if (this.trackingPeriodS > 0) {
      out[p] = this.latest.x;
      out[p + 1] = this.latest.y;
      if (v !== undefined) {
        // differenced, as the robot's episodes do; 0 until the tracker has two poses
        const dt = this.latest.t - this.before.t;
        out[v] = this.hasBefore && dt > 0 ? (this.latest.x - this.before.x) / dt : 0;
        out[v + 1] = this.hasBefore && dt > 0 ? (this.latest.y - this.before.y) / dt : 0;
      }
    } else if (this.objectPositionStd > 0) {
      out[p] = truth[p] + this.noise(this.objectPositionStd);
      out[p + 1] = truth[p + 1] + this.noise(this.objectPositionStd);
    }
  }

  private noise(std: number): number {
    return std > 0 ? this.rng!.gaussian(0, std) : 0;
  }
}
