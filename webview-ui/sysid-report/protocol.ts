/**
 * Messages between the system identification report's host (src/providers/sysidReportPanel.ts)
 * and its webview (main.ts). Imported by both sides; each side checks what arrives with the parser
 * for its direction before acting on it. No `vscode` and no DOM here.
 */
import { sysidResultProblem } from '../../src/engine/sysid/resultCheck';
import type { SysidResult } from '../../src/engine/sysid/types';

/** Sent by the host: the result to draw. */
export interface ResultMessage {
  readonly type: 'result';
  readonly runId: string;
  /** The experiment file, relative to the workspace, for the heading. */
  readonly experiment: string;
  readonly result: SysidResult;
}

export type HostMessage = ResultMessage;

/** Sent by the webview: the user asked to apply the result to the experiment. */
export interface ApplyMessage {
  readonly type: 'apply';
}

export type WebviewMessage = ApplyMessage;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

export function parseHostMessage(raw: unknown): HostMessage | undefined {
  if (!isObject(raw) || raw.type !== 'result' || typeof raw.runId !== 'string' || typeof raw.experiment !== 'string') return undefined;
  return sysidResultProblem(raw.result) === undefined ? (raw as unknown as ResultMessage) : undefined;
}

export function parseWebviewMessage(raw: unknown): WebviewMessage | undefined {
  return isObject(raw) && raw.type === 'apply' && Object.keys(raw).length === 1 ? { type: 'apply' } : undefined;
}
