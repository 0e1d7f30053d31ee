/**
 * The emulator's "real robot": the simulator's own table scene and task (sim/tasks), configured with
 * the profile's true parameter values through the scene's named setters (the randomizer's
 * `applyPhysics`), plus the hardware effects the simulator does not model: joint friction, gain error,
 * torque saturation, backlash, encoder offsets and sensor noise. Latency lives in the emulator, which
 * owns time.
 *
 * Each joint is in position mode (the PD position controller, as in the simulator) or in effort mode
 * (a torque command, N·m, bypassing the PD): `command` puts every joint in position mode,
 * `commandEffort` the joints it names in effort mode. In effort mode the actuator effects still apply:
 * the gain error scales the torque, the saturation caps it, backlash delays a reversal, and the joint's
 * viscous and Coulomb friction oppose the motion.
 *
 * No physics of its own: every step is `TableScene.step()`.
 */
import { parameterInfo } from '../config/parameters';
import type { EpisodeSample } from '../sim/env';
import { initRapier } from '../sim/rapier';
import { applyPhysics, sampleKey, valueOf } from '../sim/randomizer';
import { ARM, JOINT_COUNT, placeArm, readArmState, yawOf } from '../sim/tasks/arm';
import { TASK_DEFINITIONS } from '../sim/tasks';
import { JOINT_NAMES, TableScene } from '../sim/tasks/tableScene';
import { newEpisodeStart, type EpisodeStart, type TaskDefinition } from '../sim/tasks/task';
import type { Rng } from '../util/rng';
import { motorTorque, trueStiffness, trueTorqueLimit } from './effects/actuator';
import { Backlash } from './effects/backlash';
import { frictionTorqueNm } from '../sim/jointFriction';
import { SensorModel } from './effects/sensorModel';
import type { RealityEffects, RealityProfile } from './realityProfileLoader';

export interface JointReadings {
  readonly name: string[];
  position: number[];
  velocity: number[];
  effort: number[];
}

export interface ObjectReading {
  x: number;
  y: number;
  z: number;
  yawRad: number;
}

export class RealityPlant {
  readonly task: TaskDefinition;
  readonly scene: TableScene;
  readonly jointNames: readonly string[] = JOINT_NAMES;
  /** Physics step, s. */
  readonly dtS: number;
  /** The parameter values in force, as the simulator's sample (keys `name` or `name.target`). */
  readonly sample: EpisodeSample;
  readonly effects: RealityEffects;
  /** Joint position targets in the reported (encoder) frame, rad: what the robot was told to hold. */
  readonly commandedRad = new Float64Array(JOINT_COUNT);
  /** Extra command noise, rad (std), from the profile's action_noise. */
  readonly commandNoiseRad: number;
  /** 1 where the joint is in effort (torque) mode. */
  readonly effortMode = new Uint8Array(JOINT_COUNT);
  /** The torque each effort-mode joint was told to apply, N·m (before gain error and saturation). */
  readonly commandedEffortNm = new Float64Array(JOINT_COUNT);
  /** The torque the motor really applies in effort mode, N·m: what its effort sensor reads. */
  private readonly appliedEffortNm = new Float64Array(JOINT_COUNT);
  /** Sign of the last transmitted torque and the physics steps left to take up the backlash after a reversal. */
  private readonly torqueSign = new Float64Array(JOINT_COUNT);
  private readonly takeUpSteps = new Int32Array(JOINT_COUNT);
  /** 1 where the next position target comes right after effort mode: applied as a hold, no feed-forward. */
  private readonly holdNextTarget = new Uint8Array(JOINT_COUNT);

  private readonly sensors: SensorModel;
  private readonly backlash: Backlash;
  private readonly start: EpisodeStart = newEpisodeStart();
  private readonly truth: Float64Array;
  private readonly stiffness = new Float64Array(JOINT_COUNT);
  private readonly damping = new Float64Array(JOINT_COUNT);
  private readonly torqueLimit = new Float64Array(JOINT_COUNT);
  private readonly trueTargets = new Float64Array(JOINT_COUNT);
  /** The command before the latest one (reported frame, rad): the latest step of the command stream. */
  private readonly previousCommandRad = new Float64Array(JOINT_COUNT);
  /** Velocity feed-forward per joint, rad/s, and physics steps since the target last moved. */
  private readonly feedForward = new Float64Array(JOINT_COUNT);
  private readonly stepsSinceMove = new Int32Array(JOINT_COUNT);

  static async create(profile: RealityProfile, rng: Rng): Promise<RealityPlant> {
    await initRapier();
    return new RealityPlant(profile, rng);
  }

  private constructor(profile: RealityProfile, private readonly rng: Rng) {
    this.task = TASK_DEFINITIONS[profile.task];
    this.dtS = 1 / profile.physicsHz;
    this.scene = new TableScene({ withPuck: this.task.withPuck, timestepS: this.dtS });
    this.sample = profileSample(profile);
    this.effects = withSensorNoise(profile.effects, this.sample);
    this.sensors = new SensorModel(this.effects, rng);
    this.backlash = new Backlash(this.effects.backlashRad);
    this.truth = new Float64Array(this.task.info.observationSize);
    // action_noise is a fraction of the action range; an action of 1 moves a target by maxTargetStepRad
    this.commandNoiseRad = valueOf(this.sample, 'action_noise') * this.task.maxTargetStepRad;
    this.configure();
  }

  /** The profile's values and the actuator effects, applied through the scene's named setters. */
  private configure(): void {
    const scene = this.scene;
    applyPhysics(scene, this.sample, this.task.info);
    scene.setTimestep(this.dtS);
    const e = this.effects;
    for (let i = 0; i < JOINT_COUNT; i++) {
      const joint = JOINT_NAMES[i]!;
      this.stiffness[i] = trueStiffness(valueOf(this.sample, 'joint_stiffness', joint), e.gainError[i]);
      this.damping[i] = valueOf(this.sample, 'joint_damping', joint) + e.frictionViscousNmsPerRad[i];
      this.torqueLimit[i] = trueTorqueLimit(valueOf(this.sample, 'motor_strength', joint), e.gainError[i], e.torqueLimitNm[i]);
      scene.setJointStiffness(joint, this.stiffness[i]);
      scene.setJointDamping(joint, this.damping[i]);
      scene.setMotorStrength(joint, this.torqueLimit[i]);
    }
  }

  /** A new episode: the scene as built, the profile re-applied, arm and puck placed from the robot's own rng. */
  resetEpisode(): void {
    const scene = this.scene;
    scene.restore();
    // the restore rebuilt every motor: all joints are back in position mode
    this.effortMode.fill(0);
    this.holdNextTarget.fill(0);
    this.commandedEffortNm.fill(0);
    this.appliedEffortNm.fill(0);
    this.configure();
    this.task.sampleStart(this.rng, this.start);
    const q = this.start.jointAnglesRad;
    placeArm(scene.arm, q);
    for (let i = 0; i < JOINT_COUNT; i++) {
      this.trueTargets[i] = q[i];
      scene.setJointTarget(i, q[i]);
      // the robot reports (and is commanded in) the encoder frame
      this.commandedRad[i] = q[i] + this.effects.encoderOffsetRad[i];
    }
    this.backlash.reset(q);
    this.feedForward.fill(0);
    if (scene.puck) scene.placePuck(this.start.puckXY[0], this.start.puckXY[1]);
    this.readTruth();
  }

  /** Take a joint command (reported frame, rad); noise from action_noise is added here. Every joint goes to position mode. */
  command(targetsRad: ArrayLike<number>): void {
    this.leaveEffortMode();
    this.previousCommandRad.set(this.commandedRad);
    for (let i = 0; i < JOINT_COUNT; i++) {
      this.commandedRad[i] = targetsRad[i] + (this.commandNoiseRad > 0 ? this.rng.gaussian(0, this.commandNoiseRad) : 0);
    }
  }

  /**
   * Take an effort command: torques, N·m, for the joints at `joints` (indices). Those joints leave the
   * position controller; the others keep their mode and targets.
   */
  commandEffort(joints: readonly number[], torquesNm: ArrayLike<number>): void {
    this.readTruth();
    for (let k = 0; k < joints.length; k++) {
      const i = joints[k]!;
      if (!this.effortMode[i]) this.enterEffortMode(i);
      this.commandedEffortNm[i] = torquesNm[k];
    }
  }

  /**
   * The motor stops tracking a position. Rapier's joint motor becomes the joint's Coulomb friction (a
   * velocity-zero motor whose force is capped at the Coulomb torque: it holds a joint at rest below
   * the breakaway torque and opposes sliding with exactly that torque, solved implicitly, so it does
   * not chatter around zero speed the way an explicit sign(v) would at this step).
   */
  private enterEffortMode(i: number): void {
    const joint = JOINT_NAMES[i]!;
    this.effortMode[i] = 1;
    this.torqueSign[i] = 0;
    this.takeUpSteps[i] = 0;
    this.feedForward[i] = 0;
    this.scene.setJointStiffness(joint, 0);
    this.scene.setJointDamping(joint, STICTION_DAMPING_NMS);
    this.scene.setJointTarget(i, this.truth[i], 0);
    this.scene.setMotorStrength(joint, this.effects.frictionCoulombNm[i]);
  }

  /** Every effort-mode joint back to its position controller, holding where it is until a target comes. */
  private leaveEffortMode(): void {
    this.readTruth();
    for (let i = 0; i < JOINT_COUNT; i++) this.leaveEffortModeJoint(i);
  }

  private leaveEffortModeJoint(i: number): void {
    if (!this.effortMode[i]) return;
    const joint = JOINT_NAMES[i]!;
    this.effortMode[i] = 0;
    this.commandedEffortNm[i] = 0;
    this.appliedEffortNm[i] = 0;
    this.scene.setJointStiffness(joint, this.stiffness[i]);
    this.scene.setJointDamping(joint, this.damping[i]);
    this.scene.setMotorStrength(joint, this.torqueLimit[i]);
    const [low, high] = ARM.jointLimitsRad[i];
    // the next target is interpolated from here (feed-forward), as after any other target change
    this.trueTargets[i] = Math.min(high, Math.max(low, this.truth[i]));
    this.backlash.resetJoint(i, this.trueTargets[i]);
    this.scene.setJointTarget(i, this.trueTargets[i], 0);
    // the command that ended effort mode was sent while the joint still moved: its target lies
    // behind the joint, and a feed-forward from that jump would drive the joint back hard
    this.holdNextTarget[i] = 1;
  }

  /** Halt: hold the position the joints are at now (IEC 60204-1 category 2: power stays on). */
  holdPosition(): void {
    this.leaveEffortMode();
    this.readTruth();
    this.backlash.reset(this.truth);
    this.feedForward.fill(0);
    for (let i = 0; i < JOINT_COUNT; i++) {
      this.commandedRad[i] = this.truth[i] + this.effects.encoderOffsetRad[i];
      // straight to the hold target with no feed-forward: a halt must not kick the joint
      const [low, high] = ARM.jointLimitsRad[i];
      this.trueTargets[i] = Math.min(high, Math.max(low, this.truth[i]));
      this.scene.setJointTarget(i, this.trueTargets[i], 0);
    }
  }

  /** One physics step with the reality effects. */
  step(): void {
    const scene = this.scene;
    const e = this.effects;
    this.readTruth();
    for (let i = 0; i < JOINT_COUNT; i++) {
      if (this.effortMode[i]) {
        this.stepEffort(i);
        continue;
      }
      const [low, high] = ARM.jointLimitsRad[i];
      const target = this.backlash.apply(i, this.sensors.trueTarget(i, this.commandedRad[i]));
      const clamped = Math.min(high, Math.max(low, target));
      if (this.holdNextTarget[i]) {
        this.holdNextTarget[i] = 0;
        this.feedForward[i] = 0;
        this.trueTargets[i] = clamped;
        scene.setJointTarget(i, clamped, 0);
      } else if (clamped !== this.trueTargets[i]) {
        // The robot's joint controller interpolates like the simulator's (SimEnv): a new target
        // comes with the velocity that covers the step in one control period.
        // ... at the rate of the last command's step: when a stalled link delivers several commands
        // between two physics steps, the jump to the last one is not one period's worth of motion
        // (a burst of ten 0.02 rad steps would otherwise ask for 10 rad/s)
        const jumpRate = (clamped - this.trueTargets[i]) / this.task.controlPeriodS;
        const stepRate = (this.commandedRad[i] - this.previousCommandRad[i]) / this.task.controlPeriodS;
        this.feedForward[i] = Math.sign(jumpRate) === Math.sign(stepRate) ? Math.sign(jumpRate) * Math.min(Math.abs(jumpRate), Math.abs(stepRate)) : 0;
        this.trueTargets[i] = clamped;
        this.stepsSinceMove[i] = 0;
        scene.setJointTarget(i, clamped, this.feedForward[i]);
      } else if (this.feedForward[i] !== 0 && ++this.stepsSinceMove[i] * this.dtS > 1.5 * this.task.controlPeriodS) {
        // no new command for a control period and a half: hold, do not keep creeping
        this.feedForward[i] = 0;
        scene.setJointTarget(i, clamped, 0);
      }
      // Coulomb friction as equal and opposite torque impulses on the two bodies of the joint
      const tau = frictionTorqueNm(this.truth[3 + i], e.frictionCoulombNm[i], 0);
      if (tau !== 0) {
        const impulse = { x: 0, y: 0, z: tau * this.dtS };
        scene.arm.links[i]!.applyTorqueImpulse(impulse, true);
        if (i > 0) scene.arm.links[i - 1]!.applyTorqueImpulse({ x: 0, y: 0, z: -impulse.z }, true);
      }
    }
    scene.step();
  }

  /**
   * One effort-mode joint for one step: the commanded torque through gain error, saturation and
   * backlash, minus the viscous torque, as equal and opposite impulses on the joint's two bodies.
   * (Coulomb friction is the joint's motor, set in enterEffortMode.)
   */
  private stepEffort(i: number): void {
    const e = this.effects;
    const [low, high] = ARM.jointLimitsRad[i];
    const q = this.truth[i];
    if ((q >= high && this.truth[3 + i] > 0) || (q <= low && this.truth[3 + i] < 0)) {
      // the robot's own joint limit, as a real controller's soft limit: a torque cannot drive a joint
      // past its range (the emulator has no hard stops); the joint is held at the limit
      this.leaveEffortModeJoint(i);
      this.commandedRad[i] = this.trueTargets[i] + e.encoderOffsetRad[i];
      this.holdNextTarget[i] = 0;
      return;
    }
    const command = this.commandedEffortNm[i];
    const sign = Math.sign(command);
    if (sign !== 0 && this.torqueSign[i] !== 0 && sign !== this.torqueSign[i]) {
      // a reversal: the motor turns through the gear play, unloaded, before it drives the link again
      this.takeUpSteps[i] = Math.ceil(e.backlashRad[i] / (BACKLASH_TAKE_UP_RAD_PER_S * this.dtS));
    }
    if (sign !== 0) this.torqueSign[i] = sign;
    let applied = 0;
    if (this.takeUpSteps[i] > 0) this.takeUpSteps[i]--;
    else applied = Math.max(-this.torqueLimit[i], Math.min(this.torqueLimit[i], command * (1 + e.gainError[i])));
    this.appliedEffortNm[i] = applied;
    const tau = applied - this.damping[i] * this.truth[3 + i];
    const links = this.scene.arm.links;
    scratchImpulse.z = tau * this.dtS;
    links[i]!.applyTorqueImpulse(scratchImpulse, true);
    if (i > 0) {
      scratchImpulse.z = -tau * this.dtS;
      links[i - 1]!.applyTorqueImpulse(scratchImpulse, true);
    }
  }

  /** Reported joint readings (offsets, noise), written into `out`. */
  readJoints(out: JointReadings): void {
    this.readTruth();
    const effort = [0, 0, 0];
    for (let i = 0; i < JOINT_COUNT; i++) {
      effort[i] = this.effortMode[i] ? this.appliedEffortNm[i] : motorTorque(this.trueTargets[i], this.truth[i], this.truth[3 + i], this.stiffness[i], ARM.controllerDampingNms + this.damping[i], this.torqueLimit[i]);
    }
    this.sensors.joints(this.truth.subarray(0, 3), this.truth.subarray(3, 6), effort, out);
  }

  /** True joint angles, rad (for tests and the event log, never published). */
  trueJointAngles(): Float64Array {
    this.readTruth();
    return this.truth.slice(0, 3);
  }

  /** Reported pose of the tracked object, or undefined when the task has none. */
  readObject(): ObjectReading | undefined {
    const puck = this.scene.puck;
    if (!puck) return undefined;
    const p = puck.translation();
    return this.sensors.objectPose(p.x, p.y, p.z, yawOf(puck));
  }

  dispose(): void {
    this.scene.dispose();
  }

  private readTruth(): void {
    readArmState(this.scene.arm, this.truth, 0);
  }
}

/** Damping of the effort-mode friction motor, N·m·s/rad: large, so it slides only at the Coulomb torque. */
const STICTION_DAMPING_NMS = 1000;
/** Speed of the unloaded motor through the gear play after a torque reversal, rad/s. */
const BACKLASH_TAKE_UP_RAD_PER_S = 20;
const scratchImpulse = { x: 0, y: 0, z: 0 };

/** The profile's parameters as a simulator sample: per-target maps and single values for every target. */
export function profileSample(profile: RealityProfile): EpisodeSample {
  const sample: EpisodeSample = {};
  const task = TASK_DEFINITIONS[profile.task].info;
  for (const [name, value] of Object.entries(profile.parameters)) {
    const info = parameterInfo(name)!;
    const targets = info.targetKind === 'none' ? undefined : task[info.targetKind];
    if (typeof value === 'string') sample[name] = value;
    else if (Array.isArray(value)) sample[name] = [...value];
    else if (typeof value === 'number') {
      if (targets) for (const t of targets) sample[sampleKey(name, t)] = value;
      else sample[name] = value;
    } else {
      for (const [target, v] of Object.entries(value as Record<string, number>)) sample[sampleKey(name, target)] = v;
    }
  }
  return sample;
}

/**
 * The experiment's sensor parameters, where a profile gives them, join the profile's sensor noise in
 * quadrature: observation_noise (every channel) and joint_position_noise, joint_velocity_noise,
 * object_position_noise (per joint or object). object_tracking_rate is the loader's business: it sets
 * rates.objectPoseHz.
 */
function withSensorNoise(effects: RealityEffects, sample: EpisodeSample): RealityEffects {
  const all = valueOf(sample, 'observation_noise');
  return {
    ...effects,
    jointPositionNoiseRad: effects.jointPositionNoiseRad.map((v, i) => Math.hypot(v, all, valueOf(sample, 'joint_position_noise', JOINT_NAMES[i]!))),
    jointVelocityNoiseRadPerS: effects.jointVelocityNoiseRadPerS.map((v, i) => Math.hypot(v, all, valueOf(sample, 'joint_velocity_noise', JOINT_NAMES[i]!))),
    objectPositionNoiseM: Math.hypot(effects.objectPositionNoiseM, all, valueOf(sample, 'object_position_noise', 'puck')),
  };
}
