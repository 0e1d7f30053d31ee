/**
 * Messages between the console page and its plot worker (plotWorker.ts). Both ends are this
 * extension's own code, in the same webview; the page still only forwards what parseHostToConsole
 * accepted.
 */
import type { PlotSample, PlotTheme, PointCounts } from './telemetryPlots';

export type PageToPlotWorker =
  | { readonly kind: 'init'; readonly position: OffscreenCanvas; readonly command: OffscreenCanvas; readonly theme: PlotTheme; readonly devicePixelRatio: number }
  | { readonly kind: 'samples'; readonly samples: readonly PlotSample[] }
  | { readonly kind: 'resize'; readonly which: 'position' | 'command'; readonly width: number; readonly height: number };

export type PlotWorkerToPage =
  | { readonly kind: 'ready' }
  | { readonly kind: 'redrawn'; readonly counts: PointCounts }
  | { readonly kind: 'failed'; readonly message: string };
