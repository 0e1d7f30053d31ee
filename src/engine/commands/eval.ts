/**
 * `sim2real eval FILE --policy POLICY.onnx [--episodes N] [--seed N] [--no-randomization] [--json]`:
 * runs any ONNX policy whose shapes fit the experiment's task and prints the report. With --json,
 * one object with success_rate, success_ci, avg_return, avg_length, episodes (a public interface).
 *
 * With `--robot`, a real robot moves only as its motion authority allows: the person at the
 * terminal confirms the emergency stop and starts each episode (robot.episodes_per_start for
 * supervised batches); without a terminal only the bundled emulator is evaluated. The decisions
 * go to motion-log.jsonl beside the policy.
 */
import { existsSync } from 'node:fs';
import { formatReport } from '../evaluate/report';
import { evaluate } from '../jobs/evaluate';
import { evaluatePolicyOnRobot } from '../jobs/evaluatePolicyOnRobot';
import { parseArgs, UsageError } from './args';
import { experimentOrExit, runCliJob } from './cliJob';
import { TerminalQuestions } from './terminalPerson';
import type { CliCommand } from './types';

export const evalCommand: CliCommand = {
  name: 'eval',
  usage: 'eval FILE --policy POLICY.onnx [--episodes N] [--seed N] [--no-randomization] [--robot ws://HOST:PORT] [--json]',
  summary: 'Evaluate an ONNX policy in sim, or on a robot with --robot: success rate with 95% CI, average return and length.',
  async run(args) {
    const { positional, flags } = parseArgs(args, { policy: 'string', episodes: 'number', seed: 'number', 'no-randomization': 'boolean', json: 'boolean', robot: 'string' });
    const file = positional[0];
    if (!file || positional.length > 1) throw new UsageError('name one experiment file: sim2real eval FILE --policy POLICY.onnx');
    const policy = flags.policy as string | undefined;
    if (!policy) throw new UsageError('--policy POLICY.onnx is required');
    const episodes = flags.episodes as number | undefined;
    if (episodes !== undefined && (!Number.isInteger(episodes) || episodes < 1)) throw new UsageError('--episodes needs a whole number >= 1');
    const seed = flags.seed as number | undefined;
    if (seed !== undefined && (!Number.isInteger(seed) || seed < 0)) throw new UsageError('--seed needs a whole number >= 0');
    for (const [what, path] of [['experiment', file], ['policy', policy]] as const) {
      if (!existsSync(path)) {
        process.stderr.write(`sim2real eval: no such ${what} file '${path}'.\n`);
        return 1;
      }
    }
    const experiment = experimentOrExit('eval', file, 'evaluated');
    if (typeof experiment === 'number') return experiment;
    const robot = flags.robot as string | undefined;
    const questions = new TerminalQuestions();
    try {
      const options = { command: 'eval', usage: 'eval FILE --policy POLICY --robot URL', questions };
      const outcome = robot
        ? await runCliJob(evaluatePolicyOnRobot, { file, policy, robot, ...(episodes !== undefined ? { episodes } : {}), ...(seed !== undefined ? { seed } : {}) }, options)
        : await runCliJob(evaluate, { file, policy, ...(episodes !== undefined ? { episodes } : {}), ...(seed !== undefined ? { seed } : {}), ...(flags['no-randomization'] ? { randomized: false } : {}) }, options);
      if ('code' in outcome) return outcome.code;
      process.stdout.write(flags.json ? `${JSON.stringify(outcome.result)}\n` : `${formatReport(outcome.result)}\n`);
      return 0;
    } finally {
      questions.close();
    }
  },
};
