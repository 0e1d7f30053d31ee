/**
 * Where the console draws its live plots. The plot worker keeps redraws off the page's thread, so a
 * redraw never stands between a press on the stop button and its handler; but it is one more busy
 * thread, and on a machine with two cores it competes with the stop path itself (the browser's
 * network thread, the engine's session worker, a local robot or emulator). Measured with the
 * stop-click bench on 2 cores, 200 clicks per condition, p99 click-to-robot: worker 10-16 ms idle but
 * 27-34 ms while training; page 18 ms idle and 18-19 ms while training. `auto` therefore draws on
 * the page where the browser reports two cores or fewer and in the worker where it has more.
 */

/** The setting sim2real.console.plotThread. */
export type PlotThreadSetting = 'auto' | 'worker' | 'page';
/** Where the plots are drawn: asked for (resolved setting), and where they ended up. */
export type PlotThread = 'worker' | 'page';

/** Cores the worker needs beyond the ones the stop path keeps busy. */
const WORKER_MIN_CORES = 3;

export function resolvePlotThread(setting: PlotThreadSetting, hardwareConcurrency: number | undefined): PlotThread {
  if (setting !== 'auto') return setting;
  return (hardwareConcurrency ?? 0) >= WORKER_MIN_CORES ? 'worker' : 'page';
}
