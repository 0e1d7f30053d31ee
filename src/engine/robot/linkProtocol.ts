/**
 * Messages between a RobotEnv (the thread running the evaluator) and its link worker. The worker owns
 * the socket, so heartbeats and stops never wait for the evaluator's thread; the evaluator's thread
 * blocks in Atomics.wait for each reply, which is how the synchronous Env contract is kept.
 */
import type { MessagePort } from 'node:worker_threads';
import type { Experiment } from '../config/experiment';
import type { StepResult } from '../sim/env';
import type { RobotStatus } from '../rosbridge/messages';
import type { EpisodePermit, RearmPermit } from './motionAuthority';

/** workerData of the link worker. */
export interface LinkWorkerData {
  readonly experiment: Experiment;
  readonly url: string;
  /** The configured addresses; the worker builds its own RobotAddressPolicy from them. */
  readonly allowedAddresses: readonly string[];
  /** Int32Array over it: [0] is bumped and notified after every reply. */
  readonly signal: SharedArrayBuffer;
  readonly eventLogPath?: string;
  /** The motion session (the authority lives with the RobotEnv, on the thread that reaches the person). */
  readonly motion: { readonly session: string; readonly logPath?: string };
}

/** Sent by the RobotEnv. */
export type LinkRequest =
  | { readonly id: number; readonly kind: 'reset'; readonly seed: number; readonly permit?: EpisodePermit }
  | { readonly id: number; readonly kind: 'step'; readonly action: number[] }
  | { readonly id: number; readonly kind: 'rearm'; readonly permit: RearmPermit }
  | { readonly id: number; readonly kind: 'close' };

/** Sent by the link worker. */
export type LinkReply =
  | {
      readonly id: number;
      readonly kind: 'observation';
      readonly observation: Float64Array;
      readonly result: StepResult;
      readonly abortReason?: string;
      /** The robot's latest status and the link's stop latch, for the motion authority's next decision. */
      readonly status?: RobotStatus;
      readonly stopped?: string;
    }
  /** `status`: the robot's status after the request (a re-arm), when it reported one. */
  | { readonly id: number; readonly kind: 'done'; readonly status?: RobotStatus }
  | { readonly id: number; readonly kind: 'error'; readonly message: string };

/** Sent by the link worker once, on its parent port, when connected (or not). */
export type LinkStartup =
  /** `status`: the robot's first status report (whether it announces itself as the emulator), if one came. */
  | { readonly kind: 'ready'; readonly controlPeriodS: number; readonly status?: RobotStatus }
  | { readonly kind: 'failed'; readonly message: string };

/** Sent on the stop port by anyone (the RobotEnv, an IPC thread): a protective stop, at once. */
export interface StopRequest {
  readonly kind: 'stop';
  readonly message: string;
}

/** Sent on the stop channel by RobotEnv.createStopPort: one more port whose messages are stops. */
export interface AttachStopPort {
  readonly kind: 'attach';
  readonly port: MessagePort;
}
