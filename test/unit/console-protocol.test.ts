/**
 * The safe-test console's message checks, both ways (src/messages/console.ts): the host drops
 * anything but the six known requests, the webview drops malformed state, telemetry and setup.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { CONSOLE_HOST_MESSAGES, CONSOLE_WEBVIEW_MESSAGES } from '../../src/messages/console';

const parseConsoleToHost = CONSOLE_WEBVIEW_MESSAGES.parse;
const parseHostToConsole = CONSOLE_HOST_MESSAGES.parse;
import { resolvePlotThread } from '../../webview-ui/console/plotThread';

describe('console -> host', () => {
  test('the known requests pass, exactly as sent', () => {
    for (const kind of ['stop', 'connect', 'startEpisode', 'arm', 'disconnect']) assert.deepEqual(parseConsoleToHost({ kind }), { kind });
    assert.deepEqual(parseConsoleToHost({ kind: 'confirmEstop', confirmed: true }), { kind: 'confirmEstop', confirmed: true });
  });

  test('extra fields, wrong types and unknown requests are dropped', () => {
    for (const raw of [
      null,
      'stop',
      [{ kind: 'stop' }],
      { kind: 'stop', address: 'ws://10.0.0.9:9090' },
      { kind: 'connect', address: 'ws://evil:1' },
      { kind: 'confirmEstop', confirmed: 'yes' },
      { kind: 'confirmEstop' },
      { kind: 'runShell', command: 'rm -rf ~' },
      {},
    ]) {
      assert.equal(parseConsoleToHost(raw), undefined, JSON.stringify(raw));
    }
  });
});

describe('host -> console', () => {
  test('setup carries where to draw the plots; any other place is refused', () => {
    assert.equal(parseHostToConsole({ kind: 'setup', address: 'ws://127.0.0.1:9090', plotThread: 'worker' })?.kind, 'setup');
    assert.equal(parseHostToConsole({ kind: 'setup', problem: 'No experiment', plotThread: 'page' })?.kind, 'setup');
    assert.equal(parseHostToConsole({ kind: 'setup', plotThread: 'auto' })?.kind, 'setup');
    assert.equal(parseHostToConsole({ kind: 'setup' })?.kind, 'setup');
    assert.equal(parseHostToConsole({ kind: 'setup', plotThread: 'gpu' }), undefined);
    assert.equal(parseHostToConsole({ kind: 'setup', address: 9090 }), undefined);
  });

  test('telemetry with a null (a NaN on the wire) or a missing field is dropped whole', () => {
    const sample = { tMs: 1, episode: 0, step: 3, position: [0.1, 0.2, 0.3], command: [0.1, 0.2, 0.3] };
    assert.equal(parseHostToConsole({ kind: 'telemetry', samples: [sample] })?.kind, 'telemetry');
    assert.equal(parseHostToConsole({ kind: 'telemetry', samples: [sample, { ...sample, position: [0.1, null, 0.3] }] }), undefined);
    assert.equal(parseHostToConsole({ kind: 'telemetry', samples: [{ ...sample, command: undefined }] }), undefined);
    assert.equal(parseHostToConsole({ kind: 'telemetry', samples: 'lots' }), undefined);
  });

  test('safety entries, errors and pipeline requests are checked field by field', () => {
    assert.equal(parseHostToConsole({ kind: 'safety', entry: { tMs: 2, level: 'stop', message: 'velocity limit' } })?.kind, 'safety');
    assert.equal(parseHostToConsole({ kind: 'safety', entry: { tMs: 2, level: 'panic', message: 'x' } }), undefined);
    assert.equal(parseHostToConsole({ kind: 'error', message: 'unreachable' })?.kind, 'error');
    assert.equal(parseHostToConsole({ kind: 'error', message: { html: '<b>' } }), undefined);
    assert.deepEqual(parseHostToConsole({ kind: 'episodePrompt' }), { kind: 'episodePrompt' });
    assert.equal(parseHostToConsole({ kind: 'episodePrompt', request: { path: 'Evaluate on Robot', episode: 3, count: 1, of: 50 } })?.kind, 'episodePrompt');
    assert.equal(parseHostToConsole({ kind: 'episodePrompt', request: { path: 'Evaluate on Robot', episode: 1.5, count: 1, of: 16 } }), undefined);
    assert.equal(parseHostToConsole({ kind: 'episodePrompt', request: { path: 'Evaluate on Robot', episode: 1, count: 0 } }), undefined);
    assert.equal(parseHostToConsole({ kind: 'episodePrompt', request: { stage: 'real-finetune', episode: 1, of: 16 } }), undefined);
    assert.equal(parseHostToConsole({ kind: 'script', source: 'alert(1)' }), undefined);
  });
});

describe('where the live plots are drawn (sim2real.console.plotThread)', () => {
  test('auto: the page on two cores or fewer (the worker would compete with the stop path), the worker beyond', () => {
    assert.equal(resolvePlotThread('auto', 2), 'page');
    assert.equal(resolvePlotThread('auto', 1), 'page');
    assert.equal(resolvePlotThread('auto', undefined), 'page');
    assert.equal(resolvePlotThread('auto', 4), 'worker');
  });
  test('an explicit setting is kept whatever the cores', () => {
    assert.equal(resolvePlotThread('worker', 2), 'worker');
    assert.equal(resolvePlotThread('page', 16), 'page');
  });
});
