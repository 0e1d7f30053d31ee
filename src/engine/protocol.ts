/**
 * The protocol between the extension host and the engine process (child_process.fork, IPC channel).
 * One module, imported by both sides: requests the extension sends, events the engine pushes.
 * Every message is checked on arrival (`parseEngineMessage` / `parseHostMessage`): a malformed one
 * is dropped and logged, never trusted.
 */
import type { EvaluationReport } from './evaluate/report';
import type { GapReport } from './reports/gapReport';
import type { SensitivityReport } from './evaluate/sensitivity';
import type { PerceptionTraining } from './perception/perceptionReport';
import type { PositionErrors } from './perception/samples';
import type { SysidJobParams, SysidJobResult } from './sysid/sysidJob';
import type { Termination } from './sim/env';

/** A finding placed by line and column (1-based), as `sim2real validate --json` prints it. */
export interface FindingJson {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly endLine: number;
  readonly endColumn: number;
  readonly severity: 'error' | 'warning' | 'info';
  readonly code: string;
  readonly message: string;
}

export interface TrainParams {
  /** Absolute path of the experiment file. */
  readonly file: string;
  /** Folder runs are written under (`<runsDir>/<experiment>/<run-id>`). */
  readonly runsDir: string;
  readonly seed?: number;
  readonly maxEnvSteps?: number;
  readonly workers?: number;
  /** Continue this run folder from its last checkpoint instead of starting a new run. */
  readonly resumeDir?: string;
}

export interface TrainSummary {
  readonly status: 'completed' | 'cancelled';
  readonly reason: string;
  readonly runDir: string;
  readonly iterations: number;
  readonly envSteps: number;
  readonly elapsedSeconds: number;
  readonly policyPath?: string;
  readonly evaluation?: EvaluationReport;
}

export interface EvaluateParams {
  readonly file: string;
  readonly policy: string;
  readonly episodes?: number;
  readonly seed?: number;
  readonly randomized?: boolean;
  /** Write the report as eval.json into this run folder. */
  readonly runDir?: string;
}

export interface EvaluateOnRobotParams {
  /** Absolute path of the experiment file; its robot.address is the only address allowed. */
  readonly file: string;
  /** The run folder: its policy.onnx runs, and eval-real.json (and report.json) are written there. */
  readonly runDir: string;
  /** When given, must equal the configured robot.address (a second check, not a way to pick another). */
  readonly address?: string;
  /** [default: evaluation.real_episodes] */
  readonly episodes?: number;
}

export interface SensitivityParams {
  readonly file: string;
  /** The run folder: its policy.onnx is swept, and sensitivity.json is written there. */
  readonly runDir: string;
  /** Episodes per point [default: 10]. */
  readonly episodes?: number;
  /** Points per parameter [default: 5]. */
  readonly points?: number;
}

export interface PerceptionTrainParams {
  /** Absolute path of the experiment file. */
  readonly file: string;
  /** Train into this run folder (next to its policy); without it a new run is made under `<runsDir>/<experiment>/`. */
  readonly runDir?: string;
  readonly runsDir: string;
  /** Labelled sim images [default: 3000]. */
  readonly samples?: number;
  /** [default: 6] */
  readonly epochs?: number;
  /** Draw the images' look from the experiment's visuals [default: true]. */
  readonly randomization?: boolean;
  readonly seed?: number;
}

export interface PerceptionTrainResult {
  /** 'cancelled': nothing was written (a new run's folder is removed). */
  readonly status: 'completed' | 'cancelled';
  readonly runDir: string;
  readonly modelPath?: string;
  readonly training?: PerceptionTraining;
}

/** A perception model of a run folder, measured on the experiment's configured robot (or emulator) camera. */
export interface PerceptionRobotParams {
  /** Absolute path of the experiment file; its robot.address is the only address allowed. */
  readonly file: string;
  readonly runDir: string;
  /** Model file name inside runDir [default: perception.onnx]; a bare name, never a path. */
  readonly model?: string;
  /** When given, must equal the configured robot.address. */
  readonly address?: string;
}

export interface PerceptionEvaluateParams extends PerceptionRobotParams {
  /** Real images [default: 100]. */
  readonly images?: number;
}

export interface PerceptionEvaluateResult {
  readonly status: 'completed' | 'cancelled';
  readonly runDir: string;
  readonly model: string;
  readonly source?: string;
  readonly errors?: PositionErrors;
}

export interface PerceptionAdaptParams extends PerceptionRobotParams {
  /** Unlabelled real images DANN trains on [default: 200]. */
  readonly realImages?: number;
  /** Held-out real images for the before/after errors [default: 100]. */
  readonly evalImages?: number;
  /** Labelled sim images [default: 2000]. */
  readonly simImages?: number;
  /** [default: 500] */
  readonly steps?: number;
}

export interface PerceptionAdaptResult {
  readonly status: 'completed' | 'cancelled';
  readonly runDir: string;
  readonly model: string;
  readonly adaptedModel?: string;
  readonly before?: PositionErrors;
  readonly after?: PositionErrors;
}

/** Requests the extension host sends; the engine answers each with a `finished` or `failed` event. */
export interface EngineRequests {
  validate: { params: { readonly file: string }; result: { readonly findings: FindingJson[] } };
  train: { params: TrainParams; result: TrainSummary };
  evaluate: { params: EvaluateParams; result: EvaluationReport };
  /** Evaluate a run's policy on the experiment's configured robot (or emulator); writes eval-real.json. */
  evaluateOnRobot: { params: EvaluateOnRobotParams; result: { readonly real: EvaluationReport; readonly report?: GapReport } };
  /** Sweep each randomized parameter of a run's policy in sim; writes sensitivity.json. Cancellable. */
  sensitivity: { params: SensitivityParams; result: SensitivityReport };
  /** Train the puck perception model on rendered sim images; writes perception.onnx and perception.json. Cancellable. */
  perceptionTrain: { params: PerceptionTrainParams; result: PerceptionTrainResult };
  /** A run's perception model on the configured robot's camera images; merges the errors into perception.json. */
  perceptionEvaluate: { params: PerceptionEvaluateParams; result: PerceptionEvaluateResult };
  /** DANN on the configured robot's unlabelled images; writes the -dann model, before/after into perception.json. */
  perceptionAdapt: { params: PerceptionAdaptParams; result: PerceptionAdaptResult };
  /**
   * Identify the robot's friction, inertia and delay, live on the experiment's configured robot
   * (`source.address`, when given, must be that address) or from a .csv/.mcap log; writes
   * `<runsDir>/<experiment>/sysid-<stamp>/sysid.json`. Cancellable: the robot is stopped.
   */
  sysid: { params: SysidJobParams; result: SysidJobResult };
  /**
   * Run the experiment's transfer pipeline (or resume one): stages, gates, the final robot
   * evaluation and the gap report. Gates and the robot's motion questions are asked through
   * personPrompt events, answered with personReply. Cancellable; the pipeline stays resumable.
   */
  pipeline: { params: PipelineParams; result: PipelineJobResult };
  /** The person's answer to a personPrompt (a gate, the emergency stop, "Start episode", a re-arm). */
  personReply: { params: { readonly promptId: number; readonly accept: boolean }; result: { readonly delivered: boolean } };
  /** Cancel a running request; its own answer then arrives as `finished` (cancelled) or `failed`. */
  cancel: { params: { readonly requestId: number }; result: { readonly cancelled: boolean } };
  ping: { params: Record<string, never>; result: { readonly versions: Record<string, string> } };
  /**
   * Open the safe-test console's robot session: connect to the experiment's configured robot.address
   * (`address`, when given, must be that address: nothing else is ever opened). Finishes once
   * connected; the session then lives until robotDisconnect and reports through robotState,
   * robotTelemetry and robotSafety events.
   */
  robotConnect: { params: RobotConnectParams; result: RobotSessionState };
  /** Run one episode of the session's policy (a person pressed "Start episode"); finishes when it ends. */
  robotStartEpisode: { params: { readonly seed?: number }; result: RealEpisodeRecord };
  /** The person's answer, in the console, to "is the hardware emergency stop within your reach?" (every session). */
  robotConfirmEstop: { params: { readonly confirmed: boolean }; result: { readonly recorded: boolean } };
  /** Protective stop, ahead of anything queued; no command goes out until robotArm. */
  robotStop: { params: RobotStopParams; result: { readonly sent: boolean } };
  /** The user's decision to move again after a stop. */
  robotArm: { params: Record<string, never>; result: RobotSessionState };
  robotDisconnect: { params: Record<string, never>; result: { readonly disconnected: boolean } };
}

export interface RobotStopParams {
  readonly message?: string;
  /** When the extension host took the stop (CLOCK_MONOTONIC ms, util/clock.ts): logged with the stop, for latency breakdowns. */
  readonly hostReceivedMs?: number;
}

export interface PipelineParams {
  /** Absolute path of the experiment file. */
  readonly file: string;
  /** Folder runs are written under; the pipeline goes to `<runsDir>/<experiment>/pipeline-<id>`. */
  readonly runsDir: string;
  /** Continue this pipeline folder. */
  readonly resumeDir?: string;
  /** First and last stage to run, by name. */
  readonly from?: string;
  readonly to?: string;
}

export interface PipelineJobResult {
  readonly dir: string;
  readonly status: string;
  readonly message: string;
  readonly realEpisodesUsed: number;
  readonly realEpisodeBudget: number;
}

export interface RobotConnectParams {
  /** Absolute path of the experiment file; its robot.address is the only address allowed. */
  readonly file: string;
  /** ONNX policy to run; without one the session can connect, stop and arm, but not run episodes. */
  readonly policy?: string;
  readonly address?: string;
  /** Run folder to record the console's episodes in (real-episodes.jsonl, eval-real.json). */
  readonly runDir?: string;
}

/** What the console shows about the robot session. */
export interface RobotSessionState {
  readonly connected: boolean;
  readonly address?: string;
  readonly file?: string;
  readonly policy?: string;
  /** What the robot reports on its status topic ('unknown' before the first report). */
  readonly robot: 'armed' | 'running' | 'halted' | 'unknown';
  /** Why the robot is halted (stop, watchdog, safety, link_lost, not_armed) and its detail. */
  readonly haltReason?: string;
  readonly haltDetail?: string;
  /** The engine's stop latch: set by any stop, cleared only by robotArm. */
  readonly stopped: boolean;
  readonly stopMessage?: string;
  /** Speed scale of the running episode, or of the next one when none runs (x0.5 for the first episodes). */
  readonly speedScale: number;
  /** Episodes started in this session. */
  readonly episodesStarted: number;
  readonly episodeRunning: boolean;
  /** Run folder the episodes are recorded in. */
  readonly runDir?: string;
  /** The session's direct stop socket (loopback, token-guarded; console/stopSocket.ts). */
  readonly stopEndpoint?: { readonly url: string; readonly token: string };
}

/** One control step of a console episode, for the live plots. */
export interface RobotTelemetrySample {
  /** Monotonic ms (CLOCK_MONOTONIC, as in the robot event logs). */
  readonly tMs: number;
  readonly episode: number;
  readonly step: number;
  /** Measured joint positions, rad. */
  readonly position: number[];
  /** Joint position targets sent (after the safety layer), rad. */
  readonly command: number[];
}

/** A line of the console's safety log. */
export interface RobotSafetyEntry {
  readonly tMs: number;
  readonly level: 'info' | 'warning' | 'stop';
  readonly message: string;
}

/** An episode run from the console: what real-episodes.jsonl holds, one per line. */
export interface RealEpisodeRecord {
  /** Index in the session (0-based). */
  readonly index: number;
  readonly seed: number;
  readonly episodeReturn: number;
  /** Control steps. */
  readonly length: number;
  readonly success: boolean;
  readonly termination: Termination;
  readonly abortReason?: string;
  /** Who ended an aborted episode: a person's stop (not counted as a trial of the policy), the safety layer, or the robot/link. */
  readonly abortKind?: 'stop' | 'safety' | 'robot';
  readonly speedScale: number;
  readonly startedAt: string;
  readonly durationMs: number;
}

export type RequestMethod = keyof EngineRequests;
export const REQUEST_METHODS: readonly RequestMethod[] = [
  'validate',
  'train',
  'evaluate',
  'evaluateOnRobot',
  'sensitivity',
  'perceptionTrain',
  'perceptionEvaluate',
  'perceptionAdapt',
  'sysid',
  'pipeline',
  'personReply',
  'cancel',
  'ping',
  'robotConnect',
  'robotStartEpisode',
  'robotConfirmEstop',
  'robotStop',
  'robotArm',
  'robotDisconnect',
];

/** Sent by the extension host. */
export interface RequestMessage<M extends RequestMethod = RequestMethod> {
  readonly kind: 'request';
  readonly id: number;
  readonly method: M;
  readonly params: EngineRequests[M]['params'];
}

/** Sent by the engine once it is ready for requests. */
export interface ReadyEvent {
  readonly kind: 'ready';
  readonly versions: Record<string, string>;
}

/** Sent by the engine while a request runs (training iterations, evaluations, checkpoints, episodes). */
export interface ProgressEvent {
  readonly kind: 'progress';
  readonly requestId: number;
  /** Fraction done in [0, 1] when known. */
  readonly fraction?: number;
  /** One line for a progress notification. */
  readonly message: string;
  /** The trainer's own event (type progress | evaluation | checkpoint), for charts. */
  readonly detail?: unknown;
}

/** Sent by the engine: a line for the engine log. */
export interface LogEvent {
  readonly kind: 'log';
  readonly level: 'debug' | 'info' | 'warn' | 'error';
  readonly message: string;
  readonly requestId?: number;
}

/** Sent by the engine: the request's result. */
export interface FinishedEvent<M extends RequestMethod = RequestMethod> {
  readonly kind: 'finished';
  readonly requestId: number;
  readonly result: EngineRequests[M]['result'];
}

/** Sent by the engine: the request failed; findings when the experiment did not validate. */
export interface FailedEvent {
  readonly kind: 'failed';
  readonly requestId: number;
  readonly message: string;
  readonly findings?: FindingJson[];
}

/** Sent by the engine whenever the robot session's state changes (connect, halt, stop, arm, episode). */
export interface RobotStateEvent {
  readonly kind: 'robotState';
  readonly state: RobotSessionState;
}

/** Sent by the engine during console episodes, batched at about 20 Hz. */
export interface RobotTelemetryEvent {
  readonly kind: 'robotTelemetry';
  readonly samples: RobotTelemetrySample[];
}

/** Sent by the engine: a safety event of the robot session (stop, violation, aborted episode, link change). */
export interface RobotSafetyEvent {
  readonly kind: 'robotSafety';
  readonly entry: RobotSafetyEntry;
}

export type RobotEvent = RobotStateEvent | RobotTelemetryEvent | RobotSafetyEvent;

/**
 * Sent by the engine while a job runs: a question for the person. `confirm` (a pipeline's gate),
 * `estop` (a real robot is about to move: is the emergency stop within reach?) and `rearm` (after a
 * protective stop) are modal dialogs; `episode` is the safe-test console's "Start episode" for
 * the next episode (or supervised batch of `count`). Answered with personReply.
 */
export interface PersonPromptEvent {
  readonly kind: 'personPrompt';
  readonly requestId: number;
  readonly promptId: number;
  readonly prompt: 'confirm' | 'estop' | 'episode' | 'rearm';
  readonly message: string;
  readonly stage?: string;
  /** The robot and what is about to move it, for motion questions. */
  readonly address?: string;
  readonly path?: string;
  /** For `episode`: the 1-based first episode this start covers, how many it covers, of how many. */
  readonly episode?: number;
  readonly count?: number;
  readonly of?: number;
}

/** Sent by the engine: a person prompt no longer needs an answer (answered, cancelled, or the job ended). */
export interface PersonPromptClosedEvent {
  readonly kind: 'personPromptClosed';
  readonly promptId: number;
}

/** Sent by the engine whenever the number of robot links it has open changes (any path, not only the console). */
export interface RobotMotionEvent {
  readonly kind: 'robotMotion';
  /** Links that can be stopped with robotStop: batch evaluations, pipeline stages, identification, camera resets. */
  readonly openLinks: number;
}

export type EngineEvent = ReadyEvent | ProgressEvent | LogEvent | FinishedEvent | FailedEvent | RobotEvent | PersonPromptEvent | PersonPromptClosedEvent | RobotMotionEvent;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isId = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
const isString = (v: unknown): v is string => typeof v === 'string';
const optional = (v: unknown, check: (x: unknown) => boolean): boolean => v === undefined || check(v);
const isNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/** A model file name inside the run folder: a message never names a path to read or write. */
const isModelName = (v: unknown): boolean => isString(v) && /^[A-Za-z0-9][A-Za-z0-9._-]*\.onnx$/.test(v) && v.length <= 200;
const isRobotPerception = (p: Record<string, unknown>): boolean => isString(p.file) && isString(p.runDir) && optional(p.model, isModelName) && optional(p.address, isString);

const isSysidSource = (v: unknown): boolean =>
  isObject(v) && ((v.kind === 'robot' && optional(v.address, isString) && optional(v.sensorsOnly, (x) => typeof x === 'boolean')) || (v.kind === 'log' && isString(v.file) && /\.(csv|mcap)$/i.test(v.file)));

/** Checks a message arriving at the engine; undefined when it is not a well-formed request. */
export function parseHostMessage(value: unknown): RequestMessage | undefined {
  if (!isObject(value) || value.kind !== 'request' || !isId(value.id) || !isObject(value.params)) return undefined;
  const method = value.method as RequestMethod;
  if (!REQUEST_METHODS.includes(method)) return undefined;
  const p = value.params;
  const ok = (() => {
    switch (method) {
      case 'validate':
        return isString(p.file);
      case 'train':
        return (
          isString(p.file) &&
          isString(p.runsDir) &&
          optional(p.seed, isId) &&
          optional(p.maxEnvSteps, isId) &&
          optional(p.workers, isId) &&
          optional(p.resumeDir, isString)
        );
      case 'evaluate':
        return (
          isString(p.file) &&
          isString(p.policy) &&
          optional(p.episodes, isId) &&
          optional(p.seed, isId) &&
          optional(p.randomized, (x) => typeof x === 'boolean') &&
          optional(p.runDir, isString)
        );
      case 'evaluateOnRobot':
        return isString(p.file) && isString(p.runDir) && optional(p.address, isString) && optional(p.episodes, isId);
      case 'pipeline':
        return isString(p.file) && isString(p.runsDir) && optional(p.resumeDir, isString) && optional(p.from, isString) && optional(p.to, isString);
      case 'personReply':
        return isId(p.promptId) && typeof p.accept === 'boolean';
      case 'robotConfirmEstop':
        return typeof p.confirmed === 'boolean';
      case 'sysid':
        return isString(p.file) && isString(p.runsDir) && isSysidSource(p.source);
      case 'sensitivity':
        return isString(p.file) && isString(p.runDir) && optional(p.episodes, isId) && optional(p.points, isId);
      case 'perceptionTrain':
        return (
          isString(p.file) &&
          isString(p.runsDir) &&
          optional(p.runDir, isString) &&
          optional(p.samples, isId) &&
          optional(p.epochs, isId) &&
          optional(p.randomization, (x) => typeof x === 'boolean') &&
          optional(p.seed, isId)
        );
      case 'perceptionEvaluate':
        return isRobotPerception(p) && optional(p.images, isId);
      case 'perceptionAdapt':
        return isRobotPerception(p) && optional(p.realImages, isId) && optional(p.evalImages, isId) && optional(p.simImages, isId) && optional(p.steps, isId);
      case 'cancel':
        return isId(p.requestId);
      case 'ping':
      case 'robotArm':
      case 'robotDisconnect':
        return true;
      case 'robotConnect':
        return isString(p.file) && optional(p.policy, isString) && optional(p.address, isString) && optional(p.runDir, isString);
      case 'robotStartEpisode':
        return optional(p.seed, isId);
      case 'robotStop':
        return optional(p.message, isString) && optional(p.hostReceivedMs, isNumber);
    }
  })();
  return ok ? (value as unknown as RequestMessage) : undefined;
}

/** Checks a message arriving at the extension host; undefined when it is not a well-formed event. */
export function parseEngineMessage(value: unknown): EngineEvent | undefined {
  if (!isObject(value)) return undefined;
  switch (value.kind) {
    case 'ready':
      return isObject(value.versions) ? (value as unknown as ReadyEvent) : undefined;
    case 'progress':
      return isId(value.requestId) && isString(value.message) && optional(value.fraction, isNumber) ? (value as unknown as ProgressEvent) : undefined;
    case 'log':
      return ['debug', 'info', 'warn', 'error'].includes(value.level as string) && isString(value.message) ? (value as unknown as LogEvent) : undefined;
    case 'finished':
      return isId(value.requestId) && 'result' in value ? (value as unknown as FinishedEvent) : undefined;
    case 'failed':
      return isId(value.requestId) && isString(value.message) && optional(value.findings, Array.isArray) ? (value as unknown as FailedEvent) : undefined;
    case 'robotState':
      return isSessionState(value.state) ? (value as unknown as RobotStateEvent) : undefined;
    case 'robotTelemetry':
      return Array.isArray(value.samples) && value.samples.every(isTelemetrySample) ? (value as unknown as RobotTelemetryEvent) : undefined;
    case 'robotSafety':
      return isSafetyEntry(value.entry) ? (value as unknown as RobotSafetyEvent) : undefined;
    case 'personPrompt':
      return isId(value.requestId) &&
        isId(value.promptId) &&
        ['confirm', 'estop', 'episode', 'rearm'].includes(value.prompt as string) &&
        isString(value.message) &&
        optional(value.stage, isString) &&
        optional(value.address, isString) &&
        optional(value.path, isString) &&
        optional(value.episode, isId) &&
        optional(value.count, isId) &&
        optional(value.of, isId)
        ? (value as unknown as PersonPromptEvent)
        : undefined;
    case 'personPromptClosed':
      return isId(value.promptId) ? (value as unknown as PersonPromptClosedEvent) : undefined;
    case 'robotMotion':
      return isId(value.openLinks) ? (value as unknown as RobotMotionEvent) : undefined;
    default:
      return undefined;
  }
}

const isNumbers = (v: unknown): v is number[] => Array.isArray(v) && v.length <= 64 && v.every((x) => typeof x === 'number');

export function isSessionState(v: unknown): v is RobotSessionState {
  return (
    isObject(v) &&
    typeof v.connected === 'boolean' &&
    ['armed', 'running', 'halted', 'unknown'].includes(v.robot as string) &&
    typeof v.stopped === 'boolean' &&
    isNumber(v.speedScale) &&
    isId(v.episodesStarted) &&
    typeof v.episodeRunning === 'boolean' &&
    optional(v.address, isString) &&
    optional(v.file, isString) &&
    optional(v.policy, isString) &&
    optional(v.haltReason, isString) &&
    optional(v.haltDetail, isString) &&
    optional(v.stopMessage, isString) &&
    optional(v.runDir, isString) &&
    optional(v.stopEndpoint, isStopEndpoint)
  );
}

/** Only a loopback WebSocket with a token: the console will open nothing else. */
function isStopEndpoint(v: unknown): boolean {
  return isObject(v) && isString(v.url) && /^ws:\/\/127\.0\.0\.1:\d{1,5}$/.test(v.url) && isString(v.token) && /^[0-9a-f]{64}$/.test(v.token) && Object.keys(v).length === 2;
}

export function isTelemetrySample(v: unknown): v is RobotTelemetrySample {
  // positions may be NaN only if the robot reported NaN; JSON turns that into null, which fails here on purpose
  return isObject(v) && isNumber(v.tMs) && isId(v.episode) && isId(v.step) && isNumbers(v.position) && isNumbers(v.command);
}

export function isSafetyEntry(v: unknown): v is RobotSafetyEntry {
  return isObject(v) && isNumber(v.tMs) && ['info', 'warning', 'stop'].includes(v.level as string) && isString(v.message);
}
