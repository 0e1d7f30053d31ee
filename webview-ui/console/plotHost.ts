/**
 * Starts the console's live plots: in the plot worker when the webview can run one (OffscreenCanvas
 * and a blob: worker, allowed by the console's CSP), otherwise on the page itself. The canvases go to
 * the worker only after it reports ready, so a worker that never starts costs nothing but the wait;
 * samples that arrive meanwhile are kept. Either way the page learns how many points each plot holds
 * (the canvases' data-points, read by the end-to-end tests).
 */
import plotWorkerSource from 'inline-worker:./plotWorker.ts';
import type { PageToPlotWorker, PlotWorkerToPage } from './plotMessages';
import type { PlotThread } from './plotThread';
import { TelemetryPlots, type PlotSample, type PlotTheme, type PointCounts } from './telemetryPlots';

/** How long the worker may take to start before the page draws the plots itself, ms. */
const WORKER_START_MS = 3000;

export interface PlotSink {
  add(samples: readonly PlotSample[]): void;
}

/** Where the plots ended up (a worker may not start). */
export type PlotPlace = PlotThread;

export function startPlots(
  positionCanvas: HTMLCanvasElement,
  commandCanvas: HTMLCanvasElement,
  theme: PlotTheme,
  thread: PlotThread,
  onPlace: (place: PlotPlace) => void,
  onProblem: (message: string) => void,
): PlotSink {
  let pending: PlotSample[] = [];
  let target: ((samples: readonly PlotSample[]) => void) | undefined;
  const showCounts = (counts: PointCounts): void => {
    positionCanvas.dataset.points = String(counts.position);
    commandCanvas.dataset.points = String(counts.command);
  };
  const settle = (add: (samples: readonly PlotSample[]) => void, place: PlotPlace): void => {
    if (target) return;
    target = add;
    if (pending.length) add(pending);
    pending = [];
    onPlace(place);
  };
  const onPage = (): void => {
    if (target) return;
    const plots = new TelemetryPlots(positionCanvas, commandCanvas, {
      theme,
      devicePixelRatio: window.devicePixelRatio || 1,
      responsive: true,
      scope: { nextFrame: (cb) => requestAnimationFrame(cb), now: () => performance.now() },
      onRedraw: showCounts,
    });
    settle((samples) => plots.add(samples), 'page');
  };

  const worker = thread === 'worker' ? createWorker() : undefined;
  if (!worker || typeof positionCanvas.transferControlToOffscreen !== 'function') {
    worker?.terminate();
    onPage();
  } else {
    const fallback = setTimeout(() => {
      worker.terminate();
      onPage();
    }, WORKER_START_MS);
    const send = (message: PageToPlotWorker, transfer: Transferable[] = []): void => worker.postMessage(message, transfer);
    worker.onmessage = (event: MessageEvent<PlotWorkerToPage>) => {
      const message = event.data;
      if (message.kind === 'ready') {
        if (target) return;
        clearTimeout(fallback);
        const position = positionCanvas.transferControlToOffscreen();
        const command = commandCanvas.transferControlToOffscreen();
        send({ kind: 'init', position, command, theme, devicePixelRatio: window.devicePixelRatio || 1 }, [position, command]);
        const sizes = new ResizeObserver((entries) => {
          for (const entry of entries) {
            send({ kind: 'resize', which: entry.target === positionCanvas ? 'position' : 'command', width: entry.contentRect.width, height: entry.contentRect.height });
          }
        });
        sizes.observe(positionCanvas);
        sizes.observe(commandCanvas);
        settle((samples) => send({ kind: 'samples', samples }), 'worker');
      } else if (message.kind === 'redrawn') {
        showCounts(message.counts);
      } else {
        onProblem(`The live plots stopped: ${message.message}`);
      }
    };
    worker.onerror = (event) => {
      event.preventDefault();
      if (!target) {
        clearTimeout(fallback);
        worker.terminate();
        onPage();
      } else {
        onProblem(`The live plots stopped: ${event.message || 'the plot worker failed'}`);
      }
    };
  }
  return {
    add(samples) {
      if (target) target(samples);
      else pending.push(...samples);
    },
  };
}

function createWorker(): Worker | undefined {
  if (typeof Worker === 'undefined' || typeof Blob === 'undefined') return undefined;
  const url = URL.createObjectURL(new Blob([plotWorkerSource], { type: 'text/javascript' }));
  try {
    return new Worker(url);
  } catch {
    return undefined;
  } finally {
    // the worker has its script once it runs; keep the URL only as long as a slow start needs it
    setTimeout(() => URL.revokeObjectURL(url), 60_000);
  }
}
