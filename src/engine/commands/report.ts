/** `sim2real report RUN_DIR [--format md|json]`: the gap report of a run, from its files. */
import { existsSync } from 'node:fs';
import { gapReportMarkdown } from '../eval/gapReport';
import { writeGapReport } from '../eval/runReport';
import { parseArgs, UsageError } from './args';
import type { CliCommand } from './types';

export const reportCommand: CliCommand = {
  name: 'report',
  usage: 'report RUN_DIR [--format md|json]',
  summary: 'The sim-to-real gap report of a run (also written as report.json and report.md).',
  async run(args) {
    const { positional, flags } = parseArgs(args, { format: 'string' });
    const runDir = positional[0];
    if (!runDir || positional.length > 1) throw new UsageError('name one run folder: sim2real report RUN_DIR');
    const format = (flags.format as string | undefined) ?? 'md';
    if (format !== 'md' && format !== 'json') throw new UsageError(`--format is md or json, not '${format}'`);
    if (!existsSync(runDir)) {
      process.stderr.write(`sim2real report: no such run folder '${runDir}'.\n`);
      return 1;
    }
    const report = writeGapReport(runDir);
    process.stdout.write(format === 'json' ? `${JSON.stringify(report, null, 2)}\n` : gapReportMarkdown(report));
    return 0;
  },
};
