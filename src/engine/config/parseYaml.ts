/**
 * Experiment text into the tree of yamlTree.ts, in one pass with no conversion to plain JS: the fast
 * parser for the plain YAML experiments are written in, the `yaml` package for anything else (and
 * its syntax errors). Hostile input (huge files, binary junk, alias bombs, absurd nesting) is refused
 * here, with a finding, before anything downstream walks the tree.
 */
import { Alias, isAlias, isMap, isScalar, isSeq, LineCounter, parseDocument, type Node as YamlNode } from 'yaml';
import { parseFast } from './fastYaml';
import type { Finding } from './findings';
import { TEXT_LIMITS } from './limits';
import { nestingTooDeep } from './nestingScan';
import type { PairNode, ScalarValue, TreeNode } from './yamlTree';

export interface ParsedText {
  readonly root: TreeNode | null;
  readonly findings: Finding[];
}


export function parseText(text: string): ParsedText {
  const findings: Finding[] = [];
  const refusal = refuseHostileText(text);
  if (refusal) return { root: null, findings: [refusal] };

  const fast = parseFast(text);
  if (fast) return { root: fast, findings };
  return parseGeneral(text);
}

/** The general path: any YAML, through the `yaml` package, with its errors as findings. */
export function parseGeneral(text: string): ParsedText {
  // refused before parsing: the parser's cost per nesting level turns deep junk into a frozen editor
  const deep = nestingTooDeep(text);
  if (deep) return { root: null, findings: [deep] };
  const findings: Finding[] = [];
  const doc = parseDocument(text, { uniqueKeys: false, prettyErrors: false, lineCounter: new LineCounter(), strict: true });
  for (const error of doc.errors) {
    const [start, end] = error.pos;
    const code = error.code === 'TAB_AS_INDENT' ? 'yaml-tab' : error.code === 'MULTIPLE_DOCS' ? 'multi-document' : 'yaml-syntax';
    const message =
      code === 'yaml-tab'
        ? 'Tab used for indentation: YAML allows spaces only. Replace the tab with spaces.'
        : code === 'multi-document'
          ? 'An experiment file holds one YAML document; split the others into their own files.'
          : `YAML syntax: ${firstLine(error.message)}`;
    findings.push({ severity: 'error', code, message, start, end: Math.max(end, start + 1) });
  }
  // A document with syntax errors still yields a best-effort tree, so the rest of the file is checked.
  const builder = new TreeBuilder(findings);
  let root: TreeNode | null = null;
  try {
    root = builder.convert(doc.contents as YamlNode | null, 0);
  } catch (error) {
    // Deep recursion in the parser itself ends here rather than in the extension host.
    if (!(error instanceof RangeError)) throw error;
    findings.push({ severity: 'error', code: 'too-deep', message: 'Nesting is too deep to check.', start: 0, end: Math.min(1, text.length) });
  }
  return { root, findings };
}

function sizeText(size: number): string {
  return size >= 1048576 ? `${(size / 1048576).toFixed(1)} MiB` : `${Math.ceil(size / 1024)} KiB`;
}

/** The finding for a file too large to be an experiment (also used before reading one from disk). */
export function tooLargeFinding(sizeChars: number, textLength: number): Finding {
  return {
    severity: 'error',
    code: 'too-large',
    message: `File is ${sizeText(sizeChars)}; an experiment must be under ${sizeText(TEXT_LIMITS.maxBytes)}. Was a data file saved with the .s2r.yaml extension?`,
    start: 0,
    end: Math.min(1, textLength),
  };
}

function refuseHostileText(text: string): Finding | undefined {
  if (text.length > TEXT_LIMITS.maxBytes) return tooLargeFinding(text.length, text.length);
  // NUL and other C0 controls never appear in YAML text (YAML forbids them outside escapes).
  const control = /[\u0000-\u0008\u000e-\u001f\ufffd]/.exec(text);
  if (control) {
    return {
      severity: 'error',
      code: 'not-text',
      message: `Binary data at offset ${control.index} (character U+${control[0].charCodeAt(0).toString(16).padStart(4, '0')}): this is not a YAML text file.`,
      start: control.index,
      end: control.index + 1,
    };
  }
  return undefined;
}

function firstLine(message: string): string {
  const line = message.split('\n')[0] ?? message;
  return line.replace(/ at line \d+, column \d+:?$/, '');
}

class TreeBuilder {
  /** Anchor name -> the node it names; later anchors of the same name replace earlier ones, as in YAML. */
  private readonly anchors = new Map<string, TreeNode>();
  private readonly sizes = new Map<TreeNode, number>();
  private expanded = 0;
  private aliasLimitReported = false;

  constructor(private readonly findings: Finding[]) {}

  convert(node: YamlNode | null | undefined, depth: number): TreeNode | null {
    if (node === null || node === undefined) return null;
    if (depth > TEXT_LIMITS.maxDepth) {
      const [start, end] = node.range ?? [0, 1];
      this.findings.push({ severity: 'error', code: 'too-deep', message: `Nesting deeper than ${TEXT_LIMITS.maxDepth} levels: no experiment is shaped like this.`, start, end: Math.max(start + 1, Math.min(end, start + 200)) });
      return null;
    }
    if (isAlias(node)) return this.convertAlias(node);
    let result: TreeNode | null;
    let size = 1;
    if (isScalar(node)) {
      const [start, end] = node.range ?? [0, 0];
      const raw = node.value;
      const value: ScalarValue =
        typeof raw === 'string' || typeof raw === 'number' || typeof raw === 'boolean' || raw === null ? raw : typeof raw === 'bigint' ? Number(raw) : String(raw);
      result = { kind: 'scalar', value, quoted: node.type === 'QUOTE_DOUBLE' || node.type === 'QUOTE_SINGLE', start, end };
    } else if (isMap(node)) {
      const pairs: PairNode[] = [];
      for (const pair of node.items) {
        const key = this.convert(pair.key as YamlNode, depth + 1);
        if (!key || key.kind !== 'scalar') {
          const at = (pair.key as YamlNode | null)?.range;
          if (at) this.findings.push({ severity: 'error', code: 'wrong-type', message: 'Keys must be plain names, not collections.', start: at[0], end: at[1] });
          continue;
        }
        const value = this.convert(pair.value as YamlNode | null, depth + 1);
        size += 1 + (value ? (this.sizes.get(value) ?? 1) : 0);
        pairs.push({ key, value: isEmptyNull(value) ? null : value });
      }
      const [start, end] = node.range ?? [0, 0];
      result = { kind: 'map', pairs, flow: Boolean(node.flow), start, end: node.flow ? end : blockEnd(pairs.map((p) => p.value ?? p.key), end) };
    } else if (isSeq(node)) {
      const items: (TreeNode | null)[] = [];
      for (const item of node.items) {
        const child = this.convert(item as YamlNode, depth + 1);
        size += child ? (this.sizes.get(child) ?? 1) : 0;
        items.push(child);
      }
      const [start, end] = node.range ?? [0, 0];
      result = { kind: 'seq', items, flow: Boolean(node.flow), start, end: node.flow ? end : blockEnd(items, end) };
    } else {
      result = null;
    }
    if (result) {
      this.sizes.set(result, size);
      const anchor = (node as { anchor?: string }).anchor;
      if (anchor) this.anchors.set(anchor, result);
    }
    return result;
  }

  /** Aliases share the anchored node; their expanded size is counted so a bomb is refused, not walked. */
  private convertAlias(alias: Alias): TreeNode | null {
    const [start, end] = alias.range ?? [0, 0];
    const target = this.anchors.get(alias.source);
    if (!target) {
      this.findings.push({ severity: 'error', code: 'yaml-syntax', message: `Alias *${alias.source} refers to no anchor defined before it.`, start, end });
      return null;
    }
    const size = this.sizes.get(target) ?? 1;
    this.expanded += size;
    if (this.expanded > TEXT_LIMITS.maxExpandedNodes) {
      if (!this.aliasLimitReported) {
        this.aliasLimitReported = true;
        this.findings.push({
          severity: 'error',
          code: 'alias-limit',
          message: `Aliases expand to more than ${TEXT_LIMITS.maxExpandedNodes.toLocaleString('en')} nodes (an alias bomb?); the expansion stops here.`,
          start,
          end,
        });
      }
      return null;
    }
    return target;
  }
}

/** A block collection ends where its last child ends (not after trailing comments and blank lines). */
function blockEnd(children: readonly (TreeNode | null)[], fallback: number): number {
  for (let i = children.length - 1; i >= 0; i--) {
    const child = children[i];
    if (child) return child.end;
  }
  return fallback;
}

/** `key:` with nothing after it parses as a zero-width null scalar: treat it as no value. */
function isEmptyNull(node: TreeNode | null): boolean {
  return node !== null && node.kind === 'scalar' && node.value === null && node.end === node.start;
}
