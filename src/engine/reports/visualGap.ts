/**
 * The gap report's "visual gap": the perception model's puck-position error on real camera images
 * next to its error on sim images, for models trained with and without visual randomization, and
 * before and after domain adaptation (DANN). Read from the run folder's perception.json.
 */
import { readPerceptionReport } from '../perception/perceptionReport';
import type { PositionErrors } from '../perception/samples';

/** Tobin et al. 2017 reached 1.5 cm on real images from randomized renders alone. */
export const VISUAL_AIM_CM = 1.5;

export interface VisualGapRow {
  readonly model: string;
  readonly randomization?: boolean;
  readonly simTest?: PositionErrors;
  /** Error on real images, as last evaluated (`sim2real perception eval`). */
  readonly real?: PositionErrors;
  /** Before and after DANN on the same held-out real images (`sim2real perception adapt`). */
  readonly beforeAdaptation?: PositionErrors;
  readonly afterAdaptation?: PositionErrors;
  readonly adaptedModel?: string;
  readonly source?: string;
}

export interface VisualGap {
  readonly aimCm: number;
  readonly rows: readonly VisualGapRow[];
}

export function visualGapOf(runDir: string): VisualGap | undefined {
  let report;
  try {
    report = readPerceptionReport(runDir);
  } catch {
    return undefined; // a broken perception.json must not take the policy's report down with it
  }
  if (!report || report.models.length === 0) return undefined;
  return {
    aimCm: VISUAL_AIM_CM,
    rows: report.models.map((m) => ({
      model: m.model,
      randomization: m.training?.randomization,
      simTest: m.training?.simTest,
      real: m.realImages?.errors,
      beforeAdaptation: m.adaptation?.before,
      afterAdaptation: m.adaptation?.after,
      adaptedModel: m.adaptation?.model,
      source: m.realImages?.source ?? m.adaptation?.source,
    })),
  };
}

/** "mean / p95 cm", or a dash. */
export function errorCell(errors: PositionErrors | undefined): string {
  return errors ? `${errors.meanCm.toFixed(2)} / ${errors.p95Cm.toFixed(2)} cm` : '–';
}

export function visualGapMarkdown(gap: VisualGap): string[] {
  const lines = ['## Visual gap (puck perception)', '', 'Position error, mean / 95th percentile.', ''];
  lines.push('| Model | Visual randomization | Sim images | Real images | Real, before DANN | Real, after DANN |', '|---|---|---|---|---|---|');
  for (const r of gap.rows) {
    const randomization = r.randomization === undefined ? '?' : r.randomization ? 'yes' : 'no';
    lines.push(`| \`${r.model}\` | ${randomization} | ${errorCell(r.simTest)} | ${errorCell(r.real)} | ${errorCell(r.beforeAdaptation)} | ${errorCell(r.afterAdaptation)} |`);
  }
  lines.push('', `Aim: at most ${gap.aimCm} cm mean error on real images (Tobin et al. 2017).`, '');
  return lines;
}
