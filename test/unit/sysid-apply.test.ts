/**
 * Applying a system identification result to an experiment's text, and the coverage check that
 * reads the calibration it writes (or a newer result in the editor). The results here are built
 * by hand: what is tested is the apply step and the check, not the identification.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { resolveExperiment } from '../../src/engine/config/resolve';
import { validateText } from '../../src/engine/config/validate';
import type { MapNode } from '../../src/engine/config/yamlTree';
import { applySysidResult, ApplyError } from '../../src/engine/sysid/apply';
import type { IdentifiedParameter, SysidResult } from '../../src/engine/sysid/types';

const EXAMPLE = readFileSync(join(__dirname, '..', '..', 'examples', 'push.s2r.yaml'), 'utf8');

function result(identified: IdentifiedParameter[], task = 'push'): SysidResult {
  return {
    version: 1,
    experimentFile: '/tmp/push.s2r.yaml',
    experiment: 'push-dr',
    task,
    source: { kind: 'robot', address: 'ws://127.0.0.1:9090' },
    createdAt: '2026-11-25T15:00:00.000Z',
    friction: [],
    inertia: [],
    identified,
    warnings: [],
  };
}

const MEASURED: IdentifiedParameter[] = [
  { parameter: 'joint_damping', target: 'shoulder', value: 0.1123, stdError: 0.004, unit: 'N·m·s/rad' },
  { parameter: 'joint_damping', target: 'elbow', value: 0.0871, stdError: 0.003, unit: 'N·m·s/rad' },
  { parameter: 'joint_friction', target: 'shoulder', value: 0.21, stdError: 0.01, unit: 'N·m' },
  { parameter: 'link_mass', target: 'link1', value: 0.62, stdError: 0.02, unit: 'kg' },
  { parameter: 'action_delay', value: 2.4, stdError: 0.3, unit: 'control steps' },
];

const errors = (text: string) => validateText(text).findings.filter((f) => f.severity === 'error');

test('apply writes a calibration block the validator accepts and the engine resolves', () => {
  const out = applySysidResult(EXAMPLE, result(MEASURED), { source: '.sim2real/runs/push-dr/sysid-1/sysid.json' });
  assert.deepEqual(errors(out.text), []);
  const validation = validateText(out.text);
  const experiment = resolveExperiment(validation.root as MapNode);
  assert.deepEqual(experiment.calibration?.parameters.joint_damping, { shoulder: 0.1123, elbow: 0.0871 });
  assert.deepEqual(experiment.calibration?.parameters.joint_friction, { shoulder: 0.21 });
  assert.deepEqual(experiment.calibration?.parameters.link_mass, { link1: 0.62 });
  assert.equal(experiment.calibration?.parameters.action_delay, 2, 'a delay in steps is a whole number');
  assert.equal(experiment.calibration?.source, '.sim2real/runs/push-dr/sysid-1/sysid.json');
  assert.equal(experiment.calibration?.date, '2026-11-25T15:00:00.000Z');
  assert.match(out.text, /joint_damping: \{ shoulder: 0\.1123, elbow: 0\.0871 \}\s+# ± 0\.004, 0\.003 N·m·s\/rad/);
  assert.ok(out.changes.some((c) => c === 'joint_damping (shoulder): nominal 0.05 -> 0.1123 N·m·s/rad (± 0.004)'), out.changes.join('\n'));
  assert.ok(out.changes.some((c) => /action_delay: nominal 0 -> 2 control steps \(± 0\.3\), rounded from 2\.4/.test(c)), out.changes.join('\n'));
});

test('comments, blank lines and alignment outside the edited spans survive byte for byte', () => {
  const out = applySysidResult(EXAMPLE, result(MEASURED));
  // every line of the original that carries no edited range is still in the output, unchanged
  const edited = /action_delay:/;
  for (const line of EXAMPLE.split('\n')) {
    if (edited.test(line)) continue;
    assert.ok(out.text.includes(line), `lost: ${line}`);
  }
  assert.ok(out.text.startsWith(EXAMPLE.slice(0, EXAMPLE.indexOf('randomization:'))), 'the head of the file is untouched');
});

test('abs ranges are re-centred on the measured value, keeping their width and comment', () => {
  const out = applySysidResult(EXAMPLE, result(MEASURED));
  // randint [0, 3] around 2 steps: width 3 -> [1, 4]
  assert.match(out.text, /action_delay: {4}\{ distribution: randint, range: \[1, 4\] \} {8}# control steps/);
  assert.ok(out.changes.includes('randomization.dynamics.action_delay: range [0, 3] -> [1, 4] (centred on the measured value 2)'), out.changes.join('\n'));
  // scale ranges around 1 stay as they are: they multiply the calibrated nominal now
  assert.match(out.text, /joint_damping: {3}\{ distribution: uniform, range: \[0\.5, 2\.0\], operation: scale \}/);
});

test('several targets under one abs entry: the range covers all measured values', () => {
  const text = `name: t\ntask: reach\nrandomization:\n  physics:\n    joint_friction: { distribution: uniform, range: [0, 0.1], operation: abs }   # N·m\n`;
  const out = applySysidResult(
    text,
    result(
      [
        { parameter: 'joint_friction', target: 'shoulder', value: 0.4, stdError: 0.01, unit: 'N·m' },
        { parameter: 'joint_friction', target: 'wrist', value: 0.2, stdError: 0.01, unit: 'N·m' },
      ],
      'reach',
    ),
  );
  assert.match(out.text, /joint_friction: \{ distribution: uniform, range: \[0\.175, 0\.425\], operation: abs \} {3}# N·m/);
  const coverage = validateText(out.text).findings.filter((f) => f.code === 'coverage-outside-range');
  assert.deepEqual(coverage, [], 'both measured values lie inside the new range');
});

test('add ranges become offsets centred on the calibrated nominal; scale ranges that missed 1 are brought back; block lists keep their lines', () => {
  const text = [
    'name: t',
    'task: reach',
    'randomization:',
    '  physics:',
    '    link_mass:',
    '      distribution: uniform',
    '      range:',
    '        - 1.5   # heavier than CAD',
    '        - 2.5',
    '      operation: scale',
    '    joint_damping: { distribution: uniform, range: [0.1, 0.3], operation: add, targets: [shoulder] }',
    '',
  ].join('\n');
  const out = applySysidResult(
    text,
    result(
      [
        { parameter: 'link_mass', target: 'link1', value: 0.9, stdError: 0.05, unit: 'kg' },
        { parameter: 'joint_damping', target: 'shoulder', value: 0.3, stdError: 0.01, unit: 'N·m·s/rad' },
      ],
      'reach',
    ),
  );
  assert.match(out.text, /range:\n {8}- 0\.5 {3}# heavier than CAD\n {8}- 1\.5\n/);
  assert.match(out.text, /joint_damping: \{ distribution: uniform, range: \[-0\.1, 0\.1\], operation: add, targets: \[shoulder\] \}/);
  assert.deepEqual(errors(out.text), []);
});

test('an existing calibration block is rewritten in place, keeping values this result did not measure', () => {
  const first = applySysidResult(EXAMPLE, result(MEASURED));
  const second = applySysidResult(first.text, result([{ parameter: 'joint_damping', target: 'wrist', value: 0.07, stdError: 0.002, unit: 'N·m·s/rad' }]));
  const experiment = resolveExperiment(validateText(second.text).root as MapNode);
  assert.deepEqual(experiment.calibration?.parameters.joint_damping, { shoulder: 0.1123, elbow: 0.0871, wrist: 0.07 });
  assert.deepEqual(experiment.calibration?.parameters.joint_friction, { shoulder: 0.21 });
  assert.equal(second.text.match(/^calibration:/gm)?.length, 1);
});

test('values the experiment cannot take are skipped with the reason, and a wrong task is refused', () => {
  const out = applySysidResult(
    EXAMPLE,
    result([
      { parameter: 'joint_damping', target: 'knee', value: 0.1, stdError: 0.01, unit: 'N·m·s/rad' },
      { parameter: 'joint_damping', target: 'shoulder', value: Number.NaN, stdError: 0.01, unit: 'N·m·s/rad' },
      { parameter: 'link_mass', target: 'link2', value: -1, stdError: 0.01, unit: 'kg' },
      { parameter: 'gravity', value: 9.8, stdError: 0.01, unit: 'm/s²' },
    ]),
  );
  assert.equal(out.skipped.length, 4, out.skipped.join('\n'));
  assert.match(out.skipped[0]!, /knee.*no such joint/);
  assert.match(out.skipped[1]!, /not a finite number/);
  assert.match(out.skipped[2]!, /outside what the parameter can take/);
  assert.throws(() => applySysidResult(EXAMPLE, result(MEASURED, 'reach')), ApplyError);
  assert.throws(() => applySysidResult('name: x\ntask: [', result(MEASURED)), /does not parse/);
});

test('coverage: a measured value outside the effective range is a warning on the range, with the numbers', () => {
  const findings = validateText(EXAMPLE, {
    measurement: { source: 'sysid-20261125', values: [{ parameter: 'joint_damping', target: 'shoulder', value: 0.11 }, { parameter: 'joint_damping', target: 'elbow', value: 0.06 }] },
  }).findings.filter((f) => f.code === 'coverage-outside-range');
  assert.equal(findings.length, 1, 'the elbow value lies inside');
  const f = findings[0]!;
  assert.equal(f.severity, 'warning');
  assert.equal(EXAMPLE.slice(f.start, f.end), '[0.5, 2.0]');
  assert.match(f.message, /^measured joint_damping \(shoulder\) 0\.11 N·m·s\/rad lies outside 0\.025-0\.1 \(range \[0\.5, 2\] × nominal 0\.05\); from sysid-20261125/);
  assert.equal(f.fix?.title, 'Widen range to include 0.11');
  assert.equal(f.moreFixes?.[0]?.title, 'Re-centre range on 0.11');
  // each fix's text makes the warning go away
  for (const fix of [f.fix!, f.moreFixes![0]!]) {
    assert.equal(fix.kind, 'replace');
    if (fix.kind !== 'replace') continue;
    const fixed = EXAMPLE.slice(0, fix.start) + fix.newText + EXAMPLE.slice(fix.end);
    const after = validateText(fixed, { measurement: { source: 's', values: [{ parameter: 'joint_damping', target: 'shoulder', value: 0.11 }] } }).findings;
    assert.deepEqual(after.filter((x) => x.code === 'coverage-outside-range'), [], `${fix.title}: ${fix.newText}`);
    assert.deepEqual(after.filter((x) => x.severity === 'error'), []);
  }
});

test('coverage reads the calibration block (so the CLI reports it) and ignores a measurement older than it', () => {
  const text = `${EXAMPLE}\ncalibration:\n  date: "2026-11-25T15:00:00Z"\n  parameters:\n    restitution: { puck: 0.5 }\n    action_delay: 5\n`;
  const codes = (measurement?: Parameters<typeof validateText>[1]) =>
    validateText(text, measurement).findings.filter((f) => f.code === 'coverage-outside-range').map((f) => f.message.split(';')[0]);
  assert.deepEqual(codes(), [
    'measured restitution (puck) 0.5 lies outside 0-0.3 (range [0, 0.3])',
    'measured action_delay 5 control steps lies outside 0-3 (range [0, 3])',
  ]);
  const older = { measurement: { source: 'old', createdAt: '2026-11-24T00:00:00Z', values: [{ parameter: 'action_delay', value: 1 }] } };
  assert.equal(codes(older).length, 2, 'an older result does not override the calibration');
  const newer = { measurement: { source: 'new', createdAt: '2026-11-26T00:00:00Z', values: [{ parameter: 'action_delay', value: 1 }] } };
  assert.deepEqual(codes(newer), ['measured restitution (puck) 0.5 lies outside 0-0.3 (range [0, 0.3])']);
});

test('after apply, the calibrated values lie inside every range (scale ranges around 1, abs ranges re-centred)', () => {
  const out = applySysidResult(EXAMPLE, result(MEASURED));
  assert.deepEqual(validateText(out.text).findings.filter((f) => f.code === 'coverage-outside-range'), []);
  // and before apply, the same values checked as a measurement are outside
  const before = validateText(EXAMPLE, { measurement: { source: 's', values: MEASURED } }).findings.filter((f) => f.code === 'coverage-outside-range');
  assert.ok(before.length >= 1);
});

test('coverage: one measured value for a targeted parameter is checked against every target', () => {
  const text = `name: t\ntask: reach\nrandomization:\n  physics:\n    joint_friction: { distribution: uniform, range: [0, 0.1], operation: abs, targets: [elbow] }\n`;
  const findings = validateText(text, { measurement: { source: 's', values: [{ parameter: 'joint_friction', value: 0.3 }] } }).findings.filter((f) => f.code === 'coverage-outside-range');
  assert.deepEqual(findings.map((f) => f.message.split(' lies')[0]), ['measured joint_friction (elbow) 0.3 N·m']);
});

test('the sensors measured at rest become the calibrated sensor model, and a range that misses them is flagged', () => {
  const sensors: IdentifiedParameter[] = [
    { parameter: 'joint_position_noise', target: 'shoulder', value: 0.00198, stdError: 0.00008, unit: 'rad' },
    { parameter: 'joint_position_noise', target: 'elbow', value: 0.00187, stdError: 0.00008, unit: 'rad' },
    { parameter: 'joint_position_noise', target: 'wrist', value: 0.00202, stdError: 0.00008, unit: 'rad' },
    { parameter: 'joint_velocity_noise', target: 'wrist', value: 0.0187, stdError: 0.0008, unit: 'rad/s' },
    { parameter: 'object_position_noise', target: 'puck', value: 0.00298, stdError: 0.00016, unit: 'm' },
    { parameter: 'object_tracking_rate', target: 'puck', value: 30.11, stdError: 0.09, unit: 'Hz' },
  ];
  // an experiment that randomizes the tracker's rate too low to contain the measured 30 Hz
  const text = EXAMPLE.replace(/( {4}action_noise: .*\n)/, '$1    object_tracking_rate: { distribution: uniform, range: [10, 20] }\n');
  assert.notEqual(text, EXAMPLE);
  const out = applySysidResult(text, result(sensors));
  assert.deepEqual(errors(out.text), []);
  const experiment = resolveExperiment(validateText(out.text).root as MapNode);
  assert.deepEqual(experiment.calibration?.parameters.joint_position_noise, { shoulder: 0.00198, elbow: 0.00187, wrist: 0.00202 });
  assert.deepEqual(experiment.calibration?.parameters.object_position_noise, { puck: 0.00298 });
  assert.deepEqual(experiment.calibration?.parameters.object_tracking_rate, { puck: 30.11 });
  // an abs range is re-centred on the measured rate, keeping its width
  assert.match(out.text, /object_tracking_rate: \{ distribution: uniform, range: \[25\.1, 35\.1\] \}/);
  // before applying, the calibration-less experiment has nothing to compare with; with the block and the old range, a warning
  const stale = out.text.replace('range: [25.1, 35.1]', 'range: [10, 20]');
  const coverage = validateText(stale).findings.filter((f) => f.code === 'coverage-outside-range');
  assert.ok(coverage.some((f) => /object_tracking_rate \(puck\) 30\.1/.test(f.message)), coverage.map((f) => f.message).join('\n'));
});

test('applying twice: the block is rewritten in place with its heading naming the newest measurement, and the file still ends in a newline', () => {
  const first = applySysidResult(EXAMPLE, { ...result(MEASURED), source: { kind: 'log', file: '/logs/run.csv', format: 'csv' } }).text;
  assert.ok(first.endsWith('\n'));
  const second = applySysidResult(first, result([{ parameter: 'object_tracking_rate', target: 'puck', value: 30.2, stdError: 0.04, unit: 'Hz' }])).text;
  assert.ok(second.endsWith('\n'), 'the trailing newline survives the rewrite');
  assert.equal(second.match(/^calibration:/gm)?.length, 1);
  assert.equal(second.match(/# Measured by system identification/g)?.length, 1, 'one heading');
  assert.match(second, /# Measured by system identification on the robot at ws:\/\/127\.0\.0\.1:9090;.*\ncalibration:/);
  assert.match(second, /joint_damping: \{ shoulder: 0\.1123, elbow: 0\.0871 \}/, 'values the new result did not measure are kept');
  // with the standard errors the first Apply wrote beside them
  const kept = first.slice(first.search(/^calibration:/m)).split('\n').filter((l) => /^\s+(joint_damping|action_delay):/.test(l));
  assert.ok(kept.length >= 1 && kept.every((l) => /# ± \d/.test(l)), kept.join('\n'));
  for (const line of kept) assert.ok(second.includes(line), `kept as written: ${line}`);
  assert.deepEqual(errors(second), []);
});
