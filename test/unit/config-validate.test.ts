/**
 * Every finding the experiment validator reports, placed on the exact key or value at fault.
 * Fixtures mark the expected span with ⟦…⟧; the markers are stripped before validating and the
 * expected line:column is computed from the stripped text, independently of the validator's LineIndex.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, test } from 'node:test';
import { fileExistsFrom } from '../../src/engine/config/load';
import { resolveExperiment } from '../../src/engine/config/resolve';
import type { Finding, FindingCode, Severity } from '../../src/engine/config/findings';
import { validateText, type ValidateOptions } from '../../src/engine/config/validate';

const ROOT = join(__dirname, '..', '..');
const OPEN = '⟦';
const CLOSE = '⟧';

interface Marked {
  readonly text: string;
  readonly spans: { start: number; end: number }[];
}

function unmark(source: string): Marked {
  let text = '';
  const spans: { start: number; end: number }[] = [];
  let open = -1;
  for (const ch of source) {
    if (ch === OPEN) open = text.length;
    else if (ch === CLOSE) {
      assert.ok(open >= 0, 'fixture has a closing marker without an opening one');
      spans.push({ start: open, end: text.length });
      open = -1;
    } else text += ch;
  }
  assert.equal(open, -1, 'fixture has an unclosed marker');
  return { text, spans };
}

/** 1-based `line:column`, counted here rather than by the code under test. */
function lineCol(text: string, offset: number): string {
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  const column = offset - (before.lastIndexOf('\n') + 1) + 1;
  return `${line}:${column}`;
}

function where(text: string, span: { start: number; end: number }): string {
  return `${lineCol(text, span.start)}-${lineCol(text, span.end)}`;
}

/**
 * Validates a marked fixture and returns the one finding with `code`, after checking its severity
 * and that it sits exactly on the (first) marked span.
 */
function expectFinding(source: string, code: FindingCode, severity: Severity, options: ValidateOptions = {}): { finding: Finding; text: string; all: Finding[] } {
  const { text, spans } = unmark(source);
  assert.ok(spans.length >= 1, 'fixture marks no span');
  const all = validateText(text, options).findings;
  const matching = all.filter((f) => f.code === code);
  assert.equal(matching.length, 1, `expected one '${code}', got: ${JSON.stringify(all.map((f) => [f.code, where(text, f)]))}`);
  const finding = matching[0]!;
  assert.equal(finding.severity, severity);
  assert.equal(where(text, finding), where(text, spans[0]!), `'${code}' is on ${JSON.stringify(text.slice(finding.start, finding.end))}`);
  assert.ok(finding.message.length > 20, 'message says something');
  return { finding, text, all };
}

function codes(text: string, options: ValidateOptions = {}): string[] {
  return validateText(text, options).findings.map((f) => `${f.severity}:${f.code}`);
}

function applyFix(text: string, finding: Finding): string {
  const fix = finding.fix;
  assert.ok(fix, `'${finding.code}' offers a fix`);
  if (fix.kind === 'replace') return text.slice(0, fix.start) + fix.newText + text.slice(fix.end);
  return text.slice(0, fix.offset) + fix.newText + text.slice(fix.offset);
}

/** A clean experiment the fixtures grow from: with action delay, so no-action-delay stays quiet. */
const BASE = `name: t
task: push
randomization:
  dynamics:
    action_delay: { distribution: randint, range: [0, 3] }
`;

describe('validator findings', () => {
  test('the base fixture is clean', () => {
    assert.deepEqual(codes(BASE), []);
  });

  test('range-reversed: on the range, with a swap fix keeping the spelling', () => {
    const { finding, text } = expectFinding(
      `${BASE}  physics:\n    friction: { distribution: uniform, range: ⟦[1.5, 0.5]⟧, operation: scale }\n`,
      'range-reversed',
      'error',
    );
    assert.match(finding.message, /1\.5.*0\.5.*friction/);
    assert.equal(finding.fix?.kind, 'replace');
    assert.equal(finding.fix?.newText, '[0.5, 1.5]');
    assert.deepEqual(codes(applyFix(text, finding)), []);
  });

  test('range-reversed in a block sequence is still found (no flow text to swap)', () => {
    const { finding } = expectFinding(
      `${BASE}  physics:\n    friction:\n      distribution: uniform\n      range:\n        ⟦- 1.5\n        - 0.5⟧\n`,
      'range-reversed',
      'error',
    );
    assert.equal(finding.fix, undefined);
  });

  test('scale-negative-lower: on the lower bound', () => {
    expectFinding(`${BASE}  physics:\n    object_mass: { distribution: uniform, range: [⟦-0.2⟧, 1.2], operation: scale }\n`, 'scale-negative-lower', 'error');
  });

  test('scale-negative-lower also applies to the default operation of a scale parameter', () => {
    expectFinding(`${BASE}  physics:\n    friction: { distribution: uniform, range: [⟦-1⟧, 1.5] }\n`, 'scale-negative-lower', 'error');
  });

  test('delay-not-integer: a fractional upper bound', () => {
    const { finding } = expectFinding(BASE.replace('range: [0, 3]', 'range: [0, ⟦2.5⟧]'), 'delay-not-integer', 'error');
    assert.match(finding.message, /action_delay.*2\.5.*not whole/);
  });

  test('delay-not-integer: a negative lower bound', () => {
    const { finding } = expectFinding(BASE.replace('range: [0, 3]', 'range: [⟦-1⟧, 3]'), 'delay-not-integer', 'error');
    assert.match(finding.message, /negative/);
  });

  test('delay-not-integer: a continuous distribution for a delay', () => {
    expectFinding(BASE.replace('distribution: randint', 'distribution: ⟦uniform⟧'), 'delay-not-integer', 'error');
  });

  test('gaussian-missing-std: on the distribution', () => {
    const { finding } = expectFinding(`${BASE}    action_noise: { distribution: ⟦gaussian⟧, mean: 0.02 }\n`, 'gaussian-missing-std', 'error');
    assert.match(finding.message, /std/);
  });

  test('unknown-parameter: did you mean, with a fix that validates clean', () => {
    const { finding, text } = expectFinding(`${BASE}  physics:\n    ⟦frction⟧: { distribution: uniform, range: [0.5, 1.5] }\n`, 'unknown-parameter', 'error');
    assert.match(finding.message, /did you mean 'friction'\?/);
    assert.equal(finding.fix?.newText, 'friction');
    assert.deepEqual(codes(applyFix(text, finding)), []);
  });

  test('unknown-parameter: a parameter of another group', () => {
    const { finding } = expectFinding(`${BASE}  physics:\n    ⟦light_intensity⟧: { distribution: uniform, range: [0.5, 1.5] }\n`, 'unknown-parameter', 'error');
    assert.match(finding.message, /physics parameter 'light_intensity'/);
  });

  test('unknown-parameter: a name far from every parameter lists the known ones', () => {
    const { finding } = expectFinding(`${BASE}  physics:\n    ⟦wobble⟧: { distribution: uniform, range: [0.5, 1.5] }\n`, 'unknown-parameter', 'error');
    assert.equal(finding.fix, undefined);
    assert.match(finding.message, /friction/);
  });

  test('parameter-not-in-task: the reach task has no contact surfaces', () => {
    const { finding } = expectFinding(
      `${BASE.replace('task: push', 'task: reach')}  physics:\n    ⟦friction⟧: { distribution: uniform, range: [0.5, 1.5] }\n`,
      'parameter-not-in-task',
      'error',
    );
    assert.match(finding.message, /reach/);
  });

  test('parameter-not-in-task: the reach task has no free objects', () => {
    expectFinding(`${BASE.replace('task: push', 'task: reach')}  physics:\n    ⟦object_mass⟧: { distribution: uniform, range: [0.8, 1.2] }\n`, 'parameter-not-in-task', 'error');
  });

  test('unknown-task: on the value, with did you mean', () => {
    const { finding } = expectFinding(BASE.replace('task: push', 'task: ⟦pusj⟧'), 'unknown-task', 'error');
    assert.match(finding.message, /did you mean 'push'\?/);
    assert.equal(finding.fix?.newText, 'push');
  });

  test('unknown-target: on the target, with did you mean', () => {
    const { finding, text } = expectFinding(
      `${BASE}  physics:\n    friction: { distribution: uniform, range: [0.5, 1.5], targets: [table, ⟦pukc⟧] }\n`,
      'unknown-target',
      'error',
    );
    assert.match(finding.message, /did you mean 'puck'\?/);
    assert.equal(finding.fix?.newText, 'puck');
    assert.deepEqual(codes(applyFix(text, finding)), []);
  });

  test('missing-file: an ONNX policy that does not exist', () => {
    const asked: string[] = [];
    const fileExists = (path: string): boolean => {
      asked.push(path);
      return false;
    };
    expectFinding(`${BASE}policy:\n  file: ⟦policies/push.onnx⟧\n`, 'missing-file', 'error', { fileExists });
    assert.deepEqual(asked, ['policies/push.onnx']);
  });

  test('missing-file: a texture folder that does not exist', () => {
    const texture = `${BASE}  visuals:\n    texture: { distribution: choice, values: [solid, image], folder: ⟦textures/lab⟧ }\n`;
    expectFinding(texture, 'missing-file', 'error', { fileExists: (path) => path !== 'textures/lab' });
    assert.deepEqual(codes(unmark(texture).text, { fileExists: () => true }), []);
  });

  test('missing-file is not reported when no file check is given (the editor without a workspace)', () => {
    assert.deepEqual(codes(`${BASE}policy:\n  file: policies/push.onnx\n`), []);
  });

  test('duplicate-stage: on the second name', () => {
    expectFinding(`${BASE}stages:\n  - { name: a, kind: sim }\n  - { name: ⟦a⟧, kind: sim_real_textures }\n`, 'duplicate-stage', 'error');
  });

  test('sim-ratio-range: above 1', () => {
    expectFinding(`${BASE}stages:\n  - name: m\n    kind: mixed\n    sim_ratio: ⟦1.2⟧\n    gate: { min_sim_success: 0.95 }\n`, 'sim-ratio-range', 'error');
  });

  test('sim-ratio-range: below 0', () => {
    expectFinding(`${BASE}stages:\n  - { name: m, kind: mixed, sim_ratio: ⟦-0.1⟧, gate: { min_sim_success: 0.95 } }\n`, 'sim-ratio-range', 'error');
  });

  test('robot-without-safety: on the address key, with a fix that inserts a safety block that validates clean', () => {
    const { finding, text } = expectFinding(`${BASE}robot:\n  adapter: rosbridge\n  ⟦address⟧: ws://192.168.1.20:9090\n`, 'robot-without-safety', 'error');
    assert.equal(finding.fix?.kind, 'insert');
    const fixed = applyFix(text, finding);
    assert.match(fixed, /\n {2}safety:\n {4}speed_scale: /);
    assert.deepEqual(codes(fixed), []);
  });

  test('robot-without-safety fix also works at the end of a file with no final newline and deeper indentation', () => {
    const { finding, text } = expectFinding(`${BASE}robot:\n    ⟦address⟧: ws://127.0.0.1:9090`, 'robot-without-safety', 'error');
    assert.deepEqual(codes(applyFix(text, finding)), []);
  });

  test('duplicate-key: on the second key', () => {
    const { finding } = expectFinding(`${BASE}seed: 1\n⟦seed⟧: 2\n`, 'duplicate-key', 'error');
    assert.match(finding.message, /'seed'/);
  });

  test('duplicate-key inside a flow mapping', () => {
    expectFinding(BASE.replace('range: [0, 3] }', 'range: [0, 3], ⟦range⟧: [0, 2] }'), 'duplicate-key', 'error');
  });

  test('no-visual-randomization: an image policy without visuals, on the observation', () => {
    const { finding } = expectFinding(`${BASE}policy:\n  observation: ⟦image⟧\n`, 'no-visual-randomization', 'warning');
    assert.match(finding.message, /visual/);
    const withVisuals = `${BASE}  visuals:\n    light_intensity: { distribution: uniform, range: [0.5, 1.5] }\npolicy:\n  observation: image\n`;
    assert.deepEqual(codes(withVisuals), []);
  });

  test('gate-missing: the first robot stage without a gate, on its kind', () => {
    expectFinding(`${BASE}stages:\n  - { name: s, kind: sim }\n  - { name: m, kind: ⟦mixed⟧, sim_ratio: 0.8 }\n`, 'gate-missing', 'warning');
  });

  test('gate-missing: a gate below 0.95, on its value', () => {
    const robot = 'robot:\n  address: ws://127.0.0.1:9090\n  safety: {}\n';
    const { finding } = expectFinding(`${BASE}stages:\n  - { name: s, kind: sim }\n  - { name: f, kind: real_finetune, gate: { min_sim_success: ⟦0.9⟧ } }\n${robot}`, 'gate-missing', 'warning');
    assert.match(finding.message, /0\.9\b.*0\.95/);
    assert.deepEqual(codes(`${BASE}stages:\n  - { name: s, kind: sim }\n  - { name: f, kind: real_finetune, gate: { min_sim_success: 0.95 } }\n${robot}`), []);
  });

  test('narrow-range: on the range', () => {
    expectFinding(`${BASE}  physics:\n    friction: { distribution: uniform, range: ⟦[1.0, 1.0001]⟧ }\n`, 'narrow-range', 'warning');
  });

  test('narrow-range: a randint over a single value', () => {
    expectFinding(BASE.replace('range: [0, 3]', 'range: ⟦[2, 2]⟧'), 'narrow-range', 'warning');
  });

  test('no-action-delay: on the dynamics key', () => {
    expectFinding(
      `name: t\ntask: push\nrandomization:\n  ⟦dynamics⟧:\n    action_noise: { distribution: uniform, range: [0.01, 0.05] }\n`,
      'no-action-delay',
      'warning',
    );
  });

  test('no-action-delay: without a dynamics group, on the first randomization key', () => {
    expectFinding(`name: t\ntask: push\nrandomization:\n  ⟦physics⟧:\n    friction: { distribution: uniform, range: [0.5, 1.5] }\n`, 'no-action-delay', 'warning');
  });
});

describe('syntax and shape findings', () => {
  test('yaml-syntax: an unclosed flow sequence, reported where it should have closed', () => {
    const { text, spans } = unmark(`${BASE}  physics:\n    friction: { distribution: uniform, range: [0.5, 1.5 ⟦}⟧\n`);
    const syntax = validateText(text).findings.filter((f) => f.code === 'yaml-syntax');
    assert.ok(syntax.length >= 1);
    assert.equal(syntax[0]!.severity, 'error');
    assert.equal(where(text, syntax[0]!), where(text, spans[0]!));
    assert.match(syntax[0]!.message, /^YAML syntax: .*\]/);
  });

  test('yaml-tab: a tab used for indentation', () => {
    expectFinding(`${BASE}robot:\n⟦\t⟧address: ws://127.0.0.1:9090\n`, 'yaml-tab', 'error');
  });

  test('multi-document: a second document', () => {
    // the parser's span for the extra document runs to the end of its last line
    expectFinding(`${BASE}⟦---\nname: u\n⟧`, 'multi-document', 'error');
  });

  test('wrong-type: text where a number belongs', () => {
    const { finding } = expectFinding(`${BASE}seed: ⟦seven⟧\n`, 'wrong-type', 'error');
    assert.match(finding.message, /'seed' must be a whole number/);
  });

  test('wrong-type: a whole experiment that is a list, ending with its last item', () => {
    expectFinding('⟦- name: t\n- task: push⟧\n', 'wrong-type', 'error');
  });

  test('missing-key: a stage without kind, on the stage (not on the line after it)', () => {
    expectFinding(`${BASE}stages:\n  - ⟦name: s⟧\n`, 'missing-key', 'error');
  });

  test('missing-key: an experiment without a task, at the top', () => {
    const { finding } = expectFinding('⟦name⟧: t\n', 'missing-key', 'error');
    assert.match(finding.message, /'task'/);
  });

  test('unknown-key: did you mean, with a fix', () => {
    const { finding } = expectFinding(`${BASE}⟦evalution⟧:\n  episodes: 10\n`, 'unknown-key', 'error');
    assert.match(finding.message, /did you mean 'evaluation'\?/);
    assert.equal(finding.fix?.newText, 'evaluation');
  });

  test('invalid-value: an enum value with did you mean', () => {
    const { finding } = expectFinding(`${BASE}policy:\n  activation: ⟦rlu⟧\n`, 'invalid-value', 'error');
    assert.equal(finding.fix?.newText, 'relu');
  });

  test('invalid-value: a range with three bounds', () => {
    expectFinding(`${BASE}  physics:\n    friction: { distribution: uniform, range: ⟦[0.5, 1, 1.5]⟧ }\n`, 'invalid-value', 'error');
  });

  test('log-uniform-nonpositive: on the lower bound', () => {
    expectFinding(`${BASE}  physics:\n    friction: { distribution: log_uniform, range: [⟦0⟧, 1.5] }\n`, 'log-uniform-nonpositive', 'error');
  });

  test('distribution-field: a field the distribution does not use', () => {
    const { finding } = expectFinding(`${BASE}  physics:\n    friction: { distribution: uniform, range: [0.5, 1.5], ⟦std⟧: 0.1 }\n`, 'distribution-field', 'warning');
    assert.match(finding.message, /ignored/);
  });

  test('size-mismatch: a colour of size 2', () => {
    expectFinding(`${BASE}  visuals:\n    object_color: { distribution: uniform, range: [0, 1], size: ⟦2⟧ }\n`, 'size-mismatch', 'error');
  });

  test('out-of-physical-range: restitution above 1', () => {
    expectFinding(`${BASE}  physics:\n    restitution: { distribution: uniform, range: ⟦[0, 1.3]⟧, operation: abs }\n`, 'out-of-physical-range', 'error');
  });

  test('address-invalid: not a WebSocket URL', () => {
    expectFinding(`${BASE}robot:\n  address: ⟦http://127.0.0.1:9090⟧\n  safety: {}\n`, 'address-invalid', 'error');
  });

  test('stage-order: back from the robot to pure sim', () => {
    expectFinding(
      `${BASE}stages:\n  - { name: s, kind: sim }\n  - { name: m, kind: mixed, sim_ratio: 0.8, gate: { min_sim_success: 0.95 } }\n  - { name: s2, kind: ⟦sim⟧ }\nrobot:\n  address: ws://127.0.0.1:9090\n  safety: {}\n`,
      'stage-order',
      'warning',
    );
  });

  test('every finding has a known code, a severity and a span inside the text', () => {
    const text = `${BASE}  physics:\n    frction: { distribution: uniform, range: [1.5, 0.5] }\nrobot:\n  address: ws://x\nstages:\n  - { name: a, kind: mixed, sim_ratio: 2 }\n  - { name: a, kind: sim }\n`;
    const findings = validateText(text).findings;
    assert.ok(findings.length >= 4);
    for (const f of findings) {
      assert.ok(f.start >= 0 && f.start <= f.end && f.end <= text.length);
      assert.ok(['error', 'warning', 'info'].includes(f.severity));
    }
  });
});

describe('the examples', () => {
  for (const name of ['push.s2r.yaml', 'peng2018-push.s2r.yaml']) {
    test(`${name} validates with zero errors and resolves`, () => {
      const path = join(ROOT, 'examples', name);
      const text = readFileSync(path, 'utf8');
      const validation = validateText(text, { fileExists: fileExistsFrom(dirname(path)) });
      const errors = validation.findings.filter((f) => f.severity === 'error');
      assert.deepEqual(errors, []);
      assert.equal(validation.root?.kind, 'map');
      const experiment = resolveExperiment(validation.root as never, path);
      assert.equal(experiment.task, 'push');
    });
  }

  test('push.s2r.yaml expresses each seed range exactly', () => {
    const text = readFileSync(join(ROOT, 'examples', 'push.s2r.yaml'), 'utf8');
    const experiment = resolveExperiment(validateText(text).root as never);
    const byName = new Map(experiment.randomization.map((entry) => [entry.name, entry]));
    const expect = (name: string, distribution: string, operation: string, range: [number, number], size = 1): void => {
      const entry = byName.get(name);
      assert.ok(entry, `${name} is randomized`);
      assert.deepEqual(
        { distribution: entry.distribution, operation: entry.operation, range: entry.range, size: entry.size },
        { distribution, operation, range, size },
        name,
      );
    };
    expect('friction', 'uniform', 'scale', [0.5, 1.5]);
    expect('object_mass', 'uniform', 'scale', [0.8, 1.2]);
    expect('restitution', 'uniform', 'abs', [0, 0.3]);
    expect('linear_damping', 'uniform', 'scale', [0.5, 2.0]);
    expect('angular_damping', 'uniform', 'scale', [0.5, 2.0]);
    expect('joint_damping', 'uniform', 'scale', [0.5, 2.0]);
    expect('light_intensity', 'uniform', 'scale', [0.5, 1.5]);
    // nominal light position is the origin, so adding U(-2, 2) per axis is U(-2, 2)^3
    expect('light_position', 'uniform', 'add', [-2, 2], 3);
    expect('object_color', 'uniform', 'abs', [0, 1], 3);
    expect('background_color', 'uniform', 'abs', [0, 1], 3);
    expect('camera_focal_length', 'uniform', 'scale', [0.9, 1.1]);
    expect('joint_stiffness', 'uniform', 'scale', [0.8, 1.2]);
    expect('action_delay', 'randint', 'abs', [0, 3]);
    expect('action_noise', 'uniform', 'abs', [0.01, 0.05]);
  });
});

describe('resolver defaults', () => {
  const published = JSON.parse(readFileSync(join(ROOT, 'schemas', 'experiment.schema.json'), 'utf8')) as PublishedSchema;
  interface PublishedSchema {
    default?: unknown;
    properties?: Record<string, PublishedSchema>;
    items?: PublishedSchema;
  }
  const defaultOf = (...path: string[]): unknown => {
    let schema: PublishedSchema | undefined = published;
    for (const key of path) schema = key === '*' ? schema?.items : schema?.properties?.[key];
    assert.ok(schema && schema.default !== undefined, `the published schema has a default at ${path.join('.')}`);
    return schema.default;
  };
  const snake = (camel: string): string => camel.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

  const minimal = 'name: t\ntask: push\nstages:\n  - { name: s, kind: sim, gate: {} }\nrobot:\n  address: ws://127.0.0.1:9090\n  safety: {}\n';
  const experiment = resolveExperiment(validateText(minimal).root as never);

  test('the minimal fixture validates clean', () => {
    assert.deepEqual(codes(minimal), []);
  });

  test('top level, policy, training and evaluation take the published schema defaults', () => {
    assert.equal(experiment.seed, defaultOf('seed'));
    for (const [section, values] of [
      ['policy', experiment.policy],
      ['training', experiment.training],
      ['evaluation', experiment.evaluation],
    ] as const) {
      for (const [key, value] of Object.entries(values)) {
        if (value === undefined) continue; // optional without a default (policy.file)
        assert.deepEqual(value, defaultOf(section, snake(key)), `${section}.${snake(key)}`);
      }
    }
  });

  test('stages, gates, robot, topics, services and safety take the published schema defaults', () => {
    const stage = experiment.stages[0]!;
    assert.equal(stage.episodes, defaultOf('stages', '*', 'episodes'));
    assert.equal(stage.skip, defaultOf('stages', '*', 'skip'));
    assert.equal(stage.gate?.confirm, defaultOf('stages', '*', 'gate', 'confirm'));
    const robot = experiment.robot!;
    assert.equal(robot.adapter, defaultOf('robot', 'adapter'));
    assert.equal(robot.watchdogMs, defaultOf('robot', 'watchdog_ms'));
    assert.equal(robot.connectTimeoutMs, defaultOf('robot', 'connect_timeout_ms'));
    for (const [key, value] of Object.entries(robot.topics)) assert.equal(value, defaultOf('robot', 'topics', snake(key)), key);
    for (const [key, value] of Object.entries(robot.services)) assert.equal(value, defaultOf('robot', 'services', snake(key)), key);
    for (const [key, value] of Object.entries(robot.safety!)) {
      if (value === undefined) continue; // workspace has no default
      assert.deepEqual(value, defaultOf('robot', 'safety', snake(key)), key);
    }
  });

  test('randomization entries take the parameter defaults for operation, size and resample', () => {
    const text = `${BASE}  visuals:\n    light_position: { distribution: uniform, range: [-2, 2] }\n`;
    assert.deepEqual(codes(text), []);
    const entry = resolveExperiment(validateText(text).root as never).randomization.find((e) => e.name === 'light_position')!;
    const schema = (published.properties!.randomization!.properties!.visuals!.properties!.light_position!.properties ?? {}) as Record<string, PublishedSchema>;
    assert.equal(entry.operation, schema.operation!.default);
    assert.equal(entry.size, schema.size!.default);
    assert.equal(entry.resample, schema.resample!.default);
  });
});
