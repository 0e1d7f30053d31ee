/**
 * Acceptance test for issue 7 in VS Code: "the matching VS Code commands train the perception
 * model under visual randomization, evaluate it on emulator images, adapt it with DANN, and report
 * the errors; the gap report shows the visual gap".
 *
 * Fixture (test/fixtures/perception-workspace): perception-quick.s2r.yaml, the perception example;
 * the test starts the reality emulator (moderate profile) on a free port and writes its address
 * into robot.address. Settings keep the jobs small (96 renders, 2 epochs, 6 camera images, 10 DANN
 * steps) so that each finishes in well under a minute on 2 cores.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { FrameLocator, Locator } from 'playwright-core';
import { spawnEmulator, tempDir, type EmulatorProcess } from '../support/robot-helpers';
import { repoRoot, waitFor, Workbench } from './harness';

const EXPERIMENT = 'perception-quick';
const FILE = `${EXPERIMENT}.s2r.yaml`;

interface ModelEntry {
  readonly model: string;
  readonly training?: { readonly simTest: { readonly meanCm: number } };
  readonly realImages?: { readonly errors: { readonly meanCm: number; readonly p95Cm: number; readonly images: number }; readonly source: string };
  readonly adaptation?: { readonly before: { readonly meanCm: number; readonly p95Cm: number }; readonly after: { readonly meanCm: number; readonly p95Cm: number } };
}

describe('issue 7: perception commands in VS Code', { timeout: 900_000 }, () => {
  let wb: Workbench;
  let emulator: EmulatorProcess;
  const sidebarRow = (text: string | RegExp): Locator => wb.page.locator('.part.sidebar .monaco-list-row').filter({ hasText: text });
  const toast = (text: string | RegExp): Locator => wb.page.locator('.notifications-toasts .notification-toast').filter({ hasText: text });
  const quickPickRow = (text: string | RegExp): Locator => wb.page.locator('.quick-input-widget .monaco-list-row').filter({ hasText: text });
  const runsDir = (): string => join(wb.workspace, '.sim2real', 'runs', EXPERIMENT);
  const runFolders = (): string[] => (existsSync(runsDir()) ? readdirSync(runsDir()) : []);
  const report = (run: string): ModelEntry[] => (JSON.parse(readFileSync(join(runsDir(), run, 'perception.json'), 'utf8')) as { models: ModelEntry[] }).models;
  const reportFrame = (): FrameLocator => wb.page.frameLocator('iframe.webview.ready').frameLocator('#active-frame');
  const cell = (e: { meanCm: number; p95Cm: number }): string => `${e.meanCm.toFixed(2)} / ${e.p95Cm.toFixed(2)} cm`;

  async function expand(row: Locator): Promise<void> {
    await row.first().waitFor({ state: 'visible', timeout: 60_000 });
    if ((await row.first().getAttribute('aria-expanded')) === 'false') {
      await row.first().locator('.monaco-tl-twistie').click();
      await waitFor(async () => ((await row.first().getAttribute('aria-expanded')) === 'true' ? true : undefined), 'the row to expand');
    }
  }

  /** Every distinct line the job's progress notification and status-bar item showed, until `done` holds. */
  async function watchProgress(title: RegExp, done: () => Promise<boolean>, timeout: number): Promise<string[]> {
    const seen = new Set<string>();
    await waitFor(
      async () => {
        for (const text of await wb.page.locator('.notifications-toasts .notification-toast').filter({ hasText: title }).allInnerTexts().catch(() => [])) seen.add(text.replace(/\s+/g, ' '));
        const status = await wb.page.locator('.statusbar-item', { hasText: title }).allInnerTexts().catch(() => []);
        for (const text of status) seen.add(text.replace(/\s+/g, ' '));
        return (await done()) ? true : undefined;
      },
      `the job (${title}) to finish`,
      timeout,
      200,
    );
    return [...seen];
  }

  before(async () => {
    const dir = tempDir('perception-e2e');
    const profile = join(dir, 'profile.yaml');
    writeFileSync(profile, readFileSync(join(repoRoot, 'examples', 'reality', 'moderate.yaml'), 'utf8'));
    emulator = await spawnEmulator(profile, join(dir, 'emulator.jsonl'));
    wb = await Workbench.start({
      fixture: 'perception-workspace',
      settings: {
        'sim2real.perception.trainingImages': 96,
        'sim2real.perception.epochs': 2,
        'sim2real.perception.realImages': 6,
        'sim2real.perception.dannRealImages': 6,
        'sim2real.perception.dannHeldOutImages': 6,
        'sim2real.perception.dannSimImages': 64,
        'sim2real.perception.dannSteps': 10,
      },
    });
    const file = join(wb.workspace, FILE);
    writeFileSync(file, readFileSync(file, 'utf8').replace(/^(\s+address:) .*$/m, `$1 ${emulator.url}`));
    await wb.activityBarItem('Sim2Real').waitFor({ state: 'visible', timeout: 60_000 });
  });
  after(async () => {
    await wb?.close();
    await emulator?.stop();
  });

  test('Train Perception Model from the palette: progress, then a run with the model in the tree', () =>
    wb.guard('train', async () => {
      await wb.openFile(FILE);
      await wb.runCommand('Sim2Real: Train Perception Model', 5, { opensQuickInput: true });
      // no runs yet: only the look is asked
      await quickPickRow('With visual randomization').first().click();
      const lines = await watchProgress(/training the perception model/, () => toast(/Sim2Real: trained perception\.onnx/).first().isVisible(), 300_000);
      assert.ok(lines.some((l) => /epoch \d of 2|rendered \d+ images|rendering training images/.test(l)), `progress was shown: ${lines.join(' | ')}`);
      const done = await toast(/Sim2Real: trained perception\.onnx/).first().innerText();
      assert.match(done, /sim images mean \d+\.\d\d cm, p95 \d+\.\d\d cm over 300 images/);

      const runs = runFolders();
      assert.equal(runs.length, 1, runs.join(', '));
      assert.match(runs[0]!, /-perception$/);
      for (const name of ['run.json', 'perception.onnx', 'perception.weights.json', 'perception.json']) assert.ok(existsSync(join(runsDir(), runs[0]!, name)), name);
      const simCm = report(runs[0]!).find((m) => m.model === 'perception.onnx')!.training!.simTest.meanCm;

      await wb.activityBarItem('Sim2Real').click();
      await expand(sidebarRow(EXPERIMENT));
      await expand(sidebarRow(/^Runs/));
      const row = sidebarRow(runs[0]!);
      await waitFor(async () => ((await row.first().innerText().catch(() => '')).includes(`vision sim ${simCm.toFixed(1)} cm`) ? true : undefined), 'the run in the tree with its sim error');
    }));

  test('Evaluate Perception on Robot Images on the emulator: the errors in the gap report', () =>
    wb.guard('evaluate', async () => {
      const run = runFolders()[0]!;
      await wb.runCommand('Sim2Real: Evaluate Perception on Robot Images');
      const lines = await watchProgress(/on robot images/, () => toast(/camera images: mean/).first().isVisible(), 180_000);
      assert.ok(lines.some((l) => /\d of 6 camera images from ws:\/\/127\.0\.0\.1:\d+/.test(l)), `progress was shown: ${lines.join(' | ')}`);
      const entry = report(run).find((m) => m.model === 'perception.onnx')!;
      assert.equal(entry.realImages?.errors.images, 6);
      assert.equal(entry.realImages?.source, emulator.url);
      // the gap report opened on the run, its visual-gap section holding the same figures
      const frame = reportFrame();
      await frame.locator('.visual-gap h3', { hasText: 'Visual gap (puck perception)' }).waitFor({ state: 'visible', timeout: 60_000 });
      const realCell = frame.locator('.visual-gap td[data-metric="visual-real"]').first();
      await waitFor(async () => ((await realCell.innerText()) === cell(entry.realImages!.errors) ? true : undefined), `the real-image error ${cell(entry.realImages!.errors)} in the report`);
      assert.equal(await frame.locator('.visual-gap td[data-metric="visual-sim"]').first().innerText(), cell(entry.training!.simTest as { meanCm: number; p95Cm: number }));
    }));

  test('Adapt Perception (DANN): before and after side by side in the open report', () =>
    wb.guard('adapt', async () => {
      const run = runFolders()[0]!;
      await wb.runCommand('Sim2Real: Adapt Perception (DANN)');
      await watchProgress(/adapting perception\.onnx/, () => toast(/DANN on held-out robot images/).first().isVisible(), 300_000);
      assert.ok(existsSync(join(runsDir(), run, 'perception-dann.onnx')));
      const adaptation = report(run).find((m) => m.model === 'perception.onnx')!.adaptation!;
      const frame = reportFrame();
      const afterCell = frame.locator('.visual-gap td[data-metric="visual-after"]').first();
      await waitFor(async () => ((await afterCell.innerText()) === cell(adaptation.after) ? true : undefined), 'the after-DANN error in the report');
      assert.equal(await frame.locator('.visual-gap td[data-metric="visual-before"]').first().innerText(), cell(adaptation.before));
    }));

  test('Cancel stops a training and leaves no run behind', () =>
    wb.guard('cancel', async () => {
      const before = runFolders();
      await wb.openFile(FILE);
      await wb.runCommand('Sim2Real: Train Perception Model', 5, { opensQuickInput: true });
      await quickPickRow('New perception run').first().click();
      await quickPickRow('Nominal look only').first().click();
      const progress = toast(/training the perception model/).first();
      await progress.waitFor({ state: 'visible', timeout: 60_000 });
      await progress.locator('.monaco-button', { hasText: 'Cancel' }).click();
      await toast(/perception training cancelled; nothing was written/).first().waitFor({ state: 'visible', timeout: 30_000 });
      assert.deepEqual(runFolders(), before, 'no new run and no staging folder');
    }));

  test('an unreachable robot is a clear error', () =>
    wb.guard('unreachable', async () => {
      await emulator.stop();
      await wb.runCommand('Sim2Real: Evaluate Perception on Robot Images', 5, { opensQuickInput: true });
      // the run now holds the adapted model too: which one is asked
      await quickPickRow(/^perception\.onnx/).first().click();
      const error = toast(/evaluating the perception model of .* failed/).first();
      await error.waitFor({ state: 'visible', timeout: 60_000 });
      assert.match(await error.innerText(), new RegExp(`${emulator.url.replace(/[/.]/g, '\\$&')}[\\s\\S]*Is the reality emulator running there\\?`));
    }));
});
