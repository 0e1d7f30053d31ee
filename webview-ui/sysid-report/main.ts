/**
 * The system identification report's page: the identified values with their standard errors; per
 * joint the friction sweep's points with the fitted tau = b·v + c·sign(v) and the residuals; the
 * inertia trials; the delay histogram; the sensors' noise at rest. Everything arrives by message after the ready handshake.
 */
import './main.css';
import '@vscode-elements/elements/dist/vscode-button/index.js';
import { BarController, BarElement, CategoryScale, Chart, Legend, LinearScale, LineController, LineElement, PointElement, ScatterController, Title, Tooltip } from 'chart.js';
import { SYSID_HOST_MESSAGES, type DelayFit, type JointFrictionFit, type JointInertiaFit, type SensorNoiseFit, type SysidHostMessage, type SysidResult, type SysidWebviewMessage } from '../../src/messages/sysidReport';
import { listen, post } from '../shared/messaging';
import { el } from '../shared/dom';

Chart.register(LineController, ScatterController, BarController, LineElement, PointElement, BarElement, LinearScale, CategoryScale, Legend, Tooltip, Title);

const app = document.getElementById('app')!;
const charts: Chart[] = [];

function themeColour(name: string, fallbackVariable = '--vscode-foreground'): string {
  const style = getComputedStyle(document.body);
  return style.getPropertyValue(name).trim() || style.getPropertyValue(fallbackVariable).trim();
}

/** 4 significant digits, no float noise. */
const num = (x: number): string => String(Number(x.toPrecision(4)));
const pm = (value: number, stdError: number, unit: string): string => `${num(value)} ± ${num(stdError)} ${unit}`;

function axes(x: string, y: string) {
  const grid = { color: themeColour('--vscode-widget-border', '--vscode-descriptionForeground') };
  const ticks = { color: themeColour('--vscode-descriptionForeground') };
  return {
    x: { type: 'linear' as const, title: { display: true, text: x, color: ticks.color }, grid, ticks },
    y: { type: 'linear' as const, title: { display: true, text: y, color: ticks.color }, grid, ticks },
  };
}

function chartBox(id: string, small = false): { box: HTMLElement; canvas: HTMLCanvasElement } {
  const canvas = el('canvas', { id, 'data-chart': id });
  return { box: el('div', { class: small ? 'chart small' : 'chart' }, canvas), canvas };
}

function legend() {
  return { labels: { color: themeColour('--vscode-foreground') } };
}

function frictionCard(fit: JointFrictionFit): HTMLElement {
  const b = fit.viscousNmsPerRad;
  const c = fit.coulombNm;
  const curve = el('div');
  const residuals = el('div');
  const card = el(
    'section',
    { class: 'card', 'data-joint': fit.joint },
    el('h2', {}, `Friction: ${fit.joint}`),
    el('div', {}, `viscous b = ${pm(b.value, b.stdError, 'N·m·s/rad')} · Coulomb c = ${pm(c.value, c.stdError, 'N·m')}`),
    el('div', { class: 'muted' }, `${fit.points.length} points · RMS residual ${num(fit.rmsResidualNm)} N·m · ${fit.iterations} Levenberg-Marquardt iterations`),
    curve,
    residuals,
  );
  const speeds = fit.points.map((p) => p.velocityRadPerS);
  const top = Math.max(1e-3, ...speeds.map(Math.abs));
  // the fitted law drawn on both sides of zero, with its jump of 2c at v = 0
  const line: { x: number; y: number }[] = [];
  for (const side of [-1, 1]) {
    const ends = side < 0 ? [-top, -1e-9] : [1e-9, top];
    for (const v of ends) line.push({ x: v, y: b.value * v + c.value * side });
    if (side < 0) line.push({ x: Number.NaN, y: Number.NaN });
  }
  const { box, canvas } = chartBox(`friction-${fit.joint}`);
  curve.append(box);
  charts.push(
    new Chart(canvas, {
      type: 'scatter',
      data: {
        datasets: [
          { label: 'measured (steady state)', data: fit.points.map((p) => ({ x: p.velocityRadPerS, y: p.torqueNm })), backgroundColor: themeColour('--vscode-charts-blue'), pointRadius: 3 },
          { type: 'line', label: 'fit b·v + c·sign(v)', data: line, borderColor: themeColour('--vscode-charts-orange'), pointRadius: 0, spanGaps: false, showLine: true } as never,
        ],
      },
      options: { animation: false, maintainAspectRatio: false, scales: axes('joint speed, rad/s', 'torque, N·m'), plugins: { legend: legend() } },
    }),
  );
  const res = chartBox(`residuals-${fit.joint}`, true);
  residuals.append(res.box);
  charts.push(
    new Chart(res.canvas, {
      type: 'scatter',
      data: { datasets: [{ label: 'residual (measured − fit)', data: fit.points.map((p, i) => ({ x: p.velocityRadPerS, y: fit.residualsNm[i] ?? Number.NaN })), backgroundColor: themeColour('--vscode-charts-purple'), pointRadius: 3 }] },
      options: { animation: false, maintainAspectRatio: false, scales: axes('joint speed, rad/s', 'residual, N·m'), plugins: { legend: legend() } },
    }),
  );
  return card;
}

function inertiaCard(fits: readonly JointInertiaFit[]): HTMLElement {
  const { box, canvas } = chartBox('inertia');
  const card = el('section', { class: 'card' }, el('h2', {}, 'Inertia trials'), el('div', {}, fits.map((f) => `${f.joint}: ${pm(f.inertiaKgM2.value, f.inertiaKgM2.stdError, 'kg·m²')}`).join(' · ')), box);
  charts.push(
    new Chart(canvas, {
      type: 'scatter',
      data: {
        datasets: fits.map((f, j) => ({
          label: f.joint,
          data: f.trialsKgM2.map((v, i) => ({ x: i + 1, y: v })),
          backgroundColor: themeColour(['--vscode-charts-blue', '--vscode-charts-green', '--vscode-charts-red'][j % 3]!),
          pointRadius: 4,
        })),
      },
      options: { animation: false, maintainAspectRatio: false, scales: axes('trial', 'I = τ / α, kg·m²'), plugins: { legend: legend() } },
    }),
  );
  return card;
}

function delayCard(delay: DelayFit): HTMLElement {
  const { box, canvas } = chartBox('delay');
  const samples = delay.samplesMs;
  const low = Math.min(...samples);
  const high = Math.max(...samples);
  const bins = Math.max(1, Math.min(20, Math.ceil(Math.sqrt(samples.length))));
  const width = (high - low) / bins || 1;
  const counts = new Array<number>(bins).fill(0);
  for (const s of samples) counts[Math.min(bins - 1, Math.floor((s - low) / width))]! += 1;
  const card = el(
    'section',
    { class: 'card' },
    el('h2', {}, 'Command delay'),
    el('div', {}, `${num(delay.meanMs)} ± ${num(delay.stdMs)} ms (median ${num(delay.medianMs)} ms) · ${num(delay.meanSteps)} control steps of ${num(delay.controlPeriodMs)} ms · ${samples.length} steps`),
    box,
  );
  charts.push(
    new Chart(canvas, {
      type: 'bar',
      data: { labels: counts.map((_, i) => num(low + (i + 0.5) * width)), datasets: [{ label: 'step commands', data: counts, backgroundColor: themeColour('--vscode-charts-green') }] },
      options: {
        animation: false,
        maintainAspectRatio: false,
        scales: { x: { title: { display: true, text: 'delay, ms', color: themeColour('--vscode-descriptionForeground') }, ticks: { color: themeColour('--vscode-descriptionForeground') } }, y: { title: { display: true, text: 'count', color: themeColour('--vscode-descriptionForeground') }, ticks: { color: themeColour('--vscode-descriptionForeground') } } },
        plugins: { legend: legend() },
      },
    }),
  );
  return card;
}

/** What the policy's sensors add to the truth: per joint and for the tracked object, with the tracker's rate. */
function sensorCard(sensors: SensorNoiseFit): HTMLElement {
  const table = el('table', { class: 'values' }, el('tr', {}, el('th', {}, 'sensor'), el('th', {}, 'noise (std) ± std error'), el('th', {}, 'rate')));
  for (const j of sensors.joints) {
    table.append(el('tr', {}, el('td', {}, `${j.joint} angle`), el('td', {}, pm(j.positionNoiseRad.value, j.positionNoiseRad.stdError, 'rad')), el('td', {}, '—')));
    table.append(el('tr', {}, el('td', {}, `${j.joint} velocity`), el('td', {}, pm(j.velocityNoiseRadPerS.value, j.velocityNoiseRadPerS.stdError, 'rad/s')), el('td', {}, '—')));
  }
  const o = sensors.object;
  if (o) table.append(el('tr', {}, el('td', {}, `${o.object} position (per axis)`), el('td', {}, pm(o.positionNoiseM.value, o.positionNoiseM.stdError, 'm')), el('td', {}, pm(o.trackingRateHz.value, o.trackingRateHz.stdError, 'Hz'))));
  return el(
    'section',
    { class: 'card', 'data-card': 'sensors' },
    el('h2', {}, 'Sensors at rest'),
    el('div', { class: 'muted' }, `${sensors.durationS} s held still, ${sensors.jointStates} joint states${o ? `, ${o.poses} tracked poses` : ''}: the noise the policy sees on each channel`),
    table,
  );
}

function render(message: SysidHostMessage): void {
  for (const chart of charts.splice(0)) chart.destroy();
  app.replaceChildren();
  const result: SysidResult = message.result;
  const apply = el('vscode-button', { id: 'apply', icon: 'check' }, 'Apply to Experiment…');
  apply.addEventListener('click', () => post<SysidWebviewMessage>({ kind: 'apply' }));
  const where = result.source.kind === 'robot' ? `live on ${result.source.address}` : `from ${result.source.format.toUpperCase()} log ${result.source.file}`;
  app.append(
    el('header', { class: 'toolbar' }, el('h1', {}, `System identification: ${message.experiment}`), apply),
    el('div', { class: 'muted' }, `${message.runId} · ${where} · ${new Date(result.createdAt).toLocaleString()} · task ${result.task}`),
  );
  if (result.warnings.length) app.append(el('ul', { class: 'warnings' }, ...result.warnings.map((w) => el('li', {}, w))));
  const table = el('table', { class: 'values' }, el('tr', {}, el('th', {}, 'parameter'), el('th', {}, 'target'), el('th', {}, 'value ± std error')));
  for (const id of result.identified) table.append(el('tr', {}, el('td', {}, id.parameter), el('td', {}, id.target ?? '—'), el('td', {}, pm(id.value, id.stdError, id.unit))));
  app.append(el('h2', {}, 'Identified values'), table);
  const cards = el('section', { class: 'cards' });
  for (const fit of result.friction) cards.append(frictionCard(fit));
  if (result.inertia.length) cards.append(inertiaCard(result.inertia));
  if (result.delay && result.delay.samplesMs.length) cards.append(delayCard(result.delay));
  if (result.sensors) cards.append(sensorCard(result.sensors));
  app.append(cards);
}

listen(SYSID_HOST_MESSAGES.parse, render);
