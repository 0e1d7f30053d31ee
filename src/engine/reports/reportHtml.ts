/**
 * The gap report as one standalone HTML file: the same figures as report.json and report.md (sim
 * and real side by side with intervals, the transfer gap, its verdict and advice, the sensitivity
 * table), readable in any browser without the extension. Charts are PNGs beside the file when the
 * panel exports them; the CLI, which has no canvas, draws the training curve as inline SVG instead.
 * Every piece of text from the run is escaped; the page has no script.
 */
import { GAP_THRESHOLDS, type GapReport, type TrainingPoint } from './gapReport';
import type { EvaluationReport } from '../evaluate/report';
import type { SensitivityReport } from '../evaluate/sensitivity';
import { errorCell, type VisualGap } from './visualGap';
import type { CalibrationSection } from './calibrationGap';
import { pct } from '../../common/format';

export const REPORT_HTML_FILE = 'report.html';

export interface HtmlReportOptions {
  readonly sensitivity?: SensitivityReport;
  /** PNG files beside report.html, in the order shown. */
  readonly charts?: readonly { readonly title: string; readonly file: string }[];
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

const ci = (r: EvaluationReport): string => `[${pct(r.success_ci[0])}, ${pct(r.success_ci[1])}]`;

// System colours follow the reader's light or dark preference; no fixed palette.
const STYLE = `
:root { color-scheme: light dark; }
body { font-family: system-ui, sans-serif; margin: 2em auto; max-width: 60em; padding: 0 1em; background: Canvas; color: CanvasText; }
table { border-collapse: collapse; margin: 0.5em 0 1em; }
th, td { text-align: left; padding: 0.3em 0.8em; border-bottom: 1px solid GrayText; }
.verdict-good { color: green; } .verdict-moderate { color: darkorange; } .verdict-poor { color: red; }
.muted { color: GrayText; }
img, svg { max-width: 100%; }
svg .success { stroke: LinkText; } svg .return { stroke: darkorange; } svg .axis { stroke: GrayText; }
svg text { fill: CanvasText; font-size: 11px; }
`;

export function gapReportHtml(report: GapReport, options: HtmlReportOptions = {}): string {
  const real = report.real;
  const body: string[] = [];
  body.push(`<h1>Sim-to-real gap report: ${escapeHtml(report.experiment)}</h1>`);
  body.push(`<p class="muted">Task <code>${escapeHtml(report.task)}</code> · policy <code>${escapeHtml(report.policy)}</code> · ${escapeHtml(report.createdAt)}</p>`);
  body.push('<table><thead><tr><th></th><th>Sim</th><th>Real</th></tr></thead><tbody>');
  body.push(row('Success rate (95% CI)', `${pct(report.sim.success_rate)} ${ci(report.sim)}`, real ? `${pct(real.success_rate)} ${ci(real)}` : 'not evaluated'));
  body.push(row('Average return', report.sim.avg_return.toFixed(2), real ? real.avg_return.toFixed(2) : '–'));
  body.push(row('Average length (steps)', report.sim.avg_length.toFixed(1), real ? real.avg_length.toFixed(1) : '–'));
  body.push(row('Episodes', `${report.sim.episodes}${report.sim.randomized ? ' (randomized)' : ''}`, real ? String(real.episodes) : '–'));
  body.push('</tbody></table>');
  if (report.gap) {
    const g = report.gap;
    body.push(
      `<p><strong>Transfer gap: ${g.successPoints.toFixed(1)} points (<span class="verdict-${g.verdict}">${g.verdict}${g.uncertain ? ', uncertain' : ''}</span>)</strong>, between ${g.successPointsRange[0].toFixed(1)} and ${g.successPointsRange[1].toFixed(1)} points at 95% confidence.</p>`,
    );
    body.push(`<p class="muted">Thresholds: good below ${GAP_THRESHOLDS.good} points, moderate ${GAP_THRESHOLDS.good}-${GAP_THRESHOLDS.poor}, poor above ${GAP_THRESHOLDS.poor}.</p>`);
    body.push(`<ul>${g.advice.map((a) => `<li>${escapeHtml(a)}</li>`).join('')}</ul>`);
  } else {
    body.push('<p class="muted">No real evaluation yet: the transfer gap needs one (Evaluate on Robot, or <code>sim2real demo</code> with the reality emulator).</p>');
  }
  if (report.robot) {
    body.push(`<p>Real episodes ran on ${escapeHtml(report.robot.address)}${report.robot.profile ? ` (reality emulator, profile ${escapeHtml(report.robot.profile)})` : ''}; ${report.realEpisodesUsed} used.</p>`);
  }
  body.push('<h2>Training</h2>');
  const last = report.training[report.training.length - 1];
  if (last) body.push(`<p>${last.iteration} iterations, ${last.episodes} episodes, ${last.envSteps} env steps, ${(last.elapsedSeconds / 60).toFixed(1)} min.</p>`);
  const charts = options.charts ?? [];
  if (charts.length > 0) {
    for (const chart of charts) body.push(`<figure><img src="${escapeHtml(chart.file)}" alt="${escapeHtml(chart.title)}"><figcaption>${escapeHtml(chart.title)}</figcaption></figure>`);
  } else if (report.training.length > 1) {
    body.push(trainingCurveSvg(report.training));
  }
  if (options.sensitivity) body.push(sensitivityHtml(options.sensitivity));
  if (report.visual) body.push(visualGapHtml(report.visual));
  if (report.calibration) body.push(calibrationHtml(report.calibration));
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<title>Gap report: ${escapeHtml(report.experiment)}</title>
<style>${STYLE}</style>
</head>
<body>
${body.join('\n')}
</body>
</html>
`;
}

function row(label: string, sim: string, real: string): string {
  return `<tr><th>${escapeHtml(label)}</th><td>${escapeHtml(sim)}</td><td>${escapeHtml(real)}</td></tr>`;
}

/** The perception model's puck-position errors (see visualGap.ts). */
function visualGapHtml(gap: VisualGap): string {
  const head = ['Model', 'Visual randomization', 'Sim images', 'Real images', 'Real, before DANN', 'Real, after DANN'].map((h) => `<th>${escapeHtml(h)}</th>`).join('');
  const rows = gap.rows.map((r) => {
    const cells = [r.randomization === undefined ? '?' : r.randomization ? 'yes' : 'no', errorCell(r.simTest), errorCell(r.real), errorCell(r.beforeAdaptation), errorCell(r.afterAdaptation)];
    return `<tr><th>${escapeHtml(r.model)}</th>${cells.map((c) => `<td>${escapeHtml(c)}</td>`).join('')}</tr>`;
  });
  return `<h2>Visual gap (puck perception)</h2><p class="muted">Position error, mean / 95th percentile. Aim: at most ${gap.aimCm} cm mean on real images.</p><table><thead><tr>${head}</tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

/** Calibrated values and the gap before and after calibration (see calibrationGap.ts). */
function calibrationHtml(section: CalibrationSection): string {
  const out = ['<h2>Calibration</h2>'];
  const values = section.values.map((v) => `${v.parameter}${v.target ? ` (${v.target})` : ''} = ${Number(v.value.toPrecision(4))}`).join(', ');
  out.push(`<p>Trained with calibrated nominal values${section.source ? ` from <code>${escapeHtml(section.source)}</code>` : ''}${section.date ? `, measured ${escapeHtml(section.date)}` : ''}: ${escapeHtml(values)}.</p>`);
  const c = section.comparison;
  if (!c) {
    out.push('<p class="muted">No run of this experiment without calibration was evaluated on the same robot, so there is no before/after comparison yet.</p>');
    return out.join('\n');
  }
  out.push(`<p class="muted">On ${escapeHtml(c.robot)}: mean over runs ± standard deviation between runs; real success pooled over all real episodes (95% interval).</p>`);
  out.push('<table><thead><tr><th></th><th>Runs</th><th>Sim success</th><th>Real success (pooled)</th><th>Transfer gap</th></tr></thead><tbody>');
  for (const [label, g] of [['Before (no calibration)', c.before], ['After (this calibration)', c.after]] as const) {
    const cells = [String(g.runs.length), pct(g.meanSimSuccess), `${pct(g.pooledRealSuccess)} [${pct(g.pooledRealCi[0])}, ${pct(g.pooledRealCi[1])}] of ${g.realEpisodes}`, `${g.meanGapPoints.toFixed(1)} ± ${g.gapSpreadPoints.toFixed(1)} points`];
    out.push(`<tr><th>${escapeHtml(label)}</th>${cells.map((x) => `<td>${escapeHtml(x)}</td>`).join('')}</tr>`);
  }
  out.push('</tbody></table>');
  out.push(`<p><strong>${escapeHtml(c.verdict)}</strong></p>`);
  out.push('<table><thead><tr><th>Run</th><th>Group</th><th>Seed</th><th>Sim</th><th>Real</th><th>Gap (points)</th></tr></thead><tbody>');
  for (const [label, g] of [['before', c.before], ['after', c.after]] as const) {
    for (const r of g.runs) out.push(`<tr><th>${escapeHtml(r.runId)}</th><td>${label}</td><td>${r.seed}</td><td>${pct(r.simSuccess)}</td><td>${pct(r.realSuccess)} (${r.realEpisodes}${r.halted ? ', halted' : ''})</td><td>${r.gapPoints.toFixed(1)}</td></tr>`);
  }
  out.push('</tbody></table>');
  return out.join('\n');
}

function sensitivityHtml(s: SensitivityReport): string {
  const out = [`<h2>Per-parameter sensitivity</h2>`, `<p class="muted">Sim success with one parameter fixed at each value and the others nominal; ${s.episodesPerPoint} episodes per point (a trend, not a precise figure). Nominal: ${pct(s.nominal.successRate)}. Values outside the trained range are marked *.</p>`];
  out.push('<table><thead><tr><th>Parameter</th><th>Drop (points)</th><th>Success at each value</th></tr></thead><tbody>');
  for (const p of [...s.parameters].sort((a, b) => b.dropPoints - a.dropPoints)) {
    const points = p.points.map((q) => `${typeof q.value === 'number' ? +q.value.toPrecision(3) : q.value}${q.inRange ? '' : '*'}: ${pct(q.successRate)}`).join(', ');
    out.push(`<tr><th>${escapeHtml(p.name)} <span class="muted">(${escapeHtml(p.unit)})</span></th><td>${p.dropPoints.toFixed(0)}</td><td>${escapeHtml(points)}</td></tr>`);
  }
  out.push('</tbody></table>');
  if (s.skipped.length) out.push(`<p class="muted">Not swept: ${s.skipped.map((k) => `${escapeHtml(k.name)} (${escapeHtml(k.reason)})`).join('; ')}.</p>`);
  return out.join('\n');
}

/** Success (left axis, 0-100%) and average return (right axis, own scale) over training episodes. */
export function trainingCurveSvg(points: readonly TrainingPoint[], width = 640, height = 240): string {
  const pad = 36;
  const xs = points.map((p) => p.episodes);
  const returns = points.map((p) => p.avgReturn);
  const [x0, x1] = [Math.min(...xs), Math.max(...xs)];
  const [r0, r1] = [Math.min(...returns), Math.max(...returns)];
  const x = (v: number): number => pad + ((v - x0) / (x1 - x0 || 1)) * (width - 2 * pad);
  const y = (fraction: number): number => height - pad - fraction * (height - 2 * pad);
  const line = (values: number[], toFraction: (v: number) => number): string => values.map((v, i) => `${x(xs[i]!).toFixed(1)},${y(toFraction(v)).toFixed(1)}`).join(' ');
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" role="img" aria-label="Training curves">
<line class="axis" x1="${pad}" y1="${y(0)}" x2="${width - pad}" y2="${y(0)}"/><line class="axis" x1="${pad}" y1="${y(0)}" x2="${pad}" y2="${y(1)}"/>
<polyline class="success" fill="none" stroke-width="2" points="${line(points.map((p) => p.successRate), (v) => v)}"/>
<polyline class="return" fill="none" stroke-width="1.5" stroke-dasharray="4 3" points="${line(returns, (v) => (v - r0) / (r1 - r0 || 1))}"/>
<text x="${pad}" y="${pad - 8}">success 0-100% (solid) · return ${r0.toFixed(1)} to ${r1.toFixed(1)} (dashed)</text>
<text x="${width - pad}" y="${height - 8}" text-anchor="end">episodes ${x0}-${x1}</text>
</svg>`;
}
