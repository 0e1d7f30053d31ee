/**
 * Acceptance test for issue 2: "A new user opens a broken experiment in VS Code and sees each
 * problem in the Problems panel at the right line, fixes one with a quick fix, gets completions
 * for parameter names."
 *
 * Fixture (test/fixtures/e2e-workspace): broken.s2r.yaml has a reversed range on line 6 and the
 * misspelt parameter `fricton` on line 7; draft.s2r.yaml ends in an empty line under
 * `randomization.physics` (line 6) for completions. The steps share one VS Code and run in order.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { formatProblems, waitFor, Workbench, type Problem } from './harness';

const BROKEN = 'broken.s2r.yaml';
const DRAFT = 'draft.s2r.yaml';

/** The extension's problem with this code on this line of broken.s2r.yaml. */
const at = (problems: Problem[], code: string, line: number) =>
  problems.find((p) => p.file === BROKEN && p.source === 'sim2real' && p.code === code && p.line === line);
const errorsIn = (problems: Problem[], file: string) =>
  problems.filter((p) => p.file === file && p.source === 'sim2real' && p.severity === 'error');

describe('issue 2: authoring an experiment in VS Code', { timeout: 600_000 }, () => {
  let wb: Workbench;
  before(async () => {
    wb = await Workbench.start({ fixture: 'e2e-workspace' });
    // Commands and providers exist once the extension is up; its view container shows first.
    await wb.activityBarItem('Sim2Real').waitFor({ state: 'visible', timeout: 60_000 });
  });
  after(async () => {
    await wb?.close();
  });

  test('each problem of broken.s2r.yaml is in the Problems panel at its line', () =>
    wb.guard('problems', async () => {
      await wb.openFile(BROKEN);
      const problems = await wb.waitForProblems(
        (p) => at(p, 'range-reversed', 6) !== undefined && at(p, 'unknown-parameter', 7) !== undefined,
        'sim2real range-reversed on line 6 and unknown-parameter on line 7',
        60_000,
      );
      const reversed = at(problems, 'range-reversed', 6)!;
      assert.equal(reversed.severity, 'error', formatProblems(problems));
      assert.match(reversed.message, /lower bound.*above the upper bound/i);
      const unknown = at(problems, 'unknown-parameter', 7)!;
      assert.equal(unknown.severity, 'error', formatProblems(problems));
      assert.match(unknown.message, /fricton/);
      assert.match(unknown.message, /did you mean 'friction'/);
      // Nothing is reported on the lines that are fine.
      const misplaced = errorsIn(problems, BROKEN).filter((p) => p.line !== 6 && p.line !== 7);
      assert.deepEqual(misplaced, [], `errors on valid lines:\n${formatProblems(misplaced)}`);
    }));

  test('the quick fix "Swap ..." repairs the reversed range and its problem goes away', () =>
    wb.guard('quick-fix-swap', async () => {
      const problems = await wb.waitForProblems((p) => at(p, 'range-reversed', 6) !== undefined, 'the range-reversed problem');
      const reversed = at(problems, 'range-reversed', 6)!;
      await wb.goTo(reversed.line, reversed.column);
      const title = await wb.applyCodeAction('Swap');
      assert.match(title, /0\.5.*1\.5/, `the swap fix names the repaired range: "${title}"`);
      await wb.waitForEditorLine(6, '    friction: {distribution: uniform, range: [0.5, 1.5], operation: scale}');
      await wb.waitForProblems(
        (p) => at(p, 'range-reversed', 6) === undefined && at(p, 'unknown-parameter', 7) !== undefined,
        'range-reversed gone, unknown-parameter still on line 7',
      );
    }));

  test("the misspelt parameter offers \"Change to 'friction'\"", () =>
    wb.guard('quick-fix-did-you-mean', async () => {
      const problems = await wb.waitForProblems((p) => at(p, 'unknown-parameter', 7) !== undefined, 'the unknown-parameter problem');
      const unknown = at(problems, 'unknown-parameter', 7)!;
      await wb.goTo(unknown.line, unknown.column);
      const titles = await wb.triggerQuickFix();
      await wb.page.keyboard.press('Escape');
      assert.ok(titles.some((t) => t.startsWith("Change to 'friction'")), `quick fixes on line 7: ${JSON.stringify(titles)}`);
    }));

  test('problems follow edits: a misspelt task is reported on its line', () =>
    wb.guard('live-unknown-task', async () => {
      await wb.goTo(2, 11); // end of "task: push"
      await wb.typeText('x');
      try {
        await wb.waitForEditorLine(2, 'task: pushx');
        const problems = await wb.waitForProblems((p) => at(p, 'unknown-task', 2) !== undefined, 'sim2real unknown-task on line 2');
        assert.match(at(problems, 'unknown-task', 2)!.message, /pushx/);
      } finally {
        await wb.page.keyboard.press('Backspace'); // leave the file as the next steps expect it
      }
      await wb.waitForEditorLine(2, 'task: push');
      await wb.waitForProblems((p) => at(p, 'unknown-task', 2) === undefined, 'unknown-task gone after the edit is undone');
    }));

  test('completion under randomization.physics offers the physics parameter names', () =>
    wb.guard('completion', async () => {
      await wb.openFile(DRAFT);
      // `physics:` without entries is itself an error until a parameter is added.
      await wb.waitForProblems((p) => errorsIn(p, DRAFT).length > 0, `a sim2real error in ${DRAFT} before completing`);
      await wb.goTo(6, 5); // the indented empty line under `physics:`
      const labels = await wb.triggerCompletion();
      for (const name of ['friction', 'restitution', 'object_mass']) {
        assert.ok(labels.includes(name), `'${name}' missing from the suggestions: ${JSON.stringify(labels)}`);
      }
      // Only physics parameters belong here: no top-level keys, no other groups' parameters.
      for (const name of ['seed', 'task', 'light_intensity', 'action_delay']) {
        assert.ok(!labels.includes(name), `'${name}' should not be suggested under physics: ${JSON.stringify(labels)}`);
      }
      await wb.acceptCompletion('friction');
      const lines = await waitFor(async () => {
        const text = await wb.readEditorText();
        return /^ {4}friction: \S/.test(text[5] ?? '') ? text : undefined;
      }, "line 6 to start with 'friction: ' after accepting the suggestion");
      await wb.page.keyboard.press('Escape'); // closes the snippet's choice list, if any
      // The inserted entry is complete and valid: the draft has no errors left.
      await wb.waitForProblems((p) => errorsIn(p, DRAFT).length === 0, `no sim2real errors in ${DRAFT} after inserting:\n${lines.join('\n')}`);
    }));

  test("a URDF's problems are in the Problems panel at their lines, with did-you-mean", () =>
    wb.guard('urdf-problems', async () => {
      const URDF = 'broken_arm.urdf';
      await wb.openFile(URDF);
      const problems = await wb.waitForProblems((p) => p.some((q) => q.file === URDF && q.line === 12) && p.some((q) => q.file === URDF && q.line === 16), `problems of ${URDF} on lines 12 and 16`);
      const child = problems.find((q) => q.file === URDF && q.line === 12)!;
      assert.equal(child.severity, 'error', formatProblems(problems));
      assert.match(child.message, /child link 'uper_arm' does not exist; did you mean 'upper_arm'\?/);
      assert.match(problems.find((q) => q.file === URDF && q.line === 16)!.message, /mass -0\.1 kg; a link's mass must be positive/);
    }));
});
