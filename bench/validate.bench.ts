/**
 * Validating a ~1,000-line experiment: our validateText against yaml-language-server 2.0.0's language
 * service (`doValidation`) configured with the same published schema, measured in one run,
 * interleaved. Prints median and p90 per call, the ratio, and where validateText spends its time.
 * Run: npx tsx bench/validate.bench.ts  (SIM2REAL_BENCH_SMOKE=1: the same document and checks, 2 + 3 calls each)
 *
 * The document is a valid experiment, so both tools do their full work and report no errors. With
 * 21 fixed parameter names a real experiment cannot reach 1,000 lines, so it has every parameter
 * written out in block style with comments, and a long curriculum of uniquely named sim stages.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { EXPERIMENT_SCHEMA } from '../src/engine/config/schema';
import { checkSchema } from '../src/engine/config/schemaCheck';
import { checkSemantics } from '../src/engine/config/semantics';
import { LineIndex } from '../src/engine/config/lineIndex';
import { PARAMETERS } from '../src/engine/config/parameters';
import { validateText } from '../src/engine/config/validate';
import { parseGeneral, parseText } from '../src/engine/config/parseYaml';
import type { MapNode } from '../src/engine/config/yamlTree';
import { parseFast } from '../src/engine/config/fastYaml';
import { announceSmoke, smoke } from './smoke';

const WARMUP = smoke(20, 2);
const ITERATIONS = smoke(80, 3);
const SCHEMA_PATH = join(__dirname, '..', 'schemas', 'experiment.schema.json');

/** A realistic experiment of about 1,000 lines: comments, every parameter with targets, stages, a robot block. */
function experimentText(): string {
  const out: string[] = [
    '# Push with the full randomization of the seed document, a long sim curriculum and a robot link.',
    '# Generated for bench/validate.bench.ts: every parameter is written out in block style, as',
    '# someone tuning each one by hand would, with a comment saying why.',
    'name: bench-push-1000',
    'task: push',
    'seed: 42',
    '',
    'policy:',
    '  type: mlp',
    '  hidden: [64, 64]     # two hidden layers',
    '  activation: tanh',
    '  history: 2           # a little memory helps transfer',
    '  observation_normalization: true',
    '  observation: state',
    '',
    'training:',
    '  algorithm: ars',
    '  max_env_steps: 30000000',
    '  workers: 2',
    '  directions: 32',
    '  top_directions: 16',
    '  step_size: 0.02',
    '  exploration_noise: 0.03',
    '  eval_every_iterations: 10',
    '  eval_episodes: 50',
    '  checkpoint_every_iterations: 10',
    '  target_success: 0.95',
    '',
    'randomization:',
  ];
  const targets: Record<string, string[]> = { contactBodies: ['puck', 'table'], objects: ['puck'], links: ['link1', 'link2', 'link3'], joints: ['shoulder', 'elbow', 'wrist'], visualTargets: ['puck', 'goal', 'table'] };
  for (const group of ['physics', 'visuals', 'dynamics'] as const) {
    out.push(`  ${group}:`);
    for (const info of PARAMETERS.filter((p) => p.group === group)) {
      out.push(`    # ${info.name}: ${info.description.slice(0, 80)}`);
      out.push(`    ${info.name}:`);
      out.push(`      distribution: ${info.example.distribution}`);
      if (info.example.range) out.push('      range:', `        - ${info.example.range[0]}`, `        - ${info.example.range[1]}`);
      if (info.example.values) out.push(`      values: [${[...info.example.values].join(', ')}]`);
      if (info.example.operation) out.push(`      operation: ${info.example.operation}`);
      if (info.size) out.push(`      size: ${info.size}`);
      const names = targets[info.targetKind];
      if (names) {
        out.push('      targets:');
        for (const name of names) out.push(`        - ${name}`);
      }
      out.push('      resample: episode', '      enabled: true');
    }
  }
  out.push('', 'stages:');
  /** `gate`: the sim success the stage before must reach, or 'confirm' for a gate that only asks the person. */
  const stage = (name: string, kind: string, episodes: number, gate?: number | 'confirm', extra: string[] = []): void => {
    out.push(`  # ${kind} stage ${name}`, `  - name: ${name}`, `    kind: ${kind}`, `    episodes: ${episodes}`, ...extra);
    if (gate === 'confirm') out.push('    gate:', '      confirm: true');
    else if (gate !== undefined) out.push('    gate:', `      min_sim_success: ${gate}`, '      confirm: true');
  };
  let curriculum = 0;
  // fill with curriculum stages until the document reaches about 1,000 lines with the tail below;
  // the first stage has no earlier stage to judge, so its gate only asks before anything starts
  // (a success threshold there is the validator's gate-unreachable error)
  while (out.length < 1000 - 60) {
    const first = curriculum === 0;
    stage(`curriculum-${String(++curriculum).padStart(3, '0')}`, 'sim', 500, first ? 'confirm' : 0.5 + 0.4 * Math.min(1, curriculum / 80));
  }
  stage('real-textures', 'sim_real_textures', 2000, 0.9);
  stage('real-images', 'sim_real_images', 2000, 0.9);
  stage('mixed', 'mixed', 500, 0.95, ['    sim_ratio: 0.8']);
  stage('real-finetune', 'real_finetune', 100, 0.95);
  out.push(
    '',
    'evaluation:',
    '  episodes: 100',
    '  max_steps: 500',
    '  randomized: true',
    '  real_episodes: 50',
    '',
    'robot:',
    '  adapter: rosbridge',
    '  address: ws://192.168.1.20:9090',
    '  topics:',
    '    joint_states: /joint_states',
    '    command: /forward_position_controller/commands',
    '    object_pose: /puck/pose',
    '    camera: /camera/image_raw',
    '    status: /sim2real/status',
    '    heartbeat: /sim2real/heartbeat',
    '  services:',
    '    reset: /sim2real/reset',
    '    stop: /sim2real/stop',
    '    arm: /sim2real/arm',
    '  watchdog_ms: 100',
    '  connect_timeout_ms: 3000',
    '  safety:',
    '    speed_scale: 0.5',
    '    limited_episodes: 3',
    '    joint_position_limits:',
    '      - [-2.6, 2.6]',
    '      - [-2.6, 2.6]',
    '      - [-2.6, 2.6]',
    '    max_joint_velocity: 2.0',
    '    max_effort: 8',
    '    max_command_delta: 0.25',
    '    workspace:',
    '      x: [-0.6, 0.6]',
    '      y: [0.0, 0.7]',
    '    clip_actions: true',
  );
  return `${out.join('\n')}\n`;
}

function stats(samples: number[]): { median: number; p90: number; min: number } {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number): number => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
  return { median: at(0.5), p90: at(0.9), min: sorted[0]! };
}

function time(fn: () => void): number {
  const started = performance.now();
  fn();
  return performance.now() - started;
}

async function main(): Promise<void> {
  announceSmoke(`${WARMUP} warm-up calls and ${ITERATIONS} iterations each`);
  const text = experimentText();
  const lineCount = text.split('\n').length - 1;
  const ours = validateText(text);
  const ourErrors = ours.findings.filter((f) => f.severity === 'error');
  if (ourErrors.length > 0) throw new Error(`the bench document is not valid: ${JSON.stringify(ourErrors.slice(0, 3))}`);

  // yaml-language-server is ESM only
  const yls = (await import(pathToFileURL(require.resolve('yaml-language-server/out/src/index.js')).href)) as typeof import('yaml-language-server/out/src/index.js');
  const schemaText = readFileSync(SCHEMA_PATH, 'utf8');
  const schemaUri = pathToFileURL(SCHEMA_PATH).href;
  const swallowed: string[] = [];
  const service = yls.getLanguageService({
    schemaRequestService: async (uri) => {
      if (uri === schemaUri) return schemaText;
      throw new Error(`unexpected schema request ${uri}`);
    },
    workspaceContext: { resolveRelativePath: (relative, resource) => new URL(relative, resource).href },
    // it swallows its own exceptions; without this a broken run would look fast
    telemetry: {
      send: () => {},
      sendError: (name, error) => {
        swallowed.push(`${name}: ${error instanceof Error ? error.stack : String(error)}`);
      },
      sendTrack: () => {},
    },
  });
  service.configure({ validate: true, hover: false, completion: false, format: false, schemas: [{ uri: schemaUri, fileMatch: ['*.s2r.yaml'], schema: JSON.parse(schemaText) }] });
  const uri = 'file:///bench/experiment.s2r.yaml';
  let version = 0;
  // a new version each call, as when the user types: the service re-parses instead of using its cache
  const ylsValidate = (): Promise<unknown[]> => service.doValidation(TextDocument.create(uri, 'yaml', ++version, text), false);

  // both tools really check this document: the fast path builds the same tree as the yaml package,
  // and a broken copy gets findings from both (so the schema is associated and applied)
  if (JSON.stringify(parseFast(text)) !== JSON.stringify(parseGeneral(text).root)) throw new Error('fast and general parse trees differ on the bench document');
  const broken = text.replace('seed: 42', 'seed: -1').replace('max_steps: 500', 'max_steps: 5000');
  const brokenOurs = validateText(broken).findings.length;
  const brokenYls = (await service.doValidation(TextDocument.create('file:///bench/broken.s2r.yaml', 'yaml', 1, broken), false)).length;
  if (brokenOurs < 2 || brokenYls < 2) throw new Error(`a broken copy should get 2 findings from each tool: ours ${brokenOurs}, yaml-language-server ${brokenYls}`);

  const coldStart = performance.now();
  const firstDiagnostics = await ylsValidate();
  const ylsCold = performance.now() - coldStart;
  if (swallowed.length > 0) throw new Error(`yaml-language-server failed:\n${swallowed.join('\n')}`);

  for (let i = 0; i < WARMUP; i++) {
    validateText(text);
    await ylsValidate();
  }

  const ourTimes: number[] = [];
  const generalTimes: number[] = [];
  const ylsTimes: number[] = [];
  const lines = new LineIndex(text);
  // validateText's steps with the fast path skipped: what a file the fast path gives up on costs
  const validateGeneral = (): void => {
    const root = parseGeneral(text).root as MapNode;
    checkSchema(root, EXPERIMENT_SCHEMA, [], { start: 0, end: 1 }, []);
    checkSemantics(root, { lines });
  };
  const contenders: (() => Promise<void>)[] = [
    async () => void ourTimes.push(time(() => validateText(text))),
    async () => void generalTimes.push(time(validateGeneral)),
    async () => {
      const started = performance.now();
      await ylsValidate();
      ylsTimes.push(performance.now() - started);
    },
  ];
  for (let i = 0; i < ITERATIONS; i++) {
    // rotate which goes first so none always runs right after another's garbage
    for (let k = 0; k < contenders.length; k++) await contenders[(i + k) % contenders.length]!();
  }
  if (swallowed.length > 0) throw new Error(`yaml-language-server failed:\n${swallowed.join('\n')}`);

  // where validateText's time goes, phase by phase (the same steps validate.ts takes)
  const phases: Record<string, number[]> = { 'line index': [], 'parse (parseText)': [], 'schema check': [], 'semantic checks': [], 'parse, fast path only': [], 'parse, general path (yaml package)': [] };
  for (let i = 0; i < ITERATIONS; i++) {
    phases['line index']!.push(time(() => new LineIndex(text)));
    let root: MapNode | undefined;
    phases['parse (parseText)']!.push(time(() => void (root = parseText(text).root as MapNode)));
    phases['schema check']!.push(time(() => checkSchema(root!, EXPERIMENT_SCHEMA, [], { start: 0, end: 1 }, [])));
    phases['semantic checks']!.push(time(() => checkSemantics(root!, { lines })));
    phases['parse, fast path only']!.push(time(() => parseFast(text)));
    phases['parse, general path (yaml package)']!.push(time(() => parseGeneral(text)));
  }

  const o = stats(ourTimes);
  const g = stats(generalTimes);
  const y = stats(ylsTimes);
  const ms = (v: number): string => `${v.toFixed(2)} ms`;
  const usedFast = parseFast(text) !== undefined;
  process.stdout.write(
    [
      `document: ${lineCount} lines, ${(text.length / 1024).toFixed(1)} KB, valid (our findings: ${ours.findings.length}; yaml-language-server diagnostics: ${firstDiagnostics.length}); a broken copy: ${brokenOurs} and ${brokenYls}`,
      `iterations: ${ITERATIONS} each, interleaved, after ${WARMUP} warm-up calls each; yaml-language-server cold first call ${ms(ylsCold)}`,
      '',
      `validateText                        median ${ms(o.median)}  p90 ${ms(o.p90)}  min ${ms(o.min)}`,
      `yaml-language-server doValidation   median ${ms(y.median)}  p90 ${ms(y.p90)}  min ${ms(y.min)}`,
      `ratio (yaml-language-server / ours) median ${(y.median / o.median).toFixed(1)}x  p90 ${(y.p90 / o.p90).toFixed(1)}x   (aim: at least 2x)`,
      `validateText via the general path   median ${ms(g.median)}  p90 ${ms(g.p90)}  (yaml-language-server / this: ${(y.median / g.median).toFixed(1)}x)`,
      '',
      `validateText phases (medians; parseText took the ${usedFast ? 'fast' : 'general'} path):`,
      ...Object.entries(phases).map(([name, samples]) => `  ${name.padEnd(36)} ${ms(stats(samples).median)}`),
      '',
    ].join('\n'),
  );
  if (firstDiagnostics.length > 0) process.stdout.write(`yaml-language-server diagnostics: ${JSON.stringify(firstDiagnostics.slice(0, 5))}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
