/**
 * Where the console draws its live plots. The plot worker keeps redraws off the page's thread, so a
 * redraw never stands between a press on the stop button and its handler; but it is one more busy
 * thread, and on two cores it competes with the stop path itself (measured: docs/benchmarks.md,
 * "Click to stop"). `auto` therefore draws on the page where the browser reports two cores or
 * fewer, in the worker beyond.
 */
import { PLOT_THREAD_SETTINGS, type PlotThreadSetting } from '../../src/messages/console';

export function isPlotThreadSetting(value: unknown): value is PlotThreadSetting {
  return (PLOT_THREAD_SETTINGS as readonly unknown[]).includes(value);
}

/** Where the plots are drawn: asked for (resolved setting), and where they ended up. */
export type PlotThread = 'worker' | 'page';

/** Cores the worker needs beyond the ones the stop path keeps busy. */
const WORKER_MIN_CORES = 3;

export function resolvePlotThread(setting: PlotThreadSetting, hardwareConcurrency: number | undefined): PlotThread {
  if (setting !== 'auto') return setting;
  return (hardwareConcurrency ?? 0) >= WORKER_MIN_CORES ? 'worker' : 'page';
}
