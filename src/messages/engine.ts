/**
 * The extension host and the engine process (child_process.fork, IPC channel): every request the
 * host sends and every event the engine pushes, declared once. Each request's params come from its
 * job's own declaration (src/engine/jobs/), so the type the job takes and the check a request must
 * pass on arrival are one thing; events are declared here. Both sides import this module and check
 * what arrives (`parseHostMessage` in the engine, `parseEngineMessage` in the host): a malformed
 * message is dropped and logged, never trusted.
 */
import * as t from '../common/schema';
import { findingJson } from '../engine/config/findings';
import { robotSafetyEntry, robotSessionState, robotTelemetrySample, type RealEpisodeRecord, type RobotSessionState } from '../engine/console/sessionState';
import type { EvaluationReport } from '../engine/evaluate/report';
import type { SensitivityReport } from '../engine/evaluate/sensitivity';
import { evaluateParams } from '../engine/jobs/evaluate';
import { evaluateOnRobotParams, type EvaluateOnRobotResult } from '../engine/jobs/evaluateOnRobot';
import { perceptionAdaptParams, type PerceptionAdaptResult } from '../engine/jobs/perceptionAdapt';
import { perceptionEvaluateParams, type PerceptionEvaluateResult } from '../engine/jobs/perceptionEvaluate';
import { perceptionTrainParams, type PerceptionTrainResult } from '../engine/jobs/perceptionTrain';
import { pipelineParams } from '../engine/jobs/pipeline';
import { sensitivityParams } from '../engine/jobs/sensitivity';
import { sysidRequestParams, type SysidJobResult } from '../engine/jobs/sysid';
import { trainRequestParams, type TrainSummary } from '../engine/jobs/train';
import { validateParams, type ValidateResult } from '../engine/jobs/validate';

export type { RealEpisodeRecord, RobotSafetyEntry, RobotSessionState, RobotTelemetrySample } from '../engine/console/sessionState';
export type { FindingJson } from '../engine/config/findings';

const empty = t.object({});

/** Open the safe-test console's robot session on the experiment's configured robot.address (an address given must be that one). */
export const robotConnectParams = t.object({
  /** Absolute path of the experiment file; its robot.address is the only address allowed. */
  file: t.string(),
  /** ONNX policy to run; without one the session can connect, stop and arm, but not run episodes. */
  policy: t.optional(t.string()),
  address: t.optional(t.string()),
  /** Run folder to record the console's episodes in (real-episodes.jsonl, eval-real.json). */
  runDir: t.optional(t.string()),
});

export const robotStopParams = t.object({
  message: t.optional(t.string()),
  /** When the extension host took the stop (CLOCK_MONOTONIC ms, util/clock.ts): logged with the stop, for latency breakdowns. */
  hostReceivedMs: t.optional(t.number()),
});

/** A pipeline run, as the host shows it (the whole record is in the pipeline's pipeline.json). */
export interface PipelineSummary {
  readonly dir: string;
  readonly status: string;
  readonly message: string;
  readonly realEpisodesUsed: number;
  readonly realEpisodeBudget: number;
}

/** Every request: its params' declaration (from the job that serves it). Each is answered by `finished` or `failed`. */
export const REQUEST_PARAMS = {
  validate: validateParams,
  train: trainRequestParams,
  evaluate: evaluateParams,
  /** A run's policy on the experiment's configured robot (or emulator); writes eval-real.json. */
  evaluateOnRobot: evaluateOnRobotParams,
  /** Each randomized parameter of a run's policy swept in sim; writes sensitivity.json. */
  sensitivity: sensitivityParams,
  perceptionTrain: perceptionTrainParams,
  perceptionEvaluate: perceptionEvaluateParams,
  perceptionAdapt: perceptionAdaptParams,
  /** Live on the experiment's configured robot, or from a .csv/.mcap log; a sysid run under runsDir. */
  sysid: sysidRequestParams,
  /** The transfer pipeline; its questions come as personPrompt events. */
  pipeline: pipelineParams,
  /** The person's answer to a personPrompt (a gate, the emergency stop, "Start episode", a re-arm). */
  personReply: t.object({ promptId: t.id(), accept: t.boolean() }),
  /** Cancel a running request; its own answer then arrives as `finished` (cancelled) or `failed`. */
  cancel: t.object({ requestId: t.id() }),
  ping: empty,
  robotConnect: robotConnectParams,
  /** Run one episode of the session's policy (a person pressed "Start episode"); finishes when it ends. */
  robotStartEpisode: t.object({ seed: t.optional(t.id()) }),
  /** The person's answer, in the console, to "is the hardware emergency stop within your reach?" (every session). */
  robotConfirmEstop: t.object({ confirmed: t.boolean() }),
  /** Protective stop, ahead of anything queued, to the console's session and every other open robot link. */
  robotStop: robotStopParams,
  /** A person's re-arm after a stop (the console's Arm). */
  robotArm: empty,
  robotDisconnect: empty,
} as const;

export type RequestMethod = keyof typeof REQUEST_PARAMS;
export const REQUEST_METHODS = Object.keys(REQUEST_PARAMS) as readonly RequestMethod[];

/** What each request answers with. */
interface Results {
  validate: ValidateResult;
  train: TrainSummary;
  evaluate: EvaluationReport;
  evaluateOnRobot: EvaluateOnRobotResult;
  sensitivity: SensitivityReport;
  perceptionTrain: PerceptionTrainResult;
  perceptionEvaluate: PerceptionEvaluateResult;
  perceptionAdapt: PerceptionAdaptResult;
  sysid: SysidJobResult;
  pipeline: PipelineSummary;
  personReply: { readonly delivered: boolean };
  cancel: { readonly cancelled: boolean };
  ping: { readonly versions: Record<string, string> };
  robotConnect: RobotSessionState;
  robotStartEpisode: RealEpisodeRecord;
  robotConfirmEstop: { readonly recorded: boolean };
  robotStop: { readonly sent: boolean };
  robotArm: RobotSessionState;
  robotDisconnect: { readonly disconnected: boolean };
}

export type EngineRequests = { [M in RequestMethod]: { params: t.Infer<(typeof REQUEST_PARAMS)[M]>; result: Results[M] } };

/** Sent by the extension host. */
export interface RequestMessage<M extends RequestMethod = RequestMethod> {
  readonly kind: 'request';
  readonly id: number;
  readonly method: M;
  readonly params: EngineRequests[M]['params'];
}

/** Checks a message arriving at the engine; undefined when it is not a well-formed request. */
export function parseHostMessage(value: unknown): RequestMessage | undefined {
  if (!t.object({ kind: t.literal('request'), id: t.id(), method: t.oneOf(REQUEST_METHODS), params: t.opaque<object>() }).check(value)) return undefined;
  const params: t.Schema<unknown> = REQUEST_PARAMS[value.method];
  return params.check(value.params) ? (value as RequestMessage) : undefined;
}

/** Every event the engine sends. */
export const ENGINE_EVENTS = t.family({
  /** Once, when the engine is ready for requests. */
  ready: { versions: t.opaque<Record<string, string>>() },
  /** While a request runs (training iterations, evaluations, checkpoints, episodes). */
  progress: {
    requestId: t.id(),
    /** Fraction done in [0, 1] when known. */
    fraction: t.optional(t.number()),
    /** One line for a progress notification. */
    message: t.string(),
    /** The job's own event (the trainer's progress, evaluation, checkpoint), for charts. */
    detail: t.optional(t.unknown()),
  },
  /** A line for the engine log. */
  log: { level: t.oneOf(['debug', 'info', 'warn', 'error']), message: t.string(), requestId: t.optional(t.id()) },
  /** The request's result. */
  finished: { requestId: t.id(), result: t.unknown() },
  /** The request failed; findings when the experiment did not validate. */
  failed: { requestId: t.id(), message: t.string(), findings: t.optional(t.array(findingJson)) },
  /** Whenever the console's robot session changes (connect, halt, stop, arm, episode). */
  robotState: { state: robotSessionState },
  /** During console episodes, batched at about 20 Hz. */
  robotTelemetry: { samples: t.array(robotTelemetrySample) },
  /** A safety event of the console's session (stop, violation, aborted episode, link change). */
  robotSafety: { entry: robotSafetyEntry },
  /**
   * A question for the person from a running job: `confirm` (a pipeline's gate), `estop` (a real robot
   * is about to move: is the emergency stop within reach?) and `rearm` (after a protective stop) are
   * modal dialogs; `episode` is the safe-test console's "Start episode" for the next episode (or
   * supervised batch of `count`). Answered with personReply.
   */
  personPrompt: {
    requestId: t.id(),
    promptId: t.id(),
    prompt: t.oneOf(['confirm', 'estop', 'episode', 'rearm']),
    message: t.string(),
    stage: t.optional(t.string()),
    /** The robot and what is about to move it, for motion questions. */
    address: t.optional(t.string()),
    path: t.optional(t.string()),
    /** For `episode`: the 1-based first episode this start covers, how many it covers, of how many. */
    episode: t.optional(t.id()),
    count: t.optional(t.id()),
    of: t.optional(t.id()),
  },
  /** A person prompt no longer needs an answer (answered, cancelled, or the job ended). */
  personPromptClosed: { promptId: t.id() },
  /** The number of robot links the engine holds open changed (any path, not only the console). */
  robotMotion: { openLinks: t.id() },
});

export type EngineEvent = NonNullable<ReturnType<typeof ENGINE_EVENTS.parse>>;
export type EventOf<K extends EngineEvent['kind']> = Extract<EngineEvent, { kind: K }>;
export type ProgressEvent = EventOf<'progress'>;
export type PersonPromptEvent = EventOf<'personPrompt'>;
export type PersonPromptClosedEvent = EventOf<'personPromptClosed'>;
export type RobotEvent = EventOf<'robotState' | 'robotTelemetry' | 'robotSafety'>;

/** Checks a message arriving at the extension host; undefined when it is not a well-formed event. */
export const parseEngineMessage = ENGINE_EVENTS.parse;
