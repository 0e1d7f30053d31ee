/**
 * The evaluation report: the same object for the CLI's --json output, eval.json in a run folder and
 * the extension's views. Field names are snake_case because they are a public interface
 * (success_rate, success_ci, avg_return, avg_length, episodes).
 */
import { wilsonInterval } from './confidence';
import { pct } from '../../common/format';

export interface EpisodeRecord {
  readonly episodeReturn: number;
  readonly length: number;
  readonly success: boolean;
}

export interface EvaluationReport {
  readonly success_rate: number;
  /** Wilson 95% interval of the success rate. */
  readonly success_ci: [number, number];
  readonly avg_return: number;
  readonly std_return: number;
  /** Mean episode length, control steps. */
  readonly avg_length: number;
  readonly episodes: number;
  readonly successes: number;
  readonly randomized: boolean;
  readonly seed: number;
  readonly task: string;
  /** Where the policy came from (an ONNX file, or the trainer's current weights). */
  readonly policy: string;
  /** Why a robot evaluation ended before its episode count (a protective stop, a lost link). */
  readonly halted?: string;
}

export interface ReportContext {
  readonly randomized: boolean;
  readonly seed: number;
  readonly task: string;
  readonly policy: string;
}

export function summarizeEpisodes(records: readonly EpisodeRecord[], context: ReportContext): EvaluationReport {
  const n = records.length;
  let successes = 0;
  let returnSum = 0;
  let lengthSum = 0;
  for (const r of records) {
    if (r.success) successes += 1;
    returnSum += r.episodeReturn;
    lengthSum += r.length;
  }
  const avgReturn = n > 0 ? returnSum / n : 0;
  let squares = 0;
  for (const r of records) squares += (r.episodeReturn - avgReturn) ** 2;
  return {
    success_rate: n > 0 ? successes / n : 0,
    success_ci: wilsonInterval(successes, n),
    avg_return: avgReturn,
    std_return: n > 1 ? Math.sqrt(squares / (n - 1)) : 0,
    avg_length: n > 0 ? lengthSum / n : 0,
    episodes: n,
    successes,
    randomized: context.randomized,
    seed: context.seed,
    task: context.task,
    policy: context.policy,
  };
}

/** The human-readable report the CLI prints. */
export function formatReport(report: EvaluationReport): string {
  return [
    `policy:        ${report.policy}`,
    `task:          ${report.task} (${report.randomized ? 'randomized' : 'nominal, no randomization'}, seed ${report.seed})`,
    `episodes:      ${report.episodes}`,
    `success rate:  ${pct(report.success_rate)} (${report.successes}/${report.episodes}; 95% CI ${pct(report.success_ci[0])} - ${pct(report.success_ci[1])})`,
    `avg return:    ${report.avg_return.toFixed(3)} (std ${report.std_return.toFixed(3)})`,
    `avg length:    ${report.avg_length.toFixed(1)} steps`,
  ].join('\n');
}
