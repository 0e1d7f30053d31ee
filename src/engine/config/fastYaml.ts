/**
 * A fast path for the plain YAML experiments are written in: block mappings and sequences, one-line
 * flow collections, plain and simply quoted scalars, comments. It builds the same tree as the
 * general path in yamlTree.ts about ten times faster, and gives up (returns undefined) on anything
 * else — anchors, tags, block scalars, multi-line scalars, escapes, odd numbers, tabs, anything it
 * is not sure of — so the `yaml` package handles it and reports errors. A differential test holds
 * the two paths to the same trees.
 */
import { TEXT_LIMITS } from './limits';
import type { MapNode, PairNode, ScalarNode, ScalarValue, SeqNode, TreeNode } from './yamlTree';

interface Line {
  /** Offset of the first non-space character. */
  readonly start: number;
  /** Offset just past the content (comment and trailing spaces removed). */
  readonly end: number;
  /** Column of the first non-space character. */
  readonly indent: number;
}

class GiveUp extends Error {}
const giveUp = (): never => {
  throw new GiveUp();
};

const KEY = /[A-Za-z0-9_][A-Za-z0-9_.-]*/y;
const INT = /^[-+]?[0-9]+$/;
const FLOAT = /^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/;

export function parseFast(text: string): TreeNode | undefined {
  if (text.charCodeAt(0) === 0xfeff || text.includes('\t')) return undefined;
  try {
    const lines = splitLines(text);
    if (lines.length === 0) return undefined;
    const parser = new BlockParser(text, lines);
    const root = parser.parseMap(0, lines[0]!.indent, lines[0]!.start, 0);
    if (lines[0]!.indent !== 0 || parser.next !== lines.length) return undefined;
    return root;
  } catch (error) {
    if (error instanceof GiveUp) return undefined;
    throw error;
  }
}

/** Content lines with comments and blank lines removed. */
function splitLines(text: string): Line[] {
  const lines: Line[] = [];
  let lineStart = 0;
  while (lineStart <= text.length) {
    let lineEnd = text.indexOf('\n', lineStart);
    if (lineEnd === -1) lineEnd = text.length;
    let end = lineEnd;
    if (end > lineStart && text.charCodeAt(end - 1) === 13) end--;
    let start = lineStart;
    while (start < end && text.charCodeAt(start) === 32) start++;
    if (start < end) {
      const c = text[start]!;
      if (c !== '#') {
        if (start === lineStart && (text.startsWith('---', start) || text.startsWith('...', start) || c === '%')) giveUp();
        end = contentEnd(text, start, end);
        lines.push({ start, end, indent: start - lineStart });
      }
    }
    lineStart = lineEnd + 1;
  }
  return lines;
}

/** End of a line's content: before a ` #` comment outside quotes, trailing spaces trimmed. */
function contentEnd(text: string, start: number, end: number): number {
  let quote = 0;
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i);
    if (quote) {
      if (c === quote) quote = 0;
      else if (c === 92 /* \ */) giveUp();
    } else if (c === 34 || c === 39) {
      // a quote only opens a quoted scalar at the start of a token
      const prev = i > start ? text.charCodeAt(i - 1) : 32;
      if (prev === 32 || prev === 91 || prev === 123 || prev === 44 || prev === 58) quote = c;
    } else if (c === 35 /* # */ && text.charCodeAt(i - 1) === 32) {
      end = i;
      break;
    }
  }
  if (quote) giveUp();
  while (end > start && text.charCodeAt(end - 1) === 32) end--;
  return end;
}

class BlockParser {
  /** Index of the next unconsumed line. */
  next = 0;

  constructor(
    private readonly text: string,
    private readonly lines: Line[],
  ) {}

  /** A block mapping whose first key starts at `firstStart` on line `index`, keys at `column`. */
  parseMap(index: number, column: number, firstStart: number, depth: number): MapNode {
    // past the limit the general path reports too-deep
    if (depth > TEXT_LIMITS.maxDepth) giveUp();
    const pairs: PairNode[] = [];
    let lineIndex = index;
    let keyStart = firstStart;
    for (;;) {
      const line = this.lines[lineIndex]!;
      const pair = this.parsePair(lineIndex, column, keyStart, line.end, depth);
      pairs.push(pair);
      const following = this.lines[this.next];
      if (!following || following.indent < column) break;
      if (following.indent > column) giveUp();
      if (this.text.charCodeAt(following.start) === 45 /* - */ && isSeqStart(this.text, following)) break;
      lineIndex = this.next;
      keyStart = following.start;
    }
    const last = pairs[pairs.length - 1]!;
    return { kind: 'map', pairs, flow: false, start: firstStart, end: last.value ? last.value.end : last.key.end };
  }

  private parsePair(lineIndex: number, column: number, keyStart: number, lineEnd: number, depth: number): PairNode {
    KEY.lastIndex = keyStart;
    if (!KEY.test(this.text)) giveUp();
    const keyEnd = KEY.lastIndex;
    let colon = keyEnd;
    while (this.text.charCodeAt(colon) === 32) colon++;
    if (this.text.charCodeAt(colon) !== 58 /* : */ || colon >= lineEnd) giveUp();
    const key = scalar(this.text, keyStart, keyEnd, false);
    if (typeof key.value !== 'string') giveUp(); // numeric or boolean keys: leave to the general path
    let valueStart = colon + 1;
    if (valueStart < lineEnd && this.text.charCodeAt(valueStart) !== 32) giveUp();
    while (valueStart < lineEnd && this.text.charCodeAt(valueStart) === 32) valueStart++;
    this.next = lineIndex + 1;
    if (valueStart < lineEnd) return { key, value: this.inlineValue(valueStart, lineEnd, depth + 1) };
    // value on the following lines: a deeper block, or a sequence at the same column
    const following = this.lines[this.next];
    if (!following) return { key, value: null };
    if (following.indent > column) return { key, value: this.parseBlock(this.next, depth + 1) };
    if (following.indent === column && isSeqStart(this.text, following)) return { key, value: this.parseSeq(this.next, column, depth + 1) };
    return { key, value: null };
  }

  private parseBlock(index: number, depth: number): TreeNode {
    const line = this.lines[index]!;
    if (isSeqStart(this.text, line)) return this.parseSeq(index, line.indent, depth);
    return this.parseMap(index, line.indent, line.start, depth);
  }

  private parseSeq(index: number, column: number, depth: number): SeqNode {
    if (depth > TEXT_LIMITS.maxDepth) giveUp();
    const items: TreeNode[] = [];
    let lineIndex = index;
    const start = this.lines[index]!.start;
    for (;;) {
      const line = this.lines[lineIndex]!;
      let itemStart = line.start + 1;
      while (itemStart < line.end && this.text.charCodeAt(itemStart) === 32) itemStart++;
      if (itemStart >= line.end) giveUp(); // `-` alone: nested block item, leave to the general path
      const itemColumn = line.indent + (itemStart - line.start);
      if (this.text.charCodeAt(itemStart) === 45 && isSeqStartAt(this.text, itemStart, line.end)) giveUp();
      KEY.lastIndex = itemStart;
      if (KEY.test(this.text) && hasPairColon(this.text, KEY.lastIndex, line.end)) {
        items.push(this.parseMap(lineIndex, itemColumn, itemStart, depth + 1));
      } else {
        items.push(this.inlineValue(itemStart, line.end, depth + 1));
        this.next = lineIndex + 1;
      }
      const following = this.lines[this.next];
      if (!following || following.indent < column) break;
      if (following.indent > column || !isSeqStart(this.text, following)) {
        if (following.indent === column) break; // a key of the enclosing mapping
        giveUp();
      }
      lineIndex = this.next;
    }
    return { kind: 'seq', items, flow: false, start, end: items[items.length - 1]!.end };
  }

  /** A value that sits on the key's line: a flow collection or a scalar, ending at the line's end. */
  private inlineValue(start: number, end: number, depth: number): TreeNode {
    // (a plain scalar continued on deeper lines is refused by parseMap/parseSeq: deeper lines give up)
    const c = this.text.charCodeAt(start);
    if (c === 91 || c === 123) {
      const flow = new FlowParser(this.text, end);
      const node = flow.parse(start, depth);
      if (flow.pos !== end) giveUp();
      return node;
    }
    return blockScalar(this.text, start, end);
  }
}

function isSeqStart(text: string, line: Line): boolean {
  return isSeqStartAt(text, line.start, line.end);
}

function isSeqStartAt(text: string, at: number, end: number): boolean {
  return text.charCodeAt(at) === 45 && (at + 1 === end || text.charCodeAt(at + 1) === 32);
}

/** `key: value` or `key:` at the end: the colon after a key is a mapping indicator. */
function hasPairColon(text: string, keyEnd: number, lineEnd: number): boolean {
  let i = keyEnd;
  while (i < lineEnd && text.charCodeAt(i) === 32) i++;
  return text.charCodeAt(i) === 58 && (i + 1 === lineEnd || text.charCodeAt(i + 1) === 32);
}

/** A scalar in block context, from start to the end of the line's content. */
function blockScalar(text: string, start: number, end: number): ScalarNode {
  const c = text[start]!;
  if (c === '"' || c === "'") {
    const close = text.indexOf(c, start + 1);
    if (close !== end - 1) giveUp();
    return quotedScalar(text, start, end);
  }
  if ('&*!|>%@`?,]}#-:'.includes(c) && !(c === '-' && isNumberStart(text, start, end))) giveUp();
  // `a: b: c` and `a: b #c` mistakes belong to the general path's error reporting
  for (let i = start; i < end; i++) {
    const k = text.charCodeAt(i);
    if (k === 58 && (i + 1 === end || text.charCodeAt(i + 1) === 32)) giveUp();
  }
  return scalar(text, start, end, false);
}

function isNumberStart(text: string, start: number, end: number): boolean {
  const next = start + 1 < end ? text.charCodeAt(start + 1) : 0;
  return (next >= 48 && next <= 57) || next === 46;
}

function quotedScalar(text: string, start: number, end: number): ScalarNode {
  const quote = text[start]!;
  let value = text.slice(start + 1, end - 1);
  if (quote === "'") {
    if (value.includes("'")) giveUp(); // '' escapes: general path
  } else if (value.includes('\\')) giveUp();
  return { kind: 'scalar', value, quoted: true, start, end };
}

function scalar(text: string, start: number, end: number, quoted: boolean): ScalarNode {
  const source = text.slice(start, end);
  return { kind: 'scalar', value: quoted ? source : resolvePlain(source), quoted, start, end };
}

/** YAML 1.2 core schema resolution, limited to the forms we are sure of. */
function resolvePlain(source: string): ScalarValue {
  switch (source) {
    case '~':
    case 'null':
    case 'Null':
    case 'NULL':
      return null;
    case 'true':
    case 'True':
    case 'TRUE':
      return true;
    case 'false':
    case 'False':
    case 'FALSE':
      return false;
  }
  const c = source.charCodeAt(0);
  const numeric = (c >= 48 && c <= 57) || c === 45 || c === 43 || c === 46;
  if (numeric) {
    if (INT.test(source)) {
      const value = Number(source);
      if (!Number.isSafeInteger(value)) giveUp();
      return value;
    }
    if (FLOAT.test(source)) return Number(source);
    // .inf, .nan, 0x.., 0o.., or something number-like: general path
    if (/^[-+]?\.|^0[xo]/i.test(source)) giveUp();
  }
  return source;
}

/** One-line flow collections: `[a, b]`, `{k: v}`, nested. */
class FlowParser {
  pos = 0;

  constructor(
    private readonly text: string,
    private readonly end: number,
  ) {}

  parse(start: number, depth: number): TreeNode {
    if (depth > TEXT_LIMITS.maxDepth) giveUp();
    this.pos = start;
    const open = this.text.charCodeAt(start);
    if (open === 91) return this.parseSeq(depth);
    if (open === 123) return this.parseMap(depth);
    return this.parseScalar(false);
  }

  private parseSeq(depth: number): SeqNode {
    const start = this.pos++;
    const items: TreeNode[] = [];
    this.skipSpaces();
    if (this.peek() === 93) {
      this.pos++;
      return { kind: 'seq', items, flow: true, start, end: this.pos };
    }
    for (;;) {
      this.skipSpaces();
      items.push(this.parse(this.pos, depth + 1));
      this.skipSpaces();
      const c = this.peek();
      this.pos++;
      if (c === 93) break;
      if (c !== 44) giveUp();
      this.skipSpaces();
      if (this.peek() === 93) giveUp(); // trailing comma
    }
    return { kind: 'seq', items, flow: true, start, end: this.pos };
  }

  private parseMap(depth: number): MapNode {
    const start = this.pos++;
    const pairs: PairNode[] = [];
    this.skipSpaces();
    if (this.peek() === 125) {
      this.pos++;
      return { kind: 'map', pairs, flow: true, start, end: this.pos };
    }
    for (;;) {
      this.skipSpaces();
      const key = this.parseScalar(true);
      if (typeof key.value !== 'string' || key.quoted) giveUp();
      if (this.peek() !== 58) giveUp();
      this.pos++;
      if (this.peek() !== 32) giveUp();
      this.skipSpaces();
      const c = this.peek();
      if (c === 44 || c === 125) giveUp(); // `{a: , b}`: empty value, general path
      const value = this.parse(this.pos, depth + 1);
      pairs.push({ key, value });
      this.skipSpaces();
      const next = this.peek();
      this.pos++;
      if (next === 125) break;
      if (next !== 44) giveUp();
      this.skipSpaces();
      if (this.peek() === 125) giveUp();
    }
    return { kind: 'map', pairs, flow: true, start, end: this.pos };
  }

  /** A scalar inside a flow collection, up to `,` `]` `}` (or `:` for a key). */
  private parseScalar(isKey: boolean): ScalarNode {
    const start = this.pos;
    const c = this.text[start];
    if (c === undefined || start >= this.end) giveUp();
    if (c === '"' || c === "'") {
      const close = this.text.indexOf(c, start + 1);
      if (close === -1 || close >= this.end) giveUp();
      this.pos = close + 1;
      return quotedScalar(this.text, start, this.pos);
    }
    if ('&*!|>%@`?,[]{}#:'.includes(c!) || (c === '-' && !isNumberStart(this.text, start, this.end))) giveUp();
    let i = start;
    while (i < this.end) {
      const k = this.text.charCodeAt(i);
      if (k === 44 || k === 93 || k === 125 || k === 91 || k === 123) break;
      if (k === 58) {
        const after = this.text.charCodeAt(i + 1);
        if (isKey && after === 32) break;
        if (after === 32 || after === 44 || after === 93 || after === 125) giveUp();
      }
      if (k === 35 && this.text.charCodeAt(i - 1) === 32) giveUp();
      i++;
    }
    let end = i;
    while (end > start && this.text.charCodeAt(end - 1) === 32) end--;
    if (end === start) giveUp();
    this.pos = i;
    return scalar(this.text, start, end, false);
  }

  private peek(): number {
    return this.pos < this.end ? this.text.charCodeAt(this.pos) : -1;
  }

  private skipSpaces(): void {
    while (this.pos < this.end && this.text.charCodeAt(this.pos) === 32) this.pos++;
  }
}
