/**
 * The experiment as the engine uses it: validated, with every default filled in. The YAML file is
 * turned into this by `resolveExperiment` (validate.ts); nothing downstream re-reads the YAML.
 */
import type { Distribution, Operation, ParameterGroup, Resample } from './parameters';
import type { TaskName } from './taskCatalog';

export interface RandomizationEntry {
  readonly name: string;
  readonly group: ParameterGroup;
  readonly distribution: Distribution;
  /** [low, high] for uniform, log_uniform and randint (randint is inclusive at both ends). */
  readonly range?: readonly [number, number];
  readonly mean?: number;
  readonly std?: number;
  /** For choice. */
  readonly values?: readonly (string | number)[];
  readonly operation: Operation;
  /** Names in the task (bodies, links, joints); undefined = every applicable target. */
  readonly targets?: readonly string[];
  /** Vector length; 1 for scalars. */
  readonly size: number;
  readonly resample: Resample;
  /** For resample: interval, in control steps. */
  readonly intervalSteps?: number;
  /** Texture image folder (resolved against the experiment file's folder). */
  readonly folder?: string;
}

export interface PolicyConfig {
  readonly type: 'mlp';
  readonly hidden: readonly number[];
  readonly activation: 'tanh' | 'relu';
  /** Number of past observations and actions appended to the input (0 = feed-forward). */
  readonly history: number;
  readonly observationNormalization: boolean;
  readonly observation: 'state' | 'image';
  /** An existing ONNX policy to evaluate or fine-tune instead of training from scratch. */
  readonly file?: string;
}

export interface TrainingConfig {
  readonly algorithm: 'ars';
  readonly maxEnvSteps: number;
  readonly workers: number;
  /** ARS: perturbation directions per iteration. */
  readonly directions: number;
  /** ARS: best directions kept for the update. */
  readonly topDirections: number;
  readonly stepSize: number;
  readonly explorationNoise: number;
  readonly evalEveryIterations: number;
  readonly evalEpisodes: number;
  readonly checkpointEveryIterations: number;
  /** Stop early once the randomized-sim success rate reaches this. */
  readonly targetSuccess: number;
  /**
   * How a crossing of the target is confirmed on fresh episodes: their success rate reaches it
   * ('confirm'), or the lower end of its 95% interval does ('lower_bound'). [default: confirm]
   */
  readonly stopRule?: 'confirm' | 'lower_bound';
}

export type StageKind = 'sim' | 'sim_real_textures' | 'sim_real_images' | 'mixed' | 'real_finetune';

export interface StageGate {
  readonly minSimSuccess?: number;
  readonly minRealSuccess?: number;
  readonly confirm: boolean;
}

export interface StageConfig {
  readonly name: string;
  readonly kind: StageKind;
  readonly episodes: number;
  /** Fraction of episodes run in sim in a mixed stage. */
  readonly simRatio?: number;
  readonly gate?: StageGate;
  readonly skip: boolean;
}

export interface EvaluationConfig {
  readonly episodes: number;
  readonly maxSteps: number;
  readonly randomized: boolean;
  readonly realEpisodes: number;
}

export interface SafetyConfig {
  /** Speed multiplier for the first `limitedEpisodes` episodes of a session. */
  readonly speedScale: number;
  readonly limitedEpisodes: number;
  /** Per joint [lower, upper] in rad. */
  readonly jointPositionLimits: readonly (readonly [number, number])[];
  readonly maxJointVelocity: number;
  readonly maxEffort: number;
  /** Largest change of a joint command between two control steps, rad. */
  readonly maxCommandDelta: number;
  /** Allowed tip positions, m, in the robot's base frame. */
  readonly workspace?: { readonly x: readonly [number, number]; readonly y: readonly [number, number] };
  readonly clipActions: boolean;
}

/** The robot as a URDF (robot.description and its companions). */
export interface RobotDescriptionConfig {
  /** As written: relative to the experiment file. */
  readonly file: string;
  readonly joints?: readonly string[];
  readonly endEffector?: string;
  readonly basePosition: readonly [number, number, number];
  /** Per controlled joint, kg·m². */
  readonly armature: number;
}

export interface RobotConfig {
  readonly adapter: 'rosbridge' | 'emulator';
  readonly address: string;
  readonly profile?: string;
  readonly description?: RobotDescriptionConfig;
  readonly topics: {
    readonly jointStates: string;
    readonly command: string;
    /** Joint torque commands (effort mode), N·m. */
    readonly effortCommand: string;
    readonly objectPose: string;
    readonly camera: string;
    readonly status: string;
    readonly heartbeat: string;
  };
  readonly services: { readonly reset: string; readonly stop: string; readonly arm: string };
  readonly watchdogMs: number;
  readonly connectTimeoutMs: number;
  /** Real-robot episodes the transfer pipeline may use in all; undefined = what the stages and evaluation plan. */
  readonly maxRealEpisodes?: number;
  /** One person's start runs at most this many episodes on a real robot (supervised batch). */
  readonly episodesPerStart: number;
  readonly safety?: SafetyConfig;
}

/**
 * Measured nominal values (system identification) that replace the built-in ones of parameters.ts
 * for this experiment: `scale` multiplies them, `add` offsets them, unrandomized parameters take them.
 */
export interface Calibration {
  /** Where the values come from, as written (a sysid.json, relative to the experiment file). */
  readonly source?: string;
  /** When they were measured, as written (ISO 8601). */
  readonly date?: string;
  /** By parameter: one value for every target, or a value per target (joint, link, body). */
  readonly parameters: Readonly<Record<string, number | Readonly<Record<string, number>>>>;
}

/** `system_identification`: how `sim2real sysid --log` reads a recorded log (defaults: ROS conventions). */
export interface SystemIdentificationConfig {
  readonly log?: {
    readonly timeColumn?: string;
    readonly timeUnit?: 's' | 'ms' | 'us' | 'ns';
    readonly jointPositionColumns?: readonly string[];
    readonly jointVelocityColumns?: readonly string[];
    readonly jointEffortColumns?: readonly string[];
    readonly commandColumns?: readonly string[];
    readonly commandKind?: 'effort' | 'position';
    readonly topics?: { readonly jointStates?: string; readonly command?: string };
    readonly maxDelayMs?: number;
  };
}

/** The perception camera (pinhole, +z up); the `visuals` randomization varies it per episode. */
export interface CameraConfig {
  readonly widthPx: number;
  readonly heightPx: number;
  /** Pinhole focal length, px (fx = fy); camera_focal_length scales it. */
  readonly focalLengthPx: number;
  /** Camera position and the point it looks at, m, world frame. */
  readonly position: readonly [number, number, number];
  readonly lookAt: readonly [number, number, number];
  /** Pose jitter: each coordinate moves by a uniform draw in [-j, j] per episode, m. */
  readonly positionJitterM: number;
  readonly lookAtJitterM: number;
}

export interface Experiment {
  readonly name: string;
  readonly task: TaskName;
  readonly seed: number;
  readonly policy: PolicyConfig;
  readonly training: TrainingConfig;
  readonly randomization: readonly RandomizationEntry[];
  readonly stages: readonly StageConfig[];
  readonly evaluation: EvaluationConfig;
  readonly robot?: RobotConfig;
  /** Always filled by the resolver (schema defaults); optional for hand-built experiments. */
  readonly camera?: CameraConfig;
  readonly systemIdentification?: SystemIdentificationConfig;
  readonly calibration?: Calibration;
  /** Absolute path of the file it came from, when it came from one. */
  readonly sourcePath?: string;
}
