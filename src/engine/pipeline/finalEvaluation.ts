/**
 * The pipeline's final evaluation on the robot: the last stage's exported policy on
 * evaluation.real_episodes episodes (the evaluator's episode seeds, no randomization), through
 * the safety layer. Unlike `sim2real eval --robot`, which ends at the first protective stop, a stop
 * here counts the episode as a failure (as the safe-test console does) and a person decides
 * whether to re-arm and go on: the pipeline's budget was confirmed for all of these episodes. As on
 * every path, the robot's motion authority permits each episode and each re-arm.
 */
import type { Experiment } from '../config/experiment';
import { TASKS } from '../config/taskCatalog';
import { summarizeEpisodes, type EpisodeRecord, type EvaluationReport } from '../evaluate/report';
import { EVALUATION_EPISODE_CAP, evaluationEpisodeSeed, runEvaluationEpisode } from '../evaluate/runEpisodes';
import { OnnxPolicy } from '../policy/onnxPolicy';
import { motionAuthorityFor, MotionRefused, type MotionAttendance } from '../robot/motionAuthority';
import { connectRobotEnv } from '../robot/robotEnv';
import { RobotHalted } from './realArs';

export interface FinalEvaluationOptions {
  readonly episodes: number;
  readonly signal: AbortSignal;
  readonly eventLogPath?: string;
  /** The person the motion authority asks (never answered by `--yes`). */
  readonly attendance: MotionAttendance;
  readonly motionLogPath?: string;
  onEpisode?(index: number, record: EpisodeRecord & { readonly aborted?: string }): void;
}

export async function evaluateFinalOnRobot(policyFile: string, experiment: Experiment, address: string, options: FinalEvaluationOptions): Promise<EvaluationReport> {
  const motion = motionAuthorityFor(experiment, address, "the pipeline's final evaluation", options.attendance, options.motionLogPath);
  motion.preflight();
  const policy = await OnnxPolicy.load(policyFile, TASKS[experiment.task]);
  try {
    const env = await connectRobotEnv(experiment, address, { allowedAddresses: [address], ...(options.eventLogPath ? { eventLogPath: options.eventLogPath } : {}), motion });
    try {
      const maxSteps = Math.min(experiment.evaluation.maxSteps, EVALUATION_EPISODE_CAP, TASKS[experiment.task].maxEpisodeSteps);
      const action = new Float64Array(env.actionSize);
      const records: EpisodeRecord[] = [];
      let halted: string | undefined;
      for (let i = 0; i < options.episodes; i++) {
        if (options.signal.aborted) throw Object.assign(new Error('evaluation cancelled'), { name: 'AbortError' });
        try {
          await env.permitEpisode(i + 1, options.episodes);
        } catch (error) {
          // nothing ran yet: the refusal is the answer; later, the episodes so far stand
          if (!(error instanceof MotionRefused) || i === 0) throw error;
          halted = `after episode ${i} of ${options.episodes}: ${error.message}`;
          break;
        }
        const episode = await runEvaluationEpisode(env, policy, evaluationEpisodeSeed(experiment.seed, i), maxSteps, action, () => {
          if (env.lastAbortReason !== undefined) throw new RobotHalted(`the robot did not reset: ${env.lastAbortReason}`);
        });
        const aborted = env.lastAbortReason;
        const record = { ...episode, success: aborted === undefined && episode.success };
        records.push(record);
        options.onEpisode?.(i, { ...record, ...(aborted !== undefined ? { aborted } : {}) });
        if (aborted !== undefined && i + 1 < options.episodes) {
          try {
            await env.rearm(`final evaluation episode ${i + 1} ended in a protective stop (${aborted}); it counts as a failure`);
          } catch (error) {
            if (!(error instanceof MotionRefused)) throw error;
            halted = `after episode ${i + 1} of ${options.episodes}: ${aborted} (not re-armed)`;
            break;
          }
        }
      }
      const report = summarizeEpisodes(records, { randomized: false, seed: experiment.seed, task: experiment.task, policy: policyFile });
      return halted ? { ...report, halted } : report;
    } finally {
      env.dispose();
    }
  } finally {
    await policy.dispose();
  }
}
