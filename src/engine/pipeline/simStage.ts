/**
 * Stage kind `sim`: ARS under the experiment's domain randomization (the trainer itself), from the
 * previous stage's last checkpoint when there is one, for the stage's episode budget or until the
 * experiment's target success. A cancelled or crashed stage resumes from its own last checkpoint.
 */
import { train } from '../learn/trainer';
import { carriedState, openStageRun } from '../stages/stageRun';
import type { StageOutcome, StageRunner } from '../stages/types';
import { pct } from '../../common/format';

export const simStage: StageRunner = async (context): Promise<StageOutcome> => {
  const { stage, experiment } = context;
  const { store, resumed } = openStageRun(context.runDir, experiment);
  // a stage that crashed before its first checkpoint starts over from the previous stage's
  if (!resumed || !store.latestCheckpoint()) {
    const start = carriedState(context.previousRunDir);
    if (start) {
      store.saveCheckpoint(start);
      context.log(`starting from ${context.previousRunDir} (iteration ${start.iteration})`);
    } else if (context.previousRunDir) {
      throw new Error(`the previous stage (${context.previousRunDir}) left no checkpoint to continue from`);
    }
  } else {
    context.log(`resuming ${context.runDir} from its last checkpoint`);
  }
  const result = await train(experiment, {
    runDir: context.runDir,
    resume: true,
    signal: context.signal,
    maxEpisodes: stage.episodes,
    onEvent: (event) => {
      if (event.type === 'progress') {
        context.onProgress({ fraction: Math.min(1, event.episodes / Math.max(1, stage.episodes)), message: `${stage.name}: ${event.episodes} of ${stage.episodes} episodes, success ${pct(event.successRate, 0)}` });
      } else if (event.type === 'evaluation') {
        context.log(`${stage.name}: ${event.stage} evaluation ${pct(event.report.success_rate, 0)} over ${event.report.episodes} episodes`);
      }
    },
  });
  const episodes = store.latestCheckpoint()?.episodes ?? 0;
  if (result.status === 'cancelled') {
    return { state: 'cancelled', message: `cancelled after ${episodes} episodes; resumes from its last checkpoint`, simEpisodes: episodes, realEpisodes: 0, outputs: {} };
  }
  const why = result.reason === 'target_reached' ? `target success ${pct(experiment.training.targetSuccess, 0)} reached` : `episode budget used`;
  const sim = result.evaluation;
  return {
    state: 'passed',
    message: `${why} after ${episodes} episodes; sim success ${sim ? pct(sim.success_rate, 0) : 'not measured'}`,
    ...(sim ? { simSuccess: sim.success_rate } : {}),
    simEpisodes: episodes,
    realEpisodes: 0,
    outputs: { policy: 'policy.onnx', checkpoints: 'checkpoints' },
  };
};
