/**
 * The engine's perception requests (perceptionTrain, perceptionEvaluate, perceptionAdapt): what
 * `sim2real perception train|eval|adapt` does, for VS Code. Each job runs in a worker thread
 * (perceptionRequestsWorker.ts) so the engine keeps answering, a robot stop first of all.
 *
 * Results appear whole or not at all: a job works in a staging folder (a hidden subfolder of the
 * run, holding copies of perception.json and the model it reads) and its files are renamed into
 * the run only when it finishes; a new run's folder is renamed into place with its run.json. A
 * cancelled or failed job leaves the run as it was.
 */
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { Experiment } from '../config/experiment';
import { formatFinding, loadExperiment } from '../config/load';
import { engineVersions } from '../learn/trainer';
import type {
  PerceptionAdaptParams,
  PerceptionAdaptResult,
  PerceptionEvaluateParams,
  PerceptionEvaluateResult,
  PerceptionRobotParams,
  PerceptionTrainParams,
  PerceptionTrainResult,
} from '../protocol';
import type { Attendant } from '../robot/motionAuthority';
import { MOTION_LOG_FILE } from '../robot/motionLog';
import { registerOpenLink } from '../robot/openLinks';
import { writeJsonAtomic } from '../util/atomicFile';
import { newRunId, type RunRecord } from '../runs/runStore';
import { adaptedModelFileOf, MODEL_FILES, weightsFileOf, type TrainPerceptionResult, type AdaptPerceptionResult } from './perceptionJobs';
import { PERCEPTION_REPORT_FILE } from './perceptionReport';
import type { PerceptionWorkerControl, PerceptionWorkerData, PerceptionWorkerJob, PerceptionWorkerMessage } from './perceptionRequestsWorker';
import type { PositionErrors } from './samples';

export type PerceptionProgressSink = (progress: { fraction?: number; message: string }) => void;
export type PerceptionLogSink = (line: string) => void;

/** The CLI's defaults (`sim2real perception eval|adapt`). */
const DEFAULT_EVAL_IMAGES = 100;
const DEFAULT_DANN_REAL_IMAGES = 200;
const DEFAULT_DANN_EVAL_IMAGES = 100;
/** After a cancel, the loops stop within a batch; a worker still running after this is terminated. */
const CANCEL_GRACE_MS = 10_000;

/** Run folders a perception job is working on: two jobs merging into one perception.json would lose one's part. */
const busyRuns = new Set<string>();

function loadValid(file: string): Experiment {
  if (!existsSync(file)) throw new Error(`No such experiment file: ${file}`);
  const loaded = loadExperiment(file);
  if (loaded.experiment) return loaded.experiment;
  const errors = loaded.findings.filter((f) => f.severity === 'error');
  const first = errors[0] ? ` First: ${formatFinding(file, loaded.lines, errors[0])}` : '';
  throw new Error(`${file} has ${errors.length} error(s); nothing was started.${first}`);
}

function atLeast(value: number | undefined, min: number, name: string): void {
  if (value !== undefined && (!Number.isInteger(value) || value < min)) throw new Error(`${name} must be a whole number >= ${min}, got ${value}`);
}

/** The experiment's robot, and only it: an address in the request must be the configured one. */
function configuredAddress(experiment: Experiment, params: PerceptionRobotParams): string {
  const robot = experiment.robot;
  if (!robot) throw new Error(`${params.file} configures no robot: add a robot block (adapter, address, safety) to take camera images.`);
  if (params.address !== undefined && params.address !== robot.address) {
    throw new Error(`Refused: ${params.address} is not the robot address this experiment configures (${robot.address}).`);
  }
  return robot.address;
}

function robotHint(experiment: Experiment): string {
  const robot = experiment.robot;
  return robot?.adapter === 'emulator' ? ` Is the reality emulator running there? (npx sim2real emulate${robot.profile ? ` --profile ${robot.profile}` : ''})` : '';
}

type WorkerOutcome<T> = { status: 'completed'; result: T } | { status: 'cancelled' };

/** The bundled worker next to the engine, or (from source, under tsx) the TypeScript file through tsx's require hook. */
function workerEntry(): { file?: string; source?: string } {
  const bundled = join(__dirname, 'perception-worker.js');
  if (existsSync(bundled)) return { file: bundled };
  const source = join(__dirname, 'perceptionRequestsWorker.ts');
  if (existsSync(source)) {
    const tsx = require.resolve('tsx/cjs');
    return { source: `require(${JSON.stringify(tsx)}); require(${JSON.stringify(source)});` };
  }
  throw new Error(`perception worker not found next to ${__dirname} (the build needs an entry 'perception-worker': 'src/engine/perception/perceptionRequestsWorker.ts')`);
}

/**
 * Runs one job in a worker thread; a cancel sets the shared flag, then terminates a worker that
 * lingers. A job on the robot asks its questions through `person` and takes the engine's stops.
 */
async function runInWorker<T>(experiment: Experiment, job: PerceptionWorkerJob, signal: AbortSignal, onProgress: PerceptionProgressSink, log: PerceptionLogSink, person?: Attendant): Promise<WorkerOutcome<T>> {
  if (signal.aborted) return { status: 'cancelled' };
  const cancelFlag = new SharedArrayBuffer(4);
  const data: PerceptionWorkerData = { experiment, job, cancelFlag };
  const entry = workerEntry();
  const worker = entry.source ? new Worker(entry.source, { eval: true, workerData: data }) : new Worker(entry.file!, { workerData: data });
  const control = (message: PerceptionWorkerControl): void => worker.postMessage(message);
  // the engine's robotStop reaches the robot link the worker holds
  const forgetLink = job.kind === 'train' ? () => undefined : registerOpenLink((message) => control({ type: 'stop', message }));
  let killTimer: NodeJS.Timeout | undefined;
  const onAbort = (): void => {
    Atomics.store(new Int32Array(cancelFlag), 0, 1);
    worker.postMessage('cancel');
    killTimer = setTimeout(() => void worker.terminate(), CANCEL_GRACE_MS);
  };
  signal.addEventListener('abort', onAbort, { once: true });
  try {
    return await new Promise<WorkerOutcome<T>>((resolvePromise, reject) => {
      worker.on('message', (message: PerceptionWorkerMessage) => {
        if (message.type === 'progress') onProgress({ fraction: message.fraction, message: message.message });
        else if (message.type === 'log') log(message.line);
        else if (message.type === 'ask') {
          const answer = person ? person[message.question](message.prompt as never) : Promise.resolve(false);
          void answer.then(
            (yes) => control({ type: 'answer', id: message.id, yes }),
            () => control({ type: 'answer', id: message.id, yes: false }),
          );
        }
        else if (message.type === 'done') resolvePromise({ status: 'completed', result: message.result as T });
        else if (message.cancelled || signal.aborted) resolvePromise({ status: 'cancelled' });
        else reject(Object.assign(new Error(message.message), { robot: message.robot }));
      });
      worker.once('error', (error) => (signal.aborted ? resolvePromise({ status: 'cancelled' }) : reject(error)));
      worker.once('exit', (code) => (signal.aborted ? resolvePromise({ status: 'cancelled' }) : reject(new Error(`the perception worker exited (code ${code}) before it finished`))));
    });
  } finally {
    forgetLink();
    signal.removeEventListener('abort', onAbort);
    clearTimeout(killTimer);
    await worker.terminate();
  }
}

/** Claims the run folder for one job; the returned function releases it. */
function claim(runDir: string): () => void {
  const key = resolve(runDir);
  if (busyRuns.has(key)) throw new Error(`A perception job is already running on ${runDir}; wait for it or cancel it.`);
  busyRuns.add(key);
  return () => busyRuns.delete(key);
}

/** A staging folder inside the run, with copies of the files the job reads (perception.json is merged into). */
function stage(runDir: string, inputs: readonly string[]): string {
  // the run is claimed: any staging folder in it is one a killed engine never got to remove
  for (const entry of readdirSync(runDir, { withFileTypes: true })) {
    if (entry.isDirectory() && entry.name.startsWith('.perception-')) rmSync(join(runDir, entry.name), { recursive: true, force: true });
  }
  const staging = mkdtempSync(join(runDir, '.perception-'));
  for (const file of [PERCEPTION_REPORT_FILE, ...inputs]) {
    if (existsSync(join(runDir, file))) copyFileSync(join(runDir, file), join(staging, file));
  }
  return staging;
}

/** Moves the job's outputs into the run, perception.json last so the report never names a missing model. */
function publish(staging: string, runDir: string, outputs: readonly string[]): void {
  for (const file of [...outputs, PERCEPTION_REPORT_FILE]) {
    if (existsSync(join(staging, file))) renameSync(join(staging, file), join(runDir, file));
  }
}

function requireRunDir(runDir: string): void {
  if (!existsSync(join(runDir, 'run.json'))) throw new Error(`${runDir} is not a run folder (no run.json).`);
}

/** A new run's folder name: the run-id style of training runs, marked as a perception run. */
function freeRunDir(experimentDir: string, seed: number): string {
  const id = `${newRunId(seed)}-perception`;
  let dir = join(experimentDir, id);
  for (let n = 2; existsSync(dir); n++) dir = join(experimentDir, `${id}-${n}`);
  return dir;
}

export async function runPerceptionTrain(params: PerceptionTrainParams, signal: AbortSignal, onProgress: PerceptionProgressSink, log: PerceptionLogSink): Promise<PerceptionTrainResult> {
  const experiment = loadValid(params.file);
  atLeast(params.samples, 16, 'samples');
  atLeast(params.epochs, 1, 'epochs');
  const seed = params.seed ?? experiment.seed;
  const randomization = params.randomization ?? true;
  const modelFile = randomization ? MODEL_FILES.randomized : MODEL_FILES.nominal;
  const started = new Date();
  const existing = params.runDir;
  if (existing !== undefined) requireRunDir(existing);
  const experimentDir = join(params.runsDir, experiment.name);
  mkdirSync(experimentDir, { recursive: true });
  // a new run is staged beside the runs (no run.json, so the tree skips it) and renamed into place
  const release = existing !== undefined ? claim(existing) : () => undefined;
  const staging = existing !== undefined ? stage(existing, []) : mkdtempSync(join(experimentDir, '.perception-'));
  try {
    log(`training the perception model ${modelFile} for ${existing ?? `a new run under ${experimentDir}`}`);
    const outcome = await runInWorker<TrainPerceptionResult>(experiment, { kind: 'train', dir: staging, samples: params.samples, epochs: params.epochs, randomization, seed }, signal, onProgress, log);
    if (outcome.status === 'cancelled') return { status: 'cancelled', runDir: existing ?? experimentDir };
    let runDir: string;
    if (existing !== undefined) {
      publish(staging, existing, [modelFile, basename(weightsFileOf(modelFile))]);
      runDir = existing;
    } else {
      runDir = freeRunDir(experimentDir, seed);
      const now = new Date().toISOString();
      const record: RunRecord = {
        format: 1,
        runId: basename(runDir),
        experimentName: experiment.name,
        task: experiment.task,
        seed,
        status: 'completed',
        createdAt: started.toISOString(),
        updatedAt: now,
        versions: engineVersions(),
        experiment,
      };
      writeJsonAtomic(join(staging, 'run.json'), record);
      renameSync(staging, runDir);
    }
    return { status: 'completed', runDir, modelPath: join(runDir, modelFile), training: outcome.result.report.training };
  } finally {
    rmSync(staging, { recursive: true, force: true });
    release();
  }
}

/** Checks shared by evaluate and adapt: the experiment, its robot, the run and its model. */
function robotJobInputs(params: PerceptionRobotParams): { experiment: Experiment; address: string; model: string } {
  const experiment = loadValid(params.file);
  const address = configuredAddress(experiment, params);
  requireRunDir(params.runDir);
  const model = params.model ?? MODEL_FILES.randomized;
  if (!existsSync(join(params.runDir, model))) throw new Error(`${params.runDir} has no perception model ${model}: run Sim2Real: Train Perception Model on it first.`);
  return { experiment, address, model };
}

function robotFailure(error: unknown, experiment: Experiment): Error {
  const message = error instanceof Error ? error.message : String(error);
  return (error as { robot?: boolean }).robot ? new Error(`${message}${robotHint(experiment)}`) : error instanceof Error ? error : new Error(message);
}

export async function runPerceptionEvaluate(params: PerceptionEvaluateParams, signal: AbortSignal, onProgress: PerceptionProgressSink, log: PerceptionLogSink, person: Attendant): Promise<PerceptionEvaluateResult> {
  const { experiment, address, model } = robotJobInputs(params);
  atLeast(params.images, 1, 'images');
  const release = claim(params.runDir);
  const staging = stage(params.runDir, [model]);
  try {
    const job: PerceptionWorkerJob = { kind: 'evaluate', modelPath: join(staging, model), address, images: params.images ?? DEFAULT_EVAL_IMAGES, motionLogPath: join(params.runDir, MOTION_LOG_FILE) };
    let outcome: WorkerOutcome<{ errors: PositionErrors; source: string }>;
    try {
      outcome = await runInWorker(experiment, job, signal, onProgress, log, person);
    } catch (error) {
      throw robotFailure(error, experiment);
    }
    if (outcome.status === 'cancelled') return { status: 'cancelled', runDir: params.runDir, model };
    publish(staging, params.runDir, []);
    return { status: 'completed', runDir: params.runDir, model, source: outcome.result.source, errors: outcome.result.errors };
  } finally {
    rmSync(staging, { recursive: true, force: true });
    release();
  }
}

export async function runPerceptionAdapt(params: PerceptionAdaptParams, signal: AbortSignal, onProgress: PerceptionProgressSink, log: PerceptionLogSink, person: Attendant): Promise<PerceptionAdaptResult> {
  const { experiment, address, model } = robotJobInputs(params);
  const weights = basename(weightsFileOf(model));
  if (!existsSync(join(params.runDir, weights))) throw new Error(`${params.runDir} has no ${weights} next to ${model}: adapt a model trained by Train Perception Model (its weights are kept for fine-tuning).`);
  atLeast(params.realImages, 1, 'realImages');
  atLeast(params.evalImages, 1, 'evalImages');
  atLeast(params.simImages, 1, 'simImages');
  atLeast(params.steps, 1, 'steps');
  const release = claim(params.runDir);
  const staging = stage(params.runDir, [model, weights]);
  try {
    const job: PerceptionWorkerJob = {
      kind: 'adapt',
      modelPath: join(staging, model),
      address,
      realImages: params.realImages ?? DEFAULT_DANN_REAL_IMAGES,
      evalImages: params.evalImages ?? DEFAULT_DANN_EVAL_IMAGES,
      simImages: params.simImages,
      steps: params.steps,
      motionLogPath: join(params.runDir, MOTION_LOG_FILE),
    };
    let outcome: WorkerOutcome<AdaptPerceptionResult>;
    try {
      outcome = await runInWorker(experiment, job, signal, onProgress, log, person);
    } catch (error) {
      throw robotFailure(error, experiment);
    }
    if (outcome.status === 'cancelled') return { status: 'cancelled', runDir: params.runDir, model };
    const adapted = adaptedModelFileOf(model);
    publish(staging, params.runDir, [adapted, basename(weightsFileOf(adapted))]);
    return { status: 'completed', runDir: params.runDir, model, adaptedModel: adapted, before: outcome.result.before, after: outcome.result.after };
  } finally {
    rmSync(staging, { recursive: true, force: true });
    release();
  }
}
