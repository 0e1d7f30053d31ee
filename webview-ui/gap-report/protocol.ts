/**
 * Messages between the gap report panel's host (src/providers/gapReportPanel.ts) and its webview
 * (main.ts). Imported by both sides; each side checks what arrives with the parser for its
 * direction before acting on it. No `vscode` and no DOM here.
 */
import type { EvaluationPoint, GapReport, TrainingPoint } from '../../src/engine/reports/gapReport';
import type { SensitivityReport } from '../../src/engine/evaluate/sensitivity';
import type { VisualGap } from '../../src/engine/reports/visualGap';

/** One run as the panel shows it. `report` is absent until the run has a sim evaluation. */
export interface RunView {
  readonly runDir: string;
  readonly runId: string;
  readonly experiment: string;
  readonly status: string;
  readonly report?: GapReport;
  readonly training: readonly TrainingPoint[];
  readonly evaluations: readonly EvaluationPoint[];
  readonly sensitivity?: SensitivityReport;
  /** Why there is no report yet (e.g. not evaluated), shown in place of the table. */
  readonly note?: string;
  /** The perception models' errors of a run without a report (a perception run has no policy to evaluate). */
  readonly visual?: VisualGap;
}

/** Charts the webview can export; the host writes `<name>.png` into the run folder. */
export const CHART_NAMES = ['training-curves', 'sensitivity', 'transfer-stages'] as const;
export type ChartName = (typeof CHART_NAMES)[number];

/** Sent by the host: the runs to show (on open and whenever their files change). */
export interface RunsMessage {
  readonly type: 'runs';
  readonly runs: readonly RunView[];
}

/** Sent by the host: a sensitivity sweep started, progressed or ended for a run. */
export interface SensitivityStateMessage {
  readonly type: 'sensitivityState';
  readonly runDir: string;
  readonly running: boolean;
  readonly message?: string;
}

/** Sent by the host after an export: the files written. */
export interface ExportedMessage {
  readonly type: 'exported';
  readonly files: readonly string[];
}

export type HostMessage = RunsMessage | SensitivityStateMessage | ExportedMessage;

/** Sent by the webview: sweep the sensitivity of this run (one of the panel's own runs). */
export interface ComputeSensitivityMessage {
  readonly type: 'computeSensitivity';
  readonly runDir: string;
}

/** Sent by the webview: charts as PNG data URLs, per run, for the host to write with report.md/html. */
export interface ExportMessage {
  readonly type: 'export';
  readonly charts: readonly { readonly runDir: string; readonly name: ChartName; readonly dataUrl: string }[];
}

export type WebviewMessage = ComputeSensitivityMessage | ExportMessage;

/** A PNG larger than this is refused: a chart at panel size is well under 1 MB. */
export const MAX_CHART_BYTES = 8 * 1024 * 1024;
const PNG_DATA_URL = /^data:image\/png;base64,[A-Za-z0-9+/]+={0,2}$/;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isString = (v: unknown): v is string => typeof v === 'string';

/** Checks a message arriving at the host. */
export function parseWebviewMessage(raw: unknown): WebviewMessage | undefined {
  if (!isObject(raw)) return undefined;
  if (raw.type === 'computeSensitivity') return isString(raw.runDir) ? { type: 'computeSensitivity', runDir: raw.runDir } : undefined;
  if (raw.type === 'export') {
    if (!Array.isArray(raw.charts) || raw.charts.length > 64) return undefined;
    const charts: ExportMessage['charts'][number][] = [];
    for (const chart of raw.charts) {
      if (!isObject(chart) || !isString(chart.runDir) || !CHART_NAMES.includes(chart.name as ChartName) || !isString(chart.dataUrl)) return undefined;
      if (chart.dataUrl.length > (MAX_CHART_BYTES * 4) / 3 + 64 || !PNG_DATA_URL.test(chart.dataUrl)) return undefined;
      charts.push({ runDir: chart.runDir, name: chart.name as ChartName, dataUrl: chart.dataUrl });
    }
    return { type: 'export', charts };
  }
  return undefined;
}

/** Checks a message arriving at the webview (shape only: the host is trusted, typos are not). */
export function parseHostMessage(raw: unknown): HostMessage | undefined {
  if (!isObject(raw)) return undefined;
  switch (raw.type) {
    case 'runs':
      return Array.isArray(raw.runs) && raw.runs.every((r) => isObject(r) && isString(r.runDir) && isString(r.runId) && Array.isArray(r.training) && Array.isArray(r.evaluations))
        ? (raw as unknown as RunsMessage)
        : undefined;
    case 'sensitivityState':
      return isString(raw.runDir) && typeof raw.running === 'boolean' ? (raw as unknown as SensitivityStateMessage) : undefined;
    case 'exported':
      return Array.isArray(raw.files) && raw.files.every(isString) ? (raw as unknown as ExportedMessage) : undefined;
    default:
      return undefined;
  }
}
