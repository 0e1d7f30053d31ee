/**
 * System identification from logs, against logs recorded from the reality emulator's plant
 * (sysid/logs/record.ts): accuracy against each profile's hidden true values, CSV and MCAP alike,
 * and every kind of bad input named precisely.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';
import type { Experiment } from '../../src/engine/config/experiment';
import { formatFinding, loadExperiment } from '../../src/engine/config/load';
import { loadRealityProfileFile, type RealityProfile } from '../../src/engine/emulator/realityProfileLoader';
import { jointInertiaCoefficients } from '../../src/engine/sysid/armModel';
import { parseCsvLog } from '../../src/engine/sysid/logs/csv';
import { logMappingFor } from '../../src/engine/sysid/logs/mapping';
import { parseMcapLog } from '../../src/engine/sysid/logs/mcap';
import { recordExcitationLog } from '../../src/engine/sysid/logs/record';
import type { JointTrajectory } from '../../src/engine/sysid/logs/trajectory';
import { trajectoryToCsv, trajectoryToMcap } from '../../src/engine/sysid/logs/write';
import { identifyFromLog, identifyFromTrajectory } from '../../src/engine/sysid/offline/identifyFromLog';
import type { SysidResult } from '../../src/engine/sysid/types';

const ROOT = join(__dirname, '..', '..');
const EXPERIMENT_FILE = join(ROOT, 'examples', 'push.s2r.yaml');
const dir = mkdtempSync(join(tmpdir(), 'sysid-offline-'));
let experiment: Experiment;

before(() => {
  experiment = loadExperiment(EXPERIMENT_FILE).experiment!;
  assert.ok(experiment);
});

/** The profile's true values: b = joint_damping + viscous friction, c, link masses, latency. */
function truth(profile: RealityProfile) {
  const p = profile.parameters;
  const perJoint = (v: unknown, fallback: number) => [0, 1, 2].map((i) => (typeof v === 'number' ? v : v && typeof v === 'object' ? Object.values(v as Record<string, number>)[i]! : fallback));
  const damping = perJoint(p.joint_damping, 0.05);
  const masses = perJoint(p.link_mass, 0.5);
  return {
    viscous: damping.map((d, i) => d + profile.effects.frictionViscousNmsPerRad[i]!),
    coulomb: [...profile.effects.frictionCoulombNm],
    masses,
    inertia: [0, 1, 2].map((j) => jointInertiaCoefficients(j, [0, 0, 0]).reduce((s, a, k) => s + a * masses[k]!, 0)),
    latencyMs: profile.effects.latencyMs,
  };
}

function relative(fitted: number, expected: number): number {
  return Math.abs(fitted - expected) / Math.abs(expected);
}

function byParameter(result: SysidResult, name: string): number[] {
  return result.identified.filter((p) => p.parameter === name).map((p) => p.value);
}

function checkAccuracy(result: SysidResult, profile: RealityProfile, tolerance: { viscous: number; coulomb: number; inertia: number }): void {
  const t = truth(profile);
  const b = byParameter(result, 'joint_damping');
  const c = byParameter(result, 'joint_friction');
  for (let j = 0; j < 3; j++) {
    const joint = result.friction[j]!.joint;
    assert.ok(relative(b[j]!, t.viscous[j]!) < tolerance.viscous, `${profile.name} ${joint}: viscous ${b[j]} vs true ${t.viscous[j]}`);
    assert.ok(relative(c[j]!, t.coulomb[j]!) < tolerance.coulomb, `${profile.name} ${joint}: Coulomb ${c[j]} vs true ${t.coulomb[j]}`);
    const inertia = result.inertia[j]!.inertiaKgM2.value;
    assert.ok(relative(inertia, t.inertia[j]!) < tolerance.inertia, `${profile.name} ${joint}: inertia ${inertia} vs true ${t.inertia[j]}`);
    assert.ok(result.friction[j]!.viscousNmsPerRad.stdError > 0, 'a standard error comes with every value');
  }
  // the plant applies a command at the first physics step after it is due: up to one step later
  const controlMs = result.delay!.controlPeriodMs;
  assert.ok(Math.abs(result.delay!.meanMs - t.latencyMs) < controlMs, `${profile.name}: delay ${result.delay!.meanMs} ms vs latency ${t.latencyMs} ms`);
  const steps = result.identified.find((p) => p.parameter === 'action_delay')!.value;
  assert.ok(Math.abs(steps - t.latencyMs / controlMs) <= 1, `${profile.name}: action_delay ${steps} steps`);
}

describe('identification from emulator logs', () => {
  test('mild: viscous and Coulomb within 5%, inertia within 10%, delay within a control step', async () => {
    const profile = loadRealityProfileFile(join(ROOT, 'examples', 'reality', 'mild.yaml'));
    const log = await recordExcitationLog(profile, { durationS: 12 });
    const result = await identifyFromTrajectory(experiment, EXPERIMENT_FILE, log, { file: 'mild.csv', format: 'csv' }, 200);
    checkAccuracy(result, profile, { viscous: 0.05, coulomb: 0.05, inertia: 0.1 });
  });

  test('moderate (20 ms latency with jitter, gain error, backlash, torque noise): the same accuracy', async () => {
    const profile = loadRealityProfileFile(join(ROOT, 'examples', 'reality', 'moderate.yaml'));
    const log = await recordExcitationLog(profile, { durationS: 12 });
    const result = await identifyFromTrajectory(experiment, EXPERIMENT_FILE, log, { file: 'moderate.csv', format: 'csv' }, 200);
    checkAccuracy(result, profile, { viscous: 0.05, coulomb: 0.05, inertia: 0.1 });
    assert.ok(result.warnings.some((w) => /'shoulder' applies (8[89]|9[01])\.\d% of the commanded torque/.test(w)), 'the shoulder gain error (-10%) is reported');
    assert.ok(result.warnings.some((w) => w.includes('backlash take-up')), 'the backlash take-up is reported');
  });

  test('CSV and MCAP of the same recording read alike and give the same result', async () => {
    const profile = loadRealityProfileFile(join(ROOT, 'examples', 'reality', 'moderate.yaml'));
    const log = await recordExcitationLog(profile, { durationS: 8, seed: 5 });
    const csvFile = join(dir, 'same.csv');
    const mcapFile = join(dir, 'same.mcap');
    writeFileSync(csvFile, trajectoryToCsv(log));
    writeFileSync(mcapFile, await trajectoryToMcap(log));
    const mapping = logMappingFor(experiment);
    const fromCsv = parseCsvLog(trajectoryToCsv(log), mapping, csvFile);
    const fromMcap = parseMcapLog(await trajectoryToMcap(log), mapping, mcapFile);
    assert.equal(fromCsv.timeS.length, fromMcap.timeS.length);
    assert.equal(fromCsv.command.timeS.length, fromMcap.command.timeS.length, 'a CSV command counts once, where its values change');
    for (let j = 0; j < 3; j++) {
      for (let i = 0; i < fromCsv.timeS.length; i += 97) {
        assert.ok(Math.abs(fromCsv.positionRad[j]![i]! - fromMcap.positionRad[j]![i]!) < 1e-12);
        assert.ok(Math.abs(fromCsv.effortNm![j]![i]! - fromMcap.effortNm![j]![i]!) < 1e-12);
      }
    }
    const a = await identifyFromLog(experiment, EXPERIMENT_FILE, csvFile);
    const b = await identifyFromLog(experiment, EXPERIMENT_FILE, mcapFile);
    assert.equal(a.source.kind === 'log' && a.source.format, 'csv');
    assert.equal(b.source.kind === 'log' && b.source.format, 'mcap');
    assert.ok(Math.abs(a.delay!.meanMs - b.delay!.meanMs) < 1e-6, `delay ${a.delay!.meanMs} ms (CSV) vs ${b.delay!.meanMs} ms (MCAP)`);
    for (let k = 0; k < a.identified.length; k++) {
      const [p, q] = [a.identified[k]!, b.identified[k]!];
      assert.equal(p.parameter, q.parameter);
      assert.ok(Math.abs(p.value - q.value) <= 1e-6 * Math.max(1, Math.abs(p.value)), `${p.parameter} ${p.target}: ${p.value} (CSV) vs ${q.value} (MCAP)`);
    }
  });
});

describe('bad input', () => {
  let good: JointTrajectory;
  let csv: string;
  before(async () => {
    const profile = loadRealityProfileFile(join(ROOT, 'examples', 'reality', 'mild.yaml'));
    good = await recordExcitationLog(profile, { durationS: 6, seed: 3 });
    csv = trajectoryToCsv(good);
  });
  const mapping = () => logMappingFor(experiment);
  const parse = (text: string) => parseCsvLog(text, mapping(), 'bad.csv');

  test('a missing column names the column and the joint', () => {
    const lines = csv.split('\n');
    lines[0] = lines[0]!.replace('elbow_position', 'elbow_pos');
    assert.throws(() => parse(lines.join('\n')), /bad\.csv:1: no column 'elbow_position' \(position of joint 'elbow'/);
  });

  test('unsorted and duplicate timestamps name the line', () => {
    const lines = csv.split('\n');
    [lines[10], lines[11]] = [lines[11]!, lines[10]!];
    assert.throws(() => parse(lines.join('\n')), /bad\.csv:12 \(column 'time'\): sample timestamps are not sorted: 0\.09 s comes after 0\.1 s/);
    const dup = csv.split('\n');
    dup[21] = dup[20]!;
    assert.throws(() => parse(dup.join('\n')), /bad\.csv:22 \(column 'time'\): duplicate sample timestamp/);
  });

  test('NaN and empty cells name the line, column and header', () => {
    const lines = csv.split('\n');
    const cells = lines[5]!.split(',');
    cells[2] = 'NaN';
    lines[5] = cells.join(',');
    assert.throws(() => parse(lines.join('\n')), /bad\.csv:6:\d+ \(column 'elbow_position'\): 'NaN' is not a finite number/);
    const empty = csv.split('\n');
    const c2 = empty[7]!.split(',');
    c2[3] = '';
    empty[7] = c2.join(',');
    assert.throws(() => parse(empty.join('\n')), /bad\.csv:8:\d+ \(column 'wrist_position'\): empty cell/);
  });

  test('a log too short says how long it must be', async () => {
    const short = csv.split('\n').slice(0, 150).join('\n');
    const file = join(dir, 'short.csv');
    writeFileSync(file, short);
    await assert.rejects(identifyFromLog(experiment, EXPERIMENT_FILE, file), /too short to fit: 149 joint-state samples over 1\.48 s; record at least 4 s/);
  });

  test('an unknown topic lists the topics the MCAP file has', async () => {
    const bytes = await trajectoryToMcap(good);
    const m = { ...mapping(), topics: { jointStates: '/arm/joint_states', command: '/forward_effort_controller/commands' } };
    assert.throws(() => parseMcapLog(bytes, m, 'bad.mcap'), /bad\.mcap: no topic \/arm\/joint_states \(system_identification\.log\.topics\.joint_states\); the log has: \/forward_effort_controller\/commands, \/joint_states/);
  });

  test('a wrong extension is refused', async () => {
    const file = join(dir, 'log.txt');
    writeFileSync(file, csv);
    await assert.rejects(identifyFromLog(experiment, EXPERIMENT_FILE, file), /unsupported log extension '\.txt'; use a \.csv or \.mcap log/);
  });

  test('a joint that does not move is named', async () => {
    const still: JointTrajectory = {
      ...good,
      positionRad: good.positionRad.map((p, j) => (j === 2 ? new Float64Array(p.length).fill(0.1) : p)),
      velocityRadPerS: good.velocityRadPerS!.map((v, j) => (j === 2 ? new Float64Array(v.length) : v)),
    };
    await assert.rejects(identifyFromTrajectory(experiment, EXPERIMENT_FILE, still, { file: 'still.csv', format: 'csv' }, 200), /joint 'wrist' barely moves/);
  });

  test('commands that do not explain the motion: the fit does not converge, and says for which joint', async () => {
    // the commands of another recording: the replay cannot follow this log's motion
    const profile = loadRealityProfileFile(join(ROOT, 'examples', 'reality', 'mild.yaml'));
    const other = await recordExcitationLog(profile, { durationS: 6, seed: 99 });
    const mixed: JointTrajectory = { ...good, effortNm: undefined, command: other.command };
    await assert.rejects(identifyFromTrajectory(experiment, EXPERIMENT_FILE, mixed, { file: 'mixed.csv', format: 'csv' }, 60), /the fit did not converge for joint '\w+': the replay misses the logged motion by \d+%/);
  });

  test('position commands are refused with the reason', async () => {
    const position: JointTrajectory = { ...good, command: { ...good.command, kind: 'position' } };
    await assert.rejects(identifyFromTrajectory(experiment, EXPERIMENT_FILE, position, { file: 'p.csv', format: 'csv' }, 200), /command_kind is 'position'/);
  });
});

describe('the system_identification block of the experiment', () => {
  const base = () => readFileSync(EXPERIMENT_FILE, 'utf8');
  const block = [
    'system_identification:',
    '  log:',
    '    time_column: stamp_ms',
    '    time_unit: ms',
    '    joint_position_columns: [q1, q2, q3]',
    '    command_columns: [u1, u2, u3]',
    '    topics: { joint_states: /arm/joint_states }',
    '',
  ].join('\n');

  test('custom columns, time unit and topics reach the readers; the rest keep the ROS defaults', async () => {
    const file = join(dir, 'mapped.s2r.yaml');
    writeFileSync(file, base() + '\n' + block);
    const loaded = loadExperiment(file);
    assert.deepEqual(loaded.findings.filter((f) => f.severity === 'error'), []);
    const mapping = logMappingFor(loaded.experiment!);
    assert.deepEqual(mapping.positionColumns, ['q1', 'q2', 'q3']);
    assert.equal(mapping.topics.jointStates, '/arm/joint_states');
    assert.equal(mapping.topics.command, '/forward_effort_controller/commands');
    assert.equal(mapping.commandKind, 'effort');
    const profile = loadRealityProfileFile(join(ROOT, 'examples', 'reality', 'mild.yaml'));
    const log = await recordExcitationLog(profile, { durationS: 1, seed: 4 });
    const text = trajectoryToCsv(log)
      .replace(/^time,shoulder_position,elbow_position,wrist_position/, 'stamp_ms,q1,q2,q3')
      .replace(/shoulder_command,elbow_command,wrist_command$/m, 'u1,u2,u3')
      .replace(/^([0-9.e-]+),/gm, (_, t: string) => `${Number(t) * 1000},`);
    const parsed = parseCsvLog(text, mapping, 'mapped.csv');
    assert.ok(Math.abs(parsed.timeS[parsed.timeS.length - 1]! - 1) < 1e-9, 'milliseconds are read as milliseconds');
    assert.ok(Math.abs(parsed.positionRad[1]![5]! - log.positionRad[1]![5]!) < 1e-8, 'positions read from the renamed columns');
  });

  test('a bad value in the block is a finding on its line', () => {
    const file = join(dir, 'badkind.s2r.yaml');
    writeFileSync(file, base() + '\nsystem_identification:\n  log:\n    command_kind: torque\n');
    const loaded = loadExperiment(file);
    const errors = loaded.findings.filter((f) => f.severity === 'error');
    assert.equal(errors.length, 1);
    assert.match(formatFinding(file, loaded.lines, errors[0]!), /:\d+:\d+.*torque/);
  });
});

describe('cancellation and damaged files', () => {
  test('an aborted signal stops the fit with an AbortError', async () => {
    const profile = loadRealityProfileFile(join(ROOT, 'examples', 'reality', 'mild.yaml'));
    const log = await recordExcitationLog(profile, { durationS: 6, seed: 8 });
    const controller = new AbortController();
    const progress: string[] = [];
    const run = identifyFromTrajectory(experiment, EXPERIMENT_FILE, log, { file: 'a.csv', format: 'csv' }, 200, {
      signal: controller.signal,
      onProgress: (p) => {
        progress.push(p.message);
        controller.abort();
      },
    });
    await assert.rejects(run, (e: Error) => e.name === 'AbortError');
    assert.ok(progress.length >= 1, 'progress was reported before the abort');
  });

  test('a truncated MCAP file is named as such', async () => {
    const profile = loadRealityProfileFile(join(ROOT, 'examples', 'reality', 'mild.yaml'));
    const bytes = await trajectoryToMcap(await recordExcitationLog(profile, { durationS: 1, seed: 9 }));
    assert.throws(() => parseMcapLog(bytes.subarray(0, Math.floor(bytes.length / 2)), logMappingFor(experiment), 'cut.mcap'), /cut\.mcap: (MCAP file is truncated|not a readable MCAP file)/);
  });
});
