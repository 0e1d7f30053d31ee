/**
 * The protocol between the extension host and the engine process (child_process.fork, IPC channel).
 * One module, imported by both sides: requests the extension sends, events the engine pushes.
 * Every message is checked on arrival (`parseEngineMessage` / `parseHostMessage`): a malformed one
 * is dropped and logged, never trusted.
 */
import type { EvaluationReport } from './eval/report';
import type { GapReport } from './eval/gapReport';
import type { SensitivityReport } from './eval/sensitivity';

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

/** Requests the extension host sends; the engine answers each with a `finished` or `failed` event. */
export interface EngineRequests {
  validate: { params: { readonly file: string }; result: { readonly findings: FindingJson[] } };
  train: { params: TrainParams; result: TrainSummary };
  evaluate: { params: EvaluateParams; result: EvaluationReport };
  /** Evaluate a run's policy on the experiment's configured robot (or emulator); writes eval-real.json. */
  evaluateOnRobot: { params: EvaluateOnRobotParams; result: { readonly real: EvaluationReport; readonly report?: GapReport } };
  /** Sweep each randomized parameter of a run's policy in sim; writes sensitivity.json. Cancellable. */
  sensitivity: { params: SensitivityParams; result: SensitivityReport };
  /** Cancel a running request; its own answer then arrives as `finished` (cancelled) or `failed`. */
  cancel: { params: { readonly requestId: number }; result: { readonly cancelled: boolean } };
  ping: { params: Record<string, never>; result: { readonly versions: Record<string, string> } };
}

export type RequestMethod = keyof EngineRequests;
export const REQUEST_METHODS: readonly RequestMethod[] = ['validate', 'train', 'evaluate', 'evaluateOnRobot', 'sensitivity', 'cancel', 'ping'];

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

export type EngineEvent = ReadyEvent | ProgressEvent | LogEvent | FinishedEvent | FailedEvent;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isId = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
const isString = (v: unknown): v is string => typeof v === 'string';
const optional = (v: unknown, check: (x: unknown) => boolean): boolean => v === undefined || check(v);
const isNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

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
      case 'sensitivity':
        return isString(p.file) && isString(p.runDir) && optional(p.episodes, isId) && optional(p.points, isId);
      case 'cancel':
        return isId(p.requestId);
      case 'ping':
        return true;
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
    default:
      return undefined;
  }
}
