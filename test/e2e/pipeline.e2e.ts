/**
 * Acceptance test for issue 8 in VS Code: the Experiments tree shows each stage's state and its sim
 * and real success from a pipeline state file; "Sim2Real: Run Transfer Pipeline" from the palette
 * runs a tiny pipeline in the engine, asks at its gates with modal dialogs, and its fine-tuning
 * stage, on a real robot, asks for the emergency stop in a modal dialog and for each episode's
 * start in the safe-test console (issue 15), after which the tree shows every stage passed.
 *
 * Fixture (test/fixtures/pipeline-workspace): pipeline-quick.s2r.yaml, two 8-episode sim stages
 * and two fine-tuning episodes of 20 steps. The test starts the reality emulator and points the
 * experiment at it with `adapter: rosbridge`, so that it counts as a real robot.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Locator } from 'playwright-core';
import { waitFor, Workbench } from './harness';
import { REPO, spawnEmulator, tempDir, type EmulatorProcess } from '../support/robot-helpers';

const EXPERIMENT = 'pipeline-quick';

describe('issue 8: the transfer pipeline in VS Code', { timeout: 900_000 }, () => {
  let wb: Workbench;
  let emulator: EmulatorProcess | undefined;
  const sidebarRow = (text: string | RegExp): Locator => wb.page.locator('.part.sidebar .monaco-list-row').filter({ hasText: text });
  const toast = (text: string | RegExp): Locator => wb.page.locator('.notifications-toasts .notification-toast').filter({ hasText: text });
  const runsDir = (): string => join(wb.workspace, '.sim2real', 'runs', EXPERIMENT);
  const rowText = async (name: string): Promise<string> => (await sidebarRow(name).first().innerText().catch(() => '')).replace(/\s+/g, ' ');

  async function expand(row: Locator): Promise<void> {
    await row.first().waitFor({ state: 'visible', timeout: 60_000 });
    if ((await row.first().getAttribute('aria-expanded')) === 'false') {
      await row.first().locator('.monaco-tl-twistie').click();
      await waitFor(async () => ((await row.first().getAttribute('aria-expanded')) === 'true' ? true : undefined), 'the row to expand');
    }
  }

  before(async () => {
    wb = await Workbench.start({ fixture: 'pipeline-workspace' });
    await wb.activityBarItem('Sim2Real').waitFor({ state: 'visible', timeout: 60_000 });
    // a "real robot": the emulator behind adapter: rosbridge, at the address the experiment names
    const scratch = tempDir('s2r-e2e-pipeline-robot-');
    const profile = join(scratch, 'moderate.yaml');
    writeFileSync(profile, readFileSync(join(REPO, 'examples', 'reality', 'moderate.yaml'), 'utf8').replace(/^watchdogMs: .*$/m, 'watchdogMs: 400'));
    emulator = await spawnEmulator(profile, join(scratch, 'events.jsonl'));
    const file = join(wb.workspace, `${EXPERIMENT}.s2r.yaml`);
    writeFileSync(file, readFileSync(file, 'utf8').replace(/^  adapter: emulator$/m, '  adapter: rosbridge').replace(/^  address: .*$/m, `  address: ${emulator.url}`));
  });
  after(async () => {
    await wb?.close();
    await emulator?.stop();
  });

  test('the tree shows stage states and success rates from a pipeline state file', () =>
    wb.guard('tree-states', async () => {
      // a pipeline that passed its first stage and stopped at the second one's gate
      const dir = join(runsDir(), 'pipeline-20260101-000000-s3');
      mkdirSync(dir, { recursive: true });
      const stage = (name: string, kind: string, state: string, extra: Record<string, unknown> = {}): Record<string, unknown> => ({ name, kind, state, simEpisodes: 0, realEpisodes: 0, plannedRealEpisodes: 0, restarts: 0, ...extra });
      writeFileSync(
        join(dir, 'pipeline.json'),
        JSON.stringify({
          format: 'sim2real-pipeline/1',
          id: 'pipeline-20260101-000000-s3',
          experimentName: EXPERIMENT,
          experimentFile: join(wb.workspace, `${EXPERIMENT}.s2r.yaml`),
          task: 'reach',
          status: 'failed_gate',
          message: "Gate of 'more-sim' not met",
          createdAt: '2026-01-01T00:00:00.000Z',
          updatedAt: '2026-01-01T00:01:00.000Z',
          realEpisodeBudget: 2,
          realEpisodesUsed: 0,
          stages: [
            stage('warm-up', 'sim', 'passed', { simSuccess: 0.875, simEpisodes: 8 }),
            stage('more-sim', 'sim', 'failed_gate', { message: "Gate of 'more-sim' not met" }),
            stage('on-robot', 'real_finetune', 'pending', { plannedRealEpisodes: 2 }),
          ],
          final: { state: 'pending', realEpisodes: 0 },
          experiment: {},
        }),
      );
      await wb.activityBarItem('Sim2Real').click();
      await expand(sidebarRow(EXPERIMENT));
      await expand(sidebarRow(/^Stages/));
      await waitFor(async () => ((await rowText('warm-up')).includes('passed · sim 88%') ? true : undefined), 'warm-up: passed with its sim success');
      assert.match(await rowText('more-sim'), /sim · 8 episodes · failed gate/);
      assert.match(await rowText('on-robot'), /real_finetune · 2 episodes · pending/);
    }));

  test('Run Transfer Pipeline from the palette: gates as modal dialogs, fine-tuning episodes started in the console', () =>
    wb.guard('run', async () => {
      // the state file above stopped at a gate: the command asks to resume or start afresh
      await wb.runCommand('Sim2Real: Run Transfer Pipeline', 5, { opensQuickInput: true });
      const fresh = wb.page.locator('.quick-input-widget .monaco-list-row', { hasText: 'Start a new pipeline' });
      await fresh.first().waitFor({ state: 'visible', timeout: 30_000 });
      await fresh.first().click();
      await toast(/Sim2Real: transfer pipeline pipeline-quick/).first().waitFor({ state: 'visible', timeout: 60_000 });

      const console = wb.page.frameLocator('iframe.webview.ready').frameLocator('#active-frame');
      let dialogs = 0;
      let episodesStarted = 0;
      const seen: string[] = [];
      // answer whatever the pipeline asks, in the order it asks, until it reports its end
      await waitFor(
        async () => {
          if (await toast(/Sim2Real: pipeline (completed|failed|failed_gate|cancelled)/).first().isVisible().catch(() => false)) return true;
          const dialog = wb.page.locator('.monaco-dialog-box');
          if (await dialog.isVisible().catch(() => false)) {
            seen.push((await dialog.innerText()).replace(/\s+/g, ' '));
            // a gate: Continue; a real robot about to move: the emergency stop is within reach
            await dialog.locator('.monaco-button', { hasText: /^(Continue|The Emergency Stop Is Within My Reach)$/ }).click();
            dialogs += 1;
            await dialog.waitFor({ state: 'detached', timeout: 10_000 });
            return undefined;
          }
          const banner = console.locator('#episode-request');
          if (await banner.isVisible().catch(() => false)) {
            const text = await banner.innerText();
            seen.push(text);
            if (!(await console.locator('#estop-confirm').getAttribute('checked').catch(() => null))) await console.locator('#estop-confirm').click();
            await waitFor(async () => ((await console.locator('#start-episode').getAttribute('disabled')) === null ? true : undefined), 'Start episode enabled');
            await console.locator('#start-episode').click();
            episodesStarted += 1;
            await waitFor(async () => (!(await banner.isVisible()) || !(await banner.innerText()).includes(`episode ${episodesStarted} of`) ? true : undefined), 'the banner to move on');
          }
          return undefined;
        },
        'the pipeline to finish',
        600_000,
        500,
      );
      const end = await toast(/Sim2Real: pipeline/).first().innerText();
      assert.match(end, /Sim2Real: pipeline completed/, `${end}\n${seen.join('\n')}`);
      assert.ok(dialogs >= 3, `the gates of 'more-sim' and 'on-robot' and the emergency stop asked: ${seen.join(' | ')}`);
      assert.ok(seen.some((s) => /Start 'on-robot' \(real_finetune\) on the robot/.test(s)), seen.join(' | '));
      assert.ok(seen.some((s) => /a real robot is about to move.*is a real robot and pipeline stage 'on-robot' \(real_finetune\) is about to move it/.test(s)), seen.join(' | '));
      assert.equal(episodesStarted, 2, 'each fine-tuning episode was started from the console');
      for (const episode of [1, 2]) assert.ok(seen.some((s) => s.includes(`pipeline stage 'on-robot' (real_finetune) · episode ${episode} of 2`)), `the console showed episode ${episode}: ${seen.join(' | ')}`);

      const pipelines = readdirSync(runsDir()).filter((d) => d.startsWith('pipeline-') && d !== 'pipeline-20260101-000000-s3');
      assert.equal(pipelines.length, 1);
      const record = JSON.parse(readFileSync(join(runsDir(), pipelines[0]!, 'pipeline.json'), 'utf8'));
      assert.deepEqual(record.stages.map((s: { state: string }) => s.state), ['passed', 'passed', 'passed']);
      assert.equal(record.realEpisodesUsed, 2);
      assert.ok(existsSync(join(runsDir(), pipelines[0]!, record.stages[2].runDir, 'real-rollouts.jsonl')));
      // the motion log: the person's confirmation and starts, through VS Code
      const motion = readFileSync(join(runsDir(), pipelines[0]!, record.stages[2].runDir, 'motion-log.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { event: string; robot?: string; startedBy?: string });
      assert.equal(motion.find((e) => e.event === 'session_open')?.robot, 'real');
      assert.ok(motion.some((e) => e.event === 'estop_confirmed'));
      assert.deepEqual(motion.filter((e) => e.event === 'episode_start').map((e) => e.startedBy), ['person (VS Code)', 'person (VS Code)']);
      for (const name of ['warm-up', 'more-sim', 'on-robot']) {
        await waitFor(async () => ((await rowText(name)).includes('passed') ? true : undefined), `${name} passed in the tree`);
      }
      assert.match(await rowText('on-robot'), /passed · sim \d+% · real \d+% · 2 real episodes/);
    }));
});
