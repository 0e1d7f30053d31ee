/**
 * `reach` on any URDF arm: the arm stands on the table at robot.base_position and brings its end
 * effector to within 2 cm of a target it can reach. Targets come from the arm's own workspace: a
 * random joint configuration (35% of each joint's range), through forward kinematics, kept when
 * the end effector is at least 3 cm above the table. The arm starts each episode at its zero pose.
 *
 * Multibody joints with PD torques, substepped so the explicit PD stays stable (docs/robots.md):
 * gravity-loaded light arms hold their targets this way, and impulse joints sag.
 *
 * Observation (2n + 9): joint positions and velocities of the n controlled joints, end-effector
 * xyz, target xyz, and target minus end effector (m, world): the error a reaching controller
 * acts on, given as such so the policy need not learn to subtract two normalized inputs.
 * Action (n): joint target steps of up to 0.05 rad per control step.
 */
import type { World } from '@dimforge/rapier3d-compat';
import type { RobotModel } from '../config/robotModel';
import { linkPose } from '../urdf/forwardKinematics';
import { deriveSeed, Rng } from '../util/rng';
import { SEED_STREAMS } from '../util/seedStreams';
import type { Env, EpisodeSample, StepResult } from './env';
import { rapier } from './rapier';
import { COLLISION, groups } from './tasks/collision';
import { REACH } from './tasks/reach';
import { SCENE_NOMINAL } from './tasks/tableScene';
import { endExploded, exploded, scoreStep, startEpisode } from './stepOutcome';
import { buildUrdfArm, UrdfArm } from './urdfArm';

export const URDF_REACH = {
  controlPeriodS: 0.02,
  maxTargetStepRad: 0.05,
  /** The controller's own damping, N·m·s/rad, added to the URDF joint's. */
  controllerDampingNms: 0.5,
  /** Fraction of each joint's range the targets are drawn from. */
  targetRangeFraction: 0.35,
  /** Lowest target above the table top, m. */
  targetClearanceM: 0.03,
  maxEpisodeSteps: 100,
} as const;

export class UrdfReachEnv implements Env {
  readonly observationSize: number;
  readonly actionSize: number;
  readonly maxEpisodeSteps = URDF_REACH.maxEpisodeSteps;
  readonly observation: Float64Array;
  readonly sample: EpisodeSample = {};
  /** Joint position targets of the controlled joints. */
  readonly jointTargets: Float64Array;
  readonly target = new Float64Array(3);
  /** Physics steps per control step (from the PD's stable step). */
  readonly substeps: number;
  private world: World;
  private readonly arm: UrdfArm;
  private readonly snapshot: Uint8Array;
  private readonly result: StepResult = { reward: 0, done: true, success: false, termination: 'none' };
  private readonly tip = new Float64Array(3);
  private readonly allJoints: Float64Array;
  private episodeStep = 0;
  private disposed = false;

  constructor(private readonly model: RobotModel) {
    const R = rapier();
    const n = model.controlled.length;
    this.observationSize = 2 * n + 9;
    this.actionSize = n;
    this.observation = new Float64Array(this.observationSize);
    this.jointTargets = new Float64Array(n);
    this.allJoints = new Float64Array(model.tree.joints.length);
    const world = new R.World({ x: 0, y: 0, z: -SCENE_NOMINAL.gravityMPerS2 });
    const floor = world.createRigidBody(R.RigidBodyDesc.fixed());
    world.createCollider(R.ColliderDesc.cuboid(5, 5, 0.05).setTranslation(0, 0, -0.05).setCollisionGroups(groups(COLLISION.floor, COLLISION.none)), floor);
    world.createCollider(
      R.ColliderDesc.cuboid(0.6, 0.6, 0.02)
        .setTranslation(model.basePosition[0], model.basePosition[1], SCENE_NOMINAL.tableHeightM - 0.02)
        .setCollisionGroups(groups(COLLISION.table, COLLISION.none)),
      floor,
    );
    // The arm's shapes collide with nothing yet: reach needs no contact, and primitive shapes that
    // overlap at the joints would fight the joints.
    const handles = buildUrdfArm(R, world, model.tree, {
      basePose: { p: [...model.basePosition], q: [0, 0, 0, 1] },
      collisionGroups: groups(COLLISION.link, COLLISION.none),
      joints: 'multibody',
      armature: model.tree.joints.map(() => model.armature),
    });
    this.arm = new UrdfArm(model.tree, handles);
    this.arm.bind(world);
    this.holdAll();
    this.substeps = Math.max(1, Math.ceil(URDF_REACH.controlPeriodS / this.arm.stableTimestep()));
    world.timestep = URDF_REACH.controlPeriodS / this.substeps;
    this.world = world;
    this.snapshot = world.takeSnapshot();
  }

  reset(episodeSeed: number): void {
    this.assertLive();
    const R = rapier();
    this.world.free();
    this.world = R.World.restoreSnapshot(this.snapshot);
    this.world.timestep = URDF_REACH.controlPeriodS / this.substeps;
    this.arm.bind(this.world);
    this.jointTargets.fill(0);
    this.holdAll();
    this.drawTarget(new Rng(deriveSeed(episodeSeed, SEED_STREAMS.episode.start, 0)));
    this.episodeStep = 0;
    startEpisode(this.result);
    this.observe();
  }

  step(action: ArrayLike<number>): StepResult {
    this.assertLive();
    const r = this.result;
    if (r.done) return r;
    const tree = this.model.tree;
    for (let k = 0; k < this.actionSize; k++) {
      const a = Number.isFinite(action[k]) ? Math.max(-1, Math.min(1, action[k]!)) : 0;
      const joint = tree.joints[this.model.controlled[k]!]!;
      const previous = this.jointTargets[k]!;
      const target = Math.min(joint.limit.upper, Math.max(joint.limit.lower, previous + a * URDF_REACH.maxTargetStepRad));
      this.jointTargets[k] = target;
      this.setTarget(this.model.controlled[k]!, target, (target - previous) / URDF_REACH.controlPeriodS);
    }
    for (let s = 0; s < this.substeps; s++) {
      this.arm.applyControl();
      this.world.step();
    }
    this.episodeStep++;
    this.observe();
    // The table is about 1 m across and no joint turns at 50 rad/s.
    if (exploded(this.observation, 50)) return endExploded(r, this.episodeStep, this.maxEpisodeSteps);
    const distance = Math.hypot(this.tip[0]! - this.target[0]!, this.tip[1]! - this.target[1]!, this.tip[2]! - this.target[2]!);
    return scoreStep(r, -distance, distance < REACH.successRadiusM, this.episodeStep, this.maxEpisodeSteps);
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.world.free();
  }

  /** Every joint holds position 0 (the ones not controlled keep holding it). */
  private holdAll(): void {
    for (let i = 0; i < this.model.tree.joints.length; i++) this.setTarget(i, 0, 0);
  }

  private setTarget(i: number, target: number, velocity: number): void {
    const joint = this.model.tree.joints[i]!;
    this.arm.setJointTarget(i, target, velocity, SCENE_NOMINAL.jointStiffnessNmPerRad, URDF_REACH.controllerDampingNms + joint.damping);
  }

  private drawTarget(rng: Rng): void {
    const tree = this.model.tree;
    const base = { p: [...this.model.basePosition] as [number, number, number], q: [0, 0, 0, 1] as [number, number, number, number] };
    const q = this.allJoints;
    for (let attempt = 0; attempt < 200; attempt++) {
      q.fill(0);
      for (const i of this.model.controlled) {
        const limit = tree.joints[i]!.limit;
        const lower = Number.isFinite(limit.lower) ? limit.lower : -Math.PI;
        const upper = Number.isFinite(limit.upper) ? limit.upper : Math.PI;
        const mid = (lower + upper) / 2;
        const half = ((upper - lower) / 2) * URDF_REACH.targetRangeFraction;
        q[i] = rng.uniform(mid - half, mid + half);
      }
      const p = linkPose(tree, q, base, this.model.endEffector).p;
      if (p[2] >= SCENE_NOMINAL.tableHeightM + URDF_REACH.targetClearanceM || attempt === 199) {
        this.target.set(p);
        return;
      }
    }
  }

  private observe(): void {
    const n = this.actionSize;
    const o = this.observation;
    this.arm.readPositions(this.allJoints, 0);
    for (let k = 0; k < n; k++) o[k] = this.allJoints[this.model.controlled[k]!]!;
    this.arm.readVelocities(this.allJoints, 0);
    for (let k = 0; k < n; k++) o[n + k] = this.allJoints[this.model.controlled[k]!]!;
    this.arm.framePosition(this.model.endEffector, this.tip, 0);
    o.set(this.tip, 2 * n);
    o.set(this.target, 2 * n + 3);
    for (let k = 0; k < 3; k++) o[2 * n + 6 + k] = this.target[k]! - this.tip[k]!;
  }

  private assertLive(): void {
    if (this.disposed) throw new Error('env used after dispose()');
  }
}
