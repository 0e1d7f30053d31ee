/**
 * The planar 3-link arm shared by every built-in task (SCARA-like: it turns about vertical axes
 * above the table, and only a finger hanging from the last link touches objects). Revolute
 * ImpulseJoints with ForceBased position motors: facts.md measured 0.005 rad tracking with
 * ForceBased against 0.13 rad steady-state error with the default AccelerationBased model.
 */
import type { ImpulseJoint, RigidBody, World } from '@dimforge/rapier3d-compat';
import type { Rapier } from '../rapier';
import { COLLISION, groups } from './collision';

export const ARM = {
  /** Link lengths, shoulder to finger, m. */
  linkLengthsM: [0.3, 0.25, 0.15] as const,
  linkHalfWidthM: 0.02,
  linkHalfThicknessM: 0.015,
  /** Height of the links above the floor, m: above the tallest puck on the highest table. */
  armHeightM: 0.86,
  fingerRadiusM: 0.015,
  /** The finger reaches down to this height, m (nominal table top + 5 mm). */
  fingerBottomM: 0.755,
  /** Joint position limits, rad (clamp on targets; no hard stops are simulated). */
  jointLimitsRad: [[-1.7, 1.7], [-2.6, 2.6], [-2.6, 2.6]] as const,
  /** Motor damping of the position controller, N·m·s/rad; joint_damping adds to it (viscous losses). */
  controllerDampingNms: 6,
} as const;

export const JOINT_COUNT = 3;

/** Handles survive snapshot restores; the JS wrappers do not. */
export interface ArmHandles {
  readonly baseBody: number;
  readonly linkBodies: readonly number[];
  readonly linkColliders: readonly number[];
  readonly fingerCollider: number;
  readonly joints: readonly number[];
}

/** Wrappers bound to one World (re-bound after each snapshot restore). */
export interface ArmBinding {
  links: RigidBody[];
  joints: ImpulseJoint[];
}

/** Build the arm at the base (0, 0, armHeightM), straight along +x, motors configured. */
export function buildArm(R: Rapier, world: World, linkMassKg: number): ArmHandles {
  const z = ARM.armHeightM;
  const base = world.createRigidBody(R.RigidBodyDesc.fixed().setTranslation(0, 0, z));
  const linkBodies: number[] = [];
  const linkColliders: number[] = [];
  const joints: number[] = [];
  let parent = base;
  let parentAnchorX = 0;
  let x = 0;
  let fingerCollider = -1;
  for (let i = 0; i < JOINT_COUNT; i++) {
    const length = ARM.linkLengthsM[i];
    // The arm's bearings carry its weight: gravity acts out of the plane of motion.
    const body = world.createRigidBody(
      R.RigidBodyDesc.dynamic().setTranslation(x + length / 2, 0, z).setGravityScale(0).setCanSleep(false),
    );
    const collider = world.createCollider(
      R.ColliderDesc.cuboid(length / 2, ARM.linkHalfWidthM, ARM.linkHalfThicknessM)
        .setMass(linkMassKg)
        .setCollisionGroups(groups(COLLISION.link, COLLISION.none)),
      body,
    );
    const joint = world.createImpulseJoint(
      R.JointData.revolute({ x: parentAnchorX, y: 0, z: 0 }, { x: -length / 2, y: 0, z: 0 }, { x: 0, y: 0, z: 1 }),
      parent,
      body,
      true,
    );
    joint.setContactsEnabled(false);
    const unit = joint as unknown as { configureMotorModel(m: number): void };
    unit.configureMotorModel(R.MotorModel.ForceBased);
    linkBodies.push(body.handle);
    linkColliders.push(collider.handle);
    joints.push(joint.handle);
    if (i === JOINT_COUNT - 1) {
      const fingerLength = z - ARM.fingerBottomM;
      // Cylinders are along local y in Rapier: turn it upright (z-up world).
      const finger = world.createCollider(
        R.ColliderDesc.cylinder(fingerLength / 2, ARM.fingerRadiusM)
          .setTranslation(length / 2, 0, -fingerLength / 2)
          .setRotation({ x: Math.SQRT1_2, y: 0, z: 0, w: Math.SQRT1_2 })
          .setDensity(0)
          .setFriction(0.3)
          .setCollisionGroups(groups(COLLISION.finger, COLLISION.puck)),
        body,
      );
      fingerCollider = finger.handle;
    }
    parent = body;
    parentAnchorX = length / 2;
    x += length;
  }
  return { baseBody: base.handle, linkBodies, linkColliders, fingerCollider, joints };
}

export function bindArm(world: World, handles: ArmHandles, out: ArmBinding): void {
  for (let i = 0; i < JOINT_COUNT; i++) {
    out.links[i] = world.getRigidBody(handles.linkBodies[i]);
    out.joints[i] = world.getImpulseJoint(handles.joints[i]);
  }
}

/** Reused outputs for Rapier's getters, which fill a given object instead of allocating one. */
const scratchVector = { x: 0, y: 0, z: 0 };
const scratchRotation = { x: 0, y: 0, z: 0, w: 1 };

/** Yaw of a body turning about z, rad (the arm's bodies only ever turn about z). */
export function yawOf(body: RigidBody): number {
  const q = body.rotation(scratchRotation);
  return 2 * Math.atan2(q.z, q.w);
}

function wrapAngle(a: number): number {
  return a - 2 * Math.PI * Math.floor((a + Math.PI) / (2 * Math.PI));
}

/**
 * Joint angles (rad), joint velocities (rad/s) and the finger's xy position (m), written into
 * `out` at `offset`: [q1 q2 q3 dq1 dq2 dq3 tipX tipY].
 */
export function readArmState(arm: ArmBinding, out: Float64Array, offset: number): void {
  let parentYaw = 0;
  let parentRate = 0;
  for (let i = 0; i < JOINT_COUNT; i++) {
    const link = arm.links[i];
    const yaw = yawOf(link);
    const rate = link.angvel(scratchVector).z;
    out[offset + i] = wrapAngle(yaw - parentYaw);
    out[offset + 3 + i] = rate - parentRate;
    parentYaw = yaw;
    parentRate = rate;
  }
  const last = arm.links[JOINT_COUNT - 1];
  const p = last.translation(scratchVector);
  const half = ARM.linkLengthsM[JOINT_COUNT - 1] / 2;
  out[offset + 6] = p.x + Math.cos(parentYaw) * half;
  out[offset + 7] = p.y + Math.sin(parentYaw) * half;
}

/** Forward kinematics: finger xy for joint angles q, written to out[0..1]. */
export function fingerPosition(q: ArrayLike<number>, out: Float64Array): void {
  let phi = 0;
  let x = 0;
  let y = 0;
  for (let i = 0; i < JOINT_COUNT; i++) {
    phi += q[i];
    x += ARM.linkLengthsM[i] * Math.cos(phi);
    y += ARM.linkLengthsM[i] * Math.sin(phi);
  }
  out[0] = x;
  out[1] = y;
}

/** Place the links at joint angles q (rad), at rest. */
export function placeArm(arm: ArmBinding, q: ArrayLike<number>): void {
  let phi = 0;
  let x = 0;
  let y = 0;
  const z = ARM.armHeightM;
  const zero = { x: 0, y: 0, z: 0 };
  for (let i = 0; i < JOINT_COUNT; i++) {
    phi += q[i];
    const half = ARM.linkLengthsM[i] / 2;
    const c = Math.cos(phi);
    const s = Math.sin(phi);
    const link = arm.links[i];
    link.setTranslation({ x: x + c * half, y: y + s * half, z }, false);
    link.setRotation({ x: 0, y: 0, z: Math.sin(phi / 2), w: Math.cos(phi / 2) }, false);
    link.setLinvel(zero, false);
    link.setAngvel(zero, false);
    x += c * half * 2;
    y += s * half * 2;
  }
}
