/**
 * Which runner serves which stage kind. The sim, mixed and fine-tuning runners live here; the two
 * perception stages (real textures, real camera images) come from src/engine/perception.
 */
import { realImagesStage, realTexturesStage } from '../perception/stages';
import { mixedSplit } from './plan';
import { FINETUNE_DIRECTIONS, runRealArs } from './realArs';
import { simStage } from './simStage';
import type { StageRunner, StageRunnerTable } from '../stages/types';

/** `mixed`: sim_ratio of the episodes in randomized sim, the rest on the robot, in one ARS update per iteration. */
export const mixedStage: StageRunner = (context) => {
  const { stage, experiment } = context;
  const split = mixedSplit(stage.episodes, stage.simRatio ?? 1);
  const directions = experiment.training.directions;
  // each iteration keeps the stage's ratio; at least one real direction when any real episode is planned
  const realDirections = split.real > 0 ? Math.max(1, Math.min(directions, Math.round(directions * (1 - (stage.simRatio ?? 1))))) : 0;
  const simDirections = split.sim > 0 ? Math.max(1, directions - realDirections) : 0;
  return runRealArs(context, { simEpisodes: split.sim, realEpisodes: split.real, realDirections, simDirections });
};

/** `real_finetune`: every episode on the robot. */
export const realFinetuneStage: StageRunner = (context) =>
  runRealArs(context, {
    simEpisodes: 0,
    realEpisodes: context.stage.episodes,
    realDirections: Math.min(FINETUNE_DIRECTIONS, context.experiment.training.directions),
    simDirections: 0,
  });

export const STAGE_RUNNERS: StageRunnerTable = {
  sim: simStage,
  sim_real_textures: realTexturesStage,
  sim_real_images: realImagesStage,
  mixed: mixedStage,
  real_finetune: realFinetuneStage,
};
