/**
 * The engine process as VS Code starts it (src/engine/main.ts forked with an IPC channel, run from
 * source under tsx), for tests that talk to it over the real channel: every event is checked by
 * parseEngineMessage and kept, and `next` waits for the first kept event that matches.
 */
import assert from 'node:assert/strict';
import { fork, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { parseEngineMessage, type EngineEvent } from '../../src/messages/engine';

export const REPO_ROOT = join(__dirname, '..', '..');

export class EngineProcess {
  readonly events: EngineEvent[] = [];
  private waiters: (() => void)[] = [];

  private constructor(readonly child: ChildProcess) {
    child.on('message', (raw) => {
      const event = parseEngineMessage(raw);
      assert.ok(event, `engine sent a malformed message: ${JSON.stringify(raw)}`);
      this.events.push(event);
      const pending = this.waiters;
      this.waiters = [];
      for (const wait of pending) wait();
    });
  }

  /** Forks the engine and waits for its `ready`. */
  static async start(readyTimeoutMs = 60_000): Promise<EngineProcess> {
    const child = fork(join(REPO_ROOT, 'src/engine/main.ts'), [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'ignore', 'pipe', 'ipc'], cwd: REPO_ROOT });
    const engine = new EngineProcess(child);
    await engine.next((e) => e.kind === 'ready', readyTimeoutMs);
    return engine;
  }

  send(message: unknown): void {
    this.child.send(message as object);
  }

  /** The first event so far or to come that matches. */
  next(match: (e: EngineEvent) => boolean, timeoutMs = 60_000): Promise<EngineEvent> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no matching engine event in time')), timeoutMs);
      const wait = (): void => {
        const found = this.events.find(match);
        if (found) {
          clearTimeout(timer);
          resolve(found);
        } else this.waiters.push(wait);
      };
      wait();
    });
  }

  kill(): void {
    if (this.child.exitCode === null) this.child.kill('SIGKILL');
  }
}
