/**
 * The main job, end to end on one experiment: train it under randomization, start the reality
 * emulator on a profile, evaluate the policy in sim and on the emulator (which runs unattended, as
 * only the bundled emulator may), and write the gap report. `quick` shortens training and
 * evaluation for tests. Its steps are the context's log lines.
 */
import { join } from 'node:path';
import { pct } from '../../common/format';
import type { Experiment } from '../config/experiment';
import { spawnEmulatorProcess } from '../emulator/spawnEmulator';
import { train } from '../learn/trainer';
import { gapReportMarkdown, type GapReport } from '../reports/gapReport';
import { REPORT_MARKDOWN_FILE, writeGapReport } from '../reports/runReport';
import { MOTION_LOG_FILE } from '../robot/motionLog';
import { evaluateOnRobot } from '../robot/robotEvaluation';
import { REAL_EVALUATION_FILE, type RealEvaluationRecord } from '../runs/runStore';
import { writeJsonAtomic } from '../util/atomicFile';
import { loadValidExperiment } from './experimentInput';
import type { Job } from './job';

const QUICK = { maxEnvSteps: 60_000, simEpisodes: 20, realEpisodes: 5 } as const;

export interface DemoParams {
  readonly file: string;
  readonly runDir: string;
  /** The reality profile the emulator runs. */
  readonly profile: string;
  readonly quick?: boolean;
  /** The CLI script that runs `sim2real emulate` [default: the one beside this code]. */
  readonly cliScript: string;
}

export type DemoResult = { readonly status: 'completed'; readonly report: GapReport; readonly markdown: string } | { readonly status: 'cancelled'; readonly reason: string };

export const demo: Job<DemoParams, DemoResult> = async (params, context) => {
  const base = loadValidExperiment(params.file);
  const experiment: Experiment = params.quick
    ? { ...base, training: { ...base.training, maxEnvSteps: QUICK.maxEnvSteps }, evaluation: { ...base.evaluation, episodes: QUICK.simEpisodes, realEpisodes: QUICK.realEpisodes } }
    : base;
  const { runDir, profile } = params;
  context.log(`[1/4] training ${params.file}${params.quick ? ' (quick)' : ''}\n      run folder: ${runDir}`);
  let lastLine = 0;
  const trained = await train(experiment, {
    runDir,
    signal: context.signal,
    onEvent: (event) => {
      if (event.type !== 'progress' || event.elapsedSeconds - lastLine < 10) return;
      lastLine = event.elapsedSeconds;
      context.log(`      iteration ${event.iteration}: success ${pct(event.successRate)}, ${Math.round(event.stepsPerSecond)} steps/s, ${event.elapsedSeconds.toFixed(0)} s`);
    },
  });
  if (trained.status === 'cancelled' || !trained.policyPath || !trained.evaluation) return { status: 'cancelled', reason: trained.reason };
  const sim = trained.evaluation;
  context.log(`[2/4] sim: success ${pct(sim.success_rate)} over ${sim.episodes} randomized episodes (${(trained.elapsedSeconds / 60).toFixed(1)} min of training)`);

  context.log(`[3/4] starting the reality emulator (${profile})`);
  const emulator = await spawnEmulatorProcess({ cliScript: params.cliScript, profile, logPath: join(runDir, 'emulator-events.jsonl') });
  let real;
  try {
    const episodes = experiment.evaluation.realEpisodes;
    context.log(`      ${emulator.url}: ${episodes} episodes through the safety layer`);
    real = await evaluateOnRobot(trained.policyPath, experiment, emulator.url, {
      episodes,
      seed: experiment.seed,
      allowedAddresses: [emulator.url],
      signal: context.signal,
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
  context.log(`[4/4] gap report: ${join(runDir, REPORT_MARKDOWN_FILE)}\n`);
  return { status: 'completed', report, markdown: gapReportMarkdown(report) };
};
