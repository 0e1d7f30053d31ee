/**
 * Scripted controllers for the built-in tasks, written against the observation alone (as a policy
 * sees it). They prove a task is solvable under randomization and give learners a baseline; they
 * are not used by the env.
 */
import { ARM } from './tasks/arm';
import { CONTACT_DISTANCE_M } from './tasks/push';

/** Finger displacement asked for in one control step at most, m. */
const MAX_FINGER_STEP_M = 0.03;
/** Fraction of the remaining finger error asked for per control step: low enough to stay stable
 * with 3 steps of action delay and the motors' lag. */
const REACH_GAIN = 0.15;
const APPROACH_GAIN = 0.1;
/** Pushing: finger advance per control step, m (fast far from the goal, slow near it). */
const MAX_PUSH_STEP_M = 0.012;
const MIN_PUSH_STEP_M = 0.003;
const PUSH_GAIN = 0.15;
const LATERAL_GAIN = 0.3;
/** Damping of the least-squares inverse kinematics, m. */
const IK_DAMPING_M = 0.05;

/**
 * Joint increments (as actions in [-1, 1]) that move the finger by (dx, dy): damped least squares
 * on the planar Jacobian at joint angles q.
 */
export function fingerStepToAction(q: ArrayLike<number>, dx: number, dy: number, maxTargetStepRad: number, out: Float64Array): void {
  const len = Math.hypot(dx, dy);
  if (len > MAX_FINGER_STEP_M) {
    dx *= MAX_FINGER_STEP_M / len;
    dy *= MAX_FINGER_STEP_M / len;
  }
  const L = ARM.linkLengthsM;
  const phi1 = q[0];
  const phi2 = phi1 + q[1];
  const phi3 = phi2 + q[2];
  // Column i: derivative of the finger position with respect to joint i.
  const jx3 = -L[2] * Math.sin(phi3);
  const jy3 = L[2] * Math.cos(phi3);
  const jx2 = jx3 - L[1] * Math.sin(phi2);
  const jy2 = jy3 + L[1] * Math.cos(phi2);
  const jx1 = jx2 - L[0] * Math.sin(phi1);
  const jy1 = jy2 + L[0] * Math.cos(phi1);
  const l2 = IK_DAMPING_M * IK_DAMPING_M;
  const a = jx1 * jx1 + jx2 * jx2 + jx3 * jx3 + l2;
  const b = jx1 * jy1 + jx2 * jy2 + jx3 * jy3;
  const d = jy1 * jy1 + jy2 * jy2 + jy3 * jy3 + l2;
  const det = a * d - b * b;
  const wx = (d * dx - b * dy) / det;
  const wy = (a * dy - b * dx) / det;
  out[0] = clip1((jx1 * wx + jy1 * wy) / maxTargetStepRad);
  out[1] = clip1((jx2 * wx + jy2 * wy) / maxTargetStepRad);
  out[2] = clip1((jx3 * wx + jy3 * wy) / maxTargetStepRad);
}

/** reach: move the finger straight at the target (observation: q, dq, finger, target). */
export function scriptedReachAction(o: ArrayLike<number>, maxTargetStepRad: number, out: Float64Array): void {
  fingerStepToAction(o, REACH_GAIN * (o[8] - o[6]), REACH_GAIN * (o[9] - o[7]), maxTargetStepRad, out);
}

/**
 * push: get the finger behind the puck on the goal-puck line, then push along it, slowing near
 * the goal (observation: q, dq, finger, puck, puck velocity, goal).
 */
export function scriptedPushAction(o: ArrayLike<number>, maxTargetStepRad: number, out: Float64Array): void {
  const fx = o[6];
  const fy = o[7];
  const px = o[8];
  const py = o[9];
  const gx = o[12];
  const gy = o[13];
  const toGoal = Math.hypot(gx - px, gy - py) || 1e-9;
  const ux = (gx - px) / toGoal;
  const uy = (gy - py) / toGoal;
  const relX = fx - px;
  const relY = fy - py;
  const along = relX * ux + relY * uy;
  const lateral = -relX * uy + relY * ux;
  let tx: number;
  let ty: number;
  const behind = along < -0.6 * CONTACT_DISTANCE_M;
  if (!behind || Math.abs(lateral) > 0.02) {
    // Approach: a point well behind the puck; sideways first when the finger is level with it.
    const back = CONTACT_DISTANCE_M + 0.04;
    tx = px - back * ux;
    ty = py - back * uy;
    if (!behind && Math.abs(lateral) < CONTACT_DISTANCE_M + 0.02) {
      const side = lateral >= 0 ? 1 : -1;
      tx += side * -uy * (CONTACT_DISTANCE_M + 0.03);
      ty += side * ux * (CONTACT_DISTANCE_M + 0.03);
    }
    fingerStepToAction(o, APPROACH_GAIN * (tx - fx), APPROACH_GAIN * (ty - fy), maxTargetStepRad, out);
    return;
  }
  // Push: along the line, correcting the lateral offset, slower as the puck nears the goal.
  const speed = Math.min(MAX_PUSH_STEP_M, PUSH_GAIN * toGoal + MIN_PUSH_STEP_M);
  const correction = LATERAL_GAIN * lateral;
  fingerStepToAction(o, speed * ux + correction * uy, speed * uy - correction * ux, maxTargetStepRad, out);
}

function clip1(x: number): number {
  return x > 1 ? 1 : x < -1 ? -1 : x;
}
