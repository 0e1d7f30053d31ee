/**
 * Where the cursor is in an experiment that is being typed (and so often not valid YAML yet):
 * the path of keys above it and whether it stands at a key, a value or a list item. Worked out
 * from indentation and the current line, not from a parse, so it holds up mid-keystroke.
 */
import type { LineIndex } from './lineIndex';

export type CursorContext =
  | { readonly kind: 'key'; readonly path: string[]; readonly prefix: string; readonly siblings: Set<string>; readonly replaceStart: number }
  | { readonly kind: 'value'; readonly path: string[]; readonly key: string; readonly prefix: string; readonly replaceStart: number }
  | { readonly kind: 'item'; readonly path: string[]; readonly key: string; readonly prefix: string; readonly replaceStart: number };

const KEY_LINE = /^(\s*)(-\s+)?([A-Za-z_][\w.-]*)\s*:(?:\s|$)/;

export function cursorContext(lines: LineIndex, offset: number): CursorContext | undefined {
  const { line, character } = lines.positionAt(offset);
  const lineText = lines.lineText(line);
  const before = lineText.slice(0, character);
  if (/(^|\s)#/.test(before)) return undefined; // inside a comment

  const flow = flowContext(before);
  if (flow) {
    // e.g. `    friction: { distribution: uni|` or `    targets: [pu|`
    const owner = KEY_LINE.exec(before);
    if (!owner) return undefined;
    const ownerIndent = owner[1]!.length + (owner[2]?.length ?? 0);
    const path = [...parentPath(lines, line, ownerIndent), owner[3]!];
    const replaceStart = offset - flow.prefix.length;
    if (flow.bracket === '[') {
      // `targets: [pu|` (the list is the line's own value) or `friction: { targets: [pu|` (inside a flow map)
      const listKey = flow.listKey ?? owner[3]!;
      return { kind: 'item', path: listKey === owner[3] ? path.slice(0, -1) : path, key: listKey, prefix: flow.prefix, replaceStart };
    }
    if (flow.valueKey !== undefined) return { kind: 'value', path, key: flow.valueKey, prefix: flow.prefix, replaceStart };
    return { kind: 'key', path, prefix: flow.prefix, siblings: new Set(flow.keysSoFar), replaceStart };
  }

  const valueMatch = /^(\s*)(-\s+)?([A-Za-z_][\w.-]*)\s*:\s+(.*)$/.exec(before) ?? /^(\s*)(-\s+)?([A-Za-z_][\w.-]*)\s*:()$/.exec(before);
  if (valueMatch) {
    const indent = valueMatch[1]!.length + (valueMatch[2]?.length ?? 0);
    const prefix = valueMatch[4] ?? '';
    if (before.endsWith(':')) return undefined; // right after the colon: wait for the space
    return { kind: 'value', path: parentPath(lines, line, indent), key: valueMatch[3]!, prefix, replaceStart: offset - prefix.length };
  }
  const keyMatch = /^(\s*)(-\s+)?([\w.-]*)$/.exec(before);
  if (keyMatch) {
    const indent = keyMatch[1]!.length + (keyMatch[2]?.length ?? 0);
    const prefix = keyMatch[3] ?? '';
    // a line that starts a list item: its parents are those of the dash, plus the item itself
    const path = keyMatch[2] ? [...parentPath(lines, line, keyMatch[1]!.length), '*'] : parentPath(lines, line, indent);
    return { kind: 'key', path, prefix, siblings: siblingKeys(lines, line, indent, Boolean(keyMatch[2])), replaceStart: offset - prefix.length };
  }
  return undefined;
}

interface FlowContext {
  readonly bracket: '{' | '[';
  readonly prefix: string;
  readonly valueKey?: string;
  readonly keysSoFar: string[];
  /** For a list: the key it is the value of. */
  readonly listKey?: string;
}

/** The innermost unclosed `{` or `[` on the line before the cursor, and what is typed inside it. */
function flowContext(before: string): FlowContext | undefined {
  let depth = 0;
  let open = -1;
  let inQuote: string | undefined;
  for (let i = before.length - 1; i >= 0; i--) {
    const c = before[i]!;
    if (inQuote) {
      if (c === inQuote) inQuote = undefined;
      continue;
    }
    if (c === '"' || c === "'") inQuote = c;
    else if (c === '}' || c === ']') depth++;
    else if (c === '{' || c === '[') {
      if (depth === 0) {
        open = i;
        break;
      }
      depth--;
    }
  }
  if (open < 0) return undefined;
  const bracket = before[open] as '{' | '[';
  const inside = before.slice(open + 1);
  const segments = splitTopLevel(inside);
  const current = segments[segments.length - 1] ?? '';
  if (bracket === '[') {
    const listKey = /([A-Za-z_][\w.-]*)\s*:\s*$/.exec(before.slice(0, open))?.[1];
    return { bracket, prefix: current.trimStart(), keysSoFar: [], listKey };
  }
  const colon = current.indexOf(':');
  const keysSoFar = segments.slice(0, -1).map((s) => s.split(':')[0]!.trim()).filter(Boolean);
  if (colon >= 0) {
    return { bracket, prefix: current.slice(colon + 1).trimStart(), valueKey: current.slice(0, colon).trim(), keysSoFar };
  }
  return { bracket, prefix: current.trimStart(), keysSoFar };
}

function splitTopLevel(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '{' || c === '[') depth++;
    else if (c === '}' || c === ']') depth--;
    else if (c === ',' && depth === 0) {
      parts.push(text.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(text.slice(start));
  return parts;
}

/** Keys of the mappings that enclose a key written at `indent` on `line` ('*' for a list item). */
export function parentPath(lines: LineIndex, line: number, indent: number): string[] {
  const path: string[] = [];
  let limit = indent;
  for (let l = line - 1; l >= 0 && limit > 0; l--) {
    const text = lines.lineText(l);
    if (/^\s*(#|$)/.test(text)) continue;
    const lead = text.length - text.trimStart().length;
    const dash = /^(\s*)(-\s+)/.exec(text);
    const key = KEY_LINE.exec(text);
    if (dash) {
      const contentColumn = dash[0].length;
      if (key && contentColumn < limit) path.unshift(key[3]!);
      if (lead < limit) {
        path.unshift('*');
        limit = lead;
      }
      continue;
    }
    if (lead < limit) {
      if (key) path.unshift(key[3]!);
      limit = lead;
    }
  }
  return path;
}

/** Keys already present in the mapping the cursor's key belongs to (so completions skip them). */
function siblingKeys(lines: LineIndex, line: number, indent: number, startsItem: boolean): Set<string> {
  const keys = new Set<string>();
  const collect = (l: number, upward: boolean): boolean => {
    const text = lines.lineText(l);
    if (/^\s*(#|$)/.test(text)) return true;
    const lead = text.length - text.trimStart().length;
    const dash = /^(\s*)(-\s+)/.exec(text);
    const column = dash ? dash[0].length : lead;
    if (dash && column === indent) {
      // the line that starts this item belongs to it (upward); the next item's does not (downward)
      const key = KEY_LINE.exec(text);
      if (upward && key) keys.add(key[3]!);
      return false;
    }
    if (lead < indent) return false;
    if (column === indent) {
      const key = KEY_LINE.exec(text);
      if (key) keys.add(key[3]!);
    }
    return true;
  };
  if (!startsItem) for (let l = line - 1; l >= 0 && collect(l, true); l--);
  for (let l = line + 1; l < lines.lineCount && collect(l, false); l++);
  return keys;
}
