/**
 * Where the console draws its live plots. The plot worker keeps redraws off the page's thread, so a
 * redraw never stands between a press on the stop button and its handler; but it is one more busy
 * thread, and on a machine with two cores it competes with the stop path itself (the browser's
 * network thread, the engine's session worker, a local robot or emulator). Measured with the
 * stop-click bench on 2 cores, three runs of 200 clicks per condition, p99 click-to-robot: worker
 * 10-19 ms idle but 24-34 ms while training; page 14-18 ms idle and 18-20 ms while training. `auto`
 * therefore draws on the page where the browser reports two cores or fewer, in the worker beyond.
 */

/** The values of the setting sim2real.console.plotThread (package.json lists the same). */
export const PLOT_THREAD_SETTINGS = ['auto', 'worker', 'page'] as const;
export type PlotThreadSetting = (typeof PLOT_THREAD_SETTINGS)[number];

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
