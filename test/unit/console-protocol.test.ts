/**
 * The safe-test console's message checks, both ways (webview-ui/console/protocol.ts): the host drops
 * anything but the six known requests, the webview drops malformed state, telemetry and setup.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseConsoleToHost, parseHostToConsole } from '../../webview-ui/console/protocol';
import { resolvePlotThread } from '../../webview-ui/console/plotThread';

describe('console -> host', () => {
  test('the known requests pass, exactly as sent', () => {
    for (const type of ['stop', 'connect', 'startEpisode', 'arm', 'disconnect']) assert.deepEqual(parseConsoleToHost({ type }), { type });
    assert.deepEqual(parseConsoleToHost({ type: 'confirmEstop', confirmed: true }), { type: 'confirmEstop', confirmed: true });
  });

  test('extra fields, wrong types and unknown requests are dropped', () => {
    for (const raw of [
      null,
      'stop',
      [{ type: 'stop' }],
      { type: 'stop', address: 'ws://10.0.0.9:9090' },
      { type: 'connect', address: 'ws://evil:1' },
      { type: 'confirmEstop', confirmed: 'yes' },
      { type: 'confirmEstop' },
      { type: 'runShell', command: 'rm -rf ~' },
      {},
    ]) {
      assert.equal(parseConsoleToHost(raw), undefined, JSON.stringify(raw));
    }
  });
});

describe('host -> console', () => {
  test('setup carries where to draw the plots; any other place is refused', () => {
    assert.equal(parseHostToConsole({ type: 'setup', address: 'ws://127.0.0.1:9090', plotThread: 'worker' })?.type, 'setup');
    assert.equal(parseHostToConsole({ type: 'setup', problem: 'No experiment', plotThread: 'page' })?.type, 'setup');
    assert.equal(parseHostToConsole({ type: 'setup', plotThread: 'auto' })?.type, 'setup');
    assert.equal(parseHostToConsole({ type: 'setup' })?.type, 'setup');
    assert.equal(parseHostToConsole({ type: 'setup', plotThread: 'gpu' }), undefined);
    assert.equal(parseHostToConsole({ type: 'setup', address: 9090 }), undefined);
  });

  test('telemetry with a null (a NaN on the wire) or a missing field is dropped whole', () => {
    const sample = { tMs: 1, episode: 0, step: 3, position: [0.1, 0.2, 0.3], command: [0.1, 0.2, 0.3] };
    assert.equal(parseHostToConsole({ type: 'telemetry', samples: [sample] })?.type, 'telemetry');
    assert.equal(parseHostToConsole({ type: 'telemetry', samples: [sample, { ...sample, position: [0.1, null, 0.3] }] }), undefined);
    assert.equal(parseHostToConsole({ type: 'telemetry', samples: [{ ...sample, command: undefined }] }), undefined);
    assert.equal(parseHostToConsole({ type: 'telemetry', samples: 'lots' }), undefined);
  });

  test('safety entries, errors and pipeline requests are checked field by field', () => {
    assert.equal(parseHostToConsole({ type: 'safety', entry: { tMs: 2, level: 'stop', message: 'velocity limit' } })?.type, 'safety');
    assert.equal(parseHostToConsole({ type: 'safety', entry: { tMs: 2, level: 'panic', message: 'x' } }), undefined);
    assert.equal(parseHostToConsole({ type: 'error', message: 'unreachable' })?.type, 'error');
    assert.equal(parseHostToConsole({ type: 'error', message: { html: '<b>' } }), undefined);
    assert.deepEqual(parseHostToConsole({ type: 'episodePrompt' }), { type: 'episodePrompt' });
    assert.equal(parseHostToConsole({ type: 'episodePrompt', request: { path: 'Evaluate on Robot', episode: 3, count: 1, of: 50 } })?.type, 'episodePrompt');
    assert.equal(parseHostToConsole({ type: 'episodePrompt', request: { path: 'Evaluate on Robot', episode: 1.5, count: 1, of: 16 } }), undefined);
    assert.equal(parseHostToConsole({ type: 'episodePrompt', request: { path: 'Evaluate on Robot', episode: 1, count: 0 } }), undefined);
    assert.equal(parseHostToConsole({ type: 'episodePrompt', request: { stage: 'real-finetune', episode: 1, of: 16 } }), undefined);
    assert.equal(parseHostToConsole({ type: 'script', source: 'alert(1)' }), undefined);
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
