/** `sim2real validate FILE... [--json]`: the editor's checks, from the command line (the validate job, per file). */
import type { FindingJson } from '../config/findings';
import { validate } from '../jobs/validate';
import { parseArgs } from './args';
import { runCliJob } from './cliJob';
import { TerminalQuestions } from './terminalPerson';
import type { CliCommand } from './types';

/** `FILE:LINE:COL: error|warning: message [code]`, as compilers print. */
const formatted = (f: FindingJson): string => `${f.file}:${f.line}:${f.column}: ${f.severity}: ${f.message} [${f.code}]`;

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
    const json: FindingJson[] = [];
    const questions = new TerminalQuestions();
    try {
      for (const file of positional) {
        const outcome = await runCliJob(validate, { file }, { command: 'validate', usage: 'validate FILE', questions });
        if ('code' in outcome) return outcome.code;
        for (const finding of outcome.result.findings) {
          if (finding.severity === 'error') errors++;
          if (flags.json) json.push(finding);
          else process.stdout.write(`${formatted(finding)}\n`);
        }
      }
    } finally {
      questions.close();
    }
    if (flags.json) process.stdout.write(`${JSON.stringify(json, null, 2)}\n`);
    else if (errors === 0) process.stderr.write(`sim2real validate: ${positional.length} file(s) checked, no errors.\n`);
    return errors > 0 ? 1 : 0;
  },
};
