/**
 * Messages between the safe-test console's host (src/providers/safeTestConsole.ts) and its webview
 * (main.ts). Imported by both sides; each side checks what arrives with the parser for its direction
 * before acting on it. No `vscode` and no DOM here.
 */
import {
  isSafetyEntry,
  isSessionState,
  isTelemetrySample,
  type RealEpisodeRecord,
  type RobotSafetyEntry,
  type RobotSessionState,
  type RobotTelemetrySample,
} from '../../src/engine/protocol';
import { isPlotThreadSetting, type PlotThreadSetting } from './plotThread';

/** Sent by the host: what connecting would open (shown before connecting), or why it cannot. */
export interface SetupMessage {
  readonly type: 'setup';
  /** The experiment's configured robot.address: the only address the console connects to. */
  readonly address?: string;
  readonly experiment?: string;
  readonly policy?: string;
  readonly problem?: string;
  /** Where to draw the live plots (setting sim2real.console.plotThread); read from the first setup. */
  readonly plotThread?: PlotThreadSetting;
}
export interface StateMessage {
  readonly type: 'state';
  readonly state: RobotSessionState;
  /** Whether the person confirmed the hardware emergency stop is within reach, this session. */
  readonly estopConfirmed: boolean;
}
export interface TelemetryMessage {
  readonly type: 'telemetry';
  readonly samples: readonly RobotTelemetrySample[];
}
export interface SafetyMessage {
  readonly type: 'safety';
  readonly entry: RobotSafetyEntry;
}
export interface EpisodeMessage {
  readonly type: 'episode';
  readonly record: RealEpisodeRecord;
}
export interface ErrorMessage {
  readonly type: 'error';
  readonly message: string;
}
/**
 * Sent by the host: a job (an evaluation, a pipeline stage, system identification, camera images)
 * waits for the person to start its next episode on the robot, or `count` of them (a supervised
 * batch); no request: it no longer waits.
 */
export interface EpisodePromptMessage {
  readonly type: 'episodePrompt';
  readonly request?: EpisodeRequest;
}
export interface EpisodeRequest {
  /** What moves the robot ("Evaluate on Robot", "pipeline stage 'tune' (real_finetune)"). */
  readonly path: string;
  readonly episode: number;
  readonly count: number;
  readonly of?: number;
}
export type HostToConsole = SetupMessage | StateMessage | TelemetryMessage | SafetyMessage | EpisodeMessage | ErrorMessage | EpisodePromptMessage;

/** Sent by the webview. `stop` first: it is the one that must never be dropped or delayed. */
export type ConsoleToHost =
  | { readonly type: 'stop' }
  | { readonly type: 'connect' }
  | { readonly type: 'confirmEstop'; readonly confirmed: boolean }
  | { readonly type: 'startEpisode' }
  | { readonly type: 'arm' }
  | { readonly type: 'disconnect' };

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const optionalString = (v: unknown): boolean => v === undefined || typeof v === 'string';

/** The host's check of a webview message; undefined drops it. */
export function parseConsoleToHost(raw: unknown): ConsoleToHost | undefined {
  if (!isObject(raw)) return undefined;
  switch (raw.type) {
    case 'stop':
    case 'connect':
    case 'startEpisode':
    case 'arm':
    case 'disconnect':
      return Object.keys(raw).length === 1 ? ({ type: raw.type } as ConsoleToHost) : undefined;
    case 'confirmEstop':
      return typeof raw.confirmed === 'boolean' && Object.keys(raw).length === 2 ? { type: 'confirmEstop', confirmed: raw.confirmed } : undefined;
    default:
      return undefined;
  }
}

function isEpisodeRecord(v: unknown): v is RealEpisodeRecord {
  return (
    isObject(v) &&
    typeof v.index === 'number' &&
    typeof v.episodeReturn === 'number' &&
    typeof v.length === 'number' &&
    typeof v.success === 'boolean' &&
    typeof v.termination === 'string' &&
    typeof v.speedScale === 'number' &&
    optionalString(v.abortReason)
  );
}

/** The webview's check of a host message; undefined drops it. */
export function parseHostToConsole(raw: unknown): HostToConsole | undefined {
  if (!isObject(raw)) return undefined;
  switch (raw.type) {
    case 'setup':
      return optionalString(raw.address) && optionalString(raw.experiment) && optionalString(raw.policy) && optionalString(raw.problem) && (raw.plotThread === undefined || isPlotThreadSetting(raw.plotThread))
        ? (raw as unknown as SetupMessage)
        : undefined;
    case 'state':
      return isSessionState(raw.state) && typeof raw.estopConfirmed === 'boolean' ? (raw as unknown as StateMessage) : undefined;
    case 'telemetry':
      return Array.isArray(raw.samples) && raw.samples.every(isTelemetrySample) ? (raw as unknown as TelemetryMessage) : undefined;
    case 'safety':
      return isSafetyEntry(raw.entry) ? (raw as unknown as SafetyMessage) : undefined;
    case 'episode':
      return isEpisodeRecord(raw.record) ? (raw as unknown as EpisodeMessage) : undefined;
    case 'error':
      return typeof raw.message === 'string' ? (raw as unknown as ErrorMessage) : undefined;
    case 'episodePrompt': {
      const r = raw.request;
      if (r === undefined) return { type: 'episodePrompt' };
      const positive = (v: unknown): boolean => Number.isInteger(v) && (v as number) >= 1;
      return isObject(r) && typeof r.path === 'string' && positive(r.episode) && positive(r.count) && (r.of === undefined || positive(r.of)) ? (raw as unknown as EpisodePromptMessage) : undefined;
    }
    default:
      return undefined;
  }
}
