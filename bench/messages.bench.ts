/**
 * The cost of checking one message on arrival, at the console's 20 Hz telemetry. Messages are
 * declared once with common/schema.ts and checked by the declaration (`parseEngineMessage` in the
 * extension host, `CONSOLE_HOST_MESSAGES.parse` in the console's webview). Measured in the same run,
 * interleaved, against a baseline written here the way such checks were written by hand before
 * (src/engine/protocol.ts and the console's parseHostToConsole until issue 16: a switch on the kind,
 * typeof checks field by field), checking the same shape; the bench first makes sure both accept the
 * same real messages and reject the same broken ones.
 *
 * Three messages, as their senders build them:
 *   robotTelemetry  engine -> host, one sample of 3 joint positions and 3 commands (sessionWorker.ts, 20 Hz);
 *   robotState      engine -> host, the console session's state (sent when it changes);
 *   telemetry       host -> console webview, the same sample passed on.
 * Each arrives as a fresh object (the IPC channel and postMessage deserialize every message), so the
 * checks run over a pool of distinct copies made by JSON.parse.
 *
 * Printed per message and check: per call (one parse between two clock reads; includes the clock's
 * own cost, printed too) median and p99; the mean per parse over batches of BATCH parses (no clock
 * in the loop); the ratios schema / by hand; and the share of a 50 ms telemetry period one parse takes
 * (per-call p99). Node's V8 stands in for the webview's (Chromium's) for the console message.
 * Run: npm run bench -- messages  (SIM2REAL_BENCH_SMOKE=1: the same checks, a few thousand calls)
 */
import { loadavg } from 'node:os';
import { CONSOLE_HOST_MESSAGES, type ConsoleHostMessage } from '../src/messages/console';
import { ENGINE_EVENTS, parseEngineMessage, type EngineEvent, type RobotSessionState, type RobotTelemetrySample } from '../src/messages/engine';
import { announceSmoke, smoke } from './smoke';

const CALLS = smoke(200_000, 2_000);
const WARMUP = smoke(20_000, 200);
const BATCHES = smoke(2_000, 20);
const BATCH = 100;
const POOL = 256;
const TELEMETRY_PERIOD_MS = 50;

// ---- the baseline: checks written by hand, field by field (the shapes of src/engine/console/sessionState.ts) ----

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const isId = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
const isString = (v: unknown): v is string => typeof v === 'string';
const optional = (v: unknown, check: (x: unknown) => boolean): boolean => v === undefined || check(v);
const isNumbers = (v: unknown): v is number[] => Array.isArray(v) && v.length <= 64 && v.every(isNumber);

function isTelemetrySample(v: unknown): v is RobotTelemetrySample {
  return isObject(v) && isNumber(v.tMs) && isId(v.episode) && isId(v.step) && isNumbers(v.position) && isNumbers(v.command);
}

function isStopEndpoint(v: unknown): boolean {
  return isObject(v) && isString(v.url) && /^ws:\/\/127\.0\.0\.1:\d{1,5}$/.test(v.url) && isString(v.token) && /^[0-9a-f]{64}$/.test(v.token) && Object.keys(v).length === 2;
}

function isSessionState(v: unknown): v is RobotSessionState {
  return (
    isObject(v) &&
    typeof v.connected === 'boolean' &&
    optional(v.address, isString) &&
    optional(v.file, isString) &&
    optional(v.policy, isString) &&
    ['armed', 'running', 'halted', 'unknown'].includes(v.robot as string) &&
    optional(v.haltReason, isString) &&
    optional(v.haltDetail, isString) &&
    typeof v.stopped === 'boolean' &&
    optional(v.stopMessage, isString) &&
    isNumber(v.speedScale) &&
    isId(v.episodesStarted) &&
    typeof v.episodeRunning === 'boolean' &&
    optional(v.runDir, isString) &&
    optional(v.stopEndpoint, isStopEndpoint)
  );
}

function isSafetyEntry(v: unknown): boolean {
  return isObject(v) && isNumber(v.tMs) && ['info', 'warning', 'stop'].includes(v.level as string) && isString(v.message);
}

/** The host's check of an engine event, by hand (the robot events; the other kinds are not on this path). */
function parseEngineMessageByHand(value: unknown): EngineEvent | undefined {
  if (!isObject(value)) return undefined;
  switch (value.kind) {
    case 'robotState':
      return isSessionState(value.state) ? (value as unknown as EngineEvent) : undefined;
    case 'robotTelemetry':
      return Array.isArray(value.samples) && value.samples.every(isTelemetrySample) ? (value as unknown as EngineEvent) : undefined;
    case 'robotSafety':
      return isSafetyEntry(value.entry) ? (value as unknown as EngineEvent) : undefined;
    default:
      return undefined;
  }
}

/** The console webview's check of a host message, by hand (the kinds the session's stream sends). */
function parseHostToConsoleByHand(raw: unknown): ConsoleHostMessage | undefined {
  if (!isObject(raw)) return undefined;
  switch (raw.kind) {
    case 'state':
      return isSessionState(raw.state) && typeof raw.estopConfirmed === 'boolean' ? (raw as unknown as ConsoleHostMessage) : undefined;
    case 'telemetry':
      return Array.isArray(raw.samples) && raw.samples.every(isTelemetrySample) ? (raw as unknown as ConsoleHostMessage) : undefined;
    case 'safety':
      return isSafetyEntry(raw.entry) ? (raw as unknown as ConsoleHostMessage) : undefined;
    case 'error':
      return isString(raw.message) ? (raw as unknown as ConsoleHostMessage) : undefined;
    default:
      return undefined;
  }
}

// ---- the messages, as their senders build them ----

/** One telemetry sample as sessionWorker.ts sends it: 3 joint positions, the 3 commands sent. */
function sample(i: number): RobotTelemetrySample {
  return {
    tMs: 81_234_567.891 + 50 * i,
    episode: 3,
    step: 40 + (i % 200),
    position: [0.412 + 1e-4 * i, -0.733 - 1e-4 * i, 1.095],
    command: [0.415 + 1e-4 * i, -0.731, 1.1 - 1e-4 * i],
  };
}

/** The console session's state as sessionWorker.ts's state() builds it, during an episode. */
function sessionState(i: number): RobotSessionState {
  return {
    connected: true,
    address: 'ws://192.168.1.20:9090',
    file: '/home/robotics/workspace/experiments/push.s2r.yaml',
    policy: '/home/robotics/workspace/.sim2real/runs/push-dr/2026-12-07T10-12-55Z-seed7/policy.onnx',
    robot: 'running',
    stopped: false,
    speedScale: 0.5,
    episodesStarted: 3 + (i % 5),
    episodeRunning: true,
    stopEndpoint: { url: 'ws://127.0.0.1:40123', token: 'c0ffee00'.repeat(8) },
  };
}

/** `count` distinct copies, each a fresh object graph as a deserialized message is. */
const pool = (make: (i: number) => unknown, count = POOL): unknown[] => Array.from({ length: count }, (_, i) => JSON.parse(JSON.stringify(make(i))) as unknown);

interface Case {
  readonly name: string;
  readonly schemaName: string;
  readonly schema: (raw: unknown) => unknown;
  readonly byHand: (raw: unknown) => unknown;
  readonly messages: unknown[];
  /** Broken copies both checks must refuse. */
  readonly broken: unknown[];
}

const brokenTelemetry = (kind: string): unknown[] => {
  const s = sample(0) as unknown as Record<string, unknown>;
  const variants: Record<string, unknown>[] = [
    { ...s, position: [0.4, null, 1.1] },
    { ...s, episode: -1 },
    { ...s, step: 1.5 },
    { ...s, command: undefined },
    { ...s, tMs: '81234567' },
    { ...s, position: Array.from({ length: 65 }, () => 0) },
  ];
  return [...variants.map((v) => ({ kind, samples: [v] })), { kind, samples: 'none' }, { kind, samples: [sample(0), null] }, { kind: `${kind}s`, samples: [sample(0)] }, null, [sample(0)]];
};

const brokenState = (): unknown[] => {
  const s = sessionState(0) as unknown as Record<string, unknown>;
  return [
    { ...s, robot: 'flying' },
    { ...s, speedScale: undefined },
    { ...s, episodesStarted: -2 },
    { ...s, address: 9090 },
    { ...s, stopEndpoint: { url: 'ws://10.0.0.1:40123', token: 'c0ffee00'.repeat(8) } },
    { ...s, stopEndpoint: { url: 'ws://127.0.0.1:40123', token: 'c0ffee' } },
    { ...s, stopEndpoint: { url: 'ws://127.0.0.1:40123', token: 'c0ffee00'.repeat(8), extra: 1 } },
    s,
  ].map((state, i) => (i === 7 ? { kind: 'robotState', status: state } : { kind: 'robotState', state }));
};

const CASES: Case[] = [
  {
    name: 'robotTelemetry (engine -> host), 1 sample, 3+3 joints',
    schemaName: 'parseEngineMessage',
    schema: parseEngineMessage,
    byHand: parseEngineMessageByHand,
    messages: pool((i) => ({ kind: 'robotTelemetry', samples: [sample(i)] })),
    broken: brokenTelemetry('robotTelemetry'),
  },
  {
    name: 'robotState (engine -> host)',
    schemaName: 'parseEngineMessage',
    schema: parseEngineMessage,
    byHand: parseEngineMessageByHand,
    messages: pool((i) => ({ kind: 'robotState', state: sessionState(i) })),
    broken: brokenState(),
  },
  {
    name: 'telemetry (host -> console webview), 1 sample',
    schemaName: 'CONSOLE_HOST_MESSAGES.parse',
    schema: CONSOLE_HOST_MESSAGES.parse,
    byHand: parseHostToConsoleByHand,
    messages: pool((i) => ({ kind: 'telemetry', samples: [sample(i)] })),
    broken: brokenTelemetry('telemetry'),
  },
];

/** Both checks accept every real message and refuse every broken one; otherwise the baseline is not the same check. */
function checkAgreement(c: Case): void {
  for (const m of c.messages) {
    if (c.schema(m) !== m) throw new Error(`${c.name}: ${c.schemaName} refuses a message its sender builds: ${JSON.stringify(m)}`);
    if (c.byHand(m) !== m) throw new Error(`${c.name}: the hand-written check refuses ${JSON.stringify(m)} (is it out of step with src/engine/console/sessionState.ts?)`);
  }
  c.broken.forEach((m, i) => {
    if (c.schema(m) !== undefined) throw new Error(`${c.name}: ${c.schemaName} accepts broken message #${i}: ${JSON.stringify(m)}`);
    if (c.byHand(m) !== undefined) throw new Error(`${c.name}: the hand-written check accepts broken message #${i}: ${JSON.stringify(m)}`);
  });
}

// ---- timing ----

let sink = 0;

interface Timings {
  /** Per-call samples, µs (each includes one clock read's cost). */
  readonly perCall: Float64Array;
  /** Mean µs per parse of each batch. */
  readonly perBatch: Float64Array;
}

const newTimings = (): Timings => ({ perCall: new Float64Array(CALLS), perBatch: new Float64Array(BATCHES) });

function timeCalls(parse: (raw: unknown) => unknown, messages: unknown[], out: Float64Array, from: number, to: number): void {
  const n = messages.length;
  for (let i = from; i < to; i++) {
    const m = messages[i % n];
    const t0 = performance.now();
    const r = parse(m);
    const t1 = performance.now();
    out[i] = (t1 - t0) * 1000;
    if (r !== undefined) sink++;
  }
}

function timeBatch(parse: (raw: unknown) => unknown, messages: unknown[], offset: number): number {
  const n = messages.length;
  const t0 = performance.now();
  for (let i = 0; i < BATCH; i++) if (parse(messages[(offset + i) % n]) !== undefined) sink++;
  return ((performance.now() - t0) * 1000) / BATCH;
}

/** The clock's own cost per call, µs: two reads with nothing between. */
function clockCost(): Float64Array {
  const out = new Float64Array(CALLS);
  for (let i = 0; i < CALLS; i++) {
    const t0 = performance.now();
    const t1 = performance.now();
    out[i] = (t1 - t0) * 1000;
  }
  return out;
}

function quantile(values: Float64Array, q: number): number {
  const sorted = Float64Array.from(values).sort();
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

function main(): void {
  announceSmoke(`${CALLS} timed calls and ${BATCHES} batches of ${BATCH} per check`);
  if (parseEngineMessage !== ENGINE_EVENTS.parse) throw new Error('parseEngineMessage is no longer ENGINE_EVENTS.parse: measure what the host calls');
  for (const c of CASES) checkAgreement(c);

  const contenders = CASES.flatMap((c) => [
    { c, label: 'schema', parse: c.schema, t: newTimings() },
    { c, label: 'by hand', parse: c.byHand, t: newTimings() },
  ]);
  // warm-up: every check compiled and its inline caches settled before anything is timed
  const scratch = new Float64Array(WARMUP);
  for (const x of contenders) timeCalls(x.parse, x.c.messages, scratch, 0, WARMUP);

  // interleaved: chunks of calls and batches in turn, rotating who goes first, so drift hits all alike
  const CHUNK = 1000;
  for (let from = 0, round = 0; from < CALLS; from += CHUNK, round++) {
    const to = Math.min(CALLS, from + CHUNK);
    for (let k = 0; k < contenders.length; k++) {
      const x = contenders[(round + k) % contenders.length]!;
      timeCalls(x.parse, x.c.messages, x.t.perCall, from, to);
    }
  }
  for (let b = 0; b < BATCHES; b++) {
    for (let k = 0; k < contenders.length; k++) {
      const x = contenders[(b + k) % contenders.length]!;
      x.t.perBatch[b] = timeBatch(x.parse, x.c.messages, b * BATCH);
    }
  }
  const clock = clockCost();
  const clockMedian = quantile(clock, 0.5);

  const us = (v: number): string => `${v.toFixed(3).padStart(7)} µs`;
  const lines: string[] = [
    `node ${process.version}, load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}`,
    `per check: ${CALLS} calls timed one by one, ${BATCHES} batches of ${BATCH}; pools of ${POOL} distinct messages; interleaved after ${WARMUP} warm-up calls`,
    `clock (two performance.now() reads, included in every per-call figure): median ${us(clockMedian)}, p99 ${us(quantile(clock, 0.99))}`,
  ];
  for (const c of CASES) {
    const [s, h] = contenders.filter((x) => x.c === c).map((x) => ({
      median: quantile(x.t.perCall, 0.5),
      p99: quantile(x.t.perCall, 0.99),
      batch: quantile(x.t.perBatch, 0.5),
    }));
    const net = (v: number): number => Math.max(v - clockMedian, 1e-6);
    lines.push(
      '',
      c.name,
      `  schema   ${c.schemaName.padEnd(28)} per call median ${us(s!.median)}  p99 ${us(s!.p99)}   batch mean ${us(s!.batch)}`,
      `  by hand  ${'(typeof field by field)'.padEnd(28)} per call median ${us(h!.median)}  p99 ${us(h!.p99)}   batch mean ${us(h!.batch)}`,
      `  ratio schema / by hand: median ${(net(s!.median) / net(h!.median)).toFixed(2)}x (clock's median taken off both), p99 ${(s!.p99 / h!.p99).toFixed(2)}x, batch mean ${(s!.batch / h!.batch).toFixed(2)}x`,
      `  one parse, share of the ${TELEMETRY_PERIOD_MS} ms telemetry period: median ${((100 * net(s!.median)) / (TELEMETRY_PERIOD_MS * 1000)).toFixed(5)} %, p99 ${((100 * s!.p99) / (TELEMETRY_PERIOD_MS * 1000)).toFixed(5)} % (by hand: p99 ${((100 * h!.p99) / (TELEMETRY_PERIOD_MS * 1000)).toFixed(5)} %)`,
    );
  }
  lines.push('', `(accepted ${sink} messages)`);
  process.stdout.write(`${lines.join('\n')}\n`);
}

try {
  main();
} catch (error: unknown) {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
}
