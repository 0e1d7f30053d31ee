/**
 * Fuzzing the experiment validator: 10,000+ seeded mutations of the examples (byte flips, line
 * deletions and duplications, indentation changes, bracket insertions, number corruption, key swaps,
 * truncation). Whatever the text, validateText returns well-formed findings without throwing, and a
 * text without errors resolves to a well-typed Experiment.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { Experiment } from '../../src/engine/config/experiment';
import { FINDING_CODES, type Finding } from '../../src/engine/config/findings';
import { DISTRIBUTIONS, OPERATIONS, PARAMETERS, RESAMPLE_MODES } from '../../src/engine/config/parameters';
import { resolveExperiment } from '../../src/engine/config/resolve';
import { TASK_NAMES } from '../../src/engine/config/taskCatalog';
import { validateText } from '../../src/engine/config/validate';
import { Rng } from '../../src/engine/util/rng';

const FIXTURES = 10_000;
/** Fixed so a failure reproduces; set S2R_FUZZ_SEED to explore other corners. */
const SEED = Number(process.env.S2R_FUZZ_SEED ?? 20_260_125);
/** Far above the ~1-10 ms a fixture takes; only a hang (or a pathological slowdown) reaches it. */
const PER_FIXTURE_HANG_MS = 3_000;

const EXAMPLES = join(__dirname, '..', '..', 'examples');
/** The examples plus one that reaches the checks they do not (image policy, textures, gaussian, robot stages). */
const EXAMPLE_TEXTS = [
  readFileSync(join(EXAMPLES, 'push.s2r.yaml'), 'utf8'),
  readFileSync(join(EXAMPLES, 'peng2018-push.s2r.yaml'), 'utf8'),
  `name: fuzz-extra
task: reach
policy:
  observation: image
  file: policies/reach.onnx
randomization:
  visuals:
    texture: { distribution: choice, values: [solid, checker, image], folder: textures/lab, targets: [link1, table] }
    camera_noise: { distribution: gaussian, mean: 0.01, std: 0.005, clip: [0, 0.05] }
  dynamics:
    action_delay: { distribution: randint, range: [0, 3], resample: interval, interval_steps: 50 }
    joint_stiffness:
      distribution: log_uniform
      range:
        - 0.5
        - 2.0
      targets: [shoulder, elbow]
stages:
  - name: sim
    kind: sim
  - name: mixed
    kind: mixed
    sim_ratio: 0.8
    gate: { min_sim_success: 0.95, min_real_success: 0.5, confirm: false }
    skip: false
robot:
  adapter: rosbridge
  address: "ws://10.0.0.2:9090"
  topics: { joint_states: /arm/joint_states }
  watchdog_ms: 200
  safety:
    workspace: { x: [-0.5, 0.5], y: [0, 0.6] }
`,
];

/**
 * Each example whole, and cut into its top-level sections under the same name and task: short texts
 * take the general parser path at a fraction of the cost, which keeps 10,000 fixtures in seconds.
 */
function sectionsOf(text: string): string[] {
  const header = text.split('\n').filter((line) => /^(name|task|seed):/.test(line));
  const sections: string[][] = [];
  for (const line of text.split('\n')) {
    if (/^[A-Za-z_]/.test(line) && !/^(name|task|seed):/.test(line)) sections.push([line]);
    else if (sections.length > 0 && line.trim() !== '') sections[sections.length - 1]!.push(line);
  }
  return sections.filter((lines) => lines.length > 1).map((lines) => `${[...header, ...lines].join('\n')}\n`);
}
const BASES = [...EXAMPLE_TEXTS, ...EXAMPLE_TEXTS.flatMap(sectionsOf)];

/** Characters that mean something to YAML, plus ordinary ones. */
const PALETTE = [...':-[]{},#&*!|>"\'%@`?\t \n\r\\', 'a', 'z', '0', '9', '.', 'e', 'é', '\u2028'];
const NUMBER_JUNK = ['-1', '1e309', '-1e309', '.inf', '-.inf', '.nan', '0x1F', '0o17', '1_000', '-0', '3.', '.5', '1e-400', '99999999999999999999', '4294967296', '', '~', 'null', 'true', "'1'"];
/** Names the checks look for, so mutations reach the meaning checks and not only the syntax ones. */
const NAMES = [
  ...PARAMETERS.map((p) => p.name),
  ...DISTRIBUTIONS,
  ...OPERATIONS,
  ...TASK_NAMES,
  'physics',
  'visuals',
  'dynamics',
  'mixed',
  'real_finetune',
  'image',
  'safety',
  'address',
  'gate',
  'min_sim_success',
  'sim_ratio',
  'range',
  'std',
  'values',
  'targets',
  'puck',
];

type Mutation = (text: string, rng: Rng) => string;

const pick = <T>(rng: Rng, items: readonly T[]): T => items[Math.floor(rng.next() * items.length)]!;
const at = (rng: Rng, length: number): number => Math.floor(rng.next() * (length + 1));
const lines = (text: string): string[] => text.split('\n');

const MUTATIONS: Record<string, Mutation> = {
  byteFlip(text, rng) {
    const i = at(rng, text.length - 1);
    const replacement = rng.next() < 0.7 ? pick(rng, PALETTE) : String.fromCharCode(text.charCodeAt(i) ^ (1 << Math.floor(rng.next() * 7)));
    return text.slice(0, i) + replacement + text.slice(i + 1);
  },
  lineDeletion(text, rng) {
    const all = lines(text);
    all.splice(Math.floor(rng.next() * all.length), 1);
    return all.join('\n');
  },
  lineDuplication(text, rng) {
    const all = lines(text);
    const i = Math.floor(rng.next() * all.length);
    all.splice(i, 0, all[i]!);
    return all.join('\n');
  },
  indentation(text, rng) {
    const all = lines(text);
    const i = Math.floor(rng.next() * all.length);
    const shift = pick(rng, [-4, -2, -1, 1, 2, 4]);
    all[i] = shift > 0 ? ' '.repeat(shift) + all[i] : all[i]!.replace(new RegExp(`^ {1,${-shift}}`), '');
    return all.join('\n');
  },
  bracketInsertion(text, rng) {
    const i = at(rng, text.length);
    return text.slice(0, i) + pick(rng, ['[', ']', '{', '}', '[]', '{}', '[[', ']]', ', ']) + text.slice(i);
  },
  numberCorruption(text, rng) {
    const numbers = [...text.matchAll(/-?\d+(\.\d+)?/g)];
    if (numbers.length === 0) return text;
    const match = pick(rng, numbers);
    const value = Number(match[0]);
    const replacement = rng.next() < 0.5 ? pick(rng, NUMBER_JUNK) : String(pick(rng, [-value, value * 1000, value / 1000, value + 0.5, Math.round(value) + 1]));
    return text.slice(0, match.index) + replacement + text.slice(match.index! + match[0].length);
  },
  keySwap(text, rng) {
    const keys = [...text.matchAll(/([A-Za-z_][A-Za-z0-9_]*):/g)];
    if (keys.length < 2) return text;
    const a = pick(rng, keys);
    const b = pick(rng, keys);
    // replace one key by another (often a duplicate or a key in the wrong place)
    return text.slice(0, a.index) + b[1] + text.slice(a.index! + a[1]!.length);
  },
  nameSwap(text, rng) {
    const words = [...text.matchAll(/[A-Za-z_][A-Za-z0-9_]*/g)];
    if (words.length === 0) return text;
    const w = pick(rng, words);
    return text.slice(0, w.index) + pick(rng, NAMES) + text.slice(w.index! + w[0].length);
  },
  truncation(text, rng) {
    return text.slice(0, at(rng, text.length));
  },
};
const MUTATION_NAMES = Object.keys(MUTATIONS);

function assertFindingsWellFormed(text: string, findings: readonly Finding[], label: string): void {
  for (const f of findings) {
    assert.ok(f.code in FINDING_CODES, `${label}: unknown code ${f.code}`);
    assert.ok(f.severity === 'error' || f.severity === 'warning' || f.severity === 'info', `${label}: severity ${f.severity}`);
    assert.ok(Number.isInteger(f.start) && Number.isInteger(f.end), `${label}: non-integer span`);
    assert.ok(0 <= f.start && f.start <= f.end && f.end <= text.length, `${label}: span ${f.start}-${f.end} of ${text.length}`);
    assert.ok(typeof f.message === 'string' && f.message.trim().length > 0, `${label}: empty message for ${f.code}`);
    if (f.fix?.kind === 'replace') assert.ok(0 <= f.fix.start && f.fix.start <= f.fix.end && f.fix.end <= text.length, `${label}: fix span`);
    if (f.fix?.kind === 'insert') assert.ok(0 <= f.fix.offset && f.fix.offset <= text.length, `${label}: fix offset`);
  }
}

const isNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const isInt = (v: unknown): boolean => Number.isInteger(v);
const isPair = (v: unknown): boolean => Array.isArray(v) && v.length === 2 && v.every(isNumber);
const oneOf = (v: unknown, allowed: readonly unknown[]): boolean => allowed.includes(v);

/** The Experiment the engine gets has the types it promises, whatever text produced it. */
function assertExperimentTyped(e: Experiment, label: string): void {
  const check = (ok: boolean, what: string): void => assert.ok(ok, `${label}: ${what}`);
  check(typeof e.name === 'string' && e.name.length > 0, `name ${String(e.name)}`);
  check(oneOf(e.task, TASK_NAMES), `task ${String(e.task)}`);
  check(isInt(e.seed) && e.seed >= 0, `seed ${e.seed}`);
  check(Array.isArray(e.policy.hidden) && e.policy.hidden.every((h) => isInt(h) && h >= 1), 'policy.hidden');
  check(oneOf(e.policy.activation, ['tanh', 'relu']), 'policy.activation');
  check(isInt(e.policy.history) && e.policy.history >= 0, 'policy.history');
  check(typeof e.policy.observationNormalization === 'boolean', 'policy.observationNormalization');
  check(oneOf(e.policy.observation, ['state', 'image']), 'policy.observation');
  check(e.policy.file === undefined || typeof e.policy.file === 'string', 'policy.file');
  for (const [key, value] of Object.entries(e.training)) {
    check(key === 'algorithm' ? value === 'ars' : key === 'stopRule' ? oneOf(value, ['confirm', 'lower_bound']) : isNumber(value), `training.${key} ${String(value)}`);
  }
  for (const r of e.randomization) {
    check(PARAMETERS.some((p) => p.name === r.name && p.group === r.group), `parameter ${r.group}.${r.name}`);
    check(oneOf(r.distribution, DISTRIBUTIONS), `${r.name}.distribution ${String(r.distribution)}`);
    check(oneOf(r.operation, OPERATIONS), `${r.name}.operation ${String(r.operation)}`);
    check(oneOf(r.resample, RESAMPLE_MODES), `${r.name}.resample ${String(r.resample)}`);
    check(isInt(r.size) && r.size >= 1, `${r.name}.size ${r.size}`);
    check(r.range === undefined || (isPair(r.range) && r.range[0] <= r.range[1]), `${r.name}.range ${JSON.stringify(r.range)}`);
    check(r.mean === undefined || isNumber(r.mean), `${r.name}.mean`);
    check(r.std === undefined || (isNumber(r.std) && r.std >= 0), `${r.name}.std`);
    check(r.values === undefined || (Array.isArray(r.values) && r.values.every((v) => typeof v === 'string' || isNumber(v))), `${r.name}.values`);
    check(r.targets === undefined || (Array.isArray(r.targets) && r.targets.every((t) => typeof t === 'string')), `${r.name}.targets`);
    check(r.intervalSteps === undefined || (isInt(r.intervalSteps) && r.intervalSteps >= 1), `${r.name}.intervalSteps`);
    if (r.distribution === 'gaussian') check(isNumber(r.std), `${r.name}: gaussian without std`);
    if (r.distribution === 'uniform' || r.distribution === 'log_uniform' || r.distribution === 'randint') check(r.range !== undefined, `${r.name}: ${r.distribution} without range`);
  }
  const names = new Set<string>();
  for (const s of e.stages) {
    check(typeof s.name === 'string' || isNumber(s.name), `stage name ${String(s.name)}`);
    if (!s.skip) {
      check(!names.has(String(s.name)), `duplicate stage ${String(s.name)}`);
      names.add(String(s.name));
    }
    check(oneOf(s.kind, ['sim', 'sim_real_textures', 'sim_real_images', 'mixed', 'real_finetune']), `stage kind ${String(s.kind)}`);
    check(isInt(s.episodes) && s.episodes >= 0, `stage episodes ${s.episodes}`);
    check(typeof s.skip === 'boolean', 'stage skip');
    check(s.simRatio === undefined || (isNumber(s.simRatio) && s.simRatio >= 0 && s.simRatio <= 1), `sim ratio ${s.simRatio}`);
    if (s.gate) check(typeof s.gate.confirm === 'boolean', 'gate.confirm');
  }
  for (const [key, value] of Object.entries(e.evaluation)) check(key === 'randomized' ? typeof value === 'boolean' : isInt(value), `evaluation.${key}`);
  if (e.robot) {
    check(oneOf(e.robot.adapter, ['rosbridge', 'emulator']), 'robot.adapter');
    check(typeof e.robot.address === 'string' && /^wss?:\/\//.test(e.robot.address), `robot.address ${String(e.robot.address)}`);
    check(Object.values(e.robot.topics).every((t) => typeof t === 'string'), 'robot.topics');
    check(Object.values(e.robot.services).every((t) => typeof t === 'string'), 'robot.services');
    check(isInt(e.robot.watchdogMs) && isInt(e.robot.connectTimeoutMs), 'robot timeouts');
    const d = e.robot.description;
    if (d) {
      check(typeof d.file === 'string' && d.file.length > 0, `robot.description ${String(d.file)}`);
      check(d.joints === undefined || (Array.isArray(d.joints) && d.joints.every((j) => typeof j === 'string')), 'robot.joints');
      check(d.endEffector === undefined || typeof d.endEffector === 'string', 'robot.end_effector');
      check(Array.isArray(d.basePosition) && d.basePosition.length === 3 && d.basePosition.every(isNumber), 'robot.base_position');
      check(isNumber(d.armature) && d.armature >= 0, 'robot.armature');
    }
    if (e.robot.safety) {
      const s = e.robot.safety;
      check(isNumber(s.speedScale) && s.speedScale > 0 && s.speedScale <= 1, 'safety.speedScale');
      check(s.jointPositionLimits.every(isPair), 'safety.jointPositionLimits');
      check([s.maxJointVelocity, s.maxEffort, s.maxCommandDelta].every((v) => isNumber(v) && v > 0), 'safety maxima');
      check(typeof s.clipActions === 'boolean', 'safety.clipActions');
    }
  }
}

test(`validateText survives ${FIXTURES.toLocaleString('en')} mutated experiments`, () => {
  const rng = new Rng(SEED);
  const applied: Record<string, number> = Object.fromEntries(MUTATION_NAMES.map((n) => [n, 0]));
  const outcomes = { clean: 0, warningsOnly: 0, errors: 0, resolved: 0, fixesApplied: 0 };
  const codesSeen = new Set<string>();
  let slowest = 0;

  for (let i = 0; i < FIXTURES; i++) {
    let text = BASES[i % BASES.length]!;
    const steps = 1 + Math.floor(rng.next() * 3);
    const recipe: string[] = [];
    for (let s = 0; s < steps; s++) {
      const name = pick(rng, MUTATION_NAMES);
      recipe.push(name);
      applied[name]!++;
      text = MUTATIONS[name]!(text, rng);
    }
    const label = `seed ${SEED} fixture ${i} (base ${i % BASES.length}, ${recipe.join(' + ')}): ${JSON.stringify(text.length > 400 ? `${text.slice(0, 400)}…` : text)}`;

    const started = performance.now();
    let findings: Finding[];
    let root;
    try {
      ({ findings, root } = validateText(text, { fileExists: (path) => !path.includes('reach') }));
    } catch (error) {
      assert.fail(`${label}: validateText threw ${error instanceof Error ? error.stack : String(error)}`);
    }
    const elapsed = performance.now() - started;
    slowest = Math.max(slowest, elapsed);
    assert.ok(elapsed < PER_FIXTURE_HANG_MS, `${label}: took ${elapsed.toFixed(0)} ms`);
    assertFindingsWellFormed(text, findings, label);
    for (const f of findings) codesSeen.add(f.code);

    const hasError = findings.some((f) => f.severity === 'error');
    if (hasError) outcomes.errors++;
    else if (findings.length > 0) outcomes.warningsOnly++;
    else outcomes.clean++;
    if (!hasError) {
      assert.equal(root?.kind, 'map', `${label}: no error but the root is not a mapping`);
      let experiment: Experiment;
      try {
        experiment = resolveExperiment(root as never);
      } catch (error) {
        assert.fail(`${label}: resolveExperiment threw ${error instanceof Error ? error.stack : String(error)}`);
      }
      assertExperimentTyped(experiment, label);
      outcomes.resolved++;
    }

    // a quick fix applied to the text never breaks the validator either
    const fixable = findings.find((f) => f.fix);
    if (fixable?.fix && i % 4 === 0) {
      const fix = fixable.fix;
      const fixed = fix.kind === 'replace' ? text.slice(0, fix.start) + fix.newText + text.slice(fix.end) : text.slice(0, fix.offset) + fix.newText + text.slice(fix.offset);
      assertFindingsWellFormed(fixed, validateText(fixed).findings, `${label} after fix '${fix.title}'`);
      outcomes.fixesApplied++;
    }
  }

  // the fuzzer must reach both sides: texts that still resolve and texts with errors
  assert.ok(outcomes.resolved > FIXTURES / 20, `only ${outcomes.resolved} mutated texts resolved`);
  assert.ok(outcomes.errors > FIXTURES / 5, `only ${outcomes.errors} mutated texts had errors`);
  for (const name of MUTATION_NAMES) assert.ok(applied[name]! > FIXTURES / 20, `mutation ${name} ran ${applied[name]} times`);
  process.stdout.write(
    `# fuzz: ${JSON.stringify(outcomes)}; ${codesSeen.size} codes seen; slowest ${slowest.toFixed(1)} ms\n# fuzz codes: ${[...codesSeen].sort().join(' ')}\n`,
  );
});
