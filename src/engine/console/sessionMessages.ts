/**
 * Messages between the engine's main thread (robotSession.ts) and the robot session worker
 * (sessionWorker.ts). The worker owns the robot link and runs the console's episodes; the main thread
 * only relays. Stops travel on a port of their own, so a stop never waits behind an episode request.
 */
import type { Experiment } from '../config/experiment';
import type { RobotStatus } from '../rosbridge/messages';
import type { EpisodePermit, RearmPermit } from '../robot/motionAuthority';
import type { RealEpisodeRecord, RobotSafetyEntry, RobotSessionState, RobotTelemetrySample } from './sessionState';

/** workerData of the session worker. */
export interface SessionWorkerData {
  readonly experiment: Experiment;
  /** Already checked against the experiment's configured address. */
  readonly url: string;
  readonly allowedAddresses: readonly string[];
  readonly policyPath?: string;
  /** Engine-side JSONL event log (stops with their send time, aborted episodes). */
  readonly eventLogPath?: string;
  /** Telemetry batches are posted at most this often, ms. [default: 50, i.e. 20 Hz] */
  readonly telemetryPeriodMs?: number;
  /** The motion session: the authority lives on the main thread, with the person's answers. */
  readonly motion: { readonly session: string; readonly logPath?: string };
}

/** Sent by the main thread on the control port, one at a time per id. */
export type SessionRequest =
  | { readonly id: number; readonly kind: 'startEpisode'; readonly seed: number; readonly permit: EpisodePermit }
  | { readonly id: number; readonly kind: 'arm'; readonly permit: RearmPermit }
  | { readonly id: number; readonly kind: 'close' };

/** Sent by the main thread on the stop port: a protective stop, handled the moment it arrives. */
export interface SessionStop {
  readonly kind: 'stop';
  readonly message: string;
  /** CLOCK_MONOTONIC ms stamps along the way (extension host, engine), logged with the stop. */
  readonly trace?: StopTrace;
}

export interface StopTrace {
  readonly hostReceivedMs?: number;
  readonly engineReceivedMs?: number;
}

/** Sent by the worker on the control port. */
export type SessionReply =
  | { readonly id: number; readonly kind: 'episode'; readonly record: Omit<RealEpisodeRecord, 'seed'> }
  | { readonly id: number; readonly kind: 'done' }
  | { readonly id: number; readonly kind: 'error'; readonly message: string };

/** Sent by the worker on the control port whenever there is something to show. */
export type SessionNotice =
  | { readonly kind: 'state'; readonly state: RobotSessionState }
  | { readonly kind: 'telemetry'; readonly samples: RobotTelemetrySample[] }
  | { readonly kind: 'safety'; readonly entry: RobotSafetyEntry };

/** Sent by the worker once, on its parent port; `status`: the robot's first report (does it announce itself as the emulator?). */
export type SessionStartup = { readonly kind: 'ready'; readonly status?: RobotStatus } | { readonly kind: 'failed'; readonly message: string };

export const isSessionReply = (m: SessionReply | SessionNotice): m is SessionReply => 'id' in m;
