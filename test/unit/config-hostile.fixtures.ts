/**
 * The hostile inputs of config-hostile.test.ts, built from a name so a worker can make them itself
 * (a 10 MB string is not worth copying between threads). Random bytes come from the seeded Rng.
 */
import { TEXT_LIMITS } from '../../src/engine/config/limits';
import { Rng } from '../../src/engine/util/rng';

const HEAD = 'name: hostile\ntask: push\n';

/** 9 levels of 9 aliases: 9^9 (387 million) nodes if anything expanded it. */
function billionLaughs(): string {
  const lines = [HEAD.trimEnd(), 'lol0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]'];
  for (let level = 1; level <= 9; level++) {
    lines.push(`lol${level}: &l${level} [${Array.from({ length: 9 }, () => `*l${level - 1}`).join(', ')}]`);
  }
  return `${lines.join('\n')}\n`;
}

function randomBytes(seed: number, length: number): Buffer {
  const rng = new Rng(seed);
  const bytes = Buffer.alloc(length);
  for (let i = 0; i < length; i++) bytes[i] = rng.nextU32() & 0xff;
  return bytes;
}

function blockMaps(depth: number): string {
  let text = HEAD;
  for (let i = 0; i < depth; i++) text += `${' '.repeat(i)}k${i}:\n`;
  return `${text}${' '.repeat(depth)}leaf: 1\n`;
}

function blockSeqs(depth: number): string {
  let text = `${HEAD}stages:\n`;
  for (let i = 0; i < depth; i++) text += `${' '.repeat(i)}-\n`;
  return `${text}${' '.repeat(depth)}- leaf\n`;
}

/** Filler up to just under the size limit, so the case tests the parser and not the size check. */
const fill = (unit: string): string => unit.repeat(Math.floor((TEXT_LIMITS.maxBytes - 100) / unit.length));

export const HOSTILE: Record<string, () => string> = {
  'unclosed flow sequence': () => `${HEAD}policy:\n  hidden: [32, 32\n  activation: tanh\n`,
  'unclosed quote': () => `name: "hostile\ntask: push\n`,
  'bad indentation': () => `${HEAD}policy:\n    hidden: [32]\n  activation: tanh\n`,
  'stray colon soup': () => `: : :\n- a: b\n  - c\n}{][\n`,
  'tab indentation': () => `${HEAD}robot:\n\taddress: ws://127.0.0.1:9090\n`,
  'tab in a nested block': () => `${HEAD}randomization:\n  physics:\n  \tfriction: { distribution: uniform, range: [0.5, 1.5] }\n`,
  '10 MB file': () => `${HEAD}# ${'x'.repeat(10 * 1024 * 1024)}\n`,
  'billion laughs': billionLaughs,
  '1,000-deep flow sequences': () => `${HEAD}seed: ${'['.repeat(1000)}${']'.repeat(1000)}\n`,
  '1,000-deep unclosed flow sequences': () => `${HEAD}seed: ${'['.repeat(1000)}\n`,
  '1,000-deep flow mappings': () => `${HEAD}seed: ${'{a: '.repeat(1000)}1${'}'.repeat(1000)}\n`,
  // indentation makes block nesting quadratic in size: 1,000 levels (~500 KB) are refused by size,
  // 100 levels fit and meet the depth limit
  '1,000-deep block mappings': () => blockMaps(1000),
  '1,000-deep block sequences': () => blockSeqs(1000),
  '100-deep block mappings': () => blockMaps(100),
  '100-deep block sequences': () => blockSeqs(100),
  // depth that grows with every two characters: the parser's cost per level makes these slow, not the tree
  'open brackets filling the size limit': () => `${HEAD}seed: ${fill('[')}\n`,
  'compact sequences filling the size limit': () => `${HEAD}stages:\n  ${fill('- ')}leaf\n`,
  'flow nesting behind quoted closers': () => `${HEAD}seed: ${fill('[ "]]", ')}\n`,
  // the largest files the size limit lets through, in shapes the fast path leaves to the yaml package
  'a flow list filling the size limit': () => `${HEAD}stages: [${fill('1, ')}1]\n`,
  'anchored keys filling the size limit': () => {
    const lines = ['name: &n hostile', 'task: push'];
    for (let i = 0, size = 0; size < TEXT_LIMITS.maxBytes - 100; i++) {
      lines.push(`k${i}: *n`);
      size += lines[lines.length - 1]!.length + 1;
    }
    return `${lines.join('\n')}\n`;
  },
  'random bytes': () => randomBytes(2026, 64 * 1024).toString('utf8'),
  'random bytes as latin1': () => randomBytes(7, 64 * 1024).toString('latin1'),
  'NUL inside a value': () => `${HEAD}seed: 1\u0000\n`,
  'UTF-16 text read as UTF-8': () => Buffer.from(`\ufeff${HEAD}`, 'utf16le').toString('utf8'),
};

export function hostileText(name: string): string {
  const make = HOSTILE[name];
  if (!make) throw new Error(`no hostile fixture '${name}'`);
  return make();
}
