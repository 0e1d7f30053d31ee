/**
 * Any URDF arm in Rapier: one rigid body per group of links joined by fixed joints, impulse joints
 * for the movable ones, and a position controller on each joint (Rapier's implicit ForceBased
 * motor: torque = k (target - q) + d (targetVel - dq), capped at the joint's effort limit).
 *
 * Impulse joints rather than multibody ones: the JS bindings give multibody joints no motor, so PD
 * would be an explicit torque each step, which a 50 Hz step cannot keep stable at useful gains;
 * docs/robots.md has the measurements.
 *
 * Every Rapier body keeps the base's orientation at joint position 0, and the URDF frame of each
 * body is a fixed rotation within it. Rapier builds a revolute joint's reference frame from one
 * axis given in both bodies' frames; with equal orientations at zero, that axis is the same vector
 * in both, so Rapier's joint angle is the URDF joint position, zero included.
 */
import type { Collider, ImpulseJoint, RigidBody, World } from '@dimforge/rapier3d-compat';
import { principalAxes } from '../urdf/inertia';
import type { KinematicTree, MovingJoint } from '../urdf/kinematicTree';
import type { Geometry, InertiaTensor } from '../urdf/model';
import { compose, invert, quatMultiply, rotate, type Quat, type Transform, type Vec3 } from '../urdf/transform';
import type { Rapier } from './rapier';

export interface UrdfArmOptions {
  /** The base link's pose in the world. */
  readonly basePose: Transform;
  /** Rapier collision groups ((membership << 16) | filter) of the arm's shapes. */
  readonly collisionGroups: number;
  /** Meshes as one convex hull each, or as Rapier's convex decomposition (slower to build and step). [default: hull] */
  readonly meshCollision?: 'hull' | 'decomposition';
  readonly friction?: number;
  /**
   * Reflected rotor inertia per moving joint, kg·m² (MuJoCo's `armature`): a geared servo's rotor
   * adds gear² × its inertia about the joint axis, often more than the light link it moves.
   * Added to the child body's inertia about the axis. [default: 0]
   */
  readonly armature?: readonly number[];
  /**
   * Rapier's impulse joints (maximal coordinates, an implicit motor per joint) or multibody joints
   * (reduced coordinates; the bindings give them no motor, so the PD torque is applied each step).
   * [default: impulse]
   */
  readonly joints?: 'impulse' | 'multibody';
}

/** Handles survive snapshot restores; the JS wrappers do not. */
export interface UrdfArmHandles {
  /** Rapier body per tree body (index 0: the fixed base). */
  readonly bodies: readonly number[];
  /** Rapier joint per moving joint, in the tree's order. */
  readonly joints: readonly number[];
  readonly colliders: readonly number[];
  readonly jointKind: 'impulse' | 'multibody';
  readonly armature: readonly number[];
  /** Each tree body's URDF frame within its Rapier body (a pure rotation). */
  readonly urdfInBody: readonly Quat[];
}

export function buildUrdfArm(R: Rapier, world: World, tree: KinematicTree, options: UrdfArmOptions): UrdfArmHandles {
  const urdfInBody: Quat[] = [[0, 0, 0, 1]];
  const bodyWorld: Transform[] = [options.basePose];
  const bodies: number[] = [];
  const joints: number[] = [];
  const colliders: number[] = [];
  for (let b = 0; b < tree.bodies.length; b++) {
    const joint = b > 0 ? tree.joints[b - 1]! : undefined;
    if (joint) {
      // The joint's origin in the parent's Rapier frame; the child keeps the parent's orientation.
      const parentUrdf: Transform = { p: [0, 0, 0], q: urdfInBody[joint.parentBody]! };
      const origin = compose(parentUrdf, joint.origin);
      urdfInBody[b] = origin.q;
      bodyWorld[b] = compose(bodyWorld[joint.parentBody]!, { p: origin.p, q: [0, 0, 0, 1] });
    }
    const pose = bodyWorld[b]!;
    const desc = b === 0 ? R.RigidBodyDesc.fixed() : R.RigidBodyDesc.dynamic().setCanSleep(false);
    desc.setTranslation(pose.p[0], pose.p[1], pose.p[2]).setRotation({ x: pose.q[0], y: pose.q[1], z: pose.q[2], w: pose.q[3] });
    const mass = tree.bodies[b]!.mass;
    if (b > 0 && mass) {
      // Mass from the URDF, never from the shapes (their density is zero).
      const inRapier = rotate(urdfInBody[b]!, mass.centerOfMass);
      const principal = principalAxes(withArmature(mass.inertia, joint!.axis, options.armature?.[b - 1] ?? 0));
      const frame = quatMultiply(urdfInBody[b]!, principal.frame);
      desc.setAdditionalMassProperties(
        mass.massKg,
        { x: inRapier[0], y: inRapier[1], z: inRapier[2] },
        { x: principal.moments[0], y: principal.moments[1], z: principal.moments[2] },
        { x: frame[0], y: frame[1], z: frame[2], w: frame[3] },
      );
    }
    const body = world.createRigidBody(desc);
    bodies.push(body.handle);
    for (const { shape, inBody } of tree.bodies[b]!.collisions) {
      const placed = compose({ p: [0, 0, 0], q: urdfInBody[b]! }, inBody);
      for (const collider of collidersOf(R, shape.geometry, placed, options)) colliders.push(world.createCollider(collider, body).handle);
    }
    if (joint) joints.push(createJoint(R, world, joint, urdfInBody, bodyWorld, bodies, b, options.joints ?? 'impulse'));
  }
  return { bodies, joints, colliders, urdfInBody, jointKind: options.joints ?? 'impulse', armature: tree.joints.map((_, i) => options.armature?.[i] ?? 0) };
}

/** The inertia plus armature about the unit axis (both in the body's URDF frame): I + a·n nᵀ. */
function withArmature(inertia: InertiaTensor, axis: Vec3, armature: number): InertiaTensor {
  if (armature === 0) return inertia;
  const [x, y, z] = axis;
  return {
    ixx: inertia.ixx + armature * x * x,
    iyy: inertia.iyy + armature * y * y,
    izz: inertia.izz + armature * z * z,
    ixy: inertia.ixy + armature * x * y,
    ixz: inertia.ixz + armature * x * z,
    iyz: inertia.iyz + armature * y * z,
  };
}

function createJoint(R: Rapier, world: World, joint: MovingJoint, urdfInBody: readonly Quat[], bodyWorld: readonly Transform[], bodies: readonly number[], b: number, kind: 'impulse' | 'multibody'): number {
  const parent = world.getRigidBody(bodies[joint.parentBody]!);
  const child = world.getRigidBody(bodies[b]!);
  const anchor = compose(invert(bodyWorld[joint.parentBody]!), bodyWorld[b]!).p;
  const axis = rotate(urdfInBody[b]!, joint.axis);
  const a = { x: anchor[0], y: anchor[1], z: anchor[2] };
  const v = { x: axis[0], y: axis[1], z: axis[2] };
  const data = joint.type === 'prismatic' ? R.JointData.prismatic(a, { x: 0, y: 0, z: 0 }, v) : R.JointData.revolute(a, { x: 0, y: 0, z: 0 }, v);
  if (kind === 'multibody') {
    const created = world.createMultibodyJoint(data, parent, child, true);
    created.setContactsEnabled(false);
    return created.handle;
  }
  const created = world.createImpulseJoint(data, parent, child, true);
  created.setContactsEnabled(false);
  const motor = motorOf(created);
  motor.configureMotorModel(R.MotorModel.ForceBased);
  if (Number.isFinite(joint.limit.effort)) motor.setMotorMaxForce(joint.limit.effort);
  return created.handle;
}

function collidersOf(R: Rapier, geometry: Geometry, placed: Transform, options: UrdfArmOptions): ReturnType<typeof R.ColliderDesc.ball>[] {
  let descs: (ReturnType<typeof R.ColliderDesc.ball> | null)[];
  let rotation = placed.q;
  switch (geometry.kind) {
    case 'box':
      descs = [R.ColliderDesc.cuboid(geometry.size[0] / 2, geometry.size[1] / 2, geometry.size[2] / 2)];
      break;
    case 'sphere':
      descs = [R.ColliderDesc.ball(geometry.radius)];
      break;
    case 'cylinder':
      // URDF cylinders run along z, Rapier's along y: turn y onto z.
      descs = [R.ColliderDesc.cylinder(geometry.length / 2, geometry.radius)];
      rotation = quatMultiply(placed.q, [Math.SQRT1_2, 0, 0, Math.SQRT1_2]);
      break;
    case 'mesh': {
      const points = geometry.mesh?.vertices;
      if (!points) return [];
      descs = options.meshCollision === 'decomposition' ? [R.ColliderDesc.convexDecomposition(points, geometry.mesh!.indices)] : [R.ColliderDesc.convexHull(points)];
      break;
    }
  }
  const out = [];
  for (const d of descs) {
    if (!d) continue;
    d.setTranslation(placed.p[0], placed.p[1], placed.p[2])
      .setRotation({ x: rotation[0], y: rotation[1], z: rotation[2], w: rotation[3] })
      .setDensity(0)
      .setFriction(options.friction ?? 0.5)
      .setCollisionGroups(options.collisionGroups);
    out.push(d);
  }
  return out;
}

/** Wrappers bound to one World (re-bound after each snapshot restore). */
export class UrdfArm {
  readonly bodies: RigidBody[] = [];
  readonly joints: ImpulseJoint[] = [];
  readonly colliders: Collider[] = [];
  /** Each joint's axis in its parent's Rapier frame (= the child's, at zero). */
  private readonly axes: Vec3[];
  /** Each joint's child origin in its parent's Rapier frame, at zero. */
  private readonly anchors: Vec3[];
  /** Per joint: target, target velocity, stiffness, damping (multibody joints apply them as torques). */
  private readonly pd: Float64Array;
  private readonly effort: Float64Array;
  private readonly scratchQ: Float64Array;
  private readonly scratchDq: Float64Array;
  /** Link frames' offsets within their Rapier bodies. */
  private readonly frameCache = new Map<string, { body: number; local: Vec3 }>();

  constructor(
    readonly tree: KinematicTree,
    readonly handles: UrdfArmHandles,
  ) {
    this.axes = tree.joints.map((j, i) => rotate(handles.urdfInBody[i + 1]!, j.axis));
    this.anchors = tree.joints.map((j) => rotate(handles.urdfInBody[j.parentBody]!, j.origin.p));
    const n = tree.joints.length;
    this.pd = new Float64Array(4 * n);
    this.effort = Float64Array.from(tree.joints, (j) => j.limit.effort);
    this.scratchQ = new Float64Array(n);
    this.scratchDq = new Float64Array(n);
  }

  /**
   * Multibody joints only: the PD torque of every joint for the coming step, as equal and opposite
   * torques on the joint's two bodies, capped at the effort limit. Impulse joints need nothing.
   */
  applyControl(): void {
    if (this.handles.jointKind === 'impulse') return;
    this.readPositions(this.scratchQ, 0);
    this.readVelocities(this.scratchDq, 0);
    const pd = this.pd;
    for (let b = 1; b < this.bodies.length; b++) {
      this.bodies[b]!.resetForces(false);
      this.bodies[b]!.resetTorques(false);
    }
    for (let i = 0; i < this.tree.joints.length; i++) {
      let tau = pd[4 * i + 2]! * (pd[4 * i]! - this.scratchQ[i]!) + pd[4 * i + 3]! * (pd[4 * i + 1]! - this.scratchDq[i]!);
      const cap = this.effort[i]!;
      if (tau > cap) tau = cap;
      else if (tau < -cap) tau = -cap;
      const joint = this.tree.joints[i]!;
      const parent = this.bodies[joint.parentBody]!;
      const child = this.bodies[i + 1]!;
      // Forces, not impulses: a multibody link's velocity is rebuilt from its joint velocities, so
      // an impulse on the body is lost; user forces become generalized forces.
      const f = worldAxis(parent, this.axes[i]!, scratchForce);
      f.x *= tau;
      f.y *= tau;
      f.z *= tau;
      const prismatic = joint.type === 'prismatic';
      if (prismatic) child.addForce(f, true);
      else child.addTorque(f, true);
      if (joint.parentBody > 0) {
        f.x = -f.x;
        f.y = -f.y;
        f.z = -f.z;
        if (prismatic) parent.addForce(f, true);
        else parent.addTorque(f, true);
      }
    }
  }

  /**
   * The largest physics step at which the explicit PD torques of multibody joints stay stable with
   * the current gains: k·dt²/I ≤ 1 and d·dt/I ≤ 1 on every joint, I being the moving body's own
   * inertia about the axis plus the armature (a lower bound on what the joint drives). Impulse
   * joints' motors are implicit: Infinity.
   */
  stableTimestep(): number {
    if (this.handles.jointKind === 'impulse') return Infinity;
    let dt = Infinity;
    this.tree.joints.forEach((joint, i) => {
      const mass = this.tree.bodies[i + 1]!.mass!;
      const n = joint.axis;
      const t = mass.inertia;
      let inertia = this.handles.armature[i]!;
      if (joint.type === 'prismatic') inertia += mass.massKg;
      else inertia += n[0] * n[0] * t.ixx + n[1] * n[1] * t.iyy + n[2] * n[2] * t.izz + 2 * (n[0] * n[1] * t.ixy + n[0] * n[2] * t.ixz + n[1] * n[2] * t.iyz);
      const k = this.pd[4 * i + 2]!;
      const d = this.pd[4 * i + 3]!;
      if (k > 0) dt = Math.min(dt, Math.sqrt(inertia / k));
      if (d > 0) dt = Math.min(dt, inertia / d);
    });
    return dt;
  }

  bind(world: World): void {
    this.handles.bodies.forEach((h, i) => (this.bodies[i] = world.getRigidBody(h)));
    if (this.handles.jointKind === 'impulse') this.handles.joints.forEach((h, i) => (this.joints[i] = world.getImpulseJoint(h)));
    this.handles.colliders.forEach((h, i) => (this.colliders[i] = world.getCollider(h)));
  }

  get jointCount(): number {
    return this.tree.joints.length;
  }

  /** Joint positions (rad or m) into out[offset..], from the bodies' poses. */
  readPositions(out: Float64Array, offset: number): void {
    for (let i = 0; i < this.tree.joints.length; i++) {
      const joint = this.tree.joints[i]!;
      const parent = this.bodies[joint.parentBody]!;
      const child = this.bodies[i + 1]!;
      const axis = this.axes[i]!;
      const p = parent.rotation(scratchRotation);
      const px = p.x, py = p.y, pz = p.z, pw = p.w;
      if (joint.type === 'prismatic') {
        const a = parent.translation(scratchA);
        const b = child.translation(scratchB);
        // The child's origin in the parent's frame, minus where it sits at zero, along the axis.
        const d = rotateInverse(px, py, pz, pw, b.x - a.x, b.y - a.y, b.z - a.z, scratchA);
        const anchor = this.anchors[i]!;
        out[offset + i] = (d.x - anchor[0]) * axis[0] + (d.y - anchor[1]) * axis[1] + (d.z - anchor[2]) * axis[2];
      } else {
        const c = child.rotation(scratchRotation);
        // rel = conj(p) * c; the angle about the axis is 2 atan2(rel.xyz · axis, rel.w).
        const rx = pw * c.x - px * c.w - py * c.z + pz * c.y;
        const ry = pw * c.y + px * c.z - py * c.w - pz * c.x;
        const rz = pw * c.z - px * c.y + py * c.x - pz * c.w;
        const rw = pw * c.w + px * c.x + py * c.y + pz * c.z;
        let angle = 2 * Math.atan2(rx * axis[0] + ry * axis[1] + rz * axis[2], rw);
        if (angle > Math.PI) angle -= 2 * Math.PI;
        else if (angle < -Math.PI) angle += 2 * Math.PI;
        out[offset + i] = angle;
      }
    }
  }

  /** Joint velocities (rad/s or m/s) into out[offset..]. */
  readVelocities(out: Float64Array, offset: number): void {
    for (let i = 0; i < this.tree.joints.length; i++) {
      const joint = this.tree.joints[i]!;
      const parent = this.bodies[joint.parentBody]!;
      const child = this.bodies[i + 1]!;
      const w = worldAxis(parent, this.axes[i]!, scratchForce);
      const prismatic = joint.type === 'prismatic';
      const a = prismatic ? parent.linvel(scratchA) : parent.angvel(scratchA);
      const b = prismatic ? child.linvel(scratchB) : child.angvel(scratchB);
      out[offset + i] = (b.x - a.x) * w.x + (b.y - a.y) * w.y + (b.z - a.z) * w.z;
    }
  }

  /** World position of a link's frame (merged links included). */
  framePosition(link: string, out: Float64Array, offset: number): void {
    const frame = this.frameCache.get(link) ?? this.cacheFrame(link);
    const body = this.bodies[frame.body]!;
    const q = body.rotation(scratchRotation);
    const t = body.translation(scratchA);
    const p = rotateForward(q.x, q.y, q.z, q.w, frame.local[0], frame.local[1], frame.local[2], scratchB);
    out[offset] = t.x + p.x;
    out[offset + 1] = t.y + p.y;
    out[offset + 2] = t.z + p.z;
  }

  private cacheFrame(link: string): { body: number; local: Vec3 } {
    const frame = this.tree.frames.get(link);
    if (!frame) throw new Error(`no link '${link}' in ${this.tree.robot.name}`);
    const cached = { body: frame.body, local: rotate(this.handles.urdfInBody[frame.body]!, frame.inBody.p) };
    this.frameCache.set(link, cached);
    return cached;
  }

  /** PD position control of joint i: target (rad or m), its velocity, stiffness and damping. */
  setJointTarget(i: number, target: number, targetVelocity: number, stiffness: number, damping: number): void {
    this.pd.set([target, targetVelocity, stiffness, damping], 4 * i);
    if (this.handles.jointKind === 'impulse') motorOf(this.joints[i]!).configureMotor(target, targetVelocity, stiffness, damping);
  }

  /** The joint's effort limit (N·m or N). */
  setEffortLimit(i: number, effort: number): void {
    this.effort[i] = effort;
    if (this.handles.jointKind === 'impulse') motorOf(this.joints[i]!).setMotorMaxForce(effort);
  }
}

interface MotorJoint {
  configureMotorModel(model: number): void;
  setMotorMaxForce(maxForce: number): void;
  configureMotor(targetPos: number, targetVel: number, stiffness: number, damping: number): void;
}

function motorOf(joint: ImpulseJoint): MotorJoint {
  return joint as unknown as MotorJoint;
}

/** Reused outputs for Rapier's getters, which fill a given object instead of allocating one. */
const scratchRotation = { x: 0, y: 0, z: 0, w: 1 };
const scratchA = { x: 0, y: 0, z: 0 };
const scratchB = { x: 0, y: 0, z: 0 };
const scratchForce = { x: 0, y: 0, z: 0 };

type Out = { x: number; y: number; z: number };

/** q v q⁻¹ for a unit quaternion, into out. */
function rotateForward(qx: number, qy: number, qz: number, qw: number, vx: number, vy: number, vz: number, out: Out): Out {
  const tx = 2 * (qy * vz - qz * vy);
  const ty = 2 * (qz * vx - qx * vz);
  const tz = 2 * (qx * vy - qy * vx);
  out.x = vx + qw * tx + (qy * tz - qz * ty);
  out.y = vy + qw * ty + (qz * tx - qx * tz);
  out.z = vz + qw * tz + (qx * ty - qy * tx);
  return out;
}

function rotateInverse(qx: number, qy: number, qz: number, qw: number, vx: number, vy: number, vz: number, out: Out): Out {
  return rotateForward(-qx, -qy, -qz, qw, vx, vy, vz, out);
}

/** A joint axis given in the parent's frame, in the world. */
function worldAxis(parent: RigidBody, axis: Vec3, out: Out): Out {
  const q = parent.rotation(scratchRotation);
  return rotateForward(q.x, q.y, q.z, q.w, axis[0], axis[1], axis[2], out);
}
