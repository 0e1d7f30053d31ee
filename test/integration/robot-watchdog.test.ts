/**
 * The robot halts by itself when the engine dies or freezes: a real engine in a child process drives
 * the in-process emulator over loopback, then is killed (SIGKILL) or frozen (SIGSTOP).
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { monotonicMs } from '../../src/engine/util/clock';
import { profileFrom, REPO, startEmulator, waitUntil, type InProcessEmulator } from '../support/robot-helpers';

const WATCHDOG_MS = 100;

async function spawnEngine(url: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(__dirname, '../support/robot-client.entry.ts'), url], { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr += d.toString()));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`engine child did not start commanding within 30 s: ${stderr}`)), 30000);
    child.stdout!.on('data', (d) => {
      if (d.toString().includes('commanding')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('exit', (code) => reject(new Error(`engine child exited with ${code}: ${stderr}`)));
  });
  return child;
}

async function scenario(signal: NodeJS.Signals, expectedReasons: string[]): Promise<void> {
  const emu: InProcessEmulator = await startEmulator(profileFrom(`watchdogMs: ${WATCHDOG_MS}\n`));
  let child: ChildProcess | undefined;
  try {
    child = await spawnEngine(emu.url);
    assert.equal(emu.emulator.robot.status.state, 'running');
    // this process runs the emulator: its own scheduling delay on a loaded machine is not the watchdog's
    const lag = monitorEventLoopDelay({ resolution: 5 });
    lag.enable();
    const killedAt = monotonicMs();
    child.kill(signal);
    await waitUntil(() => emu.emulator.robot.status.state === 'halted', 3000, 'the robot to halt');
    const events = emu.events();
    const lastInput = events.filter((e) => (e.event === 'command' || e.event === 'heartbeat') && e.tMs <= killedAt + 50).at(-1)!;
    const halt = events.find((e) => e.event === 'state' && e.state === 'halted' && e.tMs > killedAt)!;
    assert.ok(expectedReasons.includes(String(halt.reason)), `halt reason ${halt.reason}`);
    // within the watchdog timeout of the last thing the engine sent (plus one check period and scheduling)
    const afterLastInput = halt.tMs - lastInput.tMs;
    lag.disable();
    const lagMs = lag.max / 1e6;
    assert.ok(afterLastInput <= WATCHDOG_MS + 100 + lagMs, `halted ${afterLastInput.toFixed(1)} ms after the engine's last frame (event-loop lag up to ${lagMs.toFixed(1)} ms)`);
    // and after the halt, the arm holds still
    const heldAt = emu.emulator.robot.plant.trueJointAngles();
    await new Promise((r) => setTimeout(r, 300));
    const now = emu.emulator.robot.plant.trueJointAngles();
    for (let i = 0; i < 3; i++) assert.ok(Math.abs(now[i] - heldAt[i]) < 0.02, `joint ${i} drifted ${now[i] - heldAt[i]} rad while halted`);
  } finally {
    if (child && child.exitCode === null && child.signalCode !== 'SIGKILL') {
      child.kill('SIGKILL');
      await new Promise((r) => child!.once('exit', r));
    }
    await emu.close();
  }
}

describe('watchdog with a real engine process', () => {
  it('killing the engine mid-motion halts the robot within the watchdog timeout', () => scenario('SIGKILL', ['link_lost', 'watchdog']));
  it('freezing the engine (link open, silent) halts the robot by its watchdog', () => scenario('SIGSTOP', ['watchdog']));
});
