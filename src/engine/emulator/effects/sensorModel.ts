/**
 * What the robot's sensors report: encoder offsets (calibration error) and Gaussian noise on joint
 * positions, velocities and efforts, and tracker noise on object poses. Commands are in the
 * reported (offset) frame, so the true target is the command minus the offset.
 */
import type { Rng } from '../../util/rng';
import type { RealityEffects } from '../realityProfileLoader';

export class SensorModel {
  constructor(
    private readonly effects: RealityEffects,
    private readonly rng: Rng,
  ) {}

  /** Reported joint readings from true ones, written into the `out` arrays. */
  joints(position: ArrayLike<number>, velocity: ArrayLike<number>, effort: ArrayLike<number>, out: { position: number[]; velocity: number[]; effort: number[] }): void {
    const e = this.effects;
    for (let i = 0; i < position.length; i++) {
      out.position[i] = position[i] + e.encoderOffsetRad[i] + this.noise(e.jointPositionNoiseRad[i]);
      out.velocity[i] = velocity[i] + this.noise(e.jointVelocityNoiseRadPerS[i]);
      out.effort[i] = effort[i] + this.noise(e.jointEffortNoiseNm[i]);
    }
  }

  /** The true joint target for a command given in the reported frame, rad. */
  trueTarget(i: number, commandRad: number): number {
    return commandRad - this.effects.encoderOffsetRad[i];
  }

  /** Reported object position (m) and yaw (rad). */
  objectPose(x: number, y: number, z: number, yawRad: number): { x: number; y: number; z: number; yawRad: number } {
    const s = this.effects.objectPositionNoiseM;
    return { x: x + this.noise(s), y: y + this.noise(s), z: z + this.noise(s), yawRad: yawRad + this.noise(this.effects.objectOrientationNoiseRad) };
  }

  private noise(std: number): number {
    return std > 0 ? this.rng.gaussian(0, std) : 0;
  }
}
