/**
 * Message shapes declared once: each declaration gives both the TypeScript type (`Infer`) and the
 * check a message must pass on arrival. Small on purpose (no dependency in the webviews' bundles):
 * strings, numbers, ids, booleans, literals, arrays, objects with optional fields, unions, and
 * `opaque` for a payload the receiver trusts by construction (a report the host built itself),
 * checked only as an object. Pure: no Node, no DOM, no vscode.
 */
import { isRecord } from './guards';

export interface Schema<T> {
  /** True when `value` has this shape. Never throws. */
  readonly check: (value: unknown) => value is T;
}

export type Infer<S> = S extends Schema<infer T> ? T : never;

/** A field that may be absent (or undefined). */
export interface Optional<T> extends Schema<T | undefined> {
  readonly optional: true;
}

type Shape = Record<string, Schema<unknown>>;
type RequiredKeys<S extends Shape> = { [K in keyof S]: S[K] extends Optional<unknown> ? never : K }[keyof S];
type OptionalKeys<S extends Shape> = { [K in keyof S]: S[K] extends Optional<unknown> ? K : never }[keyof S];
type Simplify<T> = { [K in keyof T]: T[K] } & {};
export type ObjectOf<S extends Shape> = Simplify<{ readonly [K in RequiredKeys<S>]: Infer<S[K]> } & { readonly [K in OptionalKeys<S>]?: Infer<S[K]> }>;

const schema = <T>(check: (value: unknown) => boolean): Schema<T> => ({ check: check as (value: unknown) => value is T });

export const string = (options: { readonly max?: number; readonly pattern?: RegExp } = {}): Schema<string> =>
  schema((v) => typeof v === 'string' && (options.max === undefined || v.length <= options.max) && (options.pattern === undefined || options.pattern.test(v)));

/** A finite number. */
export const number = (): Schema<number> => schema((v) => typeof v === 'number' && Number.isFinite(v));

/** A whole number >= 0 that fits a double exactly (ids, counts, episodes). */
export const id = (): Schema<number> => schema((v) => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0);

/** A whole number of at least `min` (1-based episode numbers, counts that cannot be zero). */
export const atLeast = (min: number): Schema<number> => schema((v) => typeof v === 'number' && Number.isSafeInteger(v) && v >= min);

export const boolean = (): Schema<boolean> => schema((v) => typeof v === 'boolean');

export const literal = <const L extends string | number | boolean>(value: L): Schema<L> => schema((v) => v === value);

export const oneOf = <const L extends readonly (string | number)[]>(values: L): Schema<L[number]> => schema((v) => values.includes(v as L[number]));

export const array = <T>(item: Schema<T>, options: { readonly max?: number } = {}): Schema<readonly T[]> =>
  schema((v) => Array.isArray(v) && (options.max === undefined || v.length <= options.max) && v.every((x) => item.check(x)));

export const optional = <T>(inner: Schema<T>): Optional<T> => ({ optional: true, check: ((v: unknown) => v === undefined || inner.check(v)) as (v: unknown) => v is T | undefined });

/**
 * An object with these fields. `exact`: no other keys (for messages from less trusted senders:
 * a webview's message to the host).
 */
export const object = <S extends Shape>(shape: S, options: { readonly exact?: boolean } = {}): Schema<ObjectOf<S>> & { readonly shape: S } => {
  const entries = Object.entries(shape);
  const check = (v: unknown): boolean => {
    if (!isRecord(v)) return false;
    for (const [key, field] of entries) if (!field.check(v[key])) return false;
    if (options.exact) for (const key of Object.keys(v)) if (!(key in shape)) return false;
    return true;
  };
  return { check: check as (value: unknown) => value is ObjectOf<S>, shape };
};

export const union = <S extends readonly Schema<unknown>[]>(...members: S): Schema<Infer<S[number]>> => schema((v) => members.some((m) => m.check(v)));

/** A shape a hand-written check decides (a file format with its own reader's check). */
export const satisfying = <T>(check: (value: unknown) => boolean): Schema<T> => schema(check);

/** Any value (a field whose content the receiver does not act on: a job's result, the trainer's own event). */
export const unknown = (): Schema<unknown> => schema(() => true);

/** A payload trusted by construction: typed as T, checked only as an object. */
export const opaque = <T>(): Schema<T> => schema((v) => isRecord(v));

/**
 * A family of messages told apart by `kind`: the union of their types, and the one check that
 * dispatches on `kind` to the right shape. Unknown kinds and wrong shapes are undefined.
 */
export function family<const F extends Record<string, Shape>>(
  shapes: F,
  options: { readonly exact?: boolean } = {},
): { readonly parse: (raw: unknown) => MessageOf<F> | undefined; readonly kinds: readonly (keyof F & string)[] } {
  const checks = new Map<string, Schema<unknown>>();
  for (const [kind, shape] of Object.entries(shapes)) checks.set(kind, object({ kind: literal(kind), ...shape }, options));
  return {
    kinds: Object.keys(shapes) as (keyof F & string)[],
    parse: (raw) => {
      if (!isRecord(raw) || typeof raw.kind !== 'string') return undefined;
      const check = checks.get(raw.kind);
      return check?.check(raw) ? (raw as MessageOf<F>) : undefined;
    },
  };
}

/** The messages of a family: `{ kind: K } & fields` for each kind K. */
export type MessageOf<F extends Record<string, Shape>> = { [K in keyof F & string]: Simplify<{ readonly kind: K } & ObjectOf<F[K]>> }[keyof F & string];
