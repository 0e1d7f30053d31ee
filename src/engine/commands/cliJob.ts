/**
 * The CLI's side of the job contract, once for every command: the experiment file checked before
 * anything starts (its findings printed as compilers print them), the job run with Ctrl-C as its
 * cancel, the person at the terminal as its attendant, and its errors as one line and an exit code:
 * 0 done, 1 refused or failed, 2 usage (thrown on to cli.ts), 130 cancelled.
 */
import { existsSync } from 'node:fs';
import type { Experiment } from '../config/experiment';
import { formatFinding, loadExperiment } from '../config/load';
import { JobInputError, type Job, type JobContext, type JobProgress } from '../jobs/job';
import { PolicyShapeError } from '../policy/onnxPolicy';
import { AddressNotAllowedError } from '../rosbridge/addressPolicy';
import { RobotLinkError } from '../rosbridge/client';
import { MotionRefused } from '../robot/motionAuthority';
import { SysidError } from '../sysid/frictionFit';
import { LogError } from '../sysid/logs/trajectory';
import { TextureFolderError } from '../vision/textureFolder';
import { terminalAttendance, type TerminalQuestions } from './terminalPerson';

/**
 * The experiment, or the exit code when there is none to run: a missing file, or one with errors
 * (every finding on stderr, then that nothing was done).
 */
export function experimentOrExit(command: string, file: string, nothingWas = 'started', missing = 'file'): Experiment | number {
  if (!existsSync(file)) {
    process.stderr.write(`sim2real ${command}: no such ${missing} '${file}'.\n`);
    return 1;
  }
  const loaded = loadExperiment(file);
  if (loaded.experiment) return loaded.experiment;
  for (const finding of loaded.findings) process.stderr.write(`${formatFinding(file, loaded.lines, finding)}\n`);
  process.stderr.write(`sim2real ${command}: the experiment has errors; nothing was ${nothingWas}.\n`);
  return 1;
}

export interface CliJobOptions {
  /** The command's name, for its messages ("sim2real eval: ..."). */
  readonly command: string;
  /** How the command is run, for the motion authority's "run it attended" advice. */
  readonly usage: string;
  /** Where the person answers (the command owns it and closes it). */
  readonly questions: TerminalQuestions;
  /** `--yes`: gates are answered yes; robot motion never is. */
  readonly yes?: boolean;
  readonly onProgress?: (progress: JobProgress) => void;
  readonly onLog?: (line: string) => void;
  /** Asks a gate's question on the terminal (the pipeline's); [default: refuse] */
  readonly confirm?: JobContext['confirm'];
  /** A line on stderr when Ctrl-C cancels. */
  readonly cancelling?: string;
}

/** Run `job` under the CLI's context; its result, or the exit code of its refusal, failure or cancel. */
export async function runCliJob<P, R>(job: Job<P, R>, params: P, options: CliJobOptions): Promise<{ readonly result: R } | { readonly code: number }> {
  const controller = new AbortController();
  const onSignal = (): void => {
    if (options.cancelling) process.stderr.write(options.cancelling);
    controller.abort();
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const context: JobContext = {
    signal: controller.signal,
    progress: (progress) => options.onProgress?.(progress),
    log: (line) => options.onLog?.(line),
    attendance: terminalAttendance(options.questions, options.usage, { yes: options.yes }),
    confirm: options.confirm ?? (async () => false),
    // the addresses on the command line are the user configuring them
    addressesAreUserInput: true,
  };
  try {
    return { result: await job(params, context) };
  } catch (error) {
    const code = exitCodeOf(options.command, error, controller.signal.aborted);
    if (code === undefined) throw error;
    return { code };
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

/** One stderr line and the exit code for the errors a command expects; undefined for the rest (thrown on). */
export function exitCodeOf(command: string, error: unknown, cancelled = false): number | undefined {
  if (error instanceof Error && error.name === 'AbortError') return 130;
  if (cancelled) return 130;
  if (error instanceof PolicyShapeError || error instanceof AddressNotAllowedError || error instanceof MotionRefused) {
    process.stderr.write(`sim2real ${command}: refused: ${error.message}\n`);
    return 1;
  }
  if (error instanceof RobotLinkError) {
    process.stderr.write(`sim2real ${command}: robot: ${error.message}\n`);
    return 1;
  }
  if (error instanceof JobInputError || error instanceof SysidError || error instanceof LogError || error instanceof TextureFolderError) {
    process.stderr.write(`sim2real ${command}: ${error.message}\n`);
    return 1;
  }
  return undefined;
}
