/**
 * Worker side of config-hostile.test.ts: builds one hostile text from its name and validates it, so
 * the test can terminate a hang instead of freezing the whole suite. Not a test file itself.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parentPort } from 'node:worker_threads';
import { loadExperiment } from '../../src/engine/config/load';
import { validateText } from '../../src/engine/config/validate';
import { hostileText } from './config-hostile.fixtures';

export interface HostileResult {
  readonly textLength: number;
  readonly findings: { code: string; severity: string; message: string; start: number; end: number }[];
  readonly error?: string;
  readonly ms: number;
}

function run(name: string, viaFile: boolean): HostileResult {
  const text = hostileText(name);
  const started = performance.now();
  try {
    let findings;
    if (viaFile) {
      // loadExperiment decides on size before reading the file into memory
      const dir = mkdtempSync(join(tmpdir(), 's2r-hostile-'));
      try {
        const path = join(dir, 'hostile.s2r.yaml');
        writeFileSync(path, text);
        findings = loadExperiment(path).findings;
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    } else {
      findings = validateText(text).findings;
    }
    return {
      textLength: text.length,
      findings: findings.map(({ code, severity, message, start, end }) => ({ code, severity, message, start, end })),
      ms: performance.now() - started,
    };
  } catch (error) {
    return { textLength: text.length, findings: [], error: error instanceof Error ? `${error.name}: ${error.message}` : String(error), ms: performance.now() - started };
  }
}

// One worker serves many requests so the TypeScript loader starts once; the test times each request.
parentPort!.on('message', ({ id, name, viaFile }: { id: number; name: string; viaFile: boolean }) => {
  parentPort!.postMessage({ id, result: run(name, viaFile) });
});
parentPort!.postMessage({ ready: true });
