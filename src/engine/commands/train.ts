/**
 * `sim2real train FILE [--out DIR] [--seed N] [--max-steps N] [--workers N]`, or
 * `sim2real train --resume DIR`: trains with the engine's trainer, printing progress and the run
 * folder. Ctrl-C cancels cleanly (the run stays resumable).
 */
import { existsSync } from 'node:fs';
import { pct } from '../../common/format';
import { train } from '../jobs/train';
import type { TrainingEvent } from '../learn/trainer';
import { defaultRunDir, newRunId } from '../runs/runStore';
import { parseArgs, UsageError } from './args';
import { experimentOrExit, runCliJob } from './cliJob';
import { TerminalQuestions } from './terminalPerson';
import type { CliCommand } from './types';

function formatEvent(event: TrainingEvent): string | undefined {
  switch (event.type) {
    case 'progress':
      return (
        `iter ${String(event.iteration).padStart(4)}  episodes ${String(event.episodes).padStart(6)}  steps ${String(event.envSteps).padStart(9)}` +
        `  return ${event.avgReturn.toFixed(2).padStart(8)}  success ${pct(event.successRate).padStart(6)}` +
        `  ${Math.round(event.stepsPerSecond)} steps/s  elapsed ${event.elapsedSeconds.toFixed(0)} s  eta <= ${event.etaSeconds.toFixed(0)} s`
      );
    case 'evaluation': {
      const r = event.report;
      const ci = `[${pct(r.success_ci[0])}, ${pct(r.success_ci[1])}]`;
      return `  eval (${event.stage}${r.randomized ? ', randomized' : ''}): success ${pct(r.success_rate)} ${ci} over ${r.episodes}, return ${r.avg_return.toFixed(2)}, length ${r.avg_length.toFixed(1)}`;
    }
    case 'checkpoint':
      return undefined;
  }
}

export const trainCommand: CliCommand = {
  name: 'train',
  usage: 'train FILE [--out DIR] [--seed N] [--max-steps N] [--workers N] | train --resume DIR',
  summary: 'Train a policy in randomized sim; prints progress and the run folder.',
  async run(args) {
    const { positional, flags } = parseArgs(args, { out: 'string', seed: 'number', 'max-steps': 'number', workers: 'number', resume: 'string' });
    const resumeDir = flags.resume as string | undefined;
    if (positional.length > 1) throw new UsageError('train takes one experiment file');
    for (const name of ['seed', 'max-steps', 'workers'] as const) {
      const v = flags[name] as number | undefined;
      if (v !== undefined && (!Number.isInteger(v) || v < (name === 'workers' ? 0 : name === 'seed' ? 0 : 1))) throw new UsageError(`--${name} needs a whole number${name === 'max-steps' ? ' >= 1' : ' >= 0'}`);
    }

    let file: string | undefined;
    let runDir: string;
    if (resumeDir) {
      if (!existsSync(resumeDir)) throw new UsageError(`--resume: no such folder '${resumeDir}'`);
      runDir = resumeDir;
    } else {
      file = positional[0];
      if (!file) throw new UsageError('name an experiment file: sim2real train FILE');
      // an invalid experiment starts nothing
      const experiment = experimentOrExit('train', file);
      if (typeof experiment === 'number') return experiment;
      runDir = (flags.out as string | undefined) ?? defaultRunDir(process.cwd(), experiment.name, newRunId((flags.seed as number | undefined) ?? experiment.seed));
    }
    process.stdout.write(`run: ${runDir}\n`);
    const questions = new TerminalQuestions();
    try {
      const outcome = await runCliJob(
        train,
        {
          ...(file !== undefined ? { file, runDir } : { resumeDir: runDir }),
          ...(flags.seed !== undefined ? { seed: flags.seed as number } : {}),
          ...(flags['max-steps'] !== undefined ? { maxEnvSteps: flags['max-steps'] as number } : {}),
          ...(flags.workers !== undefined ? { workers: flags.workers as number } : {}),
        },
        {
          command: 'train',
          usage: 'train FILE',
          questions,
          cancelling: '\nsim2real train: cancelling (the run stays resumable) ...\n',
          onProgress: (progress) => {
            const line = progress.detail ? formatEvent(progress.detail as TrainingEvent) : undefined;
            if (line) process.stdout.write(`${line}\n`);
          },
        },
      );
      if ('code' in outcome) return outcome.code;
      const result = outcome.result;
      const minutes = (result.elapsedSeconds / 60).toFixed(1);
      if (result.status === 'cancelled') {
        process.stdout.write(`cancelled after ${result.iterations} iterations (${minutes} min); resume: sim2real train --resume ${result.runDir}\n`);
        return 130;
      }
      const why = result.reason === 'target_reached' ? 'target success reached' : 'env-step budget used';
      process.stdout.write(`done: ${why} after ${result.iterations} iterations, ${result.envSteps} env steps, ${minutes} min\n`);
      const evidence = result.stopEvidence;
      if (evidence) {
        const line = (e: typeof evidence.candidate): string => `${pct(e.successRate)} [${pct(e.ci95[0])}, ${pct(e.ci95[1])}] over ${e.episodes}`;
        process.stdout.write(`stopped at iteration ${evidence.iteration}: periodic evaluation ${line(evidence.candidate)}, confirmed on fresh episodes ${line(evidence.confirmation)}\n`);
      }
      if (result.evaluation) process.stdout.write(`final evaluation of policy.onnx: success ${pct(result.evaluation.success_rate)} [${pct(result.evaluation.success_ci[0])}, ${pct(result.evaluation.success_ci[1])}] over ${result.evaluation.episodes} episodes\n`);
      process.stdout.write(`run folder: ${result.runDir}\n`);
      return 0;
    } finally {
      questions.close();
    }
  },
};
