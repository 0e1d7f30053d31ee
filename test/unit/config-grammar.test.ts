/**
 * The TextMate grammar for experiment files: generated from the parameter, task and schema tables
 * (and in sync with them), valid JSON with the right scope, regexes that compile, and patterns that
 * scope the format's words in the examples. vscode-textmate is not installed, so the injection
 * patterns are run here with a small line scanner (earliest match wins, ties by order, as in TextMate).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { DISTRIBUTIONS, OPERATIONS, PARAMETER_GROUPS, PARAMETERS } from '../../src/engine/config/parameters';
import { TASK_NAMES } from '../../src/engine/config/taskCatalog';
import { GRAMMAR_PATH, grammarText } from '../../scripts/gen-grammar';

const ROOT = join(__dirname, '..', '..');

interface Rule {
  match?: string;
  begin?: string;
  end?: string;
  while?: string;
  include?: string;
  patterns?: Rule[];
  captures?: Record<string, { name: string }>;
}
interface Grammar {
  scopeName: string;
  patterns: Rule[];
  injections: Record<string, { patterns: Rule[] }>;
  repository: Record<string, Rule>;
}

const text = readFileSync(GRAMMAR_PATH, 'utf8');
const grammar = JSON.parse(text) as Grammar;

function regexesOf(rule: Rule, out: string[] = []): string[] {
  for (const key of ['match', 'begin', 'end', 'while'] as const) if (rule[key]) out.push(rule[key]!);
  for (const child of rule.patterns ?? []) regexesOf(child, out);
  return out;
}

function allRegexes(): string[] {
  const out: string[] = [];
  for (const rule of grammar.patterns) regexesOf(rule, out);
  for (const injection of Object.values(grammar.injections)) for (const rule of injection.patterns) regexesOf(rule, out);
  for (const rule of Object.values(grammar.repository)) regexesOf(rule, out);
  return out;
}

/** The injected rules, resolved, in their order. */
function injectedRules(): Rule[] {
  const [injection] = Object.values(grammar.injections);
  return injection!.patterns.map((p) => (p.include?.startsWith('#') ? grammar.repository[p.include.slice(1)]! : p));
}

/** word -> scopes given to it on one line: at each position the earliest match wins, ties by rule order. */
function scopeLine(line: string): Map<string, string[]> {
  const rules = injectedRules().map((rule) => ({ rule, regex: new RegExp(rule.match!, 'dg') }));
  const scoped = new Map<string, string[]>();
  let position = 0;
  while (position <= line.length) {
    let best: { match: RegExpExecArray; rule: Rule } | undefined;
    for (const { rule, regex } of rules) {
      regex.lastIndex = position;
      const match = regex.exec(line);
      if (match && (!best || match.index < best.match.index)) best = { match, rule };
    }
    if (!best) break;
    for (const [group, capture] of Object.entries(best.rule.captures ?? {})) {
      const span = best.match.indices![Number(group)];
      if (span) scoped.set(line.slice(span[0], span[1]), [...(scoped.get(line.slice(span[0], span[1])) ?? []), ...capture.name.split(' ')]);
    }
    position = Math.max(best.match.index + best.match[0].length, position + 1);
  }
  return scoped;
}

function scopeText(source: string): Map<string, Set<string>> {
  const all = new Map<string, Set<string>>();
  for (const line of source.split('\n')) {
    for (const [word, scopes] of scopeLine(line)) {
      const set = all.get(word) ?? new Set<string>();
      for (const s of scopes) set.add(s);
      all.set(word, set);
    }
  }
  return all;
}

describe('s2r TextMate grammar', () => {
  test('is in sync with parameters.ts, taskCatalog.ts and schema.ts (run npx tsx scripts/gen-grammar.ts)', () => {
    assert.equal(text, grammarText());
  });

  test('is JSON with scope source.s2r-yaml that includes YAML, and package.json points at it', () => {
    assert.equal(grammar.scopeName, 'source.s2r-yaml');
    assert.deepEqual(grammar.patterns, [{ include: 'source.yaml' }]);
    const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { contributes?: { grammars?: { scopeName: string; path: string; language: string }[] } };
    const entry = manifest.contributes?.grammars?.find((g) => g.scopeName === 'source.s2r-yaml');
    assert.ok(entry, 'package.json contributes the grammar');
    assert.equal(join(ROOT, entry.path), GRAMMAR_PATH);
    assert.equal(entry.language, 's2r-yaml');
  });

  test('every include resolves and every regex compiles', () => {
    for (const injection of Object.values(grammar.injections)) {
      for (const rule of injection.patterns) if (rule.include?.startsWith('#')) assert.ok(grammar.repository[rule.include.slice(1)], rule.include);
    }
    const regexes = allRegexes();
    assert.ok(regexes.length >= 6);
    for (const source of regexes) {
      assert.doesNotThrow(() => new RegExp(source), source);
      // Oniguruma (VS Code) refuses lookbehinds of variable width, which JS accepts
      for (const look of source.matchAll(/\(\?<[=!]((?:\\.|[^()\\])*)\)/g)) assert.doesNotMatch(look[1]!, /(?<!\\)[*+?{]/, `variable-width lookbehind in ${source}`);
    }
  });

  test('names every parameter, distribution, operation, group and task', () => {
    for (const name of [...PARAMETERS.map((p) => p.name), ...DISTRIBUTIONS, ...OPERATIONS, ...PARAMETER_GROUPS, ...TASK_NAMES]) {
      assert.match(text, new RegExp(`[(|]${name}[|)]`), name);
    }
  });

  test('scopes the format\'s words in the push example', () => {
    const scopes = scopeText(readFileSync(join(ROOT, 'examples', 'push.s2r.yaml'), 'utf8'));
    const has = (word: string, scope: string): void => assert.ok(scopes.get(word)?.has(scope), `${word}: ${[...(scopes.get(word) ?? [])].join(' ') || 'no scope'}`);
    for (const name of ['friction', 'object_mass', 'restitution', 'light_position', 'camera_focal_length', 'action_delay', 'action_noise']) has(name, 'support.type.parameter.s2r');
    for (const name of ['uniform', 'randint']) has(name, 'support.constant.distribution.s2r');
    for (const name of ['scale', 'add', 'abs']) has(name, 'support.constant.operation.s2r');
    has('push', 'support.constant.task.s2r');
    for (const name of ['physics', 'visuals', 'dynamics']) has(name, 'entity.name.type.group.s2r');
    for (const name of ['name', 'task', 'seed', 'policy', 'training', 'randomization', 'stages', 'evaluation', 'robot']) has(name, 'keyword.other.section.s2r');
    has('friction', 'entity.name.tag.yaml');
  });

  test('leaves look-alikes alone', () => {
    const scopes = scopeText(
      [
        'frictions: 1',
        'my-friction: 2',
        'friction_x: 3',
        'notes: friction matters',
        'distribution: uniformity',
        'distribution: uniform_ish',
        'operation: scaled',
        '  name: indented, not a section',
        'task: pushy',
        'stages_x: 1',
        'physics2: 1',
      ].join('\n'),
    );
    for (const word of ['friction', 'uniform', 'scale', 'push', 'stages', 'physics']) assert.equal(scopes.get(word), undefined, word);
    assert.equal(scopes.get('name'), undefined, 'an indented name is not a section');
  });
});
