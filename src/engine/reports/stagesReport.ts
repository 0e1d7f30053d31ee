/**
 * The gap report's "stages" section: how the sim and real success and the gap moved from stage to
 * stage of a transfer pipeline, and how many real episodes were used of the budget. Built from the
 * pipeline.json beside a stage's run folder, so the report of any stage run shows the whole path.
 */
import { dirname, join } from 'node:path';
import type { StageKind } from '../config/experiment';
import { readPipelineRecord, type PipelineStatus } from '../pipeline/stateFile';
import type { StageState } from '../stages/types';
import { pctOrDash } from '../../common/format';

export interface StagePoint {
  readonly name: string;
  readonly kind: StageKind | 'final';
  readonly state: StageState;
  readonly simSuccess?: number;
  /** For robot stages: their real training rollouts (perturbed policies); for `final`: the robot evaluation. */
  readonly realSuccess?: number;
  /** sim minus real success, percentage points, where both were measured. */
  readonly gapPoints?: number;
  readonly simEpisodes: number;
  readonly realEpisodes: number;
  readonly message?: string;
}

export interface StagesSection {
  readonly pipelineDir: string;
  readonly status: PipelineStatus;
  readonly message: string;
  readonly stages: readonly StagePoint[];
  readonly realEpisodesUsed: number;
  readonly realEpisodeBudget: number;
}

const gapOf = (sim?: number, real?: number): number | undefined => (sim !== undefined && real !== undefined ? Math.round(1e6 * 100 * (sim - real)) / 1e6 : undefined);

/** The section for a run folder inside a pipeline folder, or undefined for a plain run. */
export function stagesSectionOf(runDir: string): StagesSection | undefined {
  const pipelineDir = dirname(runDir);
  const record = readPipelineRecord(pipelineDir);
  if (!record) return undefined;
  const stages: StagePoint[] = record.stages.map((s) => {
    const gapPoints = gapOf(s.simSuccess, s.realSuccess);
    return {
      name: s.name,
      kind: s.kind,
      state: s.state,
      ...(s.simSuccess !== undefined ? { simSuccess: s.simSuccess } : {}),
      ...(s.realSuccess !== undefined ? { realSuccess: s.realSuccess } : {}),
      ...(gapPoints !== undefined ? { gapPoints } : {}),
      simEpisodes: s.simEpisodes,
      realEpisodes: s.realEpisodes,
      ...(s.message ? { message: s.message } : {}),
    };
  });
  const final = record.final;
  if (final.state !== 'pending' || final.realSuccess !== undefined) {
    const gapPoints = gapOf(final.simSuccess, final.realSuccess);
    stages.push({
      name: 'final evaluation',
      kind: 'final',
      state: final.state === 'pending' ? 'pending' : final.state,
      ...(final.simSuccess !== undefined ? { simSuccess: final.simSuccess } : {}),
      ...(final.realSuccess !== undefined ? { realSuccess: final.realSuccess } : {}),
      ...(gapPoints !== undefined ? { gapPoints } : {}),
      simEpisodes: 0,
      realEpisodes: final.realEpisodes,
      ...(final.message ? { message: final.message } : {}),
    });
  }
  return { pipelineDir, status: record.status, message: record.message, stages, realEpisodesUsed: record.realEpisodesUsed, realEpisodeBudget: record.realEpisodeBudget };
}

export function stagesMarkdown(section: StagesSection): string[] {
  const lines = ['## Transfer stages', '', `Pipeline \`${join(section.pipelineDir, 'pipeline.json')}\`: ${section.status}. ${section.message}`, ''];
  lines.push('| Stage | Kind | State | Sim success | Real success | Gap (points) | Episodes (sim / real) |', '|---|---|---|---|---|---|---|');
  for (const s of section.stages) {
    lines.push(`| ${s.name} | ${s.kind} | ${s.state} | ${pctOrDash(s.simSuccess)} | ${pctOrDash(s.realSuccess)} | ${s.gapPoints === undefined ? '–' : s.gapPoints.toFixed(1)} | ${s.simEpisodes} / ${s.realEpisodes} |`);
  }
  lines.push('', `Real success of a robot stage is over its training episodes (perturbed policies); the final evaluation runs the stage's policy as exported.`, '');
  lines.push(`**Real-robot episodes used: ${section.realEpisodesUsed} of ${section.realEpisodeBudget}.**`, '');
  return lines;
}
