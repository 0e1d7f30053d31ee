/**
 * Acceptance test for issue 4 (the console in a real VS Code): with the reality emulator on a public
 * profile, a user opens the safe-test console from the palette, sees the configured address,
 * connects, confirms the hardware emergency stop is within reach, starts an episode of a trained
 * (here: exported) policy, sees it live, presses stop, and the robot halts; nothing is commanded
 * until re-armed; the keybinding stops too; the episodes are recorded in the run.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { FrameLocator } from 'playwright-core';
import { waitFor, Workbench } from './harness';
import { openAndConnect, prepareConsoleWorkspace, type ConsoleRig } from './console-helpers';

describe('issue 4: the safe-test console in VS Code', { timeout: 600_000 }, () => {
  let wb: Workbench;
  let rig: ConsoleRig;
  let frame: FrameLocator;
  before(async () => {
    wb = await Workbench.start({ fixture: 'console-workspace' });
    rig = await prepareConsoleWorkspace(wb);
    await wb.activityBarItem('Sim2Real').waitFor({ state: 'visible', timeout: 60_000 });
  });
  after(async () => {
    await wb?.close();
    await rig?.emulator.stop();
  });

  const points = async (id: string): Promise<number> => Number((await frame.locator(`#${id}`).getAttribute('data-points')) ?? 0);

  test('connect shows the configured address; no episode before the e-stop is confirmed', () =>
    wb.guard('console-connect', async () => {
      frame = await openAndConnect(wb, rig.emulator.url);
      assert.ok(rig.emulator.events().some((e) => e.event === 'connection'), 'the emulator saw the connection');
      await frame.locator('#stop', { hasText: 'STOP' }).waitFor({ state: 'visible' });
      const label = await frame.locator('.stop-text').innerText();
      assert.match(label, /Protective stop \(IEC 60204-1 cat\. 2\) — not your emergency stop/);
      // the status-bar stop appears while connected
      await wb.page.locator('.statusbar-item', { hasText: 'Stop Robot' }).first().waitFor({ state: 'visible' });
      assert.equal(await frame.locator('#start-episode').getAttribute('disabled'), '', 'Start episode is disabled until the e-stop is confirmed');
      await frame.locator('#estop-confirm').click();
      await waitFor(async () => ((await frame.locator('#start-episode').getAttribute('disabled')) === null ? true : undefined), 'Start episode enabled after the confirmation');
      assert.match(await frame.locator('#speed-limit').innerText(), /×0\.50/);
    }));

  test('an episode runs live, the stop button halts the robot, nothing moves until re-armed', () =>
    wb.guard('console-episode-stop', async () => {
      await frame.locator('#start-episode').click();
      await frame.locator('#robot-state', { hasText: 'episode running' }).waitFor({ state: 'visible' });
      await waitFor(async () => ((await points('positions')) >= 10 && (await points('commands')) >= 10 ? true : undefined), 'telemetry in both plots', 30_000);
      // the default (auto): the plot worker where the browser has more than two cores, else the page
      // (webview-ui/console/plotThread.ts)
      const cores = await frame.locator('body').evaluate(() => navigator.hardwareConcurrency);
      assert.equal(await frame.locator('.plots').getAttribute('data-drawn-in'), cores > 2 ? 'worker' : 'page');
      assert.equal(await frame.locator('#episode-counter').innerText(), '1');

      const clickedAt = rig.emulator.events().length;
      await frame.locator('#stop').click();
      await frame.locator('#robot-state', { hasText: /halted \(stop.*STOPPED/ }).waitFor({ state: 'visible' });
      const events = rig.emulator.events();
      const stopIndex = events.findIndex((e, i) => i >= clickedAt && e.event === 'stop');
      assert.ok(stopIndex >= 0, 'the emulator logged the stop');
      await waitFor(async () => (rig.emulator.events().some((e, i) => i > stopIndex && e.event === 'state' && e.state === 'halted' && e.reason === 'stop') ? true : undefined), 'the emulated robot halted by the stop');
      await frame.locator('#safety-log', { hasText: /protective stop \(user\)/ }).waitFor({ state: 'visible' });
      await frame.locator('#episodes tbody tr', { hasText: 'aborted' }).first().waitFor({ state: 'visible' });

      // latched: Start episode is disabled and the robot hears no command
      assert.equal(await frame.locator('#start-episode').getAttribute('disabled'), '');
      await wb.page.waitForTimeout(1000);
      const afterStop = rig.emulator.events().slice(stopIndex + 1);
      assert.deepEqual(afterStop.filter((e) => e.event === 'command' || e.event === 'command_applied' || e.event === 'reset').map((e) => e.event), []);

      // re-arm, run a second episode to its end
      await frame.locator('#arm').click();
      await waitFor(async () => ((await frame.locator('#robot-state').innerText()).includes('STOPPED') ? undefined : true), 'the latch cleared');
      await frame.locator('#start-episode').click();
      await frame.locator('#episodes tbody tr').nth(1).waitFor({ state: 'visible', timeout: 60_000 });
      assert.equal(await frame.locator('#episode-counter').innerText(), '2');
      assert.ok(rig.emulator.events().slice(stopIndex + 1).some((e) => e.event === 'command'), 'commands flow again after re-arming');

      // recorded in the run as real episodes
      const lines = readFileSync(join(rig.runDir, 'real-episodes.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
      assert.equal(lines.length, 2);
      assert.equal(lines[0].abortKind, 'stop');
      assert.ok(existsSync(join(rig.runDir, 'eval-real.json')) === (lines[1].abortKind !== 'stop'));
    }));

  test('the keybinding stops the robot from anywhere in the window', () =>
    wb.guard('console-keybinding', async () => {
      const before = rig.emulator.events().length;
      await wb.page.locator('.statusbar').click({ position: { x: 5, y: 5 } }).catch(() => undefined);
      await wb.page.keyboard.press('Control+Alt+Period');
      await waitFor(async () => (rig.emulator.events().some((e, i) => i >= before && e.event === 'stop') ? true : undefined), 'a stop from Ctrl+Alt+.');
      await frame.locator('#robot-state', { hasText: 'STOPPED' }).waitFor({ state: 'visible' });
      // and the status-bar item
      await frame.locator('#arm').click();
      await waitFor(async () => ((await frame.locator('#robot-state').innerText()).includes('STOPPED') ? undefined : true), 'the latch cleared');
      const before2 = rig.emulator.events().length;
      await wb.page.locator('.statusbar-item', { hasText: 'Stop Robot' }).first().click();
      await waitFor(async () => (rig.emulator.events().some((e, i) => i >= before2 && e.event === 'stop') ? true : undefined), 'a stop from the status bar');
    }));
});
