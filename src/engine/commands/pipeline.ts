/**
 * `sim2real pipeline FILE [--from STAGE] [--to STAGE] [--yes] [--resume DIR] [--connect] [--runs DIR] [--json]`:
 * the progressive transfer pipeline from the command line. Gates need a person or `--yes`: on a
 * terminal it asks, `--yes` answers yes to every gate, without either it refuses at the first gate.
 * Moving a real robot needs the person at the terminal and nothing else: the emergency stop, each
 * real episode's start, each re-arm (robot/motionAuthority.ts); with `--yes` or no terminal a
 * pipeline that would move one is refused before any stage runs. Ctrl-C cancels; `--resume DIR`
 * continues.
 */
import { existsSync } from 'node:fs';
import { pctOrDash as pct } from '../../common/format';
import { join, resolve } from 'node:path';
import { pipeline } from '../jobs/pipeline';
import { StageSelectionError } from '../pipeline/plan';
import { readPipelineRecord, type PipelineRecord } from '../pipeline/stateFile';
import { RUNS_FOLDER } from '../runs/runStore';
import { parseArgs, UsageError } from './args';
import { experimentOrExit, runCliJob } from './cliJob';
import { TerminalQuestions } from './terminalPerson';
import type { CliCommand } from './types';


export function pipelineSummary(record: PipelineRecord, dir: string): string {
  const lines = [`pipeline ${dir}: ${record.status}`, `  ${record.message}`];
  for (const stage of record.stages) {
    lines.push(`  ${stage.name.padEnd(16)} ${stage.kind.padEnd(18)} ${stage.state.padEnd(11)} sim ${pct(stage.simSuccess).padStart(6)}  real ${pct(stage.realSuccess).padStart(6)}  episodes ${stage.simEpisodes} sim / ${stage.realEpisodes} real`);
  }
  lines.push(`  final evaluation   ${record.final.state}${record.final.realSuccess !== undefined ? `: real ${pct(record.final.realSuccess)} over ${record.final.realEpisodes}` : ''}`);
  lines.push(`  real episodes used: ${record.realEpisodesUsed} of ${record.realEpisodeBudget}`);
  return `${lines.join('\n')}\n`;
}

export const pipelineCommand: CliCommand = {
  name: 'pipeline',
  usage: 'pipeline FILE [--from STAGE] [--to STAGE] [--yes] [--resume DIR] [--connect] [--runs DIR] [--json]',
  summary: 'Run the progressive transfer stages with their gates, then evaluate on the robot and write the gap report.',
  async run(args) {
    const { positional, flags } = parseArgs(args, { from: 'string', to: 'string', yes: 'boolean', resume: 'string', connect: 'boolean', runs: 'string', json: 'boolean' });
    if (positional.length > 1) throw new UsageError('pipeline takes one experiment file');
    const resumeDir = flags.resume as string | undefined;
    const json = Boolean(flags.json);
    const yes = Boolean(flags.yes);
    const out = (text: string): boolean => (json ? process.stderr : process.stdout).write(text);

    let file = positional[0];
    if (resumeDir) {
      if (!existsSync(resumeDir)) throw new UsageError(`--resume: no such folder '${resumeDir}'`);
      const previous = readPipelineRecord(resumeDir);
      if (!previous) throw new UsageError(`--resume: ${resumeDir} holds no pipeline.json`);
      file ??= previous.experimentFile;
    }
    if (!file) throw new UsageError('name an experiment file: sim2real pipeline FILE');
    if (!existsSync(file)) {
      process.stderr.write(`sim2real pipeline: no such file '${file}'.\n`);
      return 1;
    }
    const experiment = experimentOrExit('pipeline', file);
    if (typeof experiment === 'number') return experiment;
    if (experiment.stages.length === 0) {
      process.stderr.write(`sim2real pipeline: ${file} has no stages; add a stages list (see docs/pipeline.md).\n`);
      return 1;
    }

    const questions = new TerminalQuestions();
    const confirm = async (prompt: { readonly message: string }): Promise<boolean> => {
      out(`${prompt.message}\n`);
      if (yes) {
        out('  --yes: confirmed (a gate; --yes never starts robot motion)\n');
        return true;
      }
      if (!questions.isTerminal) {
        process.stderr.write('  refused: no terminal to confirm on; pass --yes to confirm gates\n');
        return false;
      }
      return /^y(es)?$/i.test(((await questions.ask('  continue? [y/N] ')) ?? '').trim());
    };
    let lastProgress = 0;
    try {
      const outcome = await runCliJob(
        pipeline,
        {
          file: resolve(file),
          runsDir: resolve((flags.runs as string | undefined) ?? join(process.cwd(), RUNS_FOLDER)),
          ...(resumeDir ? { resumeDir: resolve(resumeDir) } : {}),
          ...(flags.from !== undefined ? { from: flags.from as string } : {}),
          ...(flags.to !== undefined ? { to: flags.to as string } : {}),
          ...(flags.connect ? { connect: true } : {}),
        },
        {
          command: 'pipeline',
          usage: `pipeline ${file}`,
          questions,
          yes,
          confirm,
          cancelling: '\nsim2real pipeline: cancelling (resume with --resume) ...\n',
          onLog: (line) => out(`${line}\n`),
          onProgress: (progress) => {
            const now = performance.now();
            if (now - lastProgress < 5000) return;
            lastProgress = now;
            out(`  ${progress.message}\n`);
          },
        },
      );
      if ('code' in outcome) return outcome.code;
      const result = outcome.result;
      if (json) process.stdout.write(`${JSON.stringify({ dir: result.dir, ...result.record }, null, 2)}\n`);
      else process.stdout.write(pipelineSummary(result.record, result.dir));
      switch (result.record.status) {
        case 'completed':
        case 'stopped':
          return 0;
        case 'cancelled':
          out(`resume: sim2real pipeline --resume ${result.dir}\n`);
          return 130;
        default:
          return 1;
      }
    } catch (error) {
      if (error instanceof StageSelectionError) throw new UsageError(error.message);
      process.stderr.write(`sim2real pipeline: ${error instanceof Error ? error.message : String(error)}\n`);
      return 1;
    } finally {
      questions.close();
    }
  },
};
