/**
 * Builds a gap report from what a run folder holds: run.json (the experiment), metrics.jsonl (the
 * training curve and periodic evaluations), eval.json (sim) and eval-real.json (robot), written as
 * report.json and report.md beside them.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic, writeJsonAtomic } from '../util/atomicFile';
import { REAL_EVALUATION_FILE, RunStore, type RealEvaluationRecord } from '../runs/runStore';
import { gapReportMarkdown, transferGap, type EvaluationPoint, type GapReport, type TrainingPoint } from './gapReport';
import type { EvaluationReport } from '../evaluate/report';
import { visualGapOf } from './visualGap';
import { calibrationSectionOf } from './calibrationGap';
import { stagesSectionOf } from './stagesReport';
import { gapReportHtml, REPORT_HTML_FILE, type HtmlReportOptions } from './reportHtml';
import { SENSITIVITY_FILE, type SensitivityReport } from '../evaluate/sensitivity';

export const REPORT_FILE = 'report.json';
export const REPORT_MARKDOWN_FILE = 'report.md';

type MetricLine =
  | { type: 'progress'; iteration: number; episodes: number; envSteps: number; avgReturn: number; successRate: number; elapsedSeconds: number }
  | { type: 'evaluation'; iteration: number; envSteps: number; stage: 'sim' | 'confirmation' | 'final' | 'robot'; report: EvaluationReport }
  | { type: 'checkpoint' };

export function buildGapReport(runDir: string): GapReport {
  const store = RunStore.open(runDir);
  const record = store.record();
  if (!existsSync(store.evaluationPath)) throw new Error(`${runDir} has no sim evaluation (eval.json): train to the end or run \`sim2real eval\` first.`);
  const sim = JSON.parse(readFileSync(store.evaluationPath, 'utf8')) as EvaluationReport;
  const realPath = join(runDir, REAL_EVALUATION_FILE);
  const realRecord = existsSync(realPath) ? (JSON.parse(readFileSync(realPath, 'utf8')) as RealEvaluationRecord) : undefined;

  const { training, evaluations } = readTrainingCurve(runDir, store);
  const real = realRecord?.report;
  return {
    format: 'sim2real-gap-report/1',
    experiment: record.experimentName,
    task: record.task,
    runDir,
    createdAt: new Date().toISOString(),
    policy: existsSync(store.policyPath) ? store.policyPath : sim.policy,
    sim,
    real,
    robot: realRecord ? { address: realRecord.address, profile: realRecord.profile } : undefined,
    gap: real ? transferGap(sim, real) : undefined,
    training,
    evaluations,
    realEpisodesUsed: (real?.episodes ?? 0) + evaluations.filter((e) => e.stage === 'robot').length,
    visual: visualGapOf(runDir),
    stages: stagesSectionOf(runDir),
    calibration: calibrationSectionOf(runDir),
  };
}

/**
 * The training curve and the periodic evaluations from metrics.jsonl; readable while the run still
 * trains (the gap report panel redraws from it as lines arrive).
 */
export function readTrainingCurve(runDir: string, store: RunStore = RunStore.open(runDir)): { training: TrainingPoint[]; evaluations: EvaluationPoint[] } {
  const training: TrainingPoint[] = [];
  const evaluations: EvaluationPoint[] = [];
  let episodes = 0;
  for (const line of store.metrics<MetricLine>()) {
    if (line.type === 'progress') {
      episodes = line.episodes;
      training.push({ iteration: line.iteration, episodes: line.episodes, envSteps: line.envSteps, avgReturn: line.avgReturn, successRate: line.successRate, elapsedSeconds: line.elapsedSeconds });
    } else if (line.type === 'evaluation') {
      evaluations.push({ iteration: line.iteration, episodes, stage: line.stage, successRate: line.report.success_rate });
    }
  }
  return { training, evaluations };
}

/** Build the report and write report.json and report.md into the run folder. */
export function writeGapReport(runDir: string): GapReport {
  const report = buildGapReport(runDir);
  writeJsonAtomic(join(runDir, REPORT_FILE), report);
  writeFileAtomic(join(runDir, REPORT_MARKDOWN_FILE), gapReportMarkdown(report));
  return report;
}

/** The run's sensitivity sweep (sensitivity.json), if one was computed and reads back whole. */
export function readSensitivity(runDir: string): SensitivityReport | undefined {
  const path = join(runDir, SENSITIVITY_FILE);
  if (!existsSync(path)) return undefined;
  try {
    const parsed = JSON.parse(readFileSync(path, 'utf8')) as SensitivityReport;
    return parsed.format === 'sim2real-sensitivity/1' ? parsed : undefined;
  } catch {
    return undefined;
  }
}

/** Write report.html beside report.json (with the sweep when there is one); returns its path. */
export function writeGapReportHtml(runDir: string, report: GapReport, charts?: HtmlReportOptions['charts']): string {
  const path = join(runDir, REPORT_HTML_FILE);
  const sensitivity = readSensitivity(runDir);
  writeFileAtomic(path, gapReportHtml(report, { ...(sensitivity ? { sensitivity } : {}), ...(charts ? { charts } : {}) }));
  return path;
}
