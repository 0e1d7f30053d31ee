/**
 * Acceptance test for issue 6 in VS Code: "applying the result in VS Code updates the experiment
 * and the coverage diagnostics".
 *
 * Fixture (test/fixtures/sysid-workspace): calibrate.s2r.yaml (the push example) and a stored
 * system identification result in .sim2real/runs/calibrate/sysid-20261125-150000/sysid.json whose
 * shoulder damping (0.11 N·m·s/rad) lies outside the experiment's joint_damping range
 * ([0.5, 2] × nominal 0.05 = 0.025-0.1). A user opens the experiment, sees the coverage warning in
 * Problems, widens the range with the quick fix and the warning goes; undoes it, opens the report
 * from the result in the tree (charts drawn), applies the result to the experiment through the diff,
 * and the file holds the calibration block with no coverage warning left. Two run folders beside
 * the result (before-s1 without calibration, after-s1 with it, both evaluated on the emulator) give
 * the gap report's before/after comparison.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Locator } from 'playwright-core';
import { waitFor, Workbench, type Problem } from './harness';

const FILE = 'calibrate.s2r.yaml';
const RESULT = 'sysid-20261125-150000';

describe('issue 6: coverage diagnostics, quick fixes, the report and Apply to Experiment in VS Code', { timeout: 600_000 }, () => {
  let wb: Workbench;
  const sidebarRow = (text: string | RegExp): Locator => wb.page.locator('.part.sidebar .monaco-list-row').filter({ hasText: text });
  const coverage = (problems: Problem[]): Problem | undefined => problems.find((p) => p.file === FILE && p.code === 'coverage-outside-range');

  async function expand(row: Locator): Promise<void> {
    await row.first().waitFor({ state: 'visible' });
    if ((await row.first().getAttribute('aria-expanded')) === 'false') {
      await row.first().locator('.monaco-tl-twistie').click();
      await waitFor(async () => ((await row.first().getAttribute('aria-expanded')) === 'true' ? true : undefined), 'the row to expand');
    }
  }

  before(async () => {
    wb = await Workbench.start({ fixture: 'sysid-workspace' });
  });
  after(async () => {
    await wb?.close();
  });

  test('the measured shoulder damping outside the range shows in Problems, on the range', () =>
    wb.guard('coverage-problem', async () => {
      await wb.openFile(FILE);
      const problems = await wb.waitForProblems((p) => coverage(p) !== undefined, 'the coverage-outside-range warning');
      const problem = coverage(problems)!;
      assert.equal(problem.severity, 'warning');
      assert.equal(problem.source, 'sim2real');
      assert.match(problem.message, /^measured joint_damping \(shoulder\) 0\.11 N·m·s\/rad lies outside 0\.025-0\.1 \(range \[0\.5, 2\] × nominal 0\.05\); from sysid-20261125-150000/);
      const line = readFileSync(join(wb.workspace, FILE), 'utf8').split('\n')[problem.line - 1]!;
      assert.equal(line.slice(problem.column - 1, problem.column - 1 + '[0.5, 2.0]'.length), '[0.5, 2.0]', `placed on the range: ${line}`);
    }));

  test('"Widen range to include 0.11" fixes it and the warning goes; undo brings it back', () =>
    wb.guard('coverage-quick-fix', async () => {
      const problem = coverage(await wb.readProblems())!;
      await wb.goTo(problem.line, problem.column + 1);
      const titles = await wb.triggerQuickFix();
      assert.ok(titles.includes('Widen range to include 0.11') && titles.includes('Re-centre range on 0.11'), JSON.stringify(titles));
      await wb.page.keyboard.press('Escape');
      await wb.applyCodeAction('Widen range to include 0.11');
      // the editor redraws a moment after the edit is applied
      await waitFor(
        async () => ((await wb.readEditorText()).some((l) => /joint_damping: +\{ distribution: uniform, range: \[0\.5, 2\.29\], operation: scale \}/.test(l)) ? true : undefined),
        'the widened range [0.5, 2.29] in the editor',
      );
      await wb.waitForProblems((p) => coverage(p) === undefined, 'the coverage warning to go after the quick fix');
      await wb.goTo(problem.line, 1);
      await wb.page.keyboard.press('Control+z');
      await wb.waitForProblems((p) => coverage(p) !== undefined, 'the coverage warning back after undo');
    }));

  test('the result in the tree opens the report with the friction fit drawn', () =>
    wb.guard('report', async () => {
      await wb.activityBarItem('Sim2Real').click();
      const experiment = sidebarRow('calibrate');
      await experiment.first().waitFor({ state: 'visible', timeout: 60_000 });
      await expand(experiment);
      await expand(sidebarRow(/^Runs/));
      const row = sidebarRow(RESULT).first();
      await row.waitFor({ state: 'visible', timeout: 30_000 });
      assert.match(await row.innerText(), /system identification · 15 values · robot ws:\/\/127\.0\.0\.1:9090/);
      await row.click();
      const frame = wb.page.frameLocator('iframe.webview.ready').frameLocator('#active-frame');
      await frame.locator('h1', { hasText: 'System identification: calibrate.s2r.yaml' }).waitFor({ state: 'visible', timeout: 60_000 });
      for (const id of ['friction-shoulder', 'residuals-shoulder', 'inertia', 'delay']) await frame.locator(`canvas#${id}`).waitFor({ state: 'visible' });
      // chart.js drew into the canvas: some pixel is not transparent
      const drawn = await frame.locator('canvas#friction-shoulder').evaluate((canvas: HTMLCanvasElement) => {
        const data = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
        for (let i = 3; i < data.length; i += 4) if (data[i] !== 0) return true;
        return false;
      });
      assert.ok(drawn, 'the friction chart has pixels');
      await frame.getByText(/viscous b = 0\.11 ± 0\.003 N·m·s\/rad · Coulomb c = 0\.21 ± 0\.006 N·m/).waitFor({ state: 'visible' });
      // the sensors measured at rest: the tracker's noise and rate, which the simulator's sensor model takes
      const sensors = frame.locator('[data-card="sensors"]');
      await sensors.waitFor({ state: 'visible' });
      assert.match(await sensors.innerText(), /puck position \(per axis\)\s+0\.00298 ± 0\.00016 m\s+30\.11 ± 0\.09 Hz/);
    }));

  test('Apply to Experiment shows the diff, applies on confirmation, and the coverage warning goes', () =>
    wb.guard('apply', async () => {
      const frame = wb.page.frameLocator('iframe.webview.ready').frameLocator('#active-frame');
      await frame.locator('vscode-button#apply').click();
      // the diff of the file against the proposed text opens first, then the confirmation
      await wb.page.locator('.tabs-container .tab', { hasText: /calibrate\.s2r\.yaml ↔ calibrated \(proposed\)/ }).first().waitFor({ state: 'visible', timeout: 30_000 });
      const dialog = wb.page.locator('.monaco-dialog-box');
      await dialog.waitFor({ state: 'visible' });
      assert.match(await dialog.innerText(), /joint_damping \(shoulder\): nominal 0\.05 -> 0\.11 N·m·s\/rad/);
      await dialog.locator('.monaco-button', { hasText: /^Apply$/ }).click();
      await waitFor(async () => (readFileSync(join(wb.workspace, FILE), 'utf8').includes('calibration:') ? true : undefined), 'the calibration block on disk');
      const text = readFileSync(join(wb.workspace, FILE), 'utf8');
      assert.match(text, /joint_damping: \{ shoulder: 0\.11, elbow: 0\.062, wrist: 0\.048 \}/);
      assert.match(text, /action_delay: +\{ distribution: randint, range: \[1, 4\] \}/);
      assert.match(text, /source: \.sim2real\/runs\/calibrate\/sysid-20261125-150000\/sysid\.json/);
      await wb.waitForProblems((p) => coverage(p) === undefined, 'no coverage warning once the calibration is applied');
    }));

  test('the gap report of a calibrated run compares the transfer gap before and after calibration', () =>
    wb.guard('calibration-gap', async () => {
      // two runs of the experiment on the moderate emulator (seed 1, from docs/calibration.md): one
      // trained without the calibration block, one with it
      const runs = join(wb.workspace, '.sim2real', 'runs', 'calibrate');
      const gap = (run: string): number => {
        const sim = JSON.parse(readFileSync(join(runs, run, 'eval.json'), 'utf8')).success_rate as number;
        const real = JSON.parse(readFileSync(join(runs, run, 'eval-real.json'), 'utf8')).report.success_rate as number;
        return 100 * (sim - real);
      };
      const change = gap('after-s1') - gap('before-s1');
      const calibrated = JSON.parse(readFileSync(join(runs, 'after-s1', 'run.json'), 'utf8')).runId as string;
      const row = sidebarRow(calibrated).first();
      await row.waitFor({ state: 'visible', timeout: 30_000 });
      await row.click({ button: 'right' });
      const item = wb.page.locator('.monaco-menu .action-item .action-label').filter({ hasText: /^Open Gap Report$/ });
      await item.first().waitFor({ state: 'visible' });
      await item.first().click();
      // when the click reaches the command without its run (the tree redrew under the menu), the
      // command asks which run: answer with the calibrated one
      const pick = wb.page.locator('.quick-input-widget .quick-input-list .monaco-list-row').filter({ hasText: calibrated });
      if (await pick.first().waitFor({ state: 'visible', timeout: 5_000 }).then(() => true, () => false)) await pick.first().click();
      // the system identification report is still open beside it: the gap report is the newest webview
      const frame = wb.page.frameLocator('iframe.webview.ready >> nth=-1').frameLocator('#active-frame');
      const changeCell = frame.locator('.calibration [data-metric="calibration-change"]');
      await changeCell.waitFor({ state: 'visible', timeout: 60_000 });
      assert.equal(await changeCell.innerText(), `${change <= 0 ? '' : '+'}${change.toFixed(1)} points`);
      assert.equal(await frame.locator('[data-metric="calibration-gap-before"]').innerText(), `${gap('before-s1').toFixed(1)} ± 0.0`);
      assert.equal(await frame.locator('[data-metric="calibration-gap-after"]').innerText(), `${gap('after-s1').toFixed(1)} ± 0.0`);
      // the verdict weighs the gap's size and the real success (the fixture: real runs of push on moderate, seed 1, without and with the sensors' calibration)
      const real = (run: string): string => `${(100 * JSON.parse(readFileSync(join(runs, run, 'eval-real.json'), 'utf8')).report.success_rate).toFixed(1)}%`;
      assert.match(await frame.locator('[data-metric="calibration-verdict"]').innerText(), new RegExp(`Real success ${real('before-s1').replace('.', '\\.')} → ${real('after-s1').replace('.', '\\.')}`));
      // report.json, written on opening, holds the same comparison
      const report = await waitFor(async () => {
        const path = join(runs, 'after-s1', 'report.json');
        try {
          return JSON.parse(readFileSync(path, 'utf8'));
        } catch {
          return undefined;
        }
      }, 'report.json written on opening');
      assert.deepEqual(report.calibration.comparison.before.runs.map((r: { seed: number }) => r.seed), [1]);
      assert.ok(Math.abs(report.calibration.comparison.gapChangePoints - change) < 1e-9);
    }));
});
