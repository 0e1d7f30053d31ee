// The fast YAML path must build exactly the tree the general (`yaml` package) path builds, and must
// never accept a text the general path finds errors in. Checked on the examples and on thousands of
// seeded mutations of them.
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { parseFast } from '../../src/engine/config/fastYaml';
import { parseGeneral } from '../../src/engine/config/parseYaml';
import { Rng } from '../../src/engine/util/rng';

const examplesDir = join(__dirname, '..', '..', 'examples');
const examples = readdirSync(examplesDir)
  .filter((f) => f.endsWith('.s2r.yaml'))
  .map((f) => readFileSync(join(examplesDir, f), 'utf8'));

function agree(text: string): 'fast' | 'fallback' {
  const fast = parseFast(text);
  if (fast === undefined) return 'fallback';
  const general = parseGeneral(text);
  assert.deepEqual(general.findings, [], `fast path accepted a text the yaml package rejects:\n${text}`);
  assert.deepEqual(fast, general.root, `trees differ for:\n${text}`);
  return 'fast';
}

test('the examples take the fast path and agree with the yaml package', () => {
  assert.ok(examples.length >= 2);
  for (const text of examples) assert.equal(agree(text), 'fast');
});

test('hand-picked YAML shapes agree or fall back', () => {
  const cases: [string, 'fast' | 'fallback'][] = [
    ['a: 1\nb: [1, -2.5, .5, +3, 1e3]\nc: {d: x y, e: "q", f: \'s\'}\n', 'fast'],
    ['stages:\n- name: a\n  kind: sim\n- {name: b}\n', 'fast'],
    ['stages:\n  - name: a\n    gate:\n      confirm: true\n  - name: b\nnext: ~\n', 'fast'],
    ['a: ws://127.0.0.1:9090  # comment\nb: "#not a comment"\n', 'fast'],
    ['a: Null\nb: TRUE\nc: yes\nd: 012\ne: 1_000\nf: 2001-12-14\n', 'fast'],
    ['a: &x 1\nb: *x\n', 'fallback'],
    ['a: |\n  text\n', 'fallback'],
    ['a: 0x1F\n', 'fallback'],
    ['a: .inf\n', 'fallback'],
    ['a: "esc\\n"\n', 'fallback'],
    ['a: plain\n  continued\n', 'fallback'],
    ['a:\n\tb: 1\n', 'fallback'],
    ['---\na: 1\n', 'fallback'],
    ['a: [1, 2\n', 'fallback'],
    ['a: b: c\n', 'fallback'],
    ['"q": 1\n', 'fallback'],
    ['a: [1, 2,]\n', 'fallback'],
    ['- 1\n- 2\n', 'fallback'],
  ];
  for (const [text, expected] of cases) assert.equal(agree(text), expected, JSON.stringify(text));
});

const SNIPPETS = [' ', ':', '-', '- ', '[', ']', '{', '}', ',', '#', "'", '"', '&a', '*a', '!', '|', '0x1', '.5', '-1', 'true', '~', ': ', '\n', '\n  ', '  ', 'x: y', '\r'];

function mutate(text: string, rng: Rng): string {
  const lines = text.split('\n');
  const kind = rng.randint(0, 6);
  const at = rng.randint(0, Math.max(0, text.length - 1));
  const line = rng.randint(0, lines.length - 1);
  switch (kind) {
    case 0:
      return text.slice(0, at) + SNIPPETS[rng.randint(0, SNIPPETS.length - 1)] + text.slice(at);
    case 1:
      return text.slice(0, at) + text.slice(at + rng.randint(1, 4));
    case 2:
      lines.splice(line, 1);
      return lines.join('\n');
    case 3:
      lines.splice(line, 0, lines[rng.randint(0, lines.length - 1)]!);
      return lines.join('\n');
    case 4:
      lines[line] = (rng.next() < 0.5 ? '  ' : '') + lines[line]!.replace(/^ {0,2}/, rng.next() < 0.5 ? '' : ' ');
      return lines.join('\n');
    case 5:
      return text.slice(0, at);
    default:
      return text.replace(/\d+(\.\d+)?/g, (m) => (rng.next() < 0.1 ? String(rng.uniform(-5, 5)) : m));
  }
}

test('4,000 seeded mutations: the fast path agrees whenever it accepts', () => {
  const rng = new Rng(20261125);
  let fast = 0;
  for (let i = 0; i < 4000; i++) {
    let text = examples[i % examples.length]!;
    const rounds = rng.randint(1, 3);
    for (let r = 0; r < rounds; r++) text = mutate(text, rng);
    if (agree(text) === 'fast') fast++;
  }
  // Most mutations keep the text plain YAML; if the fast path accepted almost none, it would test nothing.
  assert.ok(fast > 1000, `fast path took only ${fast} of 4000 mutations`);
});
