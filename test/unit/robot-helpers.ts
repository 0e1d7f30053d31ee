/**
 * Helpers for the robot tests: an emulator in a child process on an ephemeral loopback port, event
 * log reading, bounded waits. Every server is closed and every child killed by the test that made it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseEventLog, type RobotEvent } from '../../src/engine/robot/eventLog';

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
  });
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr += d.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`emulator did not start within 20 s: ${stderr}`)), 20000);
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
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
        setTimeout(() => child.kill('SIGKILL'), 3000).unref();
      }),
  };
}
