/**
 * Helpers for the robot tests: an emulator in a child process on an ephemeral loopback port, event
 * log reading, bounded waits. Every server is closed and every child killed by the test that made it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseEventLog, type RobotEvent } from '../../src/engine/rosbridge/eventLog';

export const REPO = join(__dirname, '..', '..');

export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `s2r-${prefix}-`));
}

export function readEvents(path: string): RobotEvent[] {
  return existsSync(path) ? parseEventLog(readFileSync(path, 'utf8')) : [];
}

export async function waitUntil(ready: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!ready()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

export interface EmulatorProcess {
  readonly url: string;
  readonly logPath: string;
  readonly child: ChildProcess;
  events(): RobotEvent[];
  stop(): Promise<void>;
}

/** Start `emulate` with a profile file on 127.0.0.1:0 in a child process; resolves once it listens. */
export async function spawnEmulator(profilePath: string, logPath: string): Promise<EmulatorProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(__dirname, 'robot-emulate.entry.ts'), '--profile', profilePath, '--host', '127.0.0.1', '--port', '0', '--log', logPath], {
    cwd: REPO,
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    // its own session, as a robot (its own controller) or an emulator started from a terminal is:
    // with autogroups the scheduler then weighs it apart from this busy test process (perf sched:
    // the emulator queued behind it and Chromium while the stop was on the wire)
    detached: true,
  });
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr += d.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    // start-up is 7-15 s from source on a loaded 2-core machine, more when test files run in parallel
    const timer = setTimeout(() => reject(new Error(`emulator did not start within 60 s: ${stderr}`)), 60000);
    child.stdout!.on('data', (d) => {
      out += d.toString();
      const m = /listening on (ws:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`emulator exited with ${code}: ${stderr}`));
    });
  });
  return {
    url,
    logPath,
    child,
    events: () => readEvents(logPath),
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
        setTimeout(() => child.kill('SIGKILL'), 3000).unref();
      }),
  };
}

import { RealityEmulator } from '../../src/engine/emulator/emulatorServer';
import { EventLog } from '../../src/engine/rosbridge/eventLog';
import { parseRealityProfile, type RealityProfile } from '../../src/engine/emulator/realityProfileLoader';
import type { SafetyConfig } from '../../src/engine/config/experiment';

/** A profile from YAML text (reach unless the text says otherwise). */
export function profileFrom(text: string): RealityProfile {
  const result = parseRealityProfile(text.includes('task:') ? text : `task: reach\n${text}`);
  if (!result.ok) throw new Error(JSON.stringify(result.findings));
  return result.profile;
}

export interface InProcessEmulator {
  readonly emulator: RealityEmulator;
  readonly url: string;
  readonly logPath: string;
  events(): RobotEvent[];
  close(): Promise<void>;
}

/** The emulator in this process on 127.0.0.1 and an ephemeral port, logging to a temp file. */
export async function startEmulator(profile: RealityProfile): Promise<InProcessEmulator> {
  const logPath = join(tempDir('emu'), 'events.jsonl');
  const log = new EventLog(logPath);
  const emulator = await RealityEmulator.start(profile, { host: '127.0.0.1', port: 0, log });
  return {
    emulator,
    url: emulator.url,
    logPath,
    events: () => readEvents(logPath),
    close: async () => {
      await emulator.close();
      log.close();
    },
  };
}

export const TEST_SAFETY: SafetyConfig = {
  speedScale: 0.5,
  limitedEpisodes: 3,
  jointPositionLimits: [[-1.7, 1.7], [-2.6, 2.6], [-2.6, 2.6]],
  maxJointVelocity: 2,
  maxEffort: 8,
  maxCommandDelta: 0.25,
  clipActions: true,
};

export function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s.length ? s[Math.floor(s.length / 2)]! : NaN;
}

export function percentile(values: number[], p: number): number {
  const s = [...values].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]! : NaN;
}
