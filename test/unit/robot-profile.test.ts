import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import Ajv from 'ajv';
import { parse } from 'yaml';
import { EXPERIMENT_SCHEMA } from '../../src/engine/config/schema';
import { PARAMETERS } from '../../src/engine/config/parameters';
import { DEFAULT_ROBOT_NAMES } from '../../src/engine/rosbridge/names';
import { loadRealityProfileFile, parseRealityProfile } from '../../src/engine/emulator/realityProfileLoader';
import { RealityPlant } from '../../src/engine/emulator/realityPlant';
import { realitySchemaText } from '../../src/engine/emulator/realitySchema';
import { Rng } from '../../src/engine/util/rng';
import { withGeneratedKeys } from '../../src/engine/emulator/realityDocs';
import { SECTIONS, TOP_LEVEL_FIELDS } from '../../src/engine/emulator/realityProfileSpec';

const REPO = join(__dirname, '..', '..');
const EXAMPLES = join(REPO, 'examples', 'reality');

function findings(text: string) {
  const result = parseRealityProfile(text);
  assert.equal(result.ok, false, 'expected findings');
  return (result as { findings: { path: string; message: string; line: number; col: number }[] }).findings;
}

describe('reality profiles', () => {
  it('the committed schema is exactly what the generator writes (no drift)', () => {
    const committed = readFileSync(join(REPO, 'schemas', 'reality-profile.schema.json'), 'utf8');
    assert.equal(committed, realitySchemaText(), 'run: npx tsx scripts/gen-reality-schema.ts');
  });

  it('ships mild, moderate and harsh examples that load and validate against the published schema', () => {
    const files = readdirSync(EXAMPLES).filter((f) => f.endsWith('.yaml')).sort();
    assert.deepEqual(files, ['harsh.yaml', 'mild.yaml', 'moderate.yaml']);
    const validate = new Ajv({ strict: false }).compile(JSON.parse(realitySchemaText()));
    const latency: number[] = [];
    for (const file of ['mild.yaml', 'moderate.yaml', 'harsh.yaml']) {
      const profile = loadRealityProfileFile(join(EXAMPLES, file));
      assert.ok(validate(parse(readFileSync(join(EXAMPLES, file), 'utf8'))), `${file}: ${JSON.stringify(validate.errors)}`);
      assert.equal(profile.effects.frictionCoulombNm.length, 3);
      latency.push(profile.effects.latencyMs);
    }
    // ordered from mild to harsh
    assert.ok(latency[0] < latency[1] && latency[1] < latency[2]);
  });

  it('accepts every randomizable parameter under its experiment name', () => {
    const lines = PARAMETERS.map((info) => {
      if (info.categorical) return `  ${info.name}: ${info.categorical[0]}`;
      const v = typeof info.nominal === 'number' ? info.nominal : 0;
      return (info.size ?? 1) > 1 ? `  ${info.name}: [${Array(info.size).fill(v).join(', ')}]` : `  ${info.name}: ${v}`;
    });
    const result = parseRealityProfile(`task: push\nparameters:\n${lines.join('\n')}\n`);
    assert.ok(result.ok, JSON.stringify(!result.ok && result.findings));
    assert.equal(Object.keys(result.profile.parameters).length, PARAMETERS.length);
  });

  it("the experiment's sensor parameters: the tracker's rate sets rates.objectPoseHz, a contradiction is an error at the parameter", () => {
    const ok = parseRealityProfile('task: push\nparameters:\n  object_tracking_rate: { puck: 20 }\n');
    assert.ok(ok.ok);
    assert.equal(ok.profile.rates.objectPoseHz, 20);
    const same = parseRealityProfile('task: push\nrates:\n  objectPoseHz: 20\nparameters:\n  object_tracking_rate: 20\n');
    assert.ok(same.ok);
    const clash = findings('task: push\nrates:\n  objectPoseHz: 30\nparameters:\n  object_tracking_rate: 20\n');
    assert.equal(clash[0]!.line, 5);
    assert.match(clash[0]!.message, /object_tracking_rate 20 Hz contradicts rates\.objectPoseHz 30 Hz/);
  });

  it("the experiment's sensor noises join the profile's own in quadrature, per joint and for the tracked object", async () => {
    const result = parseRealityProfile('task: push\neffects:\n  jointPositionNoiseRad: 0.004\n  objectPositionNoiseM: 0.003\nparameters:\n  joint_position_noise: { elbow: 0.003 }\n  object_position_noise: 0.004\n  joint_velocity_noise: 0.02\n');
    assert.ok(result.ok, JSON.stringify(!result.ok && result.findings));
    const plant = await RealityPlant.create(result.profile, new Rng(1));
    try {
      const e = plant.effects;
      assert.deepEqual(e.jointPositionNoiseRad.map((v) => Number(v.toFixed(12))), [0.004, 0.005, 0.004]);
      assert.deepEqual(e.jointVelocityNoiseRadPerS.map((v) => Number(v.toFixed(12))), [0.02, 0.02, 0.02]);
      assert.equal(Number(e.objectPositionNoiseM.toFixed(12)), 0.005);
    } finally {
      plant.dispose();
    }
  });

  it('fills defaults: no effects, watchdog 100 ms, ROS-conventional names', () => {
    const result = parseRealityProfile('task: reach\n');
    assert.ok(result.ok);
    const p = result.profile;
    assert.equal(p.watchdogMs, 100);
    assert.deepEqual(p.effects.backlashRad, [0, 0, 0]);
    assert.equal(p.effects.latencyMs, 0);
    assert.deepEqual(p.names, DEFAULT_ROBOT_NAMES);
  });

  it('uses the experiment schema\'s default topic and service names', () => {
    const robot = (EXPERIMENT_SCHEMA.properties as Record<string, any>).robot.properties;
    const snake = (k: string) => k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
    for (const [key, value] of Object.entries(DEFAULT_ROBOT_NAMES.topics)) assert.equal(robot.topics.properties[snake(key)].default, value, key);
    for (const [key, value] of Object.entries(DEFAULT_ROBOT_NAMES.services)) assert.equal(robot.services.properties[key].default, value, key);
  });

  it('garbage: findings with the key path, line and column', () => {
    const f = findings(['task: push', 'seed: -1', 'effects:', '  latencyMs: fast', '  bogus: 1', '  backlashRad: [0.1, 0.2]', 'parameters:', '  friction: {puck: 2, wall: 1}', '  nope: 3', 'extra: 1', ''].join('\n'));
    const by = (path: string) => f.find((x) => x.path === path);
    assert.deepEqual([by('seed')!.line, by('seed')!.col], [2, 7]);
    assert.match(by('seed')!.message, /-1 is outside \[0, 4294967295\]/);
    assert.deepEqual([by('effects.latencyMs')!.line, by('effects.latencyMs')!.col], [4, 14]);
    assert.match(by('effects.latencyMs')!.message, /finite number \(ms\)/);
    assert.equal(by('effects.bogus')!.line, 5);
    assert.match(by('effects.backlashRad')!.message, /needs 3 values/);
    assert.equal(by('parameters.friction.wall')!.line, 8);
    assert.match(by('parameters.nope')!.message, /unknown parameter/);
    assert.match(by('extra')!.message, /unknown key 'extra'/);
  });

  it('garbage: broken YAML, a list at the top, a missing task', () => {
    assert.equal(findings('task: [push\n')[0]!.line, 2);
    assert.match(findings('- 1\n- 2\n')[0]!.message, /YAML mapping/);
    assert.match(findings('seed: 1\n')[0]!.message, /missing required key 'task'/);
    assert.match(findings('task: walk\n')[0]!.message, /must be one of reach, push/);
    assert.match(findings('task: push\ntopics:\n  command: cmd\n')[0]!.message, /must match \^\//);
  });

  it('every key of the spec is documented in docs/reality-profiles.md with its unit', () => {
    const doc = readFileSync(join(REPO, 'docs', 'reality-profiles.md'), 'utf8');
    assert.equal(doc, withGeneratedKeys(doc), 'the key reference is stale: run npx tsx scripts/gen-reality-schema.ts');
    for (const key of Object.keys(TOP_LEVEL_FIELDS)) assert.ok(doc.includes(`\`${key}\``), key);
    for (const [section, spec] of Object.entries(SECTIONS)) {
      for (const [key, field] of Object.entries(spec.fields)) {
        assert.ok(doc.includes(`\`${section}.${key}\``), `${section}.${key}`);
        if ('unit' in field) assert.ok(doc.includes(field.unit), `${section}.${key} unit ${field.unit}`);
      }
    }
  });
});
