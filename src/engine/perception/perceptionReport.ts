/**
 * perception.json in a run folder: per perception model (keyed by its file name), how it was
 * trained, its position error on real images, and what domain adaptation changed. The train, eval
 * and adapt commands each merge their part in, so one folder can hold a model trained with and one
 * without visual randomization side by side (the gap report's "visual gap" rows).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../util/atomicFile';
import type { PositionErrors } from './samples';

export const PERCEPTION_REPORT_FILE = 'perception.json';

export interface PerceptionTraining {
  readonly randomization: boolean;
  readonly samples: number;
  readonly epochs: number;
  readonly seed: number;
  readonly seconds: number;
  /** Nominal-look images trained on first (curriculum warm-up). */
  readonly warmupSamples?: number;
  /** A fresh image set was rendered every epoch (`samples` is then per epoch). */
  readonly freshImagesPerEpoch?: boolean;
  /** Epochs over which the randomized share of images rose from 0 to 1. */
  readonly curriculumEpochs?: number;
  /** Share of training images showing the task's episode start. */
  readonly taskStartShare?: number;
  /** Lens, sensor and table randomization (sensorRandomization.ts) was on. */
  readonly sensorRandomization?: boolean;
  /** Error on held-out sim images drawn like the training images. */
  readonly simTest: PositionErrors;
}

export interface RealImageEvaluation {
  readonly errors: PositionErrors;
  /** The robot address the images came from. */
  readonly source: string;
  /** Where the labels came from (e.g. the emulator's true puck pose published with each image). */
  readonly groundTruth: string;
  readonly at: string;
}

export interface PerceptionAdaptation {
  /** File name of the adapted model (next to the base model). */
  readonly model: string;
  readonly before: PositionErrors;
  readonly after: PositionErrors;
  readonly realImagesUsed: number;
  readonly simImagesUsed: number;
  readonly steps: number;
  /** The step whose weights were kept (the sim validation loss stayed within bounds up to it). */
  readonly keptStep?: number;
  /** Why the run stopped before its last step, if it did. */
  readonly stoppedEarly?: string;
  readonly seconds: number;
  readonly discriminatorAccuracy: number;
  readonly source: string;
  readonly at: string;
}

export interface PerceptionModelReport {
  /** File name of the model in the run folder (perception.onnx, perception-no-randomization.onnx). */
  readonly model: string;
  readonly training?: PerceptionTraining;
  readonly realImages?: RealImageEvaluation;
  readonly adaptation?: PerceptionAdaptation;
}

export interface PerceptionReport {
  readonly version: 1;
  readonly task: string;
  readonly models: readonly PerceptionModelReport[];
}

export function readPerceptionReport(runDir: string): PerceptionReport | undefined {
  const file = join(runDir, PERCEPTION_REPORT_FILE);
  if (!existsSync(file)) return undefined;
  const parsed = JSON.parse(readFileSync(file, 'utf8')) as PerceptionReport;
  if (parsed.version !== 1 || !Array.isArray(parsed.models)) throw new Error(`${file}: not a perception report (version 1 with a models list)`);
  return parsed;
}

/** Merges `part` into the entry for `model` (creating it) and writes the file atomically. */
export function updatePerceptionReport(runDir: string, task: string, model: string, part: Omit<Partial<PerceptionModelReport>, 'model'>): PerceptionReport {
  const current = readPerceptionReport(runDir) ?? { version: 1 as const, task, models: [] };
  const models = current.models.filter((m) => m.model !== model);
  const previous = current.models.find((m) => m.model === model) ?? { model };
  const next: PerceptionReport = { version: 1, task: current.task, models: [...models, { ...previous, ...part, model }].sort((a, b) => a.model.localeCompare(b.model)) };
  writeFileAtomic(join(runDir, PERCEPTION_REPORT_FILE), `${JSON.stringify(next, null, 2)}\n`);
  return next;
}
