/**
 * `sim2real demo [--experiment FILE] [--out DIR] [--profile PROFILE.yaml] [--quick]`: the whole
 * workflow on the bundled example (or FILE). Train `examples/push.s2r.yaml` under randomization, start the reality emulator on a public
 * profile, evaluate the policy in sim and on the emulator, and write the gap report. `--quick`
 * shortens training and evaluation for tests; the default run is the real one.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { demo } from '../jobs/demo';
import { defaultRunDir, newRunId } from '../runs/runStore';
import { parseArgs, UsageError } from './args';
import { experimentOrExit, runCliJob } from './cliJob';
import { TerminalQuestions } from './terminalPerson';
import type { CliCommand } from './types';

/** The project root: examples/ sits beside dist/ (bundled) and src/ (run from source). */
function packageRoot(): string {
  for (const candidate of [resolve(__dirname, '..'), resolve(__dirname, '..', '..', '..')]) {
    if (existsSync(join(candidate, 'examples', 'push.s2r.yaml'))) return candidate;
  }
  throw new Error('cannot find the bundled examples/ folder');
}


export const demoCommand: CliCommand = {
  name: 'demo',
  usage: 'demo [--experiment FILE] [--out DIR] [--profile PROFILE.yaml] [--quick]',
  summary: 'Train the bundled push example, evaluate it in sim and on the reality emulator, write the gap report.',
  async run(args) {
    const { positional, flags } = parseArgs(args, { experiment: 'string', out: 'string', profile: 'string', quick: 'boolean' });
    if (positional.length > 0) throw new UsageError(`demo takes no positional file (the bundled example, or --experiment FILE); got '${positional[0]}'`);
    const root = packageRoot();
    // another experiment, e.g. the bundled one after calibration, for a before/after gap comparison
    const file = flags.experiment !== undefined ? resolve(flags.experiment as string) : join(root, 'examples', 'push.s2r.yaml');
    if (!existsSync(file)) throw new UsageError(`no such experiment file '${file}'`);
    const profile = (flags.profile as string | undefined) ?? join(root, 'examples', 'reality', 'moderate.yaml');
    if (!existsSync(profile)) throw new UsageError(`no such reality profile '${profile}'`);
    const experiment = experimentOrExit('demo', file);
    if (typeof experiment === 'number') return experiment;
    const runDir = (flags.out as string | undefined) ?? defaultRunDir(process.cwd(), experiment.name, newRunId(experiment.seed));
    const questions = new TerminalQuestions();
    try {
      const outcome = await runCliJob(demo, { file, runDir, profile, quick: Boolean(flags.quick), cliScript: process.argv[1]! }, { command: 'demo', usage: 'demo', questions, onLog: (line) => process.stdout.write(`${line}\n`) });
      if ('code' in outcome) return outcome.code;
      if (outcome.result.status === 'cancelled') {
        process.stderr.write(`sim2real demo: training stopped (${outcome.result.reason}); resume with sim2real train --resume ${runDir}\n`);
        return 130;
      }
      process.stdout.write(outcome.result.markdown);
      return 0;
    } finally {
      questions.close();
    }
  },
};
