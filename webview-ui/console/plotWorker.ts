/**
 * The console's plot worker: chart.js draws the live telemetry on OffscreenCanvases here, off the
 * page's main thread, so a redraw never stands between a press on the stop button and its handler.
 * Bundled into the page's script as text (scripts/build.mjs, `inline-worker:`) and started from a
 * blob: URL, since a webview cannot start a worker from its resource origin.
 */
import type { PageToPlotWorker, PlotWorkerToPage } from './plotMessages';
import { TelemetryPlots } from './telemetryPlots';

interface WorkerScope {
  onmessage: ((event: MessageEvent<PageToPlotWorker>) => void) | null;
  postMessage(message: PlotWorkerToPage): void;
  requestAnimationFrame?: (callback: () => void) => number;
}
const scope = self as unknown as WorkerScope;

let plots: TelemetryPlots | undefined;

scope.onmessage = (event) => {
  const message = event.data;
  try {
    switch (message.kind) {
      case 'init':
        plots = new TelemetryPlots(message.position, message.command, {
          theme: message.theme,
          devicePixelRatio: message.devicePixelRatio,
          responsive: false,
          scope: {
            nextFrame: scope.requestAnimationFrame ? (cb) => scope.requestAnimationFrame!(cb) : (cb) => setTimeout(cb, 16),
            now: () => performance.now(),
          },
          onRedraw: (counts) => scope.postMessage({ kind: 'redrawn', counts }),
        });
        break;
      case 'samples':
        plots?.add(message.samples);
        break;
      case 'resize':
        plots?.resize(message.which, message.width, message.height);
        break;
    }
  } catch (error) {
    scope.postMessage({ kind: 'failed', message: error instanceof Error ? error.message : String(error) });
  }
};
// the page hands over its canvases only once this arrives (a worker blocked by CSP never says it)
scope.postMessage({ kind: 'ready' });
