/**
 * `sim2real report RUN_DIR [--format md|html|json]`: the gap report of a run, from its files (also
 * written as report.json, report.md and report.html). The HTML from here draws the training curve as
 * inline SVG; the PNG charts (training curves, sensitivity) come from the panel's Export.
 */
import { existsSync } from 'node:fs';
import { gapReportMarkdown } from '../reports/gapReport';
import { gapReportHtml } from '../reports/reportHtml';
import { readSensitivity, writeGapReport, writeGapReportHtml } from '../reports/runReport';
import { parseArgs, UsageError } from './args';
import type { CliCommand } from './types';

export const reportCommand: CliCommand = {
  name: 'report',
  usage: 'report RUN_DIR [--format md|html|json]',
  summary: 'The sim-to-real gap report of a run (also written as report.json, report.md and report.html).',
  async run(args) {
    const { positional, flags } = parseArgs(args, { format: 'string' });
    const runDir = positional[0];
    if (!runDir || positional.length > 1) throw new UsageError('name one run folder: sim2real report RUN_DIR');
    const format = (flags.format as string | undefined) ?? 'md';
    if (format !== 'md' && format !== 'html' && format !== 'json') throw new UsageError(`--format is md, html or json, not '${format}'`);
    if (!existsSync(runDir)) {
      process.stderr.write(`sim2real report: no such run folder '${runDir}'.\n`);
      return 1;
    }
    const report = writeGapReport(runDir);
    writeGapReportHtml(runDir, report);
    const sensitivity = readSensitivity(runDir);
    const text = format === 'json' ? `${JSON.stringify(report, null, 2)}\n` : format === 'html' ? gapReportHtml(report, sensitivity ? { sensitivity } : {}) : gapReportMarkdown(report);
    process.stdout.write(text);
    return 0;
  },
};
