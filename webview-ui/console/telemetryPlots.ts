/**
 * The console's two live plots (joint positions, joint commands) as chart.js line charts on any
 * canvas: an OffscreenCanvas inside the plot worker (plotWorker.ts), or the page's own canvas when
 * the webview cannot start a worker. Redraws are throttled: telemetry arrives at 20 Hz and a person
 * reads a plot no faster, while every redraw on the page's thread delays the stop button's press.
 */
import { Chart, Legend, LinearScale, LineController, LineElement, PointElement } from 'chart.js';
import { RedrawThrottle, type FrameScope } from './redrawThrottle';

Chart.register(LineController, LineElement, PointElement, LinearScale, Legend);

/** Seconds of telemetry the plots keep. */
export const WINDOW_S = 10;
export const JOINTS = ['shoulder', 'elbow', 'wrist'] as const;
/** Shortest time between two redraws, ms (20 frames per second at most). */
const MIN_REDRAW_MS = 50;

/** One telemetry sample as the plots need it (a subset of the protocol's RobotTelemetrySample). */
export interface PlotSample {
  readonly tMs: number;
  readonly position: readonly number[];
  readonly command: readonly number[];
}

/** Theme colours read on the page (CSS variables do not reach a worker). */
export interface PlotTheme {
  readonly series: readonly string[];
  readonly text: string;
  readonly grid: string;
}

export type PlotCanvas = HTMLCanvasElement | OffscreenCanvas;
export type PointCounts = { readonly position: number; readonly command: number };

type LineChart = Chart<'line', { x: number; y: number }[]>;

function makeChart(canvas: PlotCanvas, theme: PlotTheme, devicePixelRatio: number, responsive: boolean): LineChart {
  return new Chart(canvas as HTMLCanvasElement, {
    type: 'line',
    data: { datasets: JOINTS.map((name, i) => ({ label: name, data: [], borderColor: theme.series[i], backgroundColor: theme.series[i], pointRadius: 0, borderWidth: 1.5 })) },
    options: {
      animation: false,
      // an OffscreenCanvas has no layout to follow: the page sends its size (resize())
      responsive,
      maintainAspectRatio: false,
      devicePixelRatio,
      parsing: false,
      normalized: true,
      events: [],
      scales: {
        x: { type: 'linear', title: { display: true, text: 's', color: theme.text }, ticks: { color: theme.text }, grid: { color: theme.grid } },
        y: { ticks: { color: theme.text }, grid: { color: theme.grid } },
      },
      plugins: { legend: { labels: { color: theme.text } } },
    },
  });
}

export interface TelemetryPlotsOptions {
  readonly theme: PlotTheme;
  readonly devicePixelRatio: number;
  /** True on the page's own canvases (chart.js follows their layout). */
  readonly responsive: boolean;
  /** Frames and time where the plots live (page or worker). */
  readonly scope: FrameScope;
  /** Called after each redraw with how many points each plot holds. */
  readonly onRedraw: (counts: PointCounts) => void;
}

export class TelemetryPlots {
  private readonly position: LineChart;
  private readonly command: LineChart;
  private t0: number | undefined;
  private readonly throttle: RedrawThrottle;

  constructor(positionCanvas: PlotCanvas, commandCanvas: PlotCanvas, private readonly options: TelemetryPlotsOptions) {
    this.position = makeChart(positionCanvas, options.theme, options.devicePixelRatio, options.responsive);
    this.command = makeChart(commandCanvas, options.theme, options.devicePixelRatio, options.responsive);
    this.throttle = new RedrawThrottle(MIN_REDRAW_MS, options.scope, () => this.redraw());
  }

  add(samples: readonly PlotSample[]): void {
    for (const s of samples) {
      this.t0 ??= s.tMs;
      const x = (s.tMs - this.t0) / 1000;
      for (let j = 0; j < JOINTS.length; j++) {
        const p = s.position[j];
        const c = s.command[j];
        if (p !== undefined) this.position.data.datasets[j]!.data.push({ x, y: p });
        if (c !== undefined) this.command.data.datasets[j]!.data.push({ x, y: c });
      }
    }
    this.throttle.request();
  }

  /** Size of one plot in CSS pixels (OffscreenCanvas only; a page canvas follows its layout). */
  resize(which: 'position' | 'command', width: number, height: number): void {
    const chart = which === 'position' ? this.position : this.command;
    chart.resize(Math.max(1, Math.round(width)), Math.max(1, Math.round(height)));
  }

  private redraw(): void {
    for (const chart of [this.position, this.command]) {
      for (const ds of chart.data.datasets) {
        const last = ds.data.at(-1);
        if (!last) continue;
        let drop = 0;
        while (drop < ds.data.length && ds.data[drop]!.x < last.x - WINDOW_S) drop++;
        if (drop) ds.data.splice(0, drop);
      }
      chart.update('none');
    }
    this.options.onRedraw({ position: this.position.data.datasets[0]!.data.length, command: this.command.data.datasets[0]!.data.length });
  }
}
