/**
 * The system identification report's host (src/providers/sysidReportPanel.ts) and its webview
 * (webview-ui/sysid-report): every message, declared once; each side checks what arrives.
 */
import * as t from '../common/schema';
import { sysidResultProblem } from '../engine/sysid/resultCheck';
import type { SysidResult } from '../engine/sysid/types';

export type { DelayFit, JointFrictionFit, JointInertiaFit, SensorNoiseFit, SysidResult } from '../engine/sysid/types';

/** Sent by the host: the result to draw (`experiment`: the file, relative to the workspace, for the heading). */
export const SYSID_HOST_MESSAGES = t.family({
  result: { runId: t.string(), experiment: t.string(), result: t.satisfying<SysidResult>((v) => sysidResultProblem(v) === undefined) },
});
export type SysidHostMessage = NonNullable<ReturnType<typeof SYSID_HOST_MESSAGES.parse>>;

/** Sent by the webview: the user asked to apply the result to the experiment. */
export const SYSID_WEBVIEW_MESSAGES = t.family({ apply: {} }, { exact: true });
export type SysidWebviewMessage = NonNullable<ReturnType<typeof SYSID_WEBVIEW_MESSAGES.parse>>;
