/**
 * The gap report panel's host (src/providers/gapReportPanel.ts) and its webview
 * (webview-ui/gap-report): every message, declared once; each side checks what arrives. The host's
 * reports are trusted by construction (it built them from the run's files) and checked by shape;
 * what the webview sends is checked field by field, chart data URLs included.
 */
import * as t from '../common/schema';
import type { SensitivityReport } from '../engine/evaluate/sensitivity';
import type { EvaluationPoint, GapReport, TrainingPoint } from '../engine/reports/gapReport';
import type { VisualGap } from '../engine/reports/visualGap';

export type { CalibrationSection } from '../engine/reports/calibrationGap';
export type { EvaluationPoint, GapReport, TrainingPoint } from '../engine/reports/gapReport';
export type { EvaluationReport } from '../engine/evaluate/report';
export type { ParameterSensitivity, SensitivityReport } from '../engine/evaluate/sensitivity';
export type { StagesSection } from '../engine/reports/stagesReport';
export type { VisualGap } from '../engine/reports/visualGap';
export type { PositionErrors } from '../engine/perception/samples';

/** One run as the panel shows it. `report` is absent until the run has a sim evaluation. */
export const runView = t.object({
  runDir: t.string(),
  runId: t.string(),
  experiment: t.string(),
  status: t.string(),
  report: t.optional(t.opaque<GapReport>()),
  training: t.array(t.opaque<TrainingPoint>()),
  evaluations: t.array(t.opaque<EvaluationPoint>()),
  sensitivity: t.optional(t.opaque<SensitivityReport>()),
  /** Why there is no report yet (e.g. not evaluated), shown in place of the table. */
  note: t.optional(t.string()),
  /** The perception models' errors of a run without a report (a perception run has no policy to evaluate). */
  visual: t.optional(t.opaque<VisualGap>()),
});
export type RunView = t.Infer<typeof runView>;

/** Charts the webview can export; the host writes `<name>.png` into the run folder. */
export const CHART_NAMES = ['training-curves', 'sensitivity', 'transfer-stages'] as const;
export type ChartName = (typeof CHART_NAMES)[number];

export const GAP_HOST_MESSAGES = t.family({
  /** The runs to show (on open and whenever their files change). */
  runs: { runs: t.array(runView) },
  /** A sensitivity sweep started, progressed or ended for a run. */
  sensitivityState: { runDir: t.string(), running: t.boolean(), message: t.optional(t.string()) },
  /** After an export: the files written. */
  exported: { files: t.array(t.string()) },
});
export type GapHostMessage = NonNullable<ReturnType<typeof GAP_HOST_MESSAGES.parse>>;

/** A PNG larger than this is refused: a chart at panel size is well under 1 MB. */
export const MAX_CHART_BYTES = 8 * 1024 * 1024;
const pngDataUrl = t.string({ max: (MAX_CHART_BYTES * 4) / 3 + 64, pattern: /^data:image\/png;base64,[A-Za-z0-9+/]+={0,2}$/ });

export const GAP_WEBVIEW_MESSAGES = t.family(
  {
    /** Sweep the sensitivity of this run (one of the panel's own runs). */
    computeSensitivity: { runDir: t.string() },
    /** Charts as PNG data URLs, per run, for the host to write with report.md/html. */
    export: { charts: t.array(t.object({ runDir: t.string(), name: t.oneOf(CHART_NAMES), dataUrl: pngDataUrl }, { exact: true }), { max: 64 }) },
  },
  { exact: true },
);
export type GapWebviewMessage = NonNullable<ReturnType<typeof GAP_WEBVIEW_MESSAGES.parse>>;
export type ExportMessage = Extract<GapWebviewMessage, { kind: 'export' }>;
