/**
 * The experiment text as a small tree of maps, sequences and scalars with source offsets: exactly
 * what the checks, completions and hovers need. Built by parseYaml.ts (the fast path in fastYaml.ts,
 * the general one through the `yaml` package); this module holds only the tree and its accessors.
 */
export type ScalarValue = string | number | boolean | null;

interface Span {
  /** Offset of the first character. */
  readonly start: number;
  /** Offset just past the value (trailing comments excluded). */
  readonly end: number;
}

export interface ScalarNode extends Span {
  readonly kind: 'scalar';
  readonly value: ScalarValue;
  /** Quoted scalars are always strings, whatever they look like. */
  readonly quoted: boolean;
}

export interface PairNode {
  readonly key: ScalarNode;
  /** null when the key has no value at all (`friction:` with nothing after it). */
  readonly value: TreeNode | null;
}

export interface MapNode extends Span {
  readonly kind: 'map';
  readonly pairs: readonly PairNode[];
  readonly flow: boolean;
}

export interface SeqNode extends Span {
  readonly kind: 'seq';
  readonly items: readonly (TreeNode | null)[];
  readonly flow: boolean;
}

export type TreeNode = ScalarNode | MapNode | SeqNode;

/** The value under `key` in a map, with its pair (for positions). */
export function pairOf(map: MapNode, key: string): PairNode | undefined {
  for (const pair of map.pairs) if (pair.key.value === key) return pair;
  return undefined;
}

export function valueOf(map: MapNode, key: string): TreeNode | null | undefined {
  return pairOf(map, key)?.value;
}

/** The mapping under `key`, if the value there is one. */
export function mapAt(map: MapNode, key: string): MapNode | undefined {
  const value = valueOf(map, key);
  return value?.kind === 'map' ? value : undefined;
}

/** A `[low, high]` pair of finite numbers, or undefined. */
export function numericPair(node: TreeNode | null | undefined): [number, number] | undefined {
  if (node?.kind !== 'seq' || node.items.length !== 2) return undefined;
  const [a, b] = node.items;
  if (a?.kind !== 'scalar' || b?.kind !== 'scalar' || typeof a.value !== 'number' || typeof b.value !== 'number') return undefined;
  if (!Number.isFinite(a.value) || !Number.isFinite(b.value)) return undefined;
  return [a.value, b.value];
}

/** A YAML boolean scalar's value. */
export function booleanOf(node: TreeNode | null | undefined): boolean | undefined {
  return node?.kind === 'scalar' && typeof node.value === 'boolean' ? node.value : undefined;
}

/** Plain JS value of a subtree (for scalars and short lists only; never call on the whole document). */
export function plain(node: TreeNode | null | undefined): unknown {
  if (!node) return null;
  if (node.kind === 'scalar') return node.value;
  if (node.kind === 'seq') return node.items.map((item) => plain(item));
  const out: Record<string, unknown> = {};
  for (const pair of node.pairs) out[String(pair.key.value)] = plain(pair.value);
  return out;
}
