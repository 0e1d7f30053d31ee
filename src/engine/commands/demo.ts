/**
 * `sim2real demo [--experiment FILE] [--out DIR] [--profile PROFILE.yaml] [--quick]`: the whole
 * workflow on the bundled example (or FILE). Train `examples/push.s2r.yaml` under randomization, start the reality emulator on a public
 * profile, evaluate the policy in sim and on the emulator, and write the gap report. `--quick`
 * shortens training and evaluation for tests; the default run is the real one.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Experiment } from '../config/experiment';
import { formatFinding, loadExperiment } from '../config/load';
import { gapReportMarkdown } from '../reports/gapReport';
import { evaluateOnRobot } from '../robot/robotEvaluation';
import { REPORT_MARKDOWN_FILE, writeGapReport } from '../reports/runReport';
import { REAL_EVALUATION_FILE, type RealEvaluationRecord } from '../runs/runStore';
import { train } from '../learn/trainer';
import { spawnEmulatorProcess } from '../emulator/spawnEmulator';
import { MOTION_LOG_FILE } from '../robot/motionLog';
import { writeJsonAtomic } from '../util/atomicFile';
import { defaultRunDir, newRunId } from '../runs/runStore';
import { parseArgs, UsageError } from './args';
import type { CliCommand } from './types';

/** The project root: examples/ sits beside dist/ (bundled) and src/ (run from source). */
function packageRoot(): string {
  for (const candidate of [resolve(__dirname, '..'), resolve(__dirname, '..', '..', '..')]) {
    if (existsSync(join(candidate, 'examples', 'push.s2r.yaml'))) return candidate;
  }
  throw new Error('cannot find the bundled examples/ folder');
}

const QUICK = { maxEnvSteps: 60_000, simEpisodes: 20, realEpisodes: 5 } as const;
const pct = (x: number): string => `${(100 * x).toFixed(1)}%`;

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
    const loaded = loadExperiment(file);
    if (!loaded.experiment) {
      for (const finding of loaded.findings) process.stderr.write(`${formatFinding(file, loaded.lines, finding)}\n`);
      return 1;
    }
    const quick = Boolean(flags.quick);
    const base = loaded.experiment;
    const experiment: Experiment = quick
      ? {
          ...base,
          training: { ...base.training, maxEnvSteps: QUICK.maxEnvSteps },
          evaluation: { ...base.evaluation, episodes: QUICK.simEpisodes, realEpisodes: QUICK.realEpisodes },
        }
      : base;
    const runDir = (flags.out as string | undefined) ?? defaultRunDir(process.cwd(), experiment.name, newRunId(experiment.seed));

    const controller = new AbortController();
    const cancel = (): void => controller.abort();
    process.once('SIGINT', cancel);
    try {
      process.stdout.write(`[1/4] training ${file}${quick ? ' (quick)' : ''}\n      run folder: ${runDir}\n`);
      let lastLine = 0;
      const trained = await train(experiment, {
        runDir,
        signal: controller.signal,
        onEvent: (event) => {
          if (event.type !== 'progress' || event.elapsedSeconds - lastLine < 10) return;
          lastLine = event.elapsedSeconds;
          process.stdout.write(`      iteration ${event.iteration}: success ${pct(event.successRate)}, ${Math.round(event.stepsPerSecond)} steps/s, ${event.elapsedSeconds.toFixed(0)} s\n`);
        },
      });
      if (trained.status === 'cancelled' || !trained.policyPath || !trained.evaluation) {
        process.stderr.write(`sim2real demo: training stopped (${trained.reason}); resume with sim2real train --resume ${runDir}\n`);
        return 130;
      }
      const sim = trained.evaluation;
      process.stdout.write(`[2/4] sim: success ${pct(sim.success_rate)} over ${sim.episodes} randomized episodes (${(trained.elapsedSeconds / 60).toFixed(1)} min of training)\n`);

      process.stdout.write(`[3/4] starting the reality emulator (${profile})\n`);
      const emulator = await spawnEmulatorProcess({ cliScript: process.argv[1]!, profile, logPath: join(runDir, 'emulator-events.jsonl') });
      let real;
      try {
        const episodes = experiment.evaluation.realEpisodes;
        process.stdout.write(`      ${emulator.url}: ${episodes} episodes through the safety layer\n`);
        real = await evaluateOnRobot(trained.policyPath, experiment, emulator.url, {
          episodes,
          seed: experiment.seed,
          allowedAddresses: [emulator.url],
          signal: controller.signal,
          eventLogPath: join(runDir, 'robot-events.jsonl'),
          // the demo drives only the emulator it started (adapter: emulator, announced in its status)
          attendance: { unattended: { why: 'sim2real demo asks no questions', howToAttend: 'Evaluate a real robot with `sim2real eval FILE --policy POLICY --robot URL` on a terminal.' } },
          path: 'sim2real demo',
          motionLogPath: join(runDir, MOTION_LOG_FILE),
        });
      } finally {
        await emulator.stop();
      }
      const record: RealEvaluationRecord = { report: real, address: emulator.url, profile };
      writeJsonAtomic(join(runDir, REAL_EVALUATION_FILE), record);

      const report = writeGapReport(runDir);
      process.stdout.write(`[4/4] gap report: ${join(runDir, REPORT_MARKDOWN_FILE)}\n\n${gapReportMarkdown(report)}`);
      return 0;
    } finally {
      process.off('SIGINT', cancel);
    }
  },
};
