/**
 * The layers of docs/architecture.md, enforced: every module in a layer, imports downwards only,
 * siblings apart, browser code on what it may use, vscode where it belongs, and no import cycle.
 * No exception list. The checker itself is tested on small graphs, so it is known to catch what it
 * looks for.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { checkLayers, parseLayers, readGraph, type ModuleGraph } from '../support/layers';

const REPO = join(__dirname, '..', '..');

function graph(edges: Record<string, string[]>, packages: Record<string, string[]> = {}): ModuleGraph {
  return { imports: new Map(Object.entries(edges)), packages: new Map(Object.entries(packages)) };
}

describe('layers', () => {
  test('the repository follows the layers of docs/architecture.md, with no import cycle', () => {
    const layers = parseLayers(readFileSync(join(REPO, 'docs', 'architecture.md'), 'utf8'));
    const violations = checkLayers(layers, readGraph(REPO, ['src', 'webview-ui']));
    assert.deepEqual(violations.map((v) => v.message), []);
  });

  test('the checker catches a backwards import, siblings, a disallowed layer, vscode out of place, an unlayered module and a cycle', () => {
    const layers = parseLayers('```layers\n1. a/\n2. b/ c/\n3. d/ only: a/\n4. e/ vscode\n```');
    assert.deepEqual(layers.map((l) => [l.rank, l.paths, l.only ?? null, l.vscode]), [
      [1, ['a/'], null, false],
      [2, ['b/', 'c/'], null, false],
      [3, ['d/'], ['a/'], false],
      [4, ['e/'], null, true],
    ]);
    const kinds = (g: ModuleGraph): string[] => checkLayers(layers, g).map((v) => v.kind);
    assert.deepEqual(kinds(graph({ 'a/x.ts': [], 'b/y.ts': ['a/x.ts'], 'e/z.ts': ['b/y.ts'] }, { 'e/z.ts': ['vscode'] })), [], 'downwards is fine');
    assert.deepEqual(kinds(graph({ 'a/x.ts': ['b/y.ts'], 'b/y.ts': [] })), ['upward']);
    assert.deepEqual(kinds(graph({ 'b/y.ts': ['c/w.ts'], 'c/w.ts': [] })), ['sibling']);
    assert.deepEqual(kinds(graph({ 'd/v.ts': ['b/y.ts'], 'b/y.ts': [] })), ['not-allowed']);
    assert.deepEqual(kinds(graph({ 'b/y.ts': [] }, { 'b/y.ts': ['vscode'] })), ['vscode']);
    assert.deepEqual(kinds(graph({ 'f/u.ts': [] })), ['unlayered']);
    assert.deepEqual(kinds(graph({ 'a/x.ts': ['a/y.ts'], 'a/y.ts': ['a/x.ts'] })), ['cycle']);
    assert.match(checkLayers(layers, graph({ 'a/x.ts': ['a/y.ts'], 'a/y.ts': ['a/x.ts'] }))[0]!.message, /import cycle: a\/x\.ts -> a\/y\.ts -> a\/x\.ts/);
  });
});
