/**
 * The pipeline's decisions that need no robot and no simulator: which stages touch the robot, how
 * many real episodes each plans, the experiment's real-episode budget, which stages `--from` /
 * `--to` select, and whether a gate lets a stage start. Pure functions, unit-tested on their own.
 */
import type { Experiment, StageConfig, StageKind } from '../config/experiment';
import type { StageRecord } from './stateFile';
import { pct } from '../../common/format';

export const ROBOT_STAGE_KINDS: readonly StageKind[] = ['mixed', 'real_finetune'];

export function touchesRobot(kind: StageKind): boolean {
  return ROBOT_STAGE_KINDS.includes(kind);
}

/** Stage kinds that move the robot: its real episodes, and the camera images a reset poses for each. */
export const MOTION_STAGE_KINDS: readonly StageKind[] = ['sim_real_textures', 'mixed', 'real_finetune'];

export function movesRobot(kind: StageKind): boolean {
  return MOTION_STAGE_KINDS.includes(kind);
}

/** A mixed stage's episodes split into sim and real: `sim_ratio` of them in sim, the rest on the robot. */
export function mixedSplit(episodes: number, simRatio: number): { sim: number; real: number } {
  const real = Math.round(episodes * (1 - simRatio));
  return { sim: episodes - real, real };
}

/** Real episodes a stage plans to run (0 for the sim stages). */
export function plannedRealEpisodes(stage: StageConfig): number {
  if (stage.skip) return 0;
  if (stage.kind === 'real_finetune') return stage.episodes;
  if (stage.kind === 'mixed') return mixedSplit(stage.episodes, stage.simRatio ?? 1).real;
  return 0;
}

/**
 * Real-robot episodes the experiment allows the whole pipeline: robot.max_real_episodes when set,
 * else exactly what its stages and final evaluation plan (so nothing runs over what was written).
 */
export function realEpisodeBudget(experiment: Experiment): number {
  if (experiment.robot?.maxRealEpisodes !== undefined) return experiment.robot.maxRealEpisodes;
  return experiment.stages.reduce((sum, stage) => sum + plannedRealEpisodes(stage), 0) + experiment.evaluation.realEpisodes;
}

export class StageSelectionError extends Error {}

/**
 * Indices of the stages `--from` and `--to` select (inclusive), by stage name. Unknown names and a
 * `--to` before `--from` are errors naming the stages there are.
 */
export function selectStages(stages: readonly StageConfig[], from?: string, to?: string): { first: number; last: number } {
  const indexOf = (name: string, flag: string): number => {
    const index = stages.findIndex((s) => s.name === name);
    if (index < 0) throw new StageSelectionError(`${flag}: no stage named '${name}'; the stages are ${stages.map((s) => `'${s.name}'`).join(', ') || '(none)'}`);
    return index;
  };
  const first = from !== undefined ? indexOf(from, '--from') : 0;
  const last = to !== undefined ? indexOf(to, '--to') : stages.length - 1;
  if (last < first) throw new StageSelectionError(`--to '${to}' comes before --from '${from}' in the stage list`);
  return { first, last };
}

export interface GateCheck {
  readonly open: boolean;
  readonly message: string;
}

/**
 * Whether `stage`'s gate lets it start, judged on the stage that ran before it (the last one that
 * ran in this pipeline). Confirmation is asked separately, after the success thresholds hold.
 */
export function checkGate(stage: StageConfig, previous: StageRecord | undefined): GateCheck {
  const gate = stage.gate;
  if (!gate || (gate.minSimSuccess === undefined && gate.minRealSuccess === undefined)) return { open: true, message: 'no success gate' };
  if (!previous) {
    return { open: false, message: `Gate of '${stage.name}': no earlier stage ran in this pipeline, so there is no success to check. Run it with the stages before it.` };
  }
  if (previous.state !== 'passed') {
    return { open: false, message: `Gate of '${stage.name}': the previous stage '${previous.name}' did not pass (${previous.state}).` };
  }
  const checks: string[] = [];
  if (gate.minSimSuccess !== undefined) {
    if (previous.simSuccess === undefined) return { open: false, message: `Gate of '${stage.name}': '${previous.name}' measured no sim success, and the gate needs at least ${pct(gate.minSimSuccess)}.` };
    if (previous.simSuccess < gate.minSimSuccess) {
      return { open: false, message: `Gate of '${stage.name}' not met: '${previous.name}' reached ${pct(previous.simSuccess)} in sim, the gate needs at least ${pct(gate.minSimSuccess)} (gate.min_sim_success). Train longer or lower the gate, then resume.` };
    }
    checks.push(`sim ${pct(previous.simSuccess)} >= ${pct(gate.minSimSuccess)}`);
  }
  if (gate.minRealSuccess !== undefined) {
    if (previous.realSuccess === undefined) return { open: false, message: `Gate of '${stage.name}': '${previous.name}' measured no real success (it did not run on the robot), and the gate needs at least ${pct(gate.minRealSuccess)}.` };
    if (previous.realSuccess < gate.minRealSuccess) {
      return { open: false, message: `Gate of '${stage.name}' not met: '${previous.name}' reached ${pct(previous.realSuccess)} on the robot, the gate needs at least ${pct(gate.minRealSuccess)} (gate.min_real_success).` };
    }
    checks.push(`real ${pct(previous.realSuccess)} >= ${pct(gate.minRealSuccess)}`);
  }
  return { open: true, message: `Gate of '${stage.name}' met: ${checks.join(', ')}.` };
}
