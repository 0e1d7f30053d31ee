/**
 * The safe-test console's host (src/providers/safeTestConsole.ts) and its webview
 * (webview-ui/console): every message, declared once; each side checks what arrives. `stop` is the
 * one that must never be dropped or delayed: the host handles it first and synchronously.
 */
import * as t from '../common/schema';
import { realEpisodeRecord, robotSafetyEntry, robotSessionState, robotTelemetrySample } from '../engine/console/sessionState';

export type { RealEpisodeRecord, RobotSafetyEntry, RobotSessionState, RobotTelemetrySample } from '../engine/console/sessionState';

/** The values of the setting sim2real.console.plotThread (package.json lists the same). */
export const PLOT_THREAD_SETTINGS = ['auto', 'worker', 'page'] as const;
export type PlotThreadSetting = (typeof PLOT_THREAD_SETTINGS)[number];
export const plotThreadSetting = t.oneOf(PLOT_THREAD_SETTINGS);

/** A job (an evaluation, a pipeline stage, identification, camera images) waiting for the person to start its next episode(s) on the robot. */
export const episodeRequest = t.object({
  /** What moves the robot ("Evaluate on Robot", "pipeline stage 'tune' (real_finetune)"). */
  path: t.string(),
  episode: t.atLeast(1),
  /** Episodes this start covers (a supervised batch when more than 1). */
  count: t.atLeast(1),
  of: t.optional(t.atLeast(1)),
});
export type EpisodeRequest = t.Infer<typeof episodeRequest>;

export const CONSOLE_HOST_MESSAGES = t.family({
  /** What connecting would open (shown before connecting), or why it cannot; the plots' thread from the first setup. */
  setup: { address: t.optional(t.string()), experiment: t.optional(t.string()), policy: t.optional(t.string()), problem: t.optional(t.string()), plotThread: t.optional(plotThreadSetting) },
  /** The session's state, and whether the person confirmed the hardware emergency stop is within reach this session. */
  state: { state: robotSessionState, estopConfirmed: t.boolean() },
  telemetry: { samples: t.array(robotTelemetrySample) },
  safety: { entry: robotSafetyEntry },
  episode: { record: realEpisodeRecord },
  error: { message: t.string() },
  /** A job waits for the person's start (or, with no request, no longer does). */
  episodePrompt: { request: t.optional(episodeRequest) },
});
export type ConsoleHostMessage = NonNullable<ReturnType<typeof CONSOLE_HOST_MESSAGES.parse>>;

export const CONSOLE_WEBVIEW_MESSAGES = t.family(
  {
    stop: {},
    connect: {},
    confirmEstop: { confirmed: t.boolean() },
    startEpisode: {},
    arm: {},
    disconnect: {},
  },
  { exact: true },
);
export type ConsoleWebviewMessage = NonNullable<ReturnType<typeof CONSOLE_WEBVIEW_MESSAGES.parse>>;
