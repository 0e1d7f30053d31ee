/**
 * Shared steps of the safe-test console's end-to-end files (the acceptance test and the
 * click-to-stop benchmark): the reality emulator on a free loopback port with a public profile, the
 * workspace's experiment pointed at it, a small policy in a run folder, and the console's webview.
 */
import { join } from 'node:path';
import type { FrameLocator } from 'playwright-core';
import { spawnEmulator, tempDir, type EmulatorProcess } from '../support/robot-helpers';
import { writeConsoleExperiment, writeConsolePolicy, writeConsoleProfile } from '../support/console-fixtures';
import type { Workbench } from './harness';

export const EXPERIMENT_FILE = 'console-push.s2r.yaml';

export interface ConsoleRig {
  readonly emulator: EmulatorProcess;
  readonly policy: string;
  readonly runDir: string;
}

/** Start the emulator, then write the experiment (with its port) and a policy into the workspace. */
/** `shoulderBias`: the fixture policy's constant push on the shoulder (see writeConsolePolicy). */
export async function prepareConsoleWorkspace(wb: Workbench, shoulderBias?: number): Promise<ConsoleRig> {
  const dir = tempDir('console-e2e');
  const emulator = await spawnEmulator(writeConsoleProfile(dir), join(dir, 'emulator.jsonl'));
  writeConsoleExperiment(wb.workspace, emulator.url);
  const policy = writeConsolePolicy(join(wb.workspace, '.sim2real', 'runs'), undefined, undefined, undefined, shoulderBias);
  return { emulator, policy, runDir: join(policy, '..') };
}

/** The console's webview content (the panel must be the visible webview). */
export function consoleFrame(wb: Workbench): FrameLocator {
  return wb.page.frameLocator('iframe.webview.ready').frameLocator('#active-frame');
}

/** Open the console from the palette, connect, tick the e-stop confirmation; returns the frame. */
export async function openAndConnect(wb: Workbench, address: string): Promise<FrameLocator> {
  await wb.runCommand('Sim2Real: Open Safe-Test Console');
  const frame = consoleFrame(wb);
  // the configured address is shown before anything connects
  await frame.locator('#address', { hasText: address }).waitFor({ state: 'visible', timeout: 60_000 });
  await frame.locator('#connect').click();
  await frame.locator('#robot-state', { hasText: /armed|halted|running/ }).waitFor({ state: 'visible', timeout: 60_000 });
  return frame;
}
