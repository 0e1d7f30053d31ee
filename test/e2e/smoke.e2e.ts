/**
 * Smoke tier: the packaged .vsix installs into a real VS Code, the workbench loads with the
 * extension, its "Sim2Real" activity bar container is there, and the extension activates for a
 * workspace holding *.s2r.yaml files without an activation error.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Workbench, waitFor } from './harness';

const EXTENSION_ID = 'sim2real-workbench.sim2real-workbench';

describe('smoke: the packaged extension in VS Code', { timeout: 300_000 }, () => {
  let wb: Workbench;
  before(async () => {
    wb = await Workbench.start({ fixture: 'e2e-workspace' });
  });
  after(async () => {
    await wb?.close();
  });

  test('the Sim2Real activity bar container appears', () =>
    wb.guard('smoke-activity-bar', async () => {
      await wb.activityBarItem('Sim2Real').waitFor({ state: 'visible', timeout: 60_000 });
    }));

  test('the extension activates on the workspace without errors', () =>
    wb.guard('smoke-activation', async () => {
      // The extension host logs one `_doActivateExtension <id>` line per activation.
      const log = await waitFor(async () => {
        const text = wb.extensionHostLog();
        return text.includes(`_doActivateExtension ${EXTENSION_ID}`) ? text : undefined;
      }, `the extension host to activate ${EXTENSION_ID}`, 60_000, 500);
      const failures = log.split('\n').filter((line) => line.includes(EXTENSION_ID) && /fail|error/i.test(line));
      assert.deepEqual(failures, [], `activation errors in the extension host log:\n${failures.join('\n')}`);
    }));
});
