/**
 * Messages between the console page and its plot worker (plotWorker.ts). Both ends are this
 * extension's own code, in the same webview; the page still only forwards what parseHostToConsole
 * accepted.
 */
import type { PlotSample, PlotTheme, PointCounts } from './telemetryPlots';

export type PageToPlotWorker =
  | { readonly type: 'init'; readonly position: OffscreenCanvas; readonly command: OffscreenCanvas; readonly theme: PlotTheme; readonly devicePixelRatio: number }
  | { readonly type: 'samples'; readonly samples: readonly PlotSample[] }
  | { readonly type: 'resize'; readonly which: 'position' | 'command'; readonly width: number; readonly height: number };

export type PlotWorkerToPage =
  | { readonly type: 'ready' }
  | { readonly type: 'redrawn'; readonly counts: PointCounts }
  | { readonly type: 'failed'; readonly message: string };
