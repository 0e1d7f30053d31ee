/**
 * The sim-to-real gap report: sim and real success, return and length side by side with their
 * confidence intervals, the transfer gap in points of success rate and its verdict (good below 10,
 * moderate 10-30, poor above 30), with advice. The same object is report.json, the CLI's report,
 * and what the gap report panel draws.
 */
import type { EvaluationReport } from '../evaluate/report';
import { visualGapMarkdown, type VisualGap } from './visualGap';
import { stagesMarkdown, type StagesSection } from './stagesReport';
import { calibrationMarkdown, type CalibrationSection } from './calibrationGap';
import { pct } from '../../common/format';

export type GapVerdict = 'good' | 'moderate' | 'poor';

/** Thresholds in points of success rate (percentage points). */
export const GAP_THRESHOLDS = { good: 10, poor: 30 } as const;

export interface TrainingPoint {
  readonly iteration: number;
  readonly episodes: number;
  readonly envSteps: number;
  readonly avgReturn: number;
  readonly successRate: number;
  readonly elapsedSeconds: number;
}

export interface EvaluationPoint {
  readonly iteration: number;
  readonly episodes: number;
  readonly stage: 'sim' | 'confirmation' | 'final' | 'robot';
  readonly successRate: number;
}

export interface TransferGap {
  /** sim success minus real success, in percentage points. */
  readonly successPoints: number;
  /** The same for the lower and upper ends of a conservative 95% interval (sim CI minus real CI). */
  readonly successPointsRange: [number, number];
  readonly returnDifference: number;
  readonly lengthDifference: number;
  readonly verdict: GapVerdict;
  /** The 95% range spans more than one verdict: too few episodes to judge. */
  readonly uncertain: boolean;
  readonly advice: string[];
}

export interface GapReport {
  readonly format: 'sim2real-gap-report/1';
  readonly experiment: string;
  readonly task: string;
  readonly runDir: string;
  readonly createdAt: string;
  readonly policy: string;
  readonly sim: EvaluationReport;
  /** Absent until the policy has been evaluated on a robot (or the emulator). */
  readonly real?: EvaluationReport;
  /** Where the real episodes ran: the robot's address and, for the emulator, its profile. */
  readonly robot?: { readonly address: string; readonly profile?: string };
  readonly gap?: TransferGap;
  readonly training: readonly TrainingPoint[];
  readonly evaluations: readonly EvaluationPoint[];
  /** Real-robot episodes this run used. */
  readonly realEpisodesUsed: number;
  /** The perception model's error on sim and real images, when the run folder holds perception.json. */
  readonly visual?: VisualGap;
  /** Stage by stage, when the run is a stage of a transfer pipeline (pipeline.json beside it). */
  readonly stages?: StagesSection;
  /** The calibrated values the run was trained with, and the gap before and after calibration. */
  readonly calibration?: CalibrationSection;
}

export function verdictFor(successPoints: number): GapVerdict {
  if (successPoints < GAP_THRESHOLDS.good) return 'good';
  if (successPoints <= GAP_THRESHOLDS.poor) return 'moderate';
  return 'poor';
}

const ADVICE: Record<GapVerdict, string[]> = {
  good: [
    'The policy transfers: keep the randomization ranges, and evaluate on the robot after each retraining to catch regressions.',
  ],
  moderate: [
    'Identify the robot (friction, inertia, delay) and re-centre the randomization ranges on what was measured.',
    'Widen the ranges of the parameters the policy is most sensitive to, and add action delay and observation noise if missing.',
    'Fine-tune on the robot with a small real-episode budget (stage real_finetune).',
  ],
  poor: [
    'Do not fine-tune on hardware yet: the sim misses something basic. Run system identification and compare the measured values with the randomization ranges.',
    'Check units, joint order and sign conventions between the sim and the robot link; a mirrored joint looks like a huge gap.',
    'Add memory (policy.history) and randomize action delay and controller gains: Peng et al. 2018 went from 0.00 to 0.89 real success with both.',
  ],
};

const roundPoints = (points: number): number => Math.round(points * 1e6) / 1e6;

export function transferGap(sim: EvaluationReport, real: EvaluationReport): TransferGap {
  // rounded to a millionth of a point: 0.9 - 0.6 is 0.30000000000000004 in floating point, and a
  // gap of exactly 30 points must read 'moderate' as the thresholds say, not 'poor'
  const successPoints = roundPoints(100 * (sim.success_rate - real.success_rate));
  const verdict = verdictFor(successPoints);
  const range: [number, number] = [roundPoints(100 * (sim.success_ci[0] - real.success_ci[1])), roundPoints(100 * (sim.success_ci[1] - real.success_ci[0]))];
  const uncertain = verdictFor(range[0]) !== verdictFor(range[1]);
  const caution = `Too few episodes to be sure: at 95% confidence the gap lies between ${range[0].toFixed(0)} and ${range[1].toFixed(0)} points. Evaluate more episodes (evaluation.episodes, evaluation.real_episodes) before acting on the verdict.`;
  return {
    successPoints,
    successPointsRange: range,
    returnDifference: sim.avg_return - real.avg_return,
    lengthDifference: sim.avg_length - real.avg_length,
    verdict,
    uncertain,
    advice: uncertain ? [caution, ...ADVICE[verdict]] : ADVICE[verdict],
  };
}

const ci = (r: EvaluationReport): string => `[${pct(r.success_ci[0])}, ${pct(r.success_ci[1])}]`;

/** The report as Markdown (the CLI's default, and the panel's export). */
export function gapReportMarkdown(report: GapReport): string {
  const lines = [`# Sim-to-real gap report: ${report.experiment}`, '', `Task \`${report.task}\` · policy \`${report.policy}\` · ${report.createdAt}`, ''];
  const real = report.real;
  lines.push('| | Sim | Real |', '|---|---|---|');
  lines.push(`| Success rate (95% CI) | ${pct(report.sim.success_rate)} ${ci(report.sim)} | ${real ? `${pct(real.success_rate)} ${ci(real)}` : 'not evaluated'} |`);
  lines.push(`| Average return | ${report.sim.avg_return.toFixed(2)} | ${real ? real.avg_return.toFixed(2) : '–'} |`);
  lines.push(`| Average length (steps) | ${report.sim.avg_length.toFixed(1)} | ${real ? real.avg_length.toFixed(1) : '–'} |`);
  lines.push(`| Episodes | ${report.sim.episodes}${report.sim.randomized ? ' (randomized)' : ''} | ${real ? real.episodes : '–'} |`);
  lines.push('');
  if (report.gap) {
    const g = report.gap;
    lines.push(`**Transfer gap: ${g.successPoints.toFixed(1)} points (${g.verdict}${g.uncertain ? ', uncertain' : ''})**, between ${g.successPointsRange[0].toFixed(1)} and ${g.successPointsRange[1].toFixed(1)} points at 95% confidence.`, '');
    lines.push(`Thresholds: good below ${GAP_THRESHOLDS.good} points, moderate ${GAP_THRESHOLDS.good}-${GAP_THRESHOLDS.poor}, poor above ${GAP_THRESHOLDS.poor}.`, '');
    for (const advice of g.advice) lines.push(`- ${advice}`);
    lines.push('');
  }
  if (real?.halted) lines.push(`**The robot evaluation halted ${real.halted}.** Real figures cover the episodes that ran; re-arm and evaluate again after checking the cause.`, '');
  if (report.robot) lines.push(`Real episodes ran on ${report.robot.address}${report.robot.profile ? ` (reality emulator, profile ${report.robot.profile})` : ''}; ${report.realEpisodesUsed} used.`, '');
  const last = report.training[report.training.length - 1];
  if (last) lines.push(`Training: ${last.iteration} iterations, ${last.episodes} episodes, ${last.envSteps} env steps, ${(last.elapsedSeconds / 60).toFixed(1)} min.`, '');
  if (report.visual) lines.push(...visualGapMarkdown(report.visual));
  if (report.stages) lines.push(...stagesMarkdown(report.stages));
  if (report.calibration) lines.push(...calibrationMarkdown(report.calibration));
  return `${lines.join('\n')}\n`;
}
