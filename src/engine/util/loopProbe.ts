/**
 * A diagnostic probe for the threads on the stop path (the emulator, the console's session worker):
 * off unless SIM2REAL_LOOP_PROBE names a folder. Then, once a second, it appends one JSON line to
 * `<folder>/<name>-<pid>-<threadId>.jsonl`: the event loop's delay over that second (a timer's
 * lateness, perf_hooks.monitorEventLoopDelay: CPU the thread did not get plus work that held the
 * loop), counts of what the thread handled (messages per hop) and time spent in named sections.
 * It costs nothing when off: `probe` is undefined and callers use `probe?.count(...)`.
 */
import { appendFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { threadId } from 'node:worker_threads';
import { monotonicMs } from './clock';

const probes = new Map<string, LoopProbe>();

export class LoopProbe {
  private counts: Record<string, number> = {};
  private sections: Record<string, { n: number; sumMs: number; maxMs: number }> = {};
  private readonly delay = monitorEventLoopDelay({ resolution: 2 });
  private readonly timer: NodeJS.Timeout;
  private readonly file: string;

  private constructor(dir: string, name: string) {
    mkdirSync(dir, { recursive: true });
    this.file = join(dir, `${name}-${process.pid}-${threadId}.jsonl`);
    this.delay.enable();
    this.timer = setInterval(() => this.flush(), 1000);
    this.timer.unref();
  }

  /** This thread's probe named `name` when SIM2REAL_LOOP_PROBE is set, else undefined. */
  static get(name: string): LoopProbe | undefined {
    const dir = process.env.SIM2REAL_LOOP_PROBE;
    if (!dir) return undefined;
    let probe = probes.get(name);
    if (!probe) probes.set(name, (probe = new LoopProbe(dir, name)));
    return probe;
  }

  count(key: string, n = 1): void {
    this.counts[key] = (this.counts[key] ?? 0) + n;
  }

  /** Record `ms` spent in `key` (e.g. a physics catch-up batch). */
  section(key: string, ms: number): void {
    const s = (this.sections[key] ??= { n: 0, sumMs: 0, maxMs: 0 });
    s.n++;
    s.sumMs += ms;
    if (ms > s.maxMs) s.maxMs = ms;
  }

  /** Run `fn`, timing it as `key`. */
  timed<T>(key: string, fn: () => T): T {
    const t0 = performance.now();
    try {
      return fn();
    } finally {
      this.section(key, performance.now() - t0);
    }
  }

  private flush(): void {
    const ms = (ns: number): number => Math.round(ns / 1e4) / 100;
    const line = {
      tMs: Math.round(monotonicMs()),
      loopDelayMs: { p50: ms(this.delay.percentile(50)), p99: ms(this.delay.percentile(99)), max: ms(this.delay.max), n: this.delay.count },
      counts: this.counts,
      sections: Object.fromEntries(Object.entries(this.sections).map(([k, s]) => [k, { n: s.n, sumMs: +s.sumMs.toFixed(2), maxMs: +s.maxMs.toFixed(2) }])),
    };
    this.delay.reset();
    this.counts = {};
    this.sections = {};
    appendFileSync(this.file, JSON.stringify(line) + '\n');
  }

  dispose(): void {
    clearInterval(this.timer);
    this.delay.disable();
  }
}
