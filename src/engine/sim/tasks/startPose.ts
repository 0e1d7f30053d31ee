/**
 * The arm's start pose, shared by both tasks: folded, with the finger near (0.16, 0.05) m, short of
 * every puck and target, so the first thing a policy learns is to reach out.
 */
import type { Rng } from '../../util/rng';

/** Joint angles, rad (finger at about (0.16, 0.05) m; see docs/tasks.md). */
export const START_JOINT_ANGLES_RAD = [-1.2, 2.2, 1.2] as const;
/** Uniform spread added to each start angle, rad. */
export const START_ANGLE_SPREAD_RAD = 0.1;

export function sampleStartAngles(rng: Rng, out: Float64Array): void {
  for (let i = 0; i < 3; i++) out[i] = START_JOINT_ANGLES_RAD[i] + rng.uniform(-START_ANGLE_SPREAD_RAD, START_ANGLE_SPREAD_RAD);
}
