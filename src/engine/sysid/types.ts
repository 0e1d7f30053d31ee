/**
 * What system identification reports, whether it measured the robot live (`sim2real sysid --robot`)
 * or fitted a log (`sim2real sysid --log`). `sim2real sysid --json` prints exactly this object, the
 * VS Code command stores it as `sysid.json` in a run folder, and the apply step, the coverage
 * diagnostics and the report view read it. Units are SI and named in the field names.
 */

/** A fitted value with its standard error (same unit), from the fit's covariance or the trials' spread. */
export interface Estimate {
  readonly value: number;
  readonly stdError: number;
}

/** One point of a friction sweep: the torque held and the steady-state velocity it produced. */
export interface FrictionPoint {
  readonly torqueNm: number;
  readonly velocityRadPerS: number;
}

/** tau = b*v + c*sign(v), fitted by Levenberg-Marquardt over the sweep's points. */
export interface JointFrictionFit {
  readonly joint: string;
  /** b, N·m·s/rad: all velocity-proportional torque (joint damping plus viscous friction). */
  readonly viscousNmsPerRad: Estimate;
  /** c, N·m: Coulomb (dry) friction. */
  readonly coulombNm: Estimate;
  readonly points: readonly FrictionPoint[];
  /** Measured torque minus fitted torque at each point, N·m. */
  readonly residualsNm: readonly number[];
  readonly rmsResidualNm: number;
  readonly iterations: number;
}

/** I = tau / alpha per pulse, averaged over trials (the other joints held). */
export interface JointInertiaFit {
  readonly joint: string;
  /** kg·m² about the joint axis, with the joints beyond it held rigid. */
  readonly inertiaKgM2: Estimate;
  /** Each trial's I, kg·m². */
  readonly trialsKgM2: readonly number[];
  /** Joint angles the joints beyond it were held at, rad (the inertia depends on them). */
  readonly poseRad?: readonly number[];
}

/** Time from a step command leaving the engine to the first detected motion. */
export interface DelayFit {
  readonly meanMs: number;
  readonly stdMs: number;
  readonly medianMs: number;
  /** Control period the step counts are measured in, ms. */
  readonly controlPeriodMs: number;
  /** meanMs in control steps (fractional). */
  readonly meanSteps: number;
  readonly samplesMs: readonly number[];
}

/** One joint's sensor noise at rest: the spread of its readings about a straight-line fit over time. */
export interface JointSensorNoise {
  readonly joint: string;
  readonly positionNoiseRad: Estimate;
  readonly velocityNoiseRadPerS: Estimate;
}

/** The tracked object's sensor at rest: position noise per axis and the tracker's rate (from its stamps). */
export interface ObjectSensorNoise {
  readonly object: string;
  readonly positionNoiseM: Estimate;
  readonly trackingRateHz: Estimate;
  /** Poses with distinct stamps that the estimates used. */
  readonly poses: number;
}

/** What the policy's sensors add to the truth, measured with the robot at rest (live only). */
export interface SensorNoiseFit {
  readonly durationS: number;
  /** Joint states with distinct stamps that the estimates used. */
  readonly jointStates: number;
  readonly joints: readonly JointSensorNoise[];
  readonly object?: ObjectSensorNoise;
}

/**
 * A value for an experiment parameter (same name as in `randomization`), ready to become its
 * calibrated nominal value. `target` is the joint, link or object when the parameter has targets.
 */
export interface IdentifiedParameter {
  readonly parameter: string;
  readonly target?: string;
  readonly value: number;
  readonly stdError: number;
  readonly unit: string;
}

export type SysidSource =
  | { readonly kind: 'robot'; readonly address: string }
  | { readonly kind: 'log'; readonly file: string; readonly format: 'csv' | 'mcap' };

export interface SysidResult {
  readonly version: 1;
  /** Experiment file it was run for (absolute path) and its `name`. */
  readonly experimentFile: string;
  readonly experiment: string;
  readonly task: string;
  readonly source: SysidSource;
  /** ISO 8601. */
  readonly createdAt: string;
  readonly friction: readonly JointFrictionFit[];
  readonly inertia: readonly JointInertiaFit[];
  readonly delay?: DelayFit;
  /** Sensor noise and tracker rate at rest (live identification, unless skipped). */
  readonly sensors?: SensorNoiseFit;
  /** The results in the experiment's own parameter names: what "apply" writes and coverage checks. */
  readonly identified: readonly IdentifiedParameter[];
  /** Anything the user should know about the quality of the result (poor fit, few points). */
  readonly warnings: readonly string[];
}

/** File name of a stored result inside a run folder. */
export const SYSID_FILE = 'sysid.json';
