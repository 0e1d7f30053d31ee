/**
 * `sim2real perception train|eval|adapt`: the puck perception model.
 *   train FILE [--out DIR] [--samples N] [--epochs N] [--seed N] [--no-randomization] [--json]
 *   eval  FILE --model DIR/perception.onnx [--robot ws://HOST:PORT] [--images N] [--json]
 *   adapt FILE --model DIR/perception.onnx [--robot ws://HOST:PORT] [--images N] [--eval-images N] [--steps N] [--json]
 *         (--images: unlabelled real images DANN trains on; --eval-images: held-out ones for before/after)
 * Robot addresses follow `sim2real eval --robot`: the flag or the experiment's robot.address, nothing
 * else. Results go into perception.json next to the model.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Experiment } from '../config/experiment';
import { adaptPerceptionModel, evaluatePerceptionModel, trainPerceptionModel } from '../perception/perceptionModel';
import { connectRealImageSource } from '../perception/robotImages';
import type { PositionErrors } from '../perception/samples';
import { MOTION_LOG_FILE } from '../robot/motionLog';
import { configuredRobotAddresses } from '../robot/robotEnv';
import { defaultRunDir, newRunId } from '../runs/runStore';
import { parseArgs, UsageError } from './args';
import type { Job } from '../jobs/job';
import { experimentOrExit, runCliJob } from './cliJob';
import { TerminalQuestions } from './terminalPerson';
import type { CliCommand } from './types';

const USAGE = [
  'perception train FILE [--out DIR] [--samples N] [--epochs N] [--seed N] [--no-randomization] [--json]',
  'perception eval FILE --model DIR/perception.onnx [--robot ws://HOST:PORT] [--images N] [--json]',
  'perception adapt FILE --model DIR/perception.onnx [--robot ws://HOST:PORT] [--images N] [--eval-images N] [--steps N] [--json]',
].join('\n       ');

const cm = (e: PositionErrors): string => `mean ${e.meanCm.toFixed(2)} cm, p95 ${e.p95Cm.toFixed(2)} cm (median ${e.medianCm.toFixed(2)}, max ${e.maxCm.toFixed(2)}) over ${e.images} images`;

function wholeNumber(flags: Record<string, unknown>, name: string, min: number): number | undefined {
  const v = flags[name] as number | undefined;
  if (v !== undefined && (!Number.isInteger(v) || v < min)) throw new UsageError(`--${name} needs a whole number >= ${min}`);
  return v;
}

function load(file: string | undefined, sub: string): Experiment | number {
  if (!file) throw new UsageError(`name one experiment file: sim2real perception ${sub} FILE`);
  return experimentOrExit(`perception ${sub}`, file, 'done', 'experiment file');
}

function robotAddress(experiment: Experiment, flag: string | undefined): { url: string; allowed: string[] } {
  const allowed = configuredRobotAddresses(experiment, flag);
  const url = flag ?? experiment.robot?.address;
  if (!url) throw new UsageError('no robot address: pass --robot ws://HOST:PORT or set robot.address in the experiment');
  return { url, allowed };
}

export const perceptionCommand: CliCommand = {
  name: 'perception',
  usage: USAGE,
  summary: 'Train the puck perception model on randomized renders, measure its error on real camera images, adapt it with DANN.',
  async run(args) {
    const sub = args[0];
    const rest = args.slice(1);
    if (sub !== 'train' && sub !== 'eval' && sub !== 'adapt') throw new UsageError(`perception needs a subcommand: train, eval or adapt${sub ? ` (got '${sub}')` : ''}`);
    return sub === 'train' ? train(rest) : withRobot(sub, rest);
  },
};

/** Runs `job` as the CLI runs every job (Ctrl-C, the terminal's person, errors to exit codes). */
async function runPerception(sub: string, usage: string, job: Job<void, void>): Promise<number> {
  const questions = new TerminalQuestions();
  try {
    const outcome = await runCliJob(job, undefined, { command: `perception ${sub}`, usage, questions });
    return 'code' in outcome ? outcome.code : 0;
  } finally {
    questions.close();
  }
}

async function train(args: string[]): Promise<number> {
  const { positional, flags } = parseArgs(args, { out: 'string', samples: 'number', epochs: 'number', seed: 'number', 'no-randomization': 'boolean', json: 'boolean' });
  if (positional.length > 1) throw new UsageError('perception train takes one experiment file');
  const samples = wholeNumber(flags, 'samples', 16);
  const epochs = wholeNumber(flags, 'epochs', 1);
  const seed = wholeNumber(flags, 'seed', 0);
  const experiment = load(positional[0], 'train');
  if (typeof experiment === 'number') return experiment;
  const runDir = (flags.out as string | undefined) ?? defaultRunDir(process.cwd(), `${experiment.name}-perception`, newRunId(seed ?? experiment.seed));
  const json = flags.json === true;
  return runPerception('train', 'perception train FILE', async (_params, context) => {
    const result = await trainPerceptionModel(experiment, runDir, {
      samples,
      epochs,
      seed,
      randomization: !flags['no-randomization'],
      signal: context.signal,
      log: json ? undefined : (line) => process.stdout.write(`${line}\n`),
    });
    if (json) process.stdout.write(`${JSON.stringify({ ...result.report, modelPath: result.modelPath, runDir })}\n`);
    else process.stdout.write(`sim test: ${cm(result.report.training!.simTest)}\nmodel: ${result.modelPath}\n`);
  });
}

async function withRobot(sub: 'eval' | 'adapt', args: string[]): Promise<number> {
  const { positional, flags } = parseArgs(args, { model: 'string', robot: 'string', images: 'number', 'eval-images': 'number', steps: 'number', seed: 'number', json: 'boolean' });
  if (positional.length > 1) throw new UsageError(`perception ${sub} takes one experiment file`);
  const modelPath = flags.model as string | undefined;
  if (!modelPath) throw new UsageError('--model DIR/perception.onnx is required');
  const images = wholeNumber(flags, 'images', 1);
  const steps = sub === 'adapt' ? wholeNumber(flags, 'steps', 1) : undefined;
  const evalImages = sub === 'adapt' ? wholeNumber(flags, 'eval-images', 1) : undefined;
  if (sub === 'eval' && (flags.steps !== undefined || flags['eval-images'] !== undefined)) throw new UsageError('--steps and --eval-images apply to perception adapt only');
  const seed = wholeNumber(flags, 'seed', 0);
  const experiment = load(positional[0], sub);
  if (typeof experiment === 'number') return experiment;
  if (!existsSync(modelPath)) {
    process.stderr.write(`sim2real perception ${sub}: no such model file '${modelPath}'.\n`);
    return 1;
  }
  const { url, allowed } = robotAddress(experiment, flags.robot as string | undefined);
  const json = flags.json === true;
  const log = json ? undefined : (line: string): void => void process.stdout.write(`${line}\n`);
  return runPerception(sub, `perception ${sub} FILE --model MODEL`, async (_params, context) => {
    // each image resets the robot: a real one only with the person at this terminal
    const source = await connectRealImageSource(experiment, url, {
      allowedAddresses: allowed,
      signal: context.signal,
      attendance: context.attendance,
      path: `sim2real perception ${sub}`,
      motionLogPath: join(dirname(modelPath), MOTION_LOG_FILE),
      plannedImages: sub === 'eval' ? (images ?? 100) : (images ?? 200) + (evalImages ?? 100),
    });
    try {
      if (sub === 'eval') {
        const errors = await evaluatePerceptionModel(experiment, modelPath, source, { images, signal: context.signal, log });
        if (json) process.stdout.write(`${JSON.stringify({ model: modelPath, source: source.address, groundTruth: source.groundTruth, ...errors })}\n`);
        else process.stdout.write(`real images: ${cm(errors)}\nlabels: ${source.groundTruth}\n`);
      } else {
        const result = await adaptPerceptionModel(experiment, modelPath, source, { realImages: images, evalImages, steps, seed, signal: context.signal, log });
        if (json) process.stdout.write(`${JSON.stringify({ model: modelPath, adaptedModel: result.adaptedModelPath, source: source.address, before: result.before, after: result.after })}\n`);
        else process.stdout.write(`before: ${cm(result.before)}\nafter:  ${cm(result.after)}\nadapted model: ${result.adaptedModelPath}\n`);
      }
    } finally {
      await source.close();
    }
  });
}
