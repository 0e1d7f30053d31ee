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
import { dirname, join } from 'node:path';
import { formatFinding, loadExperiment } from '../config/load';
import { formatReport } from '../evaluate/report';
import { PolicyShapeError } from '../policy/onnxPolicy';
import { evaluateOnnxPolicy } from '../evaluate/onnxEvaluation';
import { evaluateOnRobot } from '../robot/robotEvaluation';
import { AddressNotAllowedError } from '../rosbridge/addressPolicy';
import { RobotLinkError } from '../rosbridge/client';
import { MotionRefused } from '../robot/motionAuthority';
import { MOTION_LOG_FILE } from '../robot/motionLog';
import { configuredRobotAddresses } from '../robot/robotEnv';
import { terminalAttendance, TerminalQuestions } from './terminalPerson';
import { parseArgs, UsageError } from './args';
import type { CliCommand } from './types';

export const evalCommand: CliCommand = {
  name: 'eval',
  usage: 'eval FILE --policy POLICY.onnx [--episodes N] [--seed N] [--no-randomization] [--robot ws://HOST:PORT] [--json]',
  summary: 'Evaluate an ONNX policy in sim, or on a robot with --robot: success rate with 95% CI, average return and length.',
  async run(args) {
    const { positional, flags } = parseArgs(args, { policy: 'string', episodes: 'number', seed: 'number', 'no-randomization': 'boolean', json: 'boolean', robot: 'string' });
    const file = positional[0];
    if (!file || positional.length > 1) throw new UsageError('name one experiment file: sim2real eval FILE --policy POLICY.onnx');
    const policyFile = flags.policy as string | undefined;
    if (!policyFile) throw new UsageError('--policy POLICY.onnx is required');
    const episodes = flags.episodes as number | undefined;
    if (episodes !== undefined && (!Number.isInteger(episodes) || episodes < 1)) throw new UsageError('--episodes needs a whole number >= 1');
    const seedFlag = flags.seed as number | undefined;
    if (seedFlag !== undefined && (!Number.isInteger(seedFlag) || seedFlag < 0)) throw new UsageError('--seed needs a whole number >= 0');
    for (const [what, path] of [['experiment', file], ['policy', policyFile]] as const) {
      if (!existsSync(path)) {
        process.stderr.write(`sim2real eval: no such ${what} file '${path}'.\n`);
        return 1;
      }
    }
    const loaded = loadExperiment(file);
    if (!loaded.experiment) {
      for (const finding of loaded.findings) process.stderr.write(`${formatFinding(file, loaded.lines, finding)}\n`);
      process.stderr.write('sim2real eval: the experiment has errors; nothing was evaluated.\n');
      return 1;
    }
    const experiment = loaded.experiment;
    const controller = new AbortController();
    const onSignal = (): void => controller.abort();
    process.once('SIGINT', onSignal);
    const questions = new TerminalQuestions();
    try {
      const robot = flags.robot as string | undefined;
      // The address on the command line is the user configuring it, as robot.address is.
      const report = robot
        ? await evaluateOnRobot(policyFile, experiment, robot, {
            episodes: episodes ?? experiment.evaluation.realEpisodes,
            seed: seedFlag ?? experiment.seed,
            allowedAddresses: configuredRobotAddresses(experiment, robot),
            signal: controller.signal,
            attendance: terminalAttendance(questions, 'eval FILE --policy POLICY --robot URL'),
            motionLogPath: join(dirname(policyFile), MOTION_LOG_FILE),
          })
        : await evaluateOnnxPolicy(policyFile, experiment, {
            episodes: episodes ?? experiment.evaluation.episodes,
            seed: seedFlag ?? experiment.seed,
            randomized: flags['no-randomization'] ? false : experiment.evaluation.randomized,
            signal: controller.signal,
          });
      process.stdout.write(flags.json ? `${JSON.stringify(report)}\n` : `${formatReport(report)}\n`);
      return 0;
    } catch (error) {
      if (error instanceof PolicyShapeError || error instanceof AddressNotAllowedError || error instanceof MotionRefused) {
        process.stderr.write(`sim2real eval: refused: ${error.message}\n`);
        return 1;
      }
      if (error instanceof RobotLinkError) {
        process.stderr.write(`sim2real eval: robot: ${error.message}\n`);
        return 1;
      }
      if (error instanceof Error && error.name === 'AbortError') return 130;
      throw error;
    } finally {
      questions.close();
      process.off('SIGINT', onSignal);
    }
  },
};
