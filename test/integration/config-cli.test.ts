/**
 * `sim2real validate` as a user and CI see it (spawned: output format, exit codes, --json), and the
 * published schema kept honest: in sync with schema.ts, compiling in ajv 8, and agreeing with our
 * own schema check on the examples, on shape-broken fixtures and on mutations of the examples.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import Ajv2020 from 'ajv/dist/2020';
import { parse as parseYaml } from 'yaml';
import type { Finding } from '../../src/engine/config/findings';
import { EXPERIMENT_SCHEMA } from '../../src/engine/config/schema';
import { checkSchema } from '../../src/engine/config/schemaCheck';
import { validateText } from '../../src/engine/config/validate';
import { parseText } from '../../src/engine/config/parseYaml';
import { Rng } from '../../src/engine/util/rng';

const ROOT = join(__dirname, '..', '..');
const CLI = join(ROOT, 'src', 'engine', 'cli.ts');
const PUSH = join(ROOT, 'examples', 'push.s2r.yaml');
const PENG = join(ROOT, 'examples', 'peng2018-push.s2r.yaml');
/** A spawned CLI that has not exited by then is hung (start-up under tsx is ~1 s). */
const SPAWN_TIMEOUT_MS = 60_000;

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

function run(script: string, args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', script, ...args], { cwd: ROOT, timeout: SPAWN_TIMEOUT_MS }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

const validate = (...args: string[]): Promise<Run> => run(CLI, ['validate', ...args]);

const dir = mkdtempSync(join(tmpdir(), 's2r-cli-'));
function writeFixture(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

/** 1-based line and column of an offset, counted here rather than by the code under test. */
function lineCol(text: string, offset: number): [number, number] {
  const before = text.slice(0, offset);
  return [before.split('\n').length, offset - (before.lastIndexOf('\n') + 1) + 1];
}

const LINE = /^(.+):(\d+):(\d+): (error|warning): (.+) \[([a-z-]+)\]$/;

// errors on known spots: a reversed range (line 6) and an unknown parameter (line 7)
const BAD = `name: bad
task: push
randomization:
  dynamics:
    action_delay: { distribution: randint, range: [0, 3] }
    action_noise: { distribution: uniform, range: [0.05, 0.01] }
    action_nois: { distribution: uniform, range: [0.01, 0.05] }
`;
// a warning only: no action delay
const WARNS = `name: warns
task: push
randomization:
  dynamics:
    action_noise: { distribution: uniform, range: [0.01, 0.05] }
`;

// the spawns are independent (own fixture files) and mostly wait on start-up: run them together
describe('sim2real validate', { concurrency: true }, () => {
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('the examples: exit 0, nothing on stdout, a summary on stderr', async () => {
    const result = await validate(PUSH, PENG);
    assert.equal(result.code, 0, result.stdout + result.stderr);
    assert.equal(result.stdout, '');
    assert.match(result.stderr, /2 file\(s\) checked, no errors/);
  });

  test('errors: exit 1, one FILE:LINE:COL: severity: message [code] line per finding, at the right place', async () => {
    const file = writeFixture('bad.s2r.yaml', BAD);
    const result = await validate(file);
    assert.equal(result.code, 1);
    const lines = result.stdout.trimEnd().split('\n');
    for (const line of lines) assert.match(line, LINE);
    const parsed = lines.map((line) => LINE.exec(line)!);
    assert.ok(parsed.every((m) => m[1] === file));
    const reversed = parsed.find((m) => m[6] === 'range-reversed');
    assert.ok(reversed, result.stdout);
    assert.deepEqual([Number(reversed[2]), Number(reversed[3])], lineCol(BAD, BAD.indexOf('[0.05, 0.01]')));
    assert.equal(reversed[4], 'error');
    const unknown = parsed.find((m) => m[6] === 'unknown-parameter');
    assert.ok(unknown);
    assert.deepEqual([Number(unknown[2]), Number(unknown[3])], lineCol(BAD, BAD.indexOf('action_nois:')));
    assert.match(unknown[5]!, /did you mean 'action_noise'\?/);
  });

  test('warnings only: exit 0, the warnings are printed', async () => {
    const result = await validate(writeFixture('warns.s2r.yaml', WARNS));
    assert.equal(result.code, 0);
    const match = LINE.exec(result.stdout.trimEnd());
    assert.ok(match, result.stdout);
    assert.equal(match[4], 'warning');
    assert.equal(match[6], 'no-action-delay');
    assert.deepEqual([Number(match[2]), Number(match[3])], lineCol(WARNS, WARNS.indexOf('dynamics')));
  });

  test('--json: an array of findings with file, line, column, endLine, endColumn, severity, code, message', async () => {
    const file = writeFixture('bad-json.s2r.yaml', BAD);
    const result = await validate(file, PUSH, '--json');
    assert.equal(result.code, 1);
    const findings = JSON.parse(result.stdout) as Record<string, unknown>[];
    assert.ok(Array.isArray(findings) && findings.length >= 2);
    for (const f of findings) {
      assert.deepEqual(Object.keys(f).sort(), ['code', 'column', 'endColumn', 'endLine', 'file', 'line', 'message', 'severity']);
      for (const key of ['line', 'column', 'endLine', 'endColumn']) assert.ok(Number.isInteger(f[key]) && (f[key] as number) >= 1, key);
      assert.ok((f.endLine as number) > (f.line as number) || (f.endColumn as number) >= (f.column as number));
      assert.ok(f.severity === 'error' || f.severity === 'warning');
      assert.equal(typeof f.message, 'string');
      assert.equal(f.file, file, 'the clean example adds no findings');
    }
    const reversed = findings.find((f) => f.code === 'range-reversed')!;
    const start = BAD.indexOf('[0.05, 0.01]');
    assert.deepEqual(
      [reversed.line, reversed.column, reversed.endLine, reversed.endColumn],
      [...lineCol(BAD, start), ...lineCol(BAD, start + '[0.05, 0.01]'.length)],
    );
  });

  test('--json for clean files prints an empty array and exits 0', async () => {
    const result = await validate(PUSH, '--json');
    assert.equal(result.code, 0);
    assert.deepEqual(JSON.parse(result.stdout), []);
  });

  test('a missing file is an error finding (exit 1), and the other files are still checked', async () => {
    const missing = join(dir, 'nope.s2r.yaml');
    const result = await validate(missing, writeFixture('bad2.s2r.yaml', BAD));
    assert.equal(result.code, 1);
    const lines = result.stdout.trimEnd().split('\n');
    assert.equal(lines[0], `${missing}:1:1: error: No such file. [missing-file]`);
    assert.ok(lines.some((line) => line.includes('bad2.s2r.yaml') && line.endsWith('[range-reversed]')));
  });

  test('a directory is an error finding (exit 1), not a crash, and the other files are still checked', async () => {
    const result = await validate(dir, writeFixture('bad3.s2r.yaml', BAD));
    assert.equal(result.code, 1, result.stderr);
    const lines = result.stdout.trimEnd().split('\n');
    assert.match(lines[0]!, new RegExp(`^${dir.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:1:1: error: .*director.* \\[missing-file\\]$`));
    assert.ok(lines.some((line) => line.includes('bad3.s2r.yaml') && line.endsWith('[range-reversed]')));
  });

  test('usage errors exit 2: no file, an unknown option', async () => {
    const none = await validate();
    assert.equal(none.code, 2);
    assert.match(none.stderr, /name at least one experiment file/);
    const unknown = await validate(PUSH, '--jsno');
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /unknown option --jsno/);
  });
});

describe('the published schema', () => {
  const published = JSON.parse(readFileSync(join(ROOT, 'schemas', 'experiment.schema.json'), 'utf8')) as Record<string, unknown>;

  test('schemas/experiment.schema.json is in sync with schema.ts (gen-schema --check)', async () => {
    const result = await run(join(ROOT, 'scripts', 'gen-schema.ts'), ['--check']);
    assert.equal(result.code, 0, result.stderr);
    assert.deepEqual(published, JSON.parse(JSON.stringify(EXPERIMENT_SCHEMA)));
  });

  // strict mode (union types such as ['string', 'number'] allowed), with our annotation keywords
  // declared, so a typo in a keyword fails here
  const ajv = new Ajv2020({ strict: true, allowUnionTypes: true, allErrors: true });
  for (const keyword of ['x-unit', 'x-why', 'x-code']) ajv.addKeyword({ keyword, schemaType: 'string' });
  const ajvValidate = ajv.compile(published);

  /** Our schema check alone (no YAML errors, no meaning checks), as findings. */
  function ourSchemaFindings(text: string): Finding[] {
    const root = validateText(text).root;
    assert.ok(root && root.kind === 'map', 'fixture parses to a mapping');
    const findings: Finding[] = [];
    checkSchema(root, EXPERIMENT_SCHEMA, [], { start: 0, end: 1 }, findings);
    return findings;
  }

  test('compiles in ajv 8 (draft 2020-12, strict)', () => {
    assert.equal(typeof ajvValidate, 'function');
  });

  test('ajv and our check accept both examples', () => {
    for (const path of [PUSH, PENG]) {
      const text = readFileSync(path, 'utf8');
      assert.ok(ajvValidate(parseYaml(text)), `${path}: ${ajv.errorsText(ajvValidate.errors)}`);
      assert.deepEqual(ourSchemaFindings(text), []);
    }
  });

  const HEAD = 'name: shape\ntask: push\n';
  const SHAPE_BROKEN: Record<string, string> = {
    'missing task': 'name: shape\n',
    'unknown task': 'name: shape\ntask: pusj\n',
    'unknown top-level key': `${HEAD}evalution: { episodes: 3 }\n`,
    'seed as text': `${HEAD}seed: seven\n`,
    'negative seed': `${HEAD}seed: -1\n`,
    'fractional seed': `${HEAD}seed: 1.5\n`,
    'name with a space': 'name: my run\ntask: push\n',
    'hidden as a number': `${HEAD}policy: { hidden: 32 }\n`,
    'hidden width 0': `${HEAD}policy: { hidden: [0] }\n`,
    'unknown activation': `${HEAD}policy: { activation: rlu }\n`,
    'unknown parameter': `${HEAD}randomization: { physics: { frction: { distribution: uniform, range: [0.5, 1.5] } } }\n`,
    'parameter without distribution': `${HEAD}randomization: { physics: { friction: { range: [0.5, 1.5] } } }\n`,
    'range of three': `${HEAD}randomization: { physics: { friction: { distribution: uniform, range: [0.5, 1, 1.5] } } }\n`,
    'range of text': `${HEAD}randomization: { physics: { friction: { distribution: uniform, range: [low, high] } } }\n`,
    'unknown distribution': `${HEAD}randomization: { physics: { friction: { distribution: unifrom, range: [0.5, 1.5] } } }\n`,
    'negative std': `${HEAD}randomization: { dynamics: { action_noise: { distribution: gaussian, mean: 0, std: -1 } } }\n`,
    'size 0': `${HEAD}randomization: { visuals: { object_color: { distribution: uniform, range: [0, 1], size: 0 } } }\n`,
    'group as a list': `${HEAD}randomization: { physics: [friction] }\n`,
    'stage without kind': `${HEAD}stages: [{ name: a }]\n`,
    'unknown stage kind': `${HEAD}stages: [{ name: a, kind: simulation }]\n`,
    'sim ratio 1.2': `${HEAD}stages: [{ name: a, kind: mixed, sim_ratio: 1.2 }]\n`,
    'gate above 1': `${HEAD}stages: [{ name: a, kind: mixed, sim_ratio: 0.8, gate: { min_sim_success: 95 } }]\n`,
    'http address': `${HEAD}robot: { address: 'http://127.0.0.1:9090', safety: {} }\n`,
    'speed scale 0': `${HEAD}robot: { safety: { speed_scale: 0 } }\n`,
    'watchdog 5 ms': `${HEAD}robot: { watchdog_ms: 5 }\n`,
    'unknown safety key': `${HEAD}robot: { safety: { max_speed: 1 } }\n`,
    'max steps 501': `${HEAD}evaluation: { max_steps: 501 }\n`,
    'workers as a boolean': `${HEAD}training: { workers: true }\n`,
    'target success 2': `${HEAD}training: { target_success: 2 }\n`,
  };

  for (const [name, text] of Object.entries(SHAPE_BROKEN)) {
    test(`shape-broken, rejected by both: ${name}`, () => {
      assert.equal(ajvValidate(parseYaml(text)), false, `ajv accepted ${JSON.stringify(text)}`);
      const ours = ourSchemaFindings(text);
      assert.ok(ours.length > 0, `our schema check accepted ${JSON.stringify(text)}`);
      assert.ok(ours.every((f) => f.severity === 'error'));
    });
  }

  test('meaning errors pass the schema in both (they are the semantic checks\' job)', () => {
    const text = `${HEAD}randomization: { physics: { friction: { distribution: uniform, range: [1.5, 0.5] } } }\nstages: [{ name: a, kind: sim }, { name: a, kind: sim }]\n`;
    assert.ok(ajvValidate(parseYaml(text)), ajv.errorsText(ajvValidate.errors));
    assert.deepEqual(ourSchemaFindings(text), []);
    assert.deepEqual(
      validateText(text).findings.filter((f) => f.severity === 'error').map((f) => f.code),
      ['range-reversed', 'duplicate-stage'],
    );
  });

  test('ajv and our schema check agree on 800 mutations of the examples', () => {
    const bases = [readFileSync(PUSH, 'utf8'), readFileSync(PENG, 'utf8')];
    const rng = new Rng(424242);
    // swaps that keep the YAML valid but often break the shape
    const words = ['0', '-1', '1.5', '1e3', 'true', 'null', 'text', '[1, 2]', '{a: 1}', 'uniform', 'gaussian', 'scale', 'push', 'reach', 'friction', 'physics', 'mixed', 'ws://h:1'];
    let compared = 0;
    let rejected = 0;
    for (let i = 0; i < 800; i++) {
      let text = bases[i % 2]!;
      // replace a random value or key token with another word, keeping indentation and structure
      const tokens = [...text.matchAll(/(?<=[:\[,{] ?)[A-Za-z0-9_.:/-]+|^\s*[a-z_]+(?=:)/gm)];
      const steps = 1 + Math.floor(rng.next() * 2);
      for (let s = 0; s < steps; s++) {
        const token = tokens[Math.floor(rng.next() * tokens.length)]!;
        const word = words[Math.floor(rng.next() * words.length)]!;
        const start = token.index! + (token[0].length - token[0].trimStart().length);
        text = text.slice(0, start) + word + text.slice(token.index! + token[0].length);
        tokens.splice(0, tokens.length, ...text.matchAll(/(?<=[:\[,{] ?)[A-Za-z0-9_.:/-]+|^\s*[a-z_]+(?=:)/gm));
      }
      // only texts both read the same way: the parser found nothing (valid YAML, plain keys), no duplicate keys (JSON has none)
      const parsed = parseText(text);
      if (parsed.findings.length > 0 || parsed.root?.kind !== 'map') continue;
      const validation = { root: parsed.root };
      if (validateText(text).findings.some((f) => f.code === 'duplicate-key')) continue;
      const findings: Finding[] = [];
      checkSchema(validation.root, EXPERIMENT_SCHEMA, [], { start: 0, end: 1 }, findings);
      const ajvOk = ajvValidate(parseYaml(text));
      assert.equal(findings.length === 0, ajvOk, `disagreement on ${JSON.stringify(text)}\nours: ${JSON.stringify(findings.map((f) => [f.code, f.message]))}\najv: ${ajv.errorsText(ajvValidate.errors)}`);
      compared++;
      if (!ajvOk) rejected++;
    }
    assert.ok(compared > 500 && rejected > 150, `compared ${compared}, rejected ${rejected}`);
    process.stdout.write(`# ajv differential: compared ${compared}, rejected by both ${rejected}\n`);
  });
});
