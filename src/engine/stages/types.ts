/**
 * The contract between the progressive-transfer pipeline (src/engine/pipeline) and the code that
 * runs each kind of stage. The pipeline decides order, gates, budgets and resumption; a runner
 * trains or fine-tunes for one stage inside the run folder it is given and says how it went.
 */
import type { Experiment, StageConfig, StageKind } from '../config/experiment';
import type { MotionAttendance } from '../robot/motionAuthority';

export type StageState = 'pending' | 'running' | 'passed' | 'failed_gate' | 'failed' | 'cancelled' | 'skipped';

export interface StageProgress {
  readonly fraction?: number;
  readonly message: string;
}

export interface StageContext {
  readonly experiment: Experiment;
  /** Absolute path of the experiment file. */
  readonly experimentFile: string;
  readonly stage: StageConfig;
  /** Position of the stage in the experiment's `stages` list (0-based). */
  readonly index: number;
  /** This stage's own run folder: everything the stage writes goes here. */
  readonly runDir: string;
  /** The previous stage's run folder (its policy.onnx / checkpoint / perception model), if any. */
  readonly previousRunDir?: string;
  /** The configured robot address (experiment robot.address), when the stage talks to the robot. */
  readonly robotAddress?: string;
  /** Real-robot episodes this stage may still use (the experiment's budget minus what earlier stages used). */
  readonly realEpisodeAllowance: number;
  readonly signal: AbortSignal;
  onProgress(progress: StageProgress): void;
  log(line: string): void;
  /**
   * The person the robot's motion authority asks (robot/motionAuthority.ts): the emergency stop,
   * each real episode's start, every re-arm after a protective stop. Never answered by `--yes`.
   */
  readonly attendance: MotionAttendance;
}

export interface StageOutcome {
  readonly state: Extract<StageState, 'passed' | 'failed' | 'cancelled'>;
  readonly message: string;
  /** Success rates measured at the end of the stage (0-1). */
  readonly simSuccess?: number;
  readonly realSuccess?: number;
  readonly simEpisodes: number;
  readonly realEpisodes: number;
  /** Files the next stage starts from (relative to runDir), e.g. policy.onnx, perception.onnx. */
  readonly outputs: Readonly<Record<string, string>>;
}

export type StageRunner = (context: StageContext) => Promise<StageOutcome>;

/** Which runner serves which stage kind: filled by src/engine/pipeline/runners.ts. */
export type StageRunnerTable = Readonly<Record<StageKind, StageRunner>>;
