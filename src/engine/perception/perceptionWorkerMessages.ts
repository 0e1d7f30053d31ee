/**
 * The engine's main thread and a perception job's worker thread (perceptionWorkerHost.ts and
 * perceptionWorker.ts): every message between them, declared once for both ends.
 */
import type { Experiment } from '../config/experiment';
import type { MotionPrompt } from '../robot/motionAuthority';

export type PerceptionWorkerJob =
  | { readonly kind: 'train'; readonly dir: string; readonly samples?: number; readonly epochs?: number; readonly randomization?: boolean; readonly seed?: number }
  | { readonly kind: 'evaluate'; readonly modelPath: string; readonly address: string; readonly images: number; readonly motionLogPath: string }
  | { readonly kind: 'adapt'; readonly modelPath: string; readonly address: string; readonly realImages: number; readonly evalImages: number; readonly simImages?: number; readonly steps?: number; readonly motionLogPath: string };

export interface PerceptionWorkerData {
  readonly experiment: Experiment;
  readonly job: PerceptionWorkerJob;
  /** Int32Array over it: element 0 turns 1 when the request is cancelled. */
  readonly cancelFlag: SharedArrayBuffer;
}

export type PerceptionWorkerMessage =
  | { readonly kind: 'progress'; readonly fraction?: number; readonly message: string }
  | { readonly kind: 'log'; readonly line: string }
  | { readonly kind: 'done'; readonly result: unknown }
  | { readonly kind: 'failed'; readonly message: string; readonly cancelled: boolean; readonly robot: boolean }
  /** A question for the person (the robot's motion authority runs here, the person is reached from the main thread). */
  | { readonly kind: 'ask'; readonly id: number; readonly question: PersonQuestion; readonly prompt: MotionPrompt };

export type PersonQuestion = 'confirmEmergencyStop' | 'startEpisodes' | 'rearm';

/** Sent by the main thread: the person's answer, or a protective stop for the job's robot link. */
export type PerceptionWorkerControl = 'cancel' | { readonly kind: 'answer'; readonly id: number; readonly yes: boolean } | { readonly kind: 'stop'; readonly message: string };
