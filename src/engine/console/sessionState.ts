/**
 * What the safe-test console's session reports, declared once (common/schema.ts): the session's
 * state, telemetry samples, safety-log lines and recorded episodes. The engine sends them to the
 * extension host and the host to the console's webview; each side checks them with these
 * declarations on arrival.
 */
import * as t from '../../common/schema';

/** Only a loopback WebSocket with a token: the console will open nothing else. */
export const stopEndpoint = t.object({ url: t.string({ pattern: /^ws:\/\/127\.0\.0\.1:\d{1,5}$/ }), token: t.string({ pattern: /^[0-9a-f]{64}$/ }) }, { exact: true });

/** What the console shows about the robot session. */
export const robotSessionState = t.object({
  connected: t.boolean(),
  address: t.optional(t.string()),
  file: t.optional(t.string()),
  policy: t.optional(t.string()),
  /** What the robot reports on its status topic ('unknown' before the first report). */
  robot: t.oneOf(['armed', 'running', 'halted', 'unknown']),
  /** Why the robot is halted (stop, watchdog, safety, link_lost, not_armed) and its detail. */
  haltReason: t.optional(t.string()),
  haltDetail: t.optional(t.string()),
  /** The engine's stop latch: set by any stop, cleared only by a person's re-arm. */
  stopped: t.boolean(),
  stopMessage: t.optional(t.string()),
  /** Speed scale of the running episode, or of the next one when none runs (x0.5 for the first episodes). */
  speedScale: t.number(),
  /** Episodes started in this session. */
  episodesStarted: t.id(),
  episodeRunning: t.boolean(),
  /** Run folder the episodes are recorded in. */
  runDir: t.optional(t.string()),
  /** The session's direct stop socket (loopback, token-guarded; console/stopSocket.ts). */
  stopEndpoint: t.optional(stopEndpoint),
});
export type RobotSessionState = t.Infer<typeof robotSessionState>;

// positions may be NaN only if the robot reported NaN; JSON turns that into null, which fails here on purpose
const numbers = t.array(t.number(), { max: 64 });

/** One control step of a console episode, for the live plots. */
export const robotTelemetrySample = t.object({
  /** Monotonic ms (CLOCK_MONOTONIC, as in the robot event logs). */
  tMs: t.number(),
  episode: t.id(),
  step: t.id(),
  /** Measured joint positions, rad. */
  position: numbers,
  /** Joint position targets sent (after the safety layer), rad. */
  command: numbers,
});
export type RobotTelemetrySample = t.Infer<typeof robotTelemetrySample>;

/** A line of the console's safety log. */
export const robotSafetyEntry = t.object({
  tMs: t.number(),
  level: t.oneOf(['info', 'warning', 'stop']),
  message: t.string(),
});
export type RobotSafetyEntry = t.Infer<typeof robotSafetyEntry>;

/** An episode run from the console: what real-episodes.jsonl holds, one per line. */
export const realEpisodeRecord = t.object({
  /** Index in the session (0-based). */
  index: t.id(),
  seed: t.id(),
  episodeReturn: t.number(),
  /** Control steps. */
  length: t.id(),
  success: t.boolean(),
  termination: t.oneOf(['none', 'success', 'timeout', 'exploded', 'aborted']),
  abortReason: t.optional(t.string()),
  /** Who ended an aborted episode: a person's stop (not counted as a trial of the policy), the safety layer, or the robot/link. */
  abortKind: t.optional(t.oneOf(['stop', 'safety', 'robot'])),
  speedScale: t.number(),
  startedAt: t.string(),
  durationMs: t.number(),
});
export type RealEpisodeRecord = t.Infer<typeof realEpisodeRecord>;
