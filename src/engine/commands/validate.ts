/** `sim2real validate FILE... [--json]`: the editor's checks, from the command line. */
import { existsSync } from 'node:fs';
import { findingToJson, formatFinding, loadExperiment } from '../config/load';
import { parseArgs } from './args';
import type { CliCommand } from './types';

export const validateCommand: CliCommand = {
  name: 'validate',
  usage: 'validate FILE... [--json]',
  summary: 'Check experiments; exit 1 when any has an error.',
  async run(args) {
    const { positional, flags } = parseArgs(args, { json: 'boolean' });
    if (positional.length === 0) {
      process.stderr.write('sim2real validate: name at least one experiment file.\n');
      return 2;
    }
    let errors = 0;
    const json: Record<string, unknown>[] = [];
    for (const file of positional) {
      if (!existsSync(file)) {
        errors++;
        const missing = { file, line: 1, column: 1, endLine: 1, endColumn: 1, severity: 'error', code: 'missing-file', message: 'No such file.' };
        if (flags.json) json.push(missing);
        else process.stdout.write(`${file}:1:1: error: No such file. [missing-file]\n`);
        continue;
      }
      const loaded = loadExperiment(file);
      for (const finding of loaded.findings) {
        if (finding.severity === 'error') errors++;
        if (flags.json) json.push(findingToJson(file, loaded.lines, finding));
        else process.stdout.write(`${formatFinding(file, loaded.lines, finding)}\n`);
      }
    }
    if (flags.json) process.stdout.write(`${JSON.stringify(json, null, 2)}\n`);
    else if (errors === 0) process.stderr.write(`sim2real validate: ${positional.length} file(s) checked, no errors.\n`);
    return errors > 0 ? 1 : 0;
  },
};
