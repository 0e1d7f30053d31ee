/**
 * The gap report panel's page: for each run, sim and real side by side with intervals, the transfer
 * gap with its verdict and advice; training curves (chart.js) with the periodic evaluations marked;
 * per-parameter sensitivity curves; export of the charts as PNG. Everything arrives by message after
 * the ready handshake and is redrawn whole on each update (a run that trains sends one every few
 * seconds, and a redraw without animation is cheaper than diffing).
 */
import './main.css';
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-badge/index.js';
import '@vscode-elements/elements/dist/vscode-progress-ring/index.js';
import { CategoryScale, Chart, Legend, LinearScale, LineController, LineElement, PointElement, ScatterController, Title, Tooltip, type ChartDataset } from 'chart.js';
import {
  GAP_HOST_MESSAGES,
  type CalibrationSection,
  type ChartName,
  type EvaluationReport,
  type ExportMessage,
  type GapHostMessage,
  type GapReport,
  type GapWebviewMessage,
  type ParameterSensitivity,
  type PositionErrors,
  type RunView,
  type StagesSection,
  type VisualGap,
} from '../../src/messages/gapReport';
import { listen, post } from '../shared/messaging';
import { pct, pctOrDash } from '../../src/common/format';
import { el } from '../shared/dom';

Chart.register(LineController, ScatterController, LineElement, PointElement, LinearScale, CategoryScale, Legend, Tooltip, Title);

let runs: readonly RunView[] = [];
const sweepState = new Map<string, string | undefined>();
const charts: Chart[] = [];

const app = document.getElementById('app')!;

const ci = (r: EvaluationReport): string => `[${pct(r.success_ci[0])}, ${pct(r.success_ci[1])}]`;

/** A theme colour by VS Code variable name, read now (themes change at run time). */
function themeColour(name: string, fallbackVariable = '--vscode-foreground'): string {
  const style = getComputedStyle(document.body);
  return style.getPropertyValue(name).trim() || style.getPropertyValue(fallbackVariable).trim();
}

const SERIES = ['--vscode-charts-blue', '--vscode-charts-orange', '--vscode-charts-green', '--vscode-charts-purple', '--vscode-charts-red', '--vscode-charts-yellow'];
const seriesColour = (i: number): string => themeColour(SERIES[i % SERIES.length]!);

function render(): void {
  for (const chart of charts.splice(0)) chart.destroy();
  app.replaceChildren();
  const compare = runs.length > 1;
  const exportButton = el('vscode-button', { id: 'export', icon: 'export' }, 'Export Markdown + HTML');
  exportButton.addEventListener('click', exportCharts);
  app.append(el('header', { class: 'toolbar' }, el('h1', {}, compare ? `Comparing ${runs.length} runs` : `Gap report: ${runs[0]?.experiment || runs[0]?.runId || ''}`), exportButton, el('span', { id: 'export-status', class: 'muted' })));

  const grid = el('section', { class: 'runs' });
  runs.forEach((run, index) => grid.append(runCard(run, index)));
  app.append(grid);

  const staged = runs.find((r) => r.report?.stages)?.report?.stages;
  if (staged) app.append(stagesSection(staged));

  app.append(el('h2', {}, 'Training curves'));
  const hasCurves = runs.some((r) => r.training.length > 0);
  if (hasCurves) {
    const canvas = el('canvas', { id: 'training-curves', 'aria-label': 'Return and success over training episodes' });
    app.append(el('div', { class: 'chart' }, canvas));
    charts.push(trainingChart(canvas));
    app.append(el('p', { class: 'muted' }, 'Solid: success over training episodes (left axis). Dashed: average return (right axis). Dots: periodic sim evaluations; triangles: evaluations on the robot.'));
  } else {
    app.append(el('p', { class: 'muted' }, 'No training metrics yet.'));
  }
  app.append(sensitivitySection());
}

function runCard(run: RunView, index: number): HTMLElement {
  const card = el('article', { class: 'card run', 'data-run': run.runId });
  const swatch = el('span', { class: 'swatch' });
  swatch.style.background = seriesColour(index);
  card.append(el('h2', {}, swatch, run.runId, ' ', el('vscode-badge', { variant: 'counter' }, run.status)));
  if (run.experiment) card.append(el('p', { class: 'muted' }, `experiment ${run.experiment}`));
  const report = run.report;
  if (!report) {
    card.append(el('p', { class: 'note' }, run.note ?? 'No report yet.'));
    if (run.visual) card.append(visualGapBlock(run.visual));
    return card;
  }
  card.append(figuresTable(report));
  card.append(gapBlock(report));
  if (report.visual) card.append(visualGapBlock(report.visual));
  if (report.calibration) card.append(calibrationBlock(report.calibration));
  return card;
}

/** The calibrated values this run was trained with, and the transfer gap of the experiment's runs before and after calibration. */
function calibrationBlock(section: CalibrationSection): HTMLElement {
  const values = section.values.map((v) => `${v.parameter}${v.target ? ` (${v.target})` : ''} = ${Number(v.value.toPrecision(4))}`).join(', ');
  const block = el('section', { class: 'calibration' }, el('h3', {}, 'Calibration'), el('p', { class: 'muted' }, `Trained with calibrated values${section.date ? ` measured ${section.date}` : ''}: ${values}.`));
  const c = section.comparison;
  if (!c) {
    block.append(el('p', { class: 'muted', 'data-metric': 'calibration-change' }, 'No run of this experiment without calibration was evaluated on the same robot yet: no before/after comparison.'));
    return block;
  }
  const head = ['', 'Runs', 'Sim', 'Real (pooled, 95%)', 'Gap (mean ± sd)'].map((h) => el('th', { scope: 'col' }, h));
  const rows = ([['Before', 'before', c.before], ['After', 'after', c.after]] as const).map(([label, key, g]) =>
    el(
      'tr',
      { 'data-group': key },
      el('th', { scope: 'row' }, label),
      el('td', {}, String(g.runs.length)),
      el('td', {}, pct(g.meanSimSuccess)),
      el('td', {}, `${pct(g.pooledRealSuccess)} [${pct(g.pooledRealCi[0])}, ${pct(g.pooledRealCi[1])}] of ${g.realEpisodes}`),
      el('td', { 'data-metric': `calibration-gap-${key}` }, `${g.meanGapPoints.toFixed(1)} ± ${g.gapSpreadPoints.toFixed(1)}`),
    ),
  );
  const change = c.gapChangePoints;
  block.append(
    el('table', { class: 'figures' }, el('thead', {}, el('tr', {}, ...head)), el('tbody', {}, ...rows)),
    el('p', {}, el('span', { class: `codicon codicon-${c.gapSizeChangePoints < 0 ? 'pass' : 'warning'}` }), ' Calibration changed the mean gap by ', el('strong', { 'data-metric': 'calibration-change' }, `${change <= 0 ? '' : '+'}${change.toFixed(1)} points`)),
    el('p', { 'data-metric': 'calibration-verdict' }, c.verdict),
    el('p', { class: 'muted' }, `Runs of this experiment on ${c.robot}: before = trained without a calibration block, after = with this one. Gap in points of success; sd between runs (training seeds).`),
  );
  return block;
}

/** The perception model's puck-position error: sim vs real images, with/without randomization, before/after DANN. */
function visualGapBlock(visual: VisualGap): HTMLElement {
  const cm = (e: PositionErrors | undefined): string => (e ? `${e.meanCm.toFixed(2)} / ${e.p95Cm.toFixed(2)} cm` : '–');
  const head = ['Model', 'Randomized', 'Sim', 'Real', 'Before DANN', 'After DANN'].map((h) => el('th', { scope: 'col' }, h));
  const rows = visual.rows.map((r) =>
    el(
      'tr',
      { 'data-model': r.model },
      el('th', { scope: 'row' }, r.model),
      el('td', {}, r.randomization === undefined ? '?' : r.randomization ? 'yes' : 'no'),
      el('td', { 'data-metric': 'visual-sim' }, cm(r.simTest)),
      el('td', { 'data-metric': 'visual-real' }, cm(r.real)),
      el('td', { 'data-metric': 'visual-before' }, cm(r.beforeAdaptation)),
      el('td', { 'data-metric': 'visual-after' }, cm(r.afterAdaptation)),
    ),
  );
  return el(
    'section',
    { class: 'visual-gap' },
    el('h3', {}, 'Visual gap (puck perception)'),
    el('table', { class: 'figures' }, el('thead', {}, el('tr', {}, ...head)), el('tbody', {}, ...rows)),
    el('p', { class: 'muted' }, `Position error, mean / 95th percentile. Aim: at most ${visual.aimCm} cm mean on real images (Tobin et al. 2017).`),
  );
}

function figuresTable(report: GapReport): HTMLTableElement {
  const real = report.real;
  const cell = (metric: string, text: string): HTMLTableCellElement => el('td', { 'data-metric': metric }, text);
  const row = (label: string, ...cells: HTMLTableCellElement[]): HTMLTableRowElement => el('tr', {}, el('th', { scope: 'row' }, label), ...cells);
  return el(
    'table',
    { class: 'figures' },
    el('thead', {}, el('tr', {}, el('th', {}), el('th', { scope: 'col' }, 'Sim'), el('th', { scope: 'col' }, 'Real'))),
    el(
      'tbody',
      {},
      row('Success rate', cell('sim-success', pct(report.sim.success_rate)), cell('real-success', real ? pct(real.success_rate) : 'not evaluated')),
      row('95% interval', cell('sim-success-ci', ci(report.sim)), cell('real-success-ci', real ? ci(real) : '–')),
      row('Average return', cell('sim-return', report.sim.avg_return.toFixed(2)), cell('real-return', real ? real.avg_return.toFixed(2) : '–')),
      row('Average length (steps)', cell('sim-length', report.sim.avg_length.toFixed(1)), cell('real-length', real ? real.avg_length.toFixed(1) : '–')),
      row('Episodes', cell('sim-episodes', `${report.sim.episodes}${report.sim.randomized ? ' (randomized)' : ''}`), cell('real-episodes', real ? String(real.episodes) : '–')),
    ),
  );
}

function gapBlock(report: GapReport): HTMLElement {
  const gap = report.gap;
  if (!gap) return el('p', { class: 'muted', 'data-metric': 'gap' }, 'Transfer gap: needs an evaluation on the robot (right-click the run: Evaluate on Robot).');
  const icon = gap.verdict === 'good' ? 'pass' : gap.verdict === 'moderate' ? 'warning' : 'error';
  return el(
    'div',
    { class: `gap verdict-${gap.verdict}` },
    el(
      'p',
      {},
      el('span', { class: `codicon codicon-${icon}` }),
      ' Transfer gap ',
      el('strong', { 'data-metric': 'gap' }, `${gap.successPoints.toFixed(1)} points`),
      ' · ',
      el('strong', { 'data-metric': 'verdict' }, gap.verdict),
      gap.uncertain ? ' (uncertain)' : '',
    ),
    el('p', { class: 'muted' }, `95% range ${gap.successPointsRange[0].toFixed(1)} to ${gap.successPointsRange[1].toFixed(1)} points · good < 10, moderate 10-30, poor > 30`),
    el('ul', { class: 'advice' }, ...gap.advice.map((a) => el('li', {}, a))),
  );
}

function baseScales(): Record<string, unknown> {
  const grid = themeColour('--vscode-charts-lines', '--vscode-panel-border');
  const ticks = { color: themeColour('--vscode-descriptionForeground') };
  return { grid: { color: grid }, ticks };
}

function trainingChart(canvas: HTMLCanvasElement): Chart {
  const datasets: ChartDataset<'line' | 'scatter', { x: number; y: number }[]>[] = [];
  runs.forEach((run, i) => {
    const colour = seriesColour(i);
    const name = runs.length > 1 ? `${run.runId} ` : '';
    datasets.push({ type: 'line', label: `${name}success`, data: run.training.map((p) => ({ x: p.episodes, y: 100 * p.successRate })), borderColor: colour, backgroundColor: colour, yAxisID: 'success', pointRadius: 0, borderWidth: 2 });
    datasets.push({ type: 'line', label: `${name}return`, data: run.training.map((p) => ({ x: p.episodes, y: p.avgReturn })), borderColor: colour, backgroundColor: colour, yAxisID: 'return', pointRadius: 0, borderWidth: 1.5, borderDash: [5, 4] });
    const sim = run.evaluations.filter((e) => e.stage !== 'robot');
    const robot = run.evaluations.filter((e) => e.stage === 'robot');
    if (sim.length) datasets.push({ type: 'scatter', label: `${name}sim evaluations`, data: sim.map((e) => ({ x: e.episodes, y: 100 * e.successRate })), borderColor: colour, backgroundColor: colour, yAxisID: 'success', pointRadius: 4 });
    // the final real evaluation sits at the end of training, beside the periodic ones
    const lastEpisodes = run.training[run.training.length - 1]?.episodes ?? 0;
    const realPoints = [...robot.map((e) => ({ x: e.episodes, y: 100 * e.successRate })), ...(run.report?.real ? [{ x: lastEpisodes, y: 100 * run.report.real.success_rate }] : [])];
    if (realPoints.length) datasets.push({ type: 'scatter', label: `${name}real evaluations`, data: realPoints, borderColor: colour, backgroundColor: 'transparent', yAxisID: 'success', pointStyle: 'triangle', pointRadius: 7, borderWidth: 2 });
  });
  const foreground = themeColour('--vscode-foreground');
  return new Chart(canvas, {
    type: 'line',
    data: { datasets },
    options: {
      animation: false,
      responsive: true,
      maintainAspectRatio: false,
      parsing: false,
      color: foreground,
      plugins: { legend: { labels: { color: foreground } } },
      scales: {
        x: { type: 'linear', title: { display: true, text: 'training episodes', color: foreground }, ...baseScales() },
        success: { type: 'linear', position: 'left', min: 0, max: 100, title: { display: true, text: 'success %', color: foreground }, ...baseScales() },
        return: { type: 'linear', position: 'right', title: { display: true, text: 'average return', color: foreground }, ...baseScales(), grid: { drawOnChartArea: false } },
      },
    },
  });
}

/** The transfer pipeline stage by stage: sim and real success and the gap, and the real episodes used. */
function stagesSection(section: StagesSection): HTMLElement {
  const box = el('section', { class: 'stages' }, el('h2', {}, 'Transfer stages'));
  box.append(el('p', { class: 'muted' }, `Pipeline ${section.status}: ${section.message}`));
  box.append(el('p', { class: 'budget' }, el('strong', {}, `Real-robot episodes used: ${section.realEpisodesUsed} of ${section.realEpisodeBudget}`)));
  const points = section.stages;
  const measured = points.filter((p) => p.simSuccess !== undefined || p.realSuccess !== undefined);
  if (measured.length > 0) {
    const canvas = el('canvas', { id: 'transfer-stages', 'aria-label': 'Sim and real success and the gap per stage' });
    box.append(el('div', { class: 'chart' }, canvas));
    const percent = (x: number | undefined): number | null => (x === undefined ? null : 100 * x);
    const text = themeColour('--vscode-foreground');
    const grid = themeColour('--vscode-editorWidget-border', '--vscode-foreground');
    charts.push(
      new Chart(canvas, {
        type: 'line',
        data: {
          labels: points.map((p) => p.name),
          datasets: [
            { label: 'sim success %', data: points.map((p) => percent(p.simSuccess)), borderColor: seriesColour(0), backgroundColor: seriesColour(0), spanGaps: true },
            { label: 'real success %', data: points.map((p) => percent(p.realSuccess)), borderColor: seriesColour(1), backgroundColor: seriesColour(1), spanGaps: true },
            { label: 'gap (points)', data: points.map((p) => p.gapPoints ?? null), borderColor: seriesColour(4), backgroundColor: seriesColour(4), borderDash: [6, 4], spanGaps: true },
          ],
        },
        options: {
          animation: false,
          responsive: true,
          maintainAspectRatio: false,
          scales: { x: { ticks: { color: text }, grid: { color: grid } }, y: { min: 0, max: 100, title: { display: true, text: 'percent / points', color: text }, ticks: { color: text }, grid: { color: grid } } },
          plugins: { legend: { labels: { color: text } } },
        },
      }),
    );
  }
  const table = el('table', { class: 'stages-table' }, el('tr', {}, ...['Stage', 'Kind', 'State', 'Sim', 'Real', 'Gap', 'Episodes (sim / real)'].map((h) => el('th', {}, h))));
  for (const p of points) {
    const row = el('tr', { 'data-stage': p.name, 'data-state': p.state }, el('td', {}, p.name), el('td', {}, p.kind), el('td', {}, p.state.replace('_', ' ')), el('td', {}, pctOrDash(p.simSuccess)), el('td', {}, pctOrDash(p.realSuccess)), el('td', {}, p.gapPoints === undefined ? '–' : p.gapPoints.toFixed(1)), el('td', {}, `${p.simEpisodes} / ${p.realEpisodes}`));
    if (p.message) row.title = p.message;
    table.append(row);
  }
  box.append(table);
  box.append(el('p', { class: 'muted' }, "A robot stage's real success is over its training episodes (perturbed policies); the final evaluation runs the exported policy."));
  return box;
}

function sensitivitySection(): HTMLElement {
  const section = el('section', { class: 'sensitivity' }, el('h2', {}, 'Per-parameter sensitivity'));
  section.append(el('p', { class: 'muted' }, 'Sim success with one randomized parameter fixed at each value, every other parameter nominal. Filled points lie inside the trained range, hollow ones beyond it. Each point is a small evaluation (10 episodes by default): read trends, not decimals.'));
  const controls = el('div', { class: 'sweeps' });
  for (const run of runs) {
    const state = sweepState.get(run.runDir);
    const running = sweepState.has(run.runDir);
    const label = `${runs.length > 1 ? `${run.runId}: ` : ''}${run.sensitivity ? 'Recompute sensitivity' : 'Compute sensitivity'}`;
    const button = el('vscode-button', { secondary: '', icon: 'pulse', 'data-run': run.runId }, label);
    if (running || !run.report) button.setAttribute('disabled', '');
    button.addEventListener('click', () => post<GapWebviewMessage>({ kind: 'computeSensitivity', runDir: run.runDir }));
    controls.append(el('div', {}, button, running ? el('span', { class: 'muted' }, ' ', el('vscode-progress-ring', {}), ` ${state ?? ''}`) : ''));
  }
  section.append(controls);
  const swept = runs.filter((r) => r.sensitivity);
  if (swept.length === 0) return section;
  const names = [...new Set(swept.flatMap((r) => r.sensitivity!.parameters.map((p) => p.name)))];
  // most fragile first, by the largest drop any run shows
  const drop = (name: string): number => Math.max(...swept.map((r) => r.sensitivity!.parameters.find((p) => p.name === name)?.dropPoints ?? 0));
  names.sort((a, b) => drop(b) - drop(a));
  const gridEl = el('div', { class: 'sensitivity-grid', id: 'sensitivity' });
  for (const name of names) {
    const canvas = el('canvas', { 'aria-label': `success as ${name} varies`, 'data-parameter': name });
    gridEl.append(el('div', { class: 'chart small' }, canvas));
    charts.push(sensitivityChart(canvas, name));
  }
  section.append(gridEl);
  const skipped = swept.flatMap((r) => r.sensitivity!.skipped.map((s) => s.name));
  if (skipped.length) section.append(el('p', { class: 'muted' }, `Not swept: ${[...new Set(skipped)].join(', ')} (visual parameters do not reach a state-observation policy).`));
  return section;
}

function sensitivityChart(canvas: HTMLCanvasElement, name: string): Chart {
  const foreground = themeColour('--vscode-foreground');
  let info: ParameterSensitivity | undefined;
  const datasets: ChartDataset<'line', { x: number; y: number }[]>[] = [];
  runs.forEach((run, i) => {
    const parameter = run.sensitivity?.parameters.find((p) => p.name === name);
    if (!parameter) return;
    info ??= parameter;
    const colour = seriesColour(i);
    const numeric = parameter.points.filter((p) => typeof p.value === 'number');
    datasets.push({
      type: 'line',
      label: runs.length > 1 ? run.runId : 'sim success',
      data: numeric.map((p) => ({ x: p.value as number, y: 100 * p.successRate })),
      borderColor: colour,
      pointBackgroundColor: numeric.map((p) => (p.inRange ? colour : 'transparent')),
      pointBorderColor: colour,
      pointRadius: 4,
      borderWidth: 1.5,
    });
  });
  return new Chart(canvas, {
    type: 'line',
    data: { datasets },
    options: {
      animation: false,
      responsive: true,
      maintainAspectRatio: false,
      parsing: false,
      color: foreground,
      plugins: {
        legend: { display: runs.length > 1, labels: { color: foreground } },
        title: { display: true, color: foreground, text: `${name}${info ? ` (${info.unit}) · drop ${info.dropPoints.toFixed(0)} pts` : ''}` },
      },
      scales: {
        x: { type: 'linear', ...baseScales() },
        y: { min: 0, max: 100, title: { display: true, text: 'success %', color: foreground }, ...baseScales() },
      },
    },
  });
}

/** A canvas on the editor's background (a transparent PNG is unreadable in the other theme). */
function opaque(canvases: HTMLCanvasElement[], columns: number): string {
  const width = Math.max(...canvases.map((c) => c.width));
  const height = Math.max(...canvases.map((c) => c.height));
  const rows = Math.ceil(canvases.length / columns);
  const out = document.createElement('canvas');
  out.width = width * Math.min(columns, canvases.length);
  out.height = height * rows;
  const g = out.getContext('2d')!;
  g.fillStyle = themeColour('--vscode-editor-background');
  g.fillRect(0, 0, out.width, out.height);
  canvases.forEach((c, i) => g.drawImage(c, (i % columns) * width, Math.floor(i / columns) * height));
  return out.toDataURL('image/png');
}

function exportCharts(): void {
  const images: { name: ChartName; dataUrl: string }[] = [];
  const training = document.getElementById('training-curves') as HTMLCanvasElement | null;
  if (training) images.push({ name: 'training-curves', dataUrl: opaque([training], 1) });
  const stages = document.getElementById('transfer-stages') as HTMLCanvasElement | null;
  if (stages) images.push({ name: 'transfer-stages', dataUrl: opaque([stages], 1) });
  const sensitivity = Array.from(document.querySelectorAll<HTMLCanvasElement>('#sensitivity canvas'));
  if (sensitivity.length) images.push({ name: 'sensitivity', dataUrl: opaque(sensitivity, 2) });
  // in a comparison every run's folder gets the combined charts
  const message: ExportMessage = { kind: 'export', charts: runs.flatMap((run) => images.map((image) => ({ runDir: run.runDir, ...image }))) };
  document.getElementById('export-status')!.textContent = ' exporting…';
  post<GapWebviewMessage>(message);
}

function onMessage(message: GapHostMessage): void {
  switch (message.kind) {
    case 'runs':
      runs = message.runs;
      render();
      break;
    case 'sensitivityState':
      if (message.running) sweepState.set(message.runDir, message.message);
      else sweepState.delete(message.runDir);
      render();
      break;
    case 'exported': {
      const status = document.getElementById('export-status');
      if (status) status.textContent = message.files.length ? ` exported ${message.files.length} files` : ' nothing to export yet';
      break;
    }
  }
}

// Chart colours come from the theme: redraw when the user switches themes.
new MutationObserver(() => render()).observe(document.body, { attributes: true, attributeFilter: ['class'] });

listen(GAP_HOST_MESSAGES.parse, onMessage);
