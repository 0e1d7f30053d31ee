/**
 * Checks a tree against the schema subset the format uses (types, properties, required, enum,
 * bounds, item counts, patterns), reporting each violation on the exact key or value at fault.
 */
import { closestName } from '../util/didYouMean';
import { errorAt, type Finding, type FindingCode, type Span } from './findings';
import type { Schema, SchemaType } from './schema';
import type { MapNode, ScalarNode, TreeNode } from './yamlTree';

export function checkSchema(node: TreeNode | null, schema: Schema, path: readonly string[], anchor: Span, findings: Finding[]): void {
  if (node === null) {
    findings.push(errorAt('wrong-type', `${label(path)} has no value; expected ${describeType(schema)}.`, anchor));
    return;
  }
  if (!matchesType(node, schema.type)) {
    findings.push(errorAt(codeOf(schema, 'wrong-type'), `${label(path)} must be ${describeType(schema)}, not ${describeNode(node)}.`, node));
    return;
  }
  if (node.kind === 'map') checkMap(node, schema, path, anchor, findings);
  else if (node.kind === 'seq') {
    const count = node.items.length;
    if (schema.minItems !== undefined && count < schema.minItems) {
      findings.push(errorAt('invalid-value', `${label(path)} needs ${itemCount(schema)}, found ${count}.`, node));
    } else if (schema.maxItems !== undefined && count > schema.maxItems) {
      findings.push(errorAt('invalid-value', `${label(path)} takes ${itemCount(schema)}, found ${count}.`, node));
    }
    if (schema.items) {
      node.items.forEach((item, index) => checkSchema(item, schema.items!, [...path, String(index)], item ?? node, findings));
    }
  } else checkScalar(node, schema, path, findings);
}

function checkMap(node: MapNode, schema: Schema, path: readonly string[], anchor: Span, findings: Finding[]): void {
  const properties = schema.properties ?? {};
  const seen = new Map<string, ScalarNode>();
  for (const pair of node.pairs) {
    const key = String(pair.key.value);
    const earlier = seen.get(key);
    if (earlier) {
      findings.push(errorAt('duplicate-key', `Duplicate key '${key}' (first defined earlier in this mapping); YAML keeps only one of them.`, pair.key));
      continue;
    }
    seen.set(key, pair.key);
    const child = properties[key];
    if (!child) {
      if (schema.additionalProperties === false) findings.push(unknownKey(key, pair.key, schema, path));
      continue;
    }
    checkSchema(pair.value, child, [...path, key], pair.key, findings);
  }
  for (const required of schema.required ?? []) {
    if (!seen.has(required)) {
      const where = path.length === 0 ? { start: 0, end: Math.max(1, firstKeyEnd(node)) } : anchor;
      findings.push(errorAt('missing-key', `${path.length === 0 ? 'The experiment' : label(path)} needs '${required}': ${firstSentence(properties[required]?.description)}`, where));
    }
  }
}

function unknownKey(key: string, at: ScalarNode, schema: Schema, path: readonly string[]): Finding {
  const names = Object.keys(schema.properties ?? {});
  const suggestion = closestName(key, names);
  const isParameter = schema['x-code'] === 'unknown-parameter';
  const what = isParameter ? `Unknown ${path[path.length - 1]} parameter '${key}'` : `Unknown key '${key}' in ${path.length ? label(path) : 'the experiment'}`;
  const hint = suggestion ? `: did you mean '${suggestion}'?` : `. Expected one of: ${names.join(', ')}.`;
  return {
    severity: 'error',
    code: isParameter ? 'unknown-parameter' : 'unknown-key',
    message: what + hint,
    start: at.start,
    end: at.end,
    fix: suggestion ? { kind: 'replace', title: `Change to '${suggestion}'`, start: at.start, end: at.end, newText: suggestion } : undefined,
  };
}

function checkScalar(node: ScalarNode, schema: Schema, path: readonly string[], findings: Finding[]): void {
  const value = node.value;
  if (schema.enum && !schema.enum.includes(value as string | number | boolean)) {
    const suggestion = typeof value === 'string' ? closestName(value, schema.enum.map(String)) : undefined;
    const allowed = schema.enum.map((v) => `'${v}'`).join(', ');
    const code = codeOf(schema, 'invalid-value');
    findings.push({
      severity: 'error',
      code,
      message: `${code === 'unknown-task' ? `Unknown task '${String(value)}'` : `${label(path)} cannot be '${String(value)}'`}${suggestion ? `: did you mean '${suggestion}'?` : '.'} Allowed: ${allowed}.`,
      start: node.start,
      end: node.end,
      fix: suggestion ? { kind: 'replace', title: `Change to '${suggestion}'`, start: node.start, end: node.end, newText: suggestion } : undefined,
    });
    return;
  }
  if (typeof value === 'number') {
    const unit = schema['x-unit'] ? ` ${schema['x-unit']}` : '';
    const code = codeOf(schema, 'invalid-value');
    if (schema.minimum !== undefined && value < schema.minimum) findings.push(errorAt(code, `${label(path)} is ${value}${unit}; it must be at least ${schema.minimum}.`, node));
    else if (schema.maximum !== undefined && value > schema.maximum) findings.push(errorAt(code, `${label(path)} is ${value}${unit}; it must be at most ${schema.maximum}.`, node));
    else if (schema.exclusiveMinimum !== undefined && value <= schema.exclusiveMinimum) findings.push(errorAt(code, `${label(path)} is ${value}${unit}; it must be above ${schema.exclusiveMinimum}.`, node));
  }
  if (typeof value === 'string' && schema.pattern && !new RegExp(schema.pattern).test(value)) {
    const code = codeOf(schema, 'invalid-value');
    const hint = code === 'address-invalid' ? 'a WebSocket URL such as ws://127.0.0.1:9090' : `text matching ${schema.pattern}`;
    findings.push(errorAt(code, `${label(path)} '${value}' is not ${hint}.`, node));
  }
}

function matchesType(node: TreeNode, type: SchemaType | SchemaType[] | undefined): boolean {
  if (type === undefined) return true;
  const types = Array.isArray(type) ? type : [type];
  return types.some((t) => {
    switch (t) {
      case 'object':
        return node.kind === 'map';
      case 'array':
        return node.kind === 'seq';
      case 'string':
        return node.kind === 'scalar' && typeof node.value === 'string';
      case 'number':
        return node.kind === 'scalar' && typeof node.value === 'number' && Number.isFinite(node.value);
      case 'integer':
        return node.kind === 'scalar' && typeof node.value === 'number' && Number.isInteger(node.value);
      case 'boolean':
        return node.kind === 'scalar' && typeof node.value === 'boolean';
      case 'null':
        return node.kind === 'scalar' && node.value === null;
    }
  });
}

function describeType(schema: Schema): string {
  const types = schema.type === undefined ? [] : Array.isArray(schema.type) ? schema.type : [schema.type];
  const words = types.map((t) =>
    t === 'object' ? 'a mapping of keys' : t === 'array' ? (schema.minItems === 2 && schema.maxItems === 2 ? 'a [low, high] pair' : 'a list') : t === 'integer' ? 'a whole number' : `a ${t}`,
  );
  if (schema.enum) words.push(`one of ${schema.enum.map((v) => `'${v}'`).join(', ')}`);
  return words.join(' or ') || 'a value';
}

function describeNode(node: TreeNode): string {
  if (node.kind === 'map') return 'a mapping';
  if (node.kind === 'seq') return 'a list';
  const v = node.value;
  if (v === null) return 'empty (null)';
  if (typeof v === 'number') return Number.isInteger(v) ? `the whole number ${v}` : Number.isFinite(v) ? `the number ${v}` : `${v}`;
  if (typeof v === 'boolean') return `the boolean ${v}`;
  return `the text '${v.length > 40 ? `${v.slice(0, 40)}…` : v}'`;
}

function itemCount(schema: Schema): string {
  if (schema.minItems === schema.maxItems) return `exactly ${schema.minItems} item${schema.minItems === 1 ? '' : 's'}${schema.minItems === 2 ? ' ([low, high])' : ''}`;
  if (schema.maxItems === undefined) return `at least ${schema.minItems} item(s)`;
  return `${schema.minItems ?? 0} to ${schema.maxItems} items`;
}

function codeOf(schema: Schema, fallback: FindingCode): FindingCode {
  return (schema['x-code'] as FindingCode | undefined) ?? fallback;
}

function label(path: readonly string[]): string {
  if (path.length === 0) return 'The experiment';
  return `'${path.map((key, i) => (/^\d+$/.test(key) ? `[${key}]` : i === 0 ? key : `.${key}`)).join('')}'`;
}

function firstSentence(text: string | undefined): string {
  if (!text) return 'it is required.';
  const end = text.indexOf('. ');
  return end === -1 ? text : text.slice(0, end + 1);
}

function firstKeyEnd(node: MapNode): number {
  return node.pairs[0]?.key.end ?? 1;
}

