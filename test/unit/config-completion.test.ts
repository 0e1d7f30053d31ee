// Completions and hovers in plain Node: the text holds a `|` where the cursor is.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { completionsAt, type Completion } from '../../src/engine/config/completion';
import { hoverAt } from '../../src/engine/config/hover';
import { validateText } from '../../src/engine/config/validate';

function complete(textWithCaret: string): Completion[] {
  const offset = textWithCaret.indexOf('|');
  assert.ok(offset >= 0, 'fixture needs a | caret');
  return completionsAt(textWithCaret.slice(0, offset) + textWithCaret.slice(offset + 1), offset);
}
const labels = (items: Completion[]): string[] => items.map((c) => c.label);

function hover(textWithCaret: string): string | undefined {
  const offset = textWithCaret.indexOf('|');
  const text = textWithCaret.slice(0, offset) + textWithCaret.slice(offset + 1);
  return hoverAt(validateText(text).root, offset)?.contents;
}

test('top-level keys, required ones first', () => {
  const items = complete('|');
  assert.deepEqual(labels(items).slice(0, 2).sort(), ['name', 'task']);
  assert.ok(labels(items).includes('randomization'));
});

test('keys already present are not offered again', () => {
  assert.ok(!labels(complete('name: a\ntask: push\n|')).includes('task'));
});

test('parameter names valid for the task, with the seed range as a snippet', () => {
  const push = complete('name: a\ntask: push\nrandomization:\n  physics:\n    |\n');
  assert.ok(labels(push).includes('friction') && labels(push).includes('object_mass'));
  const friction = push.find((c) => c.label === 'friction')!;
  assert.equal(friction.kind, 'parameter');
  assert.match(friction.insertText, /^friction: \{ distribution: \$\{1\|uniform,.*range: \[\$\{2:0\.5\}, \$\{3:1\.5\}\].*operation: \$\{4:scale\}/);
  // reach has no puck: object parameters are not offered
  const reach = labels(complete('name: a\ntask: reach\nrandomization:\n  physics:\n    |\n'));
  assert.ok(!reach.includes('object_mass') && !reach.includes('friction'));
  assert.ok(reach.includes('link_mass'));
  // the dynamics group has its own parameters
  const dynamics = labels(complete('name: a\ntask: push\nrandomization:\n  dynamics:\n    act|\n'));
  assert.ok(dynamics.includes('action_delay') && !dynamics.includes('friction'));
});

test('a snippet per distribution after a parameter key; integer parameters only get randint/choice', () => {
  const all = labels(complete('task: push\nrandomization:\n  physics:\n    friction: |\n'));
  assert.deepEqual(all, ['uniform distribution', 'log_uniform distribution', 'gaussian distribution', 'randint distribution', 'choice distribution']);
  const delay = labels(complete('task: push\nrandomization:\n  dynamics:\n    action_delay: |\n'));
  assert.deepEqual(delay, ['randint distribution', 'choice distribution']);
});

test('enum values inside flow maps and block values', () => {
  assert.deepEqual(labels(complete('randomization:\n  physics:\n    friction: {distribution: |}\n')), ['uniform', 'log_uniform', 'gaussian', 'choice', 'randint']);
  assert.deepEqual(labels(complete('randomization:\n  physics:\n    friction: {distribution: uniform, operation: |}\n')), ['scale', 'add', 'abs']);
  assert.deepEqual(labels(complete('name: a\ntask: |\n')), ['reach', 'push']);
  assert.deepEqual(labels(complete('policy:\n  observation_normalization: |\n')), ['true', 'false']);
});

test('keys inside a flow map skip those already written', () => {
  const keys = labels(complete('randomization:\n  physics:\n    friction: {distribution: uniform, |}\n'));
  assert.ok(keys.includes('range') && !keys.includes('distribution'));
});

test('targets: the task\'s bodies, links or joints', () => {
  assert.deepEqual(labels(complete('task: push\nrandomization:\n  physics:\n    friction: {distribution: uniform, targets: [|]}\n')), ['puck', 'table']);
  assert.deepEqual(labels(complete('task: push\nrandomization:\n  physics:\n    joint_damping:\n      targets: [|\n')), ['shoulder', 'elbow', 'wrist']);
});

test('keys inside list items and nested maps', () => {
  const stage = labels(complete('stages:\n  - name: a\n    |\n'));
  assert.ok(stage.includes('kind') && stage.includes('gate') && !stage.includes('name'));
  const gate = labels(complete('stages:\n  - name: a\n    gate:\n      |\n'));
  assert.deepEqual(gate, ['min_sim_success', 'min_real_success', 'confirm']);
  const second = labels(complete('stages:\n  - name: a\n    kind: sim\n  - |\n'));
  assert.ok(second.includes('name') && second.includes('kind'), 'a new item offers every key again');
});

test('nothing inside comments', () => {
  assert.deepEqual(complete('# task: |\n'), []);
});

test('hovers explain parameters with unit and transfer rationale', () => {
  const text = hover('task: push\nrandomization:\n  physics:\n    fri|ction: {distribution: uniform, range: [0.5, 1.5]}\n');
  assert.ok(text);
  assert.match(text!, /\*\*friction\*\*/);
  assert.match(text!, /Unit:\* coefficient/);
  assert.match(text!, /Why it matters for transfer/);
});

test('hovers on keys give description, unit and default; on values explain the task and distribution', () => {
  assert.match(hover('name: a\ntask: push\nevaluation:\n  max_st|eps: 500\n')!, /Default:\* `500`.*|Unit:\* control steps/s);
  assert.match(hover('name: a\ntask: pu|sh\n')!, /Task `push`.*puck/s);
  assert.match(hover('randomization:\n  physics:\n    friction: {distribution: gau|ssian}\n')!, /gaussian.*mean.*std/s);
  assert.equal(hover('name: a\n\n|\n'), undefined);
});
