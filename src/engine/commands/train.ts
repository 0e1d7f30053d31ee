/**
 * `sim2real train FILE [--out DIR] [--seed N] [--max-steps N] [--workers N]`, or
 * `sim2real train --resume DIR`: trains with the engine's trainer, printing progress and the run
 * folder. Ctrl-C cancels cleanly (the run stays resumable).
 */
import { existsSync } from 'node:fs';
import type { Experiment } from '../config/experiment';
import { formatFinding, loadExperiment } from '../config/load';
import { train, type TrainingEvent } from '../learn/trainer';
import { defaultRunDir, newRunId, RunStore } from '../runs/runStore';
import { parseArgs, UsageError } from './args';
import type { CliCommand } from './types';

const pct = (x: number): string => `${(100 * x).toFixed(1)}%`;

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

    let experiment: Experiment;
    let runDir: string;
    if (resumeDir) {
      if (!existsSync(resumeDir)) throw new UsageError(`--resume: no such folder '${resumeDir}'`);
      runDir = resumeDir;
      // the run's own snapshot: a resumed run trains exactly what it started with
      experiment = RunStore.open(resumeDir).record().experiment;
    } else {
      const file = positional[0];
      if (!file) throw new UsageError('name an experiment file: sim2real train FILE');
      if (!existsSync(file)) {
        process.stderr.write(`sim2real train: no such file '${file}'.\n`);
        return 1;
      }
      const loaded = loadExperiment(file);
      if (!loaded.experiment) {
        // an invalid experiment starts nothing
        for (const finding of loaded.findings) process.stderr.write(`${formatFinding(file, loaded.lines, finding)}\n`);
        process.stderr.write('sim2real train: the experiment has errors; nothing was started.\n');
        return 1;
      }
      const base = loaded.experiment;
      const seed = (flags.seed as number | undefined) ?? base.seed;
      experiment = {
        ...base,
        seed,
        training: {
          ...base.training,
          maxEnvSteps: (flags['max-steps'] as number | undefined) ?? base.training.maxEnvSteps,
          workers: (flags.workers as number | undefined) ?? base.training.workers,
        },
      };
      runDir = (flags.out as string | undefined) ?? defaultRunDir(process.cwd(), experiment.name, newRunId(seed));
    }

    const controller = new AbortController();
    const onSignal = (): void => {
      process.stderr.write('\nsim2real train: cancelling (the run stays resumable) ...\n');
      controller.abort();
    };
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
    process.stdout.write(`run: ${runDir}\n`);
    try {
      const result = await train(experiment, {
        runDir,
        resume: Boolean(resumeDir),
        signal: controller.signal,
        ...(resumeDir && flags.workers !== undefined ? { workers: flags.workers as number } : {}),
        onEvent: (event) => {
          const line = formatEvent(event);
          if (line) process.stdout.write(`${line}\n`);
        },
      });
      const minutes = (result.elapsedSeconds / 60).toFixed(1);
      if (result.status === 'cancelled') {
        process.stdout.write(`cancelled after ${result.iterations} iterations (${minutes} min); resume: sim2real train --resume ${result.runDir}\n`);
        return 130;
      }
      const why = result.reason === 'target_reached' ? 'target success reached' : 'env-step budget used';
      process.stdout.write(`done: ${why} after ${result.iterations} iterations, ${result.envSteps} env steps, ${minutes} min\n`);
      if (result.evaluation) process.stdout.write(`final evaluation of policy.onnx: success ${pct(result.evaluation.success_rate)} [${pct(result.evaluation.success_ci[0])}, ${pct(result.evaluation.success_ci[1])}] over ${result.evaluation.episodes} episodes\n`);
      process.stdout.write(`run folder: ${result.runDir}\n`);
      return 0;
    } finally {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    }
  },
};
