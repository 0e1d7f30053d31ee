/**
 * The rosbridge v2 protocol: JSON objects over a WebSocket, each with an `op`. Both ends of the
 * robot link (our client and the reality emulator) parse every incoming frame with `parseFrame`, so
 * a malformed or unknown frame is a value to log and drop, never an exception that ends a session.
 *
 * Field names follow rosbridge_suite's ROSBRIDGE_PROTOCOL.md so that a real rosbridge_server accepts
 * what the client sends. Only the ops the workbench uses are modelled; the rest parse as `unknown op`.
 */

import { isRecord } from '../../common/guards';

export type StatusLevel = 'info' | 'warning' | 'error' | 'none';

export interface AdvertiseOp { op: 'advertise'; id?: string; topic: string; type: string }
export interface UnadvertiseOp { op: 'unadvertise'; id?: string; topic: string }
export interface PublishOp { op: 'publish'; id?: string; topic: string; msg: Record<string, unknown> }
export interface SubscribeOp {
  op: 'subscribe';
  id?: string;
  topic: string;
  type?: string;
  /** Minimum time between messages, ms (rosbridge's name). */
  throttle_rate?: number;
  queue_length?: number;
}
export interface UnsubscribeOp { op: 'unsubscribe'; id?: string; topic: string }
export interface CallServiceOp {
  op: 'call_service';
  id?: string;
  service: string;
  /** An object of request fields (what roslib and we send) or rosbridge's positional list. */
  args?: Record<string, unknown> | unknown[];
  /** Server-side timeout, s; the client also keeps its own (a lost reply would otherwise hang). */
  timeout?: number;
}
export interface ServiceResponseOp {
  op: 'service_response';
  id?: string;
  service: string;
  values?: Record<string, unknown>;
  /** rosbridge drops replies without it: true = the call succeeded at the transport level. */
  result: boolean;
}
export interface AdvertiseServiceOp { op: 'advertise_service'; service: string; type: string }
export interface UnadvertiseServiceOp { op: 'unadvertise_service'; service: string }
export interface StatusOp { op: 'status'; id?: string; level: StatusLevel; msg: string }

export type RosbridgeOp =
  | AdvertiseOp
  | UnadvertiseOp
  | PublishOp
  | SubscribeOp
  | UnsubscribeOp
  | CallServiceOp
  | ServiceResponseOp
  | AdvertiseServiceOp
  | UnadvertiseServiceOp
  | StatusOp;

export type ParsedFrame = { ok: true; op: RosbridgeOp } | { ok: false; error: string };

/** Frames bigger than this are refused before JSON.parse (a joint command is ~200 bytes). */
export const MAX_FRAME_BYTES = 1 << 20;

/** Parse and validate one text frame. Never throws. */
export function parseFrame(data: string): ParsedFrame {
  if (data.length > MAX_FRAME_BYTES) return { ok: false, error: `frame of ${data.length} bytes exceeds ${MAX_FRAME_BYTES}` };
  let value: unknown;
  try {
    value = JSON.parse(data);
  } catch (error) {
    return { ok: false, error: `not JSON: ${(error as Error).message}` };
  }
  return validateOp(value);
}

export function validateOp(value: unknown): ParsedFrame {
  if (!isRecord(value)) return { ok: false, error: 'frame is not a JSON object' };
  const op = value.op;
  if (typeof op !== 'string') return { ok: false, error: "frame has no string 'op'" };
  const check = new Checker(value);
  check.optionalString('id');
  switch (op) {
    case 'advertise':
      check.string('topic');
      check.string('type');
      break;
    case 'unadvertise':
    case 'unsubscribe':
      check.string('topic');
      break;
    case 'publish':
      check.string('topic');
      check.object('msg');
      break;
    case 'subscribe':
      check.string('topic');
      check.optionalString('type');
      check.optionalNumber('throttle_rate');
      check.optionalNumber('queue_length');
      break;
    case 'call_service':
      check.string('service');
      check.optionalObjectOrList('args');
      check.optionalNumber('timeout');
      break;
    case 'service_response':
      check.string('service');
      check.optionalObject('values');
      check.boolean('result');
      break;
    case 'advertise_service':
      check.string('service');
      check.string('type');
      break;
    case 'unadvertise_service':
      check.string('service');
      break;
    case 'status':
      check.string('msg');
      if (!['info', 'warning', 'error', 'none'].includes(value.level as string)) check.fail("'level' must be info, warning, error or none");
      break;
    default:
      return { ok: false, error: `unknown op '${op.slice(0, 40)}'` };
  }
  if (check.error) return { ok: false, error: `${op}: ${check.error}` };
  return { ok: true, op: value as unknown as RosbridgeOp };
}

export function encodeFrame(op: RosbridgeOp): string {
  return JSON.stringify(op);
}

/** Collects the first problem with a frame's fields; later checks are skipped once one failed. */
class Checker {
  error: string | undefined;
  constructor(private readonly value: Record<string, unknown>) {}

  fail(message: string): void {
    this.error ??= message;
  }
  string(key: string): void {
    const v = this.value[key];
    if (typeof v !== 'string' || v.length === 0) this.fail(`'${key}' must be a non-empty string`);
  }
  optionalString(key: string): void {
    if (this.value[key] !== undefined && typeof this.value[key] !== 'string') this.fail(`'${key}' must be a string`);
  }
  optionalNumber(key: string): void {
    const v = this.value[key];
    if (v !== undefined && (typeof v !== 'number' || !Number.isFinite(v))) this.fail(`'${key}' must be a finite number`);
  }
  boolean(key: string): void {
    if (typeof this.value[key] !== 'boolean') this.fail(`'${key}' must be a boolean`);
  }
  object(key: string): void {
    if (!isRecord(this.value[key])) this.fail(`'${key}' must be an object`);
  }
  optionalObject(key: string): void {
    if (this.value[key] !== undefined && !isRecord(this.value[key])) this.fail(`'${key}' must be an object`);
  }
  optionalObjectOrList(key: string): void {
    const v = this.value[key];
    if (v !== undefined && !isRecord(v) && !Array.isArray(v)) this.fail(`'${key}' must be an object or a list`);
  }
}
