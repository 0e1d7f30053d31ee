/**
 * The trainer's state at the end of an iteration, serialized exactly: weights and normalization
 * statistics as the bytes of their Float64Arrays (base64), so a resumed run continues bit for bit
 * where the checkpoint left off.
 */
import type { ObservationStats } from '../policy/runningStats';

/** Adam's moments (learn/adam.ts), as a checkpoint keeps them. */
export interface AdamState {
  readonly m: Float64Array;
  readonly v: Float64Array;
  /** Steps taken (for bias correction). */
  t: number;
}

export interface TrainerState {
  /** Iterations completed; the next one to run has this number. */
  readonly iteration: number;
  readonly parameters: Float64Array;
  readonly stats: ObservationStats;
  readonly envSteps: number;
  readonly episodes: number;
  /** Wall time spent training before this checkpoint, across resumes. */
  readonly elapsedSeconds: number;
  /** Latest periodic evaluation's success rate, if any. */
  readonly lastEvalSuccess?: number;
  /** Optimizer moments when the step uses Adam. */
  readonly adam?: AdamState;
  /** The weights with the best periodic evaluation so far (exported when the budget runs out). */
  readonly best?: BestPolicy;
  /** Set when training reached its target: the evaluation that crossed it and its confirmation. */
  readonly stopEvidence?: StopEvidence;
}

export interface StopEvaluation {
  readonly successRate: number;
  readonly episodes: number;
  /** Wilson 95% interval of the success rate. */
  readonly ci95: readonly [number, number];
}

/** Why training stopped at its target: a periodic evaluation crossed it, and fresh episodes confirmed it. */
export interface StopEvidence {
  readonly iteration: number;
  readonly candidate: StopEvaluation;
  readonly confirmation: StopEvaluation;
}

export interface BestPolicy {
  readonly iteration: number;
  readonly successRate: number;
  readonly avgReturn: number;
  readonly parameters: Float64Array;
  /** Normalization in use when it was evaluated. */
  readonly normMean: Float64Array;
  readonly normStd: Float64Array;
}

interface CheckpointFile {
  readonly format: 1;
  readonly iteration: number;
  readonly envSteps: number;
  readonly episodes: number;
  readonly elapsedSeconds: number;
  readonly lastEvalSuccess?: number;
  readonly parameterCount: number;
  readonly parameters: string;
  readonly stats: { readonly count: number; readonly mean: string; readonly m2: string };
  readonly adam?: { readonly t: number; readonly m: string; readonly v: string };
  readonly best?: { readonly iteration: number; readonly successRate: number; readonly avgReturn: number; readonly parameters: string; readonly normMean: string; readonly normStd: string };
  readonly stopEvidence?: StopEvidence;
}

const toBase64 = (a: Float64Array): string => Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('base64');

function fromBase64(text: string): Float64Array {
  const bytes = Buffer.from(text, 'base64');
  if (bytes.length % 8 !== 0) throw new Error('checkpoint array is not a whole number of float64 values');
  // copy into an aligned buffer: Buffer pools are not 8-byte aligned
  const out = new Float64Array(bytes.length / 8);
  new Uint8Array(out.buffer).set(bytes);
  return out;
}

export function serializeCheckpoint(state: TrainerState): CheckpointFile {
  return {
    format: 1,
    iteration: state.iteration,
    envSteps: state.envSteps,
    episodes: state.episodes,
    elapsedSeconds: state.elapsedSeconds,
    ...(state.lastEvalSuccess !== undefined ? { lastEvalSuccess: state.lastEvalSuccess } : {}),
    ...(state.stopEvidence ? { stopEvidence: state.stopEvidence } : {}),
    parameterCount: state.parameters.length,
    parameters: toBase64(state.parameters),
    stats: { count: state.stats.count, mean: toBase64(state.stats.mean), m2: toBase64(state.stats.m2) },
    ...(state.adam ? { adam: { t: state.adam.t, m: toBase64(state.adam.m), v: toBase64(state.adam.v) } } : {}),
    ...(state.best
      ? {
          best: {
            iteration: state.best.iteration,
            successRate: state.best.successRate,
            avgReturn: state.best.avgReturn,
            parameters: toBase64(state.best.parameters),
            normMean: toBase64(state.best.normMean),
            normStd: toBase64(state.best.normStd),
          },
        }
      : {}),
  };
}

export function deserializeCheckpoint(value: unknown): TrainerState {
  const file = value as CheckpointFile;
  if (!file || file.format !== 1 || typeof file.iteration !== 'number') throw new Error('not a sim2real checkpoint (format 1)');
  const parameters = fromBase64(file.parameters);
  if (parameters.length !== file.parameterCount) throw new Error(`checkpoint holds ${parameters.length} parameters, header says ${file.parameterCount}`);
  return {
    iteration: file.iteration,
    parameters,
    stats: { count: file.stats.count, mean: fromBase64(file.stats.mean), m2: fromBase64(file.stats.m2) },
    envSteps: file.envSteps,
    episodes: file.episodes,
    elapsedSeconds: file.elapsedSeconds,
    ...(file.lastEvalSuccess !== undefined ? { lastEvalSuccess: file.lastEvalSuccess } : {}),
    ...(file.stopEvidence ? { stopEvidence: file.stopEvidence } : {}),
    ...(file.adam ? { adam: { t: file.adam.t, m: fromBase64(file.adam.m), v: fromBase64(file.adam.v) } } : {}),
    ...(file.best
      ? {
          best: {
            iteration: file.best.iteration,
            successRate: file.best.successRate,
            avgReturn: file.best.avgReturn,
            parameters: fromBase64(file.best.parameters),
            normMean: fromBase64(file.best.normMean),
            normStd: fromBase64(file.best.normStd),
          },
        }
      : {}),
  };
}
