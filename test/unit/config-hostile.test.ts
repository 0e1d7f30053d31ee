/**
 * Hostile experiment files: each gets a clear finding, never an exception, and returns in bounded
 * time. Every case runs in a worker that is terminated at a generous deadline, so a hang fails its
 * test instead of freezing the suite (and, in the product, the extension host).
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { Worker } from 'node:worker_threads';
import { FINDING_CODES } from '../../src/engine/config/findings';
import { HOSTILE } from './config-hostile.fixtures';
import type { HostileResult } from './config-hostile.worker';

/**
 * Normal cases take well under a second even on a loaded 2-core machine; a validation still running
 * after this long has frozen the editor for the user, so it fails as a hang.
 */
const HANG_MS = 10_000;
const WORKER = join(__dirname, 'config-hostile.worker.ts');
/** Workers do not inherit the test runner's TypeScript loader: register it, then load the worker. */
const BOOTSTRAP = `require('tsx/cjs/api').register(); require(${JSON.stringify(WORKER)});`;

/** A validator in a worker thread; a request that overruns the deadline terminates it (the next one starts afresh). */
class ValidatorWorker {
  private worker: Worker | undefined;
  private ready: Promise<void> | undefined;
  private nextId = 0;

  private start(): Promise<void> {
    if (this.ready) return this.ready;
    const worker = new Worker(BOOTSTRAP, { eval: true });
    this.worker = worker;
    this.ready = new Promise((resolve, reject) => {
      worker.once('message', () => resolve());
      worker.once('error', reject);
    });
    return this.ready;
  }

  async validate(name: string, viaFile = false): Promise<HostileResult> {
    await this.start();
    const worker = this.worker!;
    const id = this.nextId++;
    return answerOrHang<{ id: number; result: HostileResult }>(worker, name, HANG_MS, () => worker.postMessage({ id, name, viaFile })).then(
      (reply) => reply.result,
      (error: unknown) => {
        this.worker = undefined;
        this.ready = undefined;
        throw error;
      },
    );
  }

  async close(): Promise<void> {
    await this.worker?.terminate();
  }
}

function answerOrHang<T>(worker: Worker, name: string, hangMs: number, send: () => void = () => {}): Promise<T> {
  return new Promise((resolve, reject) => {
    const settle = (): void => {
      clearTimeout(timer);
      worker.off('message', onMessage);
      worker.off('error', onError);
    };
    const timer = setTimeout(() => {
      settle();
      void worker.terminate();
      reject(new Error(`'${name}' did not finish within ${hangMs / 1000} s: validation hangs`));
    }, hangMs);
    const onMessage = (reply: T): void => {
      settle();
      resolve(reply);
    };
    const onError = (error: Error): void => {
      settle();
      reject(error);
    };
    worker.on('message', onMessage);
    worker.on('error', onError);
    send();
  });
}

const validator = new ValidatorWorker();
const validateInWorker = (name: string, viaFile = false): Promise<HostileResult> => validator.validate(name, viaFile);

const EXPECTED: Record<string, string> = {
  'unclosed flow sequence': 'yaml-syntax',
  'unclosed quote': 'yaml-syntax',
  'bad indentation': 'yaml-syntax',
  'stray colon soup': 'yaml-syntax',
  'tab indentation': 'yaml-tab',
  'tab in a nested block': 'yaml-tab',
  '10 MB file': 'too-large',
  'billion laughs': 'alias-limit',
  '1,000-deep flow sequences': 'too-deep',
  '1,000-deep unclosed flow sequences': 'too-deep',
  '1,000-deep flow mappings': 'too-deep',
  '1,000-deep block mappings': 'too-large',
  '1,000-deep block sequences': 'too-large',
  '100-deep block mappings': 'too-deep',
  '100-deep block sequences': 'too-deep',
  'open brackets filling the size limit': 'too-deep',
  'compact sequences filling the size limit': 'too-deep',
  'flow nesting behind quoted closers': 'too-deep',
  'a flow list filling the size limit': 'wrong-type',
  'anchored keys filling the size limit': 'unknown-key',
  'random bytes': 'not-text',
  'random bytes as latin1': 'not-text',
  'NUL inside a value': 'not-text',
  'UTF-16 text read as UTF-8': 'not-text',
};

function assertWellFormed(result: HostileResult): void {
  assert.equal(result.error, undefined, 'validation threw');
  assert.ok(result.findings.length > 0, 'no finding at all');
  for (const f of result.findings) {
    assert.ok(f.code in FINDING_CODES, `unknown code ${f.code}`);
    assert.ok(0 <= f.start && f.start <= f.end && f.end <= result.textLength, `span ${f.start}-${f.end} outside the text`);
    assert.ok(f.message.trim().length > 0, `empty message for ${f.code}`);
  }
}

describe('hostile experiment text', () => {
  after(() => validator.close());

  test('every fixture has an expected finding', () => {
    assert.deepEqual(Object.keys(HOSTILE).sort(), Object.keys(EXPECTED).sort());
  });

  for (const [name, code] of Object.entries(EXPECTED)) {
    test(`${name}: ${code}`, async () => {
      const result = await validateInWorker(name);
      assertWellFormed(result);
      const hit = result.findings.find((f) => f.code === code);
      assert.ok(hit, `expected '${code}', got ${JSON.stringify(result.findings.map((f) => f.code))}`);
      assert.equal(hit.severity, 'error');
    });
  }

  test('the refusals stand alone: a refused file reports nothing else', async () => {
    for (const name of ['10 MB file', '1,000-deep block mappings', 'random bytes', 'NUL inside a value', 'open brackets filling the size limit']) {
      const result = await validateInWorker(name);
      assert.deepEqual(
        result.findings.map((f) => f.code),
        [EXPECTED[name]],
        name,
      );
    }
  });

  test('an alias bomb is reported once, where the expansion crosses the limit', async () => {
    const result = await validateInWorker('billion laughs');
    assert.equal(result.findings.filter((f) => f.code === 'alias-limit').length, 1);
    assert.match(result.findings.find((f) => f.code === 'alias-limit')!.message, /alias bomb/);
  });

  test('too-deep names the limit', async () => {
    const result = await validateInWorker('100-deep block mappings');
    assert.match(result.findings.find((f) => f.code === 'too-deep')!.message, /deeper than \d+ levels/);
  });

  test('a 10 MB file on disk is refused by size (loadExperiment)', async () => {
    const result = await validateInWorker('10 MB file', true);
    assert.equal(result.error, undefined);
    assert.deepEqual(
      result.findings.map((f) => f.code),
      ['too-large'],
    );
    assert.match(result.findings[0]!.message, /10\.0 MiB/);
  });

  test('the hang guard itself fails on a hang', async () => {
    // A busy loop never yields; unless the guard terminates it, the guard above proves nothing.
    const spinning = new Worker('for (;;) {}', { eval: true });
    await assert.rejects(answerOrHang(spinning, 'a busy loop', 300), /did not finish within 0.3 s/);
  });
});
