/**
 * The table scene both built-in tasks share: a floor, a table, the 3-link arm and, for `push`, a
 * puck. The randomizer changes it only through the named parameter setters below, never by
 * reaching into bodies; tasks read it through `arm`, `puck` and the handles.
 *
 * Resets restore a snapshot taken right after the build, so an episode never depends on what the
 * previous one left behind (contact warm-starts, broad-phase tree order): the same episode seed
 * gives the same trace on any worker, whatever ran before.
 */
import type { Collider, ImpulseJoint, RigidBody, World } from '@dimforge/rapier3d-compat';
import { frictionTorqueNm } from '../jointFriction';
import { rapier, type Rapier } from '../rapier';
import { ARM, JOINT_COUNT, bindArm, buildArm, yawOf, type ArmBinding, type ArmHandles } from './arm';
import { COLLISION, groups } from './collision';

/** Nominal physical values of the scene (the nominal column of parameters.ts, in SI units). */
export const SCENE_NOMINAL = {
  frictionCoefficient: 0.6,
  restitution: 0,
  puckMassKg: 0.2,
  linkMassKg: 0.5,
  linearDampingPerS: 0.5,
  angularDampingPerS: 0.5,
  jointDampingNms: 0.05,
  jointFrictionNm: 0,
  tableHeightM: 0.75,
  jointStiffnessNmPerRad: 40,
  motorStrengthNm: 8,
  gravityMPerS2: 9.81,
} as const;

export const TABLE = {
  /** Table top extent, m: x from -0.2 to 0.9, y from -0.6 to 0.6. */
  minX: -0.2,
  maxX: 0.9,
  halfWidthY: 0.6,
  halfThicknessM: 0.02,
} as const;

export const PUCK = {
  radiusM: 0.04,
  halfHeightM: 0.025,
} as const;

export interface TableSceneOptions {
  readonly withPuck: boolean;
  /** Physics step, s. [default: 0.02] */
  readonly timestepS?: number;
  /** Solver iterations per step (Rapier's soft-TGS substeps). [default: 4] */
  readonly solverIterations?: number;
}

const UPRIGHT = { x: Math.SQRT1_2, y: 0, z: 0, w: Math.SQRT1_2 };

export class TableScene {
  world: World;
  readonly arm: ArmBinding = { links: [], joints: [] };
  puck: RigidBody | undefined;
  readonly withPuck: boolean;
  private readonly R: Rapier;
  private readonly armHandles: ArmHandles;
  private readonly tableCollider: number;
  private readonly puckBody: number;
  private readonly puckCollider: number;
  private snapshot!: Uint8Array;
  private table!: Collider;
  private puckShape: Collider | undefined;
  private readonly linkShapes: Collider[] = [];
  /** Motor settings per joint, kept because Rapier sets target, stiffness and damping together. */
  readonly jointTargetsRad = new Float64Array(JOINT_COUNT);
  /** Velocity feed-forward of the position controllers, rad/s. */
  readonly jointTargetVelocitiesRadPerS = new Float64Array(JOINT_COUNT);
  readonly jointStiffnessNmPerRad = new Float64Array(JOINT_COUNT).fill(SCENE_NOMINAL.jointStiffnessNmPerRad);
  readonly jointDampingNms = new Float64Array(JOINT_COUNT).fill(SCENE_NOMINAL.jointDampingNms);
  /** Coulomb friction torque per joint, N·m, applied in `step()` (Rapier has no joint friction). */
  readonly jointFrictionNm = new Float64Array(JOINT_COUNT).fill(SCENE_NOMINAL.jointFrictionNm);
  /** Kept for the friction's no-reversal bound (Rapier applies mass changes only at the next step). */
  private readonly linkMassKg = new Float64Array(JOINT_COUNT).fill(SCENE_NOMINAL.linkMassKg);
  private readonly motorStrengthNm = new Float64Array(JOINT_COUNT).fill(SCENE_NOMINAL.motorStrengthNm);
  /** Link centres (x, y) and yaws, read once per physics step while friction is on. */
  private readonly linkPose = new Float64Array(3 * JOINT_COUNT);
  tableHeightM: number = SCENE_NOMINAL.tableHeightM;

  constructor(options: TableSceneOptions) {
    const R = rapier();
    this.R = R;
    this.withPuck = options.withPuck;
    const world = new R.World({ x: 0, y: 0, z: -SCENE_NOMINAL.gravityMPerS2 });
    world.timestep = options.timestepS ?? 0.02;
    world.numSolverIterations = options.solverIterations ?? 4;
    const floorBody = world.createRigidBody(R.RigidBodyDesc.fixed());
    world.createCollider(
      R.ColliderDesc.cuboid(5, 5, 0.05).setTranslation(0, 0, -0.05).setCollisionGroups(groups(COLLISION.floor, COLLISION.puck)),
      floorBody,
    );
    const tableBody = world.createRigidBody(R.RigidBodyDesc.fixed());
    const table = world.createCollider(
      R.ColliderDesc.cuboid((TABLE.maxX - TABLE.minX) / 2, TABLE.halfWidthY, TABLE.halfThicknessM)
        .setTranslation((TABLE.maxX + TABLE.minX) / 2, 0, SCENE_NOMINAL.tableHeightM - TABLE.halfThicknessM)
        .setFriction(SCENE_NOMINAL.frictionCoefficient)
        .setRestitution(SCENE_NOMINAL.restitution)
        .setCollisionGroups(groups(COLLISION.table, COLLISION.puck)),
      tableBody,
    );
    this.tableCollider = table.handle;
    this.armHandles = buildArm(R, world, SCENE_NOMINAL.linkMassKg);
    if (options.withPuck) {
      const body = world.createRigidBody(
        R.RigidBodyDesc.dynamic()
          .setTranslation(0.4, 0, SCENE_NOMINAL.tableHeightM + PUCK.halfHeightM)
          .enabledRotations(false, false, true)
          .setLinearDamping(SCENE_NOMINAL.linearDampingPerS)
          .setAngularDamping(SCENE_NOMINAL.angularDampingPerS)
          .setCanSleep(false),
      );
      const collider = world.createCollider(
        R.ColliderDesc.cylinder(PUCK.halfHeightM, PUCK.radiusM)
          .setRotation(UPRIGHT)
          .setMass(SCENE_NOMINAL.puckMassKg)
          .setFriction(SCENE_NOMINAL.frictionCoefficient)
          .setRestitution(SCENE_NOMINAL.restitution)
          .setCollisionGroups(groups(COLLISION.puck, COLLISION.finger | COLLISION.table | COLLISION.floor)),
        body,
      );
      this.puckBody = body.handle;
      this.puckCollider = collider.handle;
    } else {
      this.puckBody = -1;
      this.puckCollider = -1;
    }
    this.world = world;
    this.bind();
    for (let i = 0; i < JOINT_COUNT; i++) {
      unit(this.arm.joints[i]).setMotorMaxForce(SCENE_NOMINAL.motorStrengthNm);
      this.configureMotor(i);
    }
    this.snapshot = world.takeSnapshot();
  }

  /** Back to the state right after the build (new World from the snapshot; the old one is freed). */
  restore(): void {
    const timestep = this.world.timestep;
    const iterations = this.world.numSolverIterations;
    this.world.free();
    this.world = this.R.World.restoreSnapshot(this.snapshot);
    this.world.timestep = timestep;
    this.world.numSolverIterations = iterations;
    this.bind();
    // The snapshot holds the nominal scene: mirror it in the kept motor settings.
    this.tableHeightM = SCENE_NOMINAL.tableHeightM;
    this.jointTargetsRad.fill(0);
    this.jointTargetVelocitiesRadPerS.fill(0);
    this.jointStiffnessNmPerRad.fill(SCENE_NOMINAL.jointStiffnessNmPerRad);
    this.jointDampingNms.fill(SCENE_NOMINAL.jointDampingNms);
    this.jointFrictionNm.fill(SCENE_NOMINAL.jointFrictionNm);
    this.linkMassKg.fill(SCENE_NOMINAL.linkMassKg);
    this.motorStrengthNm.fill(SCENE_NOMINAL.motorStrengthNm);
  }

  private bind(): void {
    const w = this.world;
    bindArm(w, this.armHandles, this.arm);
    this.table = w.getCollider(this.tableCollider);
    for (let i = 0; i < JOINT_COUNT; i++) this.linkShapes[i] = w.getCollider(this.armHandles.linkColliders[i]);
    if (this.withPuck) {
      this.puck = w.getRigidBody(this.puckBody);
      this.puckShape = w.getCollider(this.puckCollider);
    }
  }

  step(): void {
    this.applyJointFriction();
    this.world.step();
  }

  /**
   * Coulomb joint friction as equal and opposite torque impulses on the two bodies of each joint,
   * from the joint's relative speed before the step (the reality plant's torque law, shared).
   *
   * An explicit impulse near zero speed would overshoot at a 50 Hz step (the smoothing band's
   * slope c/0.01 is far stiffer than a light link can take) and make a resting joint chatter at
   * tenths of a rad/s. Dry friction can stop a joint but never turn it round, so each impulse is
   * capped at half what would stop the joint: the distal chain's inertia about the joint, taken as
   * rigid, plus the motor's implicit damping over the step, times the joint's speed.
   */
  private applyJointFriction(): void {
    const friction = this.jointFrictionNm;
    if (friction[0] === 0 && friction[1] === 0 && friction[2] === 0) return;
    const dt = this.world.timestep;
    const links = this.arm.links;
    const pose = this.linkPose;
    for (let j = 0; j < JOINT_COUNT; j++) {
      const p = links[j]!.translation(scratchAngvel);
      pose[3 * j] = p.x;
      pose[3 * j + 1] = p.y;
      pose[3 * j + 2] = yawOf(links[j]!);
    }
    let parentRate = 0;
    for (let i = 0; i < JOINT_COUNT; i++) {
      const rate = links[i]!.angvel(scratchAngvel).z;
      const relative = rate - parentRate;
      let tau = friction[i] > 0 ? frictionTorqueNm(relative, friction[i], 0) : 0;
      parentRate = rate;
      if (tau === 0) continue;
      const damping = this.motorStrengthNm[i] > 0 ? ARM.controllerDampingNms + this.jointDampingNms[i] : 0;
      const stopping = (0.5 * (this.distalInertia(i) + damping * dt) * Math.abs(relative)) / dt;
      if (Math.abs(tau) > stopping) tau = Math.sign(tau) * stopping;
      scratchImpulse.z = tau * dt;
      links[i]!.applyTorqueImpulse(scratchImpulse, true);
      if (i > 0) {
        scratchImpulse.z = -tau * dt;
        links[i - 1]!.applyTorqueImpulse(scratchImpulse, true);
      }
    }
  }

  // ---- named parameter setters (the randomizer's only way in) ----

  /** Coulomb friction of a contact body ('puck' | 'table'); Rapier averages the two in contact. */
  setFriction(target: string, coefficient: number): void {
    this.contactCollider(target).setFriction(coefficient);
  }

  setRestitution(target: string, coefficient: number): void {
    this.contactCollider(target).setRestitution(coefficient);
  }

  setObjectMass(target: string, massKg: number): void {
    this.objectBody(target);
    this.puckShape!.setMass(massKg);
  }

  setLinkMass(link: string, massKg: number): void {
    const i = this.linkIndex(link);
    this.linkMassKg[i] = massKg;
    this.linkShapes[i].setMass(massKg);
  }

  setLinearDamping(target: string, perS: number): void {
    this.objectBody(target).setLinearDamping(perS);
  }

  setAngularDamping(target: string, perS: number): void {
    this.objectBody(target).setAngularDamping(perS);
  }

  /** Inertia of links i..end about joint i, kg·m², as one rigid body in their current pose. */
  private distalInertia(i: number): number {
    const pose = this.linkPose;
    const half = ARM.linkLengthsM[i] / 2;
    const jx = pose[3 * i] - half * Math.cos(pose[3 * i + 2]);
    const jy = pose[3 * i + 1] - half * Math.sin(pose[3 * i + 2]);
    const width = 2 * ARM.linkHalfWidthM;
    let inertia = 0;
    for (let j = i; j < JOINT_COUNT; j++) {
      const m = this.linkMassKg[j];
      const l = ARM.linkLengthsM[j];
      const dx = pose[3 * j] - jx;
      const dy = pose[3 * j + 1] - jy;
      inertia += (m * (l * l + width * width)) / 12 + m * (dx * dx + dy * dy);
    }
    return inertia;
  }

  /** Coulomb joint friction, N·m (0 turns it off). */
  setJointFriction(joint: string, coulombNm: number): void {
    this.jointFrictionNm[this.jointIndex(joint)] = coulombNm;
  }

  /** Viscous joint damping: a velocity term of the joint motor, added to the controller's own. */
  setJointDamping(joint: string, nms: number): void {
    const i = this.jointIndex(joint);
    this.jointDampingNms[i] = nms;
    this.configureMotor(i);
  }

  setJointStiffness(joint: string, nmPerRad: number): void {
    const i = this.jointIndex(joint);
    this.jointStiffnessNmPerRad[i] = nmPerRad;
    this.configureMotor(i);
  }

  setMotorStrength(joint: string, maxTorqueNm: number): void {
    const i = this.jointIndex(joint);
    this.motorStrengthNm[i] = maxTorqueNm;
    unit(this.arm.joints[i]).setMotorMaxForce(maxTorqueNm);
  }

  /** Move the table top to heightM (the arm base stays where it is). */
  setTableHeight(heightM: number): void {
    this.tableHeightM = heightM;
    // The table collider hangs off a fixed body: move it relative to that body (at the origin).
    this.table.setTranslationWrtParent({ x: (TABLE.maxX + TABLE.minX) / 2, y: 0, z: heightM - TABLE.halfThicknessM });
  }

  setTimestep(dtS: number): void {
    this.world.timestep = dtS;
  }

  /**
   * Joint position target (rad) and the velocity the target moves at (rad/s, feed-forward); the
   * motor uses the current stiffness and damping.
   */
  setJointTarget(i: number, targetRad: number, targetVelocityRadPerS = 0): void {
    this.jointTargetsRad[i] = targetRad;
    this.jointTargetVelocitiesRadPerS[i] = targetVelocityRadPerS;
    this.configureMotor(i);
  }

  /** Place the puck at rest on the table top at (x, y). */
  placePuck(x: number, y: number): void {
    const puck = this.puck!;
    puck.setTranslation({ x, y, z: this.tableHeightM + PUCK.halfHeightM }, false);
    puck.setRotation({ x: 0, y: 0, z: 0, w: 1 }, false);
    puck.setLinvel({ x: 0, y: 0, z: 0 }, false);
    puck.setAngvel({ x: 0, y: 0, z: 0 }, false);
  }

  /**
   * Rapier has one motor per axis: torque = k (target - q) + d (targetVel - dq). The controller's
   * damping tracks the feed-forward velocity; the joint's viscous damping b must oppose the
   * absolute velocity, so d = dc + b and targetVel is scaled by dc / (dc + b).
   */
  private configureMotor(i: number): void {
    const controller = ARM.controllerDampingNms;
    const damping = controller + this.jointDampingNms[i];
    unit(this.arm.joints[i]).configureMotor(
      this.jointTargetsRad[i],
      damping > 0 ? (this.jointTargetVelocitiesRadPerS[i] * controller) / damping : 0,
      this.jointStiffnessNmPerRad[i],
      damping,
    );
  }

  private contactCollider(target: string): Collider {
    if (target === 'table') return this.table;
    if (target === 'puck' && this.puckShape) return this.puckShape;
    throw new Error(`no contact body '${target}' in this scene`);
  }

  private objectBody(target: string): RigidBody {
    if (target === 'puck' && this.puck) return this.puck;
    throw new Error(`no object '${target}' in this scene`);
  }

  private linkIndex(link: string): number {
    const i = LINK_NAMES.indexOf(link);
    if (i < 0) throw new Error(`no link '${link}'`);
    return i;
  }

  private jointIndex(joint: string): number {
    const i = JOINT_NAMES.indexOf(joint);
    if (i < 0) throw new Error(`no joint '${joint}'`);
    return i;
  }

  dispose(): void {
    this.world.free();
  }
}

/** Reused arguments for Rapier's getters and impulses in the per-step friction. */
const scratchAngvel = { x: 0, y: 0, z: 0 };
const scratchImpulse = { x: 0, y: 0, z: 0 };

export const LINK_NAMES: readonly string[] = ['link1', 'link2', 'link3'];
export const JOINT_NAMES: readonly string[] = ['shoulder', 'elbow', 'wrist'];

interface MotorJoint {
  setMotorMaxForce(maxForce: number): void;
  configureMotor(targetPos: number, targetVel: number, stiffness: number, damping: number): void;
}

function unit(joint: ImpulseJoint): MotorJoint {
  return joint as unknown as MotorJoint;
}

