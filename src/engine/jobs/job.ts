/**
 * The job contract: every job the engine runs, for VS Code (main.ts) or the CLI (commands/), is one
 * function `(params, context) => Promise<result>` in a file of its own in this folder. The adapters
 * bring the context: the cancellation signal, where progress and log lines go, and who answers the
 * questions a job may ask (a pipeline's gates; the motion authority's, on a robot).
 */
import type { FindingJson } from '../config/findings';
import type { MotionAttendance } from '../robot/motionAuthority';

export interface JobProgress {
  /** Fraction done in [0, 1], when known. */
  readonly fraction?: number;
  /** One line for a progress notification or the terminal. */
  readonly message: string;
  /** The job's own event (the trainer's progress, evaluation, checkpoint), for charts. */
  readonly detail?: unknown;
}

export interface JobContext {
  readonly signal: AbortSignal;
  progress(progress: JobProgress): void;
  log(line: string): void;
  /**
   * Who answers the robot's motion authority: a person on a terminal or in VS Code, or nobody
   * (and why, and how to run the job attended). Jobs that move no robot ignore it.
   */
  readonly attendance: MotionAttendance;
  /** A yes/no question at a gate (the pipeline's); false stops there. */
  confirm(question: { readonly stage?: string; readonly message: string }): Promise<boolean>;
  /**
   * Robot addresses in the params were typed by the user (the CLI's flags) and count as configured,
   * as the experiment's robot.address does. Never for a message from another process: there only
   * the experiment file names a robot.
   */
  readonly addressesAreUserInput: boolean;
}

export type Job<P, R> = (params: P, context: JobContext) => Promise<R>;

/** A job's refusal to start (a missing file, an experiment with errors): no work was done. */
export class JobInputError extends Error {
  constructor(
    message: string,
    /** The experiment's error findings, when that is why. */
    readonly findings?: readonly FindingJson[],
  ) {
    super(message);
    this.name = 'JobInputError';
  }
}
