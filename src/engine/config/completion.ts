/**
 * Completions for experiment files: keys at every level, enum values, parameter names valid for the
 * task, task targets, and one snippet per distribution. Pure: the VS Code provider only adapts it.
 */
import { cursorContext } from './cursorContext';
import { LineIndex } from './lineIndex';
import { appliesToTask, parameterInfo, parametersOf, targetsFor, type ParameterGroup, type ParameterInfo } from './parameters';
import { schemaAt, type Schema } from './schema';
import { isTaskName, TASKS, type TaskInfo } from './taskCatalog';

export type CompletionKind = 'property' | 'parameter' | 'value' | 'snippet' | 'target';

export interface Completion {
  readonly label: string;
  readonly kind: CompletionKind;
  /** Text to insert; a VS Code snippet when `snippet` is true. */
  readonly insertText: string;
  readonly snippet: boolean;
  readonly detail?: string;
  /** Markdown. */
  readonly documentation?: string;
  /** Offset from which the typed prefix is replaced. */
  readonly replaceStart: number;
  readonly sortText?: string;
}

const GROUPS: readonly ParameterGroup[] = ['physics', 'visuals', 'dynamics'];

export function completionsAt(text: string, offset: number): Completion[] {
  const lines = new LineIndex(text);
  const context = cursorContext(lines, offset);
  if (!context) return [];
  const task = taskOf(text);

  if (context.kind === 'item') {
    if (context.key !== 'targets') return [];
    const info = parameterInfo(context.path[context.path.length - 1] ?? '');
    if (!info || !task) return [];
    return (targetsFor(info, task) ?? []).map((name) => ({
      label: name,
      kind: 'target' as const,
      insertText: name,
      snippet: false,
      detail: `${info.targetKind} of task '${task.name}'`,
      replaceStart: context.replaceStart,
    }));
  }

  if (context.kind === 'value') {
    const schema = schemaAt([...context.path, context.key]);
    if (!schema) return [];
    const group = context.path.length === 2 && context.path[0] === 'randomization' ? (context.path[1] as ParameterGroup) : undefined;
    const info = group && GROUPS.includes(group) ? parameterInfo(context.key) : undefined;
    if (info && context.prefix === '') return distributionSnippets(info, context.replaceStart);
    return valueCompletions(schema, context.replaceStart, context.key === 'task' && context.path.length === 0);
  }

  // a key
  const schema = schemaAt(context.path);
  if (!schema?.properties) return [];
  const isGroup = context.path.length === 2 && context.path[0] === 'randomization' && GROUPS.includes(context.path[1] as ParameterGroup);
  if (isGroup) {
    return parametersOf(context.path[1] as ParameterGroup)
      .filter((info) => !context.siblings.has(info.name) && (!task || appliesToTask(info, task)))
      .map((info) => parameterCompletion(info, context.replaceStart));
  }
  return Object.entries(schema.properties)
    .filter(([key]) => !context.siblings.has(key))
    .map(([key, child]) => ({
      label: key,
      kind: 'property' as const,
      insertText: keySnippet(key, child),
      snippet: true,
      detail: child['x-unit'] ? `${typeLabel(child)} (${child['x-unit']})` : typeLabel(child),
      documentation: child.description,
      replaceStart: context.replaceStart,
      sortText: schema.required?.includes(key) ? `0${key}` : `1${key}`,
    }));
}

function parameterCompletion(info: ParameterInfo, replaceStart: number): Completion {
  return {
    label: info.name,
    kind: 'parameter',
    insertText: `${info.name}: ${exampleSnippet(info)}`,
    snippet: true,
    detail: `${info.group} · ${info.unit}`,
    documentation: `${info.description}\n\n**Why it matters for transfer:** ${info.whyForTransfer}`,
    replaceStart,
  };
}

/** The seed range of the parameter, with tab stops on the numbers. */
function exampleSnippet(info: ParameterInfo): string {
  const e = info.example;
  const parts = [`distribution: \${1|${[e.distribution, ...['uniform', 'log_uniform', 'gaussian', 'randint', 'choice'].filter((d) => d !== e.distribution)].join(',')}|}`];
  let stop = 2;
  if (e.range) parts.push(`range: [\${${stop++}:${e.range[0]}}, \${${stop++}:${e.range[1]}}]`);
  if (e.values) parts.push(`values: [\${${stop++}:${e.values.join(', ')}}]`);
  if (e.operation) parts.push(`operation: \${${stop++}:${e.operation}}`);
  if (e.size) parts.push(`size: ${e.size}`);
  return `{ ${parts.join(', ')} }`;
}

function distributionSnippets(info: ParameterInfo, replaceStart: number): Completion[] {
  const op = info.defaultOperation;
  const range = info.example.range ?? [0, 1];
  const size = info.size ? `, size: ${info.size}` : '';
  const snippets: [string, string, string][] = [
    ['uniform', `{ distribution: uniform, range: [\${1:${range[0]}}, \${2:${range[1]}}], operation: \${3:${op}}${size} }`, 'Every value in [low, high] equally likely.'],
    ['log_uniform', `{ distribution: log_uniform, range: [\${1:${Math.max(range[0], 0.1)}}, \${2:${Math.max(range[1], 1)}}], operation: \${3:${op}}${size} }`, 'Uniform in log space: for quantities spanning orders of magnitude (damping x[0.2, 20]).'],
    ['gaussian', `{ distribution: gaussian, mean: \${1:0}, std: \${2:0.01}, operation: \${3:${op}}${size} }`, 'Normal around a mean; add `clip: [low, high]` to bound it.'],
    ['randint', `{ distribution: randint, range: [\${1:0}, \${2:3}] }`, 'Whole numbers in [low, high], both included (delays in steps).'],
    ['choice', `{ distribution: choice, values: [\${1:${(info.categorical ?? ['a', 'b']).slice(0, 3).join(', ')}}] }`, 'One of the listed values.'],
  ];
  return snippets
    .filter(([name]) => (info.categorical ? name === 'choice' : info.integer ? name === 'randint' || name === 'choice' : true))
    .map(([name, body, doc], i) => ({
      label: `${name} distribution`,
      kind: 'snippet' as const,
      insertText: body,
      snippet: true,
      detail: `${info.name}: ${name}`,
      documentation: doc,
      replaceStart,
      sortText: String(i),
    }));
}

function valueCompletions(schema: Schema, replaceStart: number, isTask: boolean): Completion[] {
  const values: { label: string; doc?: string }[] = [];
  if (schema.enum) for (const v of schema.enum) values.push({ label: String(v), doc: isTask && isTaskName(v) ? TASKS[v].summary : undefined });
  else if (schema.type === 'boolean') values.push({ label: 'true' }, { label: 'false' });
  else if (schema.default !== undefined && typeof schema.default !== 'object') values.push({ label: String(schema.default), doc: 'The default.' });
  return values.map(({ label, doc }) => ({
    label,
    kind: 'value' as const,
    insertText: label,
    snippet: false,
    detail: schema.default !== undefined && String(schema.default) === label ? 'default' : undefined,
    documentation: doc,
    replaceStart,
  }));
}

function keySnippet(key: string, schema: Schema): string {
  if (schema.type === 'object') return `${key}:\n  $0`;
  if (schema.type === 'array') {
    if (schema.items?.type === 'object') return `${key}:\n  - $0`;
    return `${key}: [$0]`;
  }
  if (schema.enum) return `${key}: \${1|${schema.enum.join(',')}|}`;
  if (schema.default !== undefined && typeof schema.default !== 'object') return `${key}: \${1:${String(schema.default)}}`;
  return `${key}: $0`;
}

function typeLabel(schema: Schema): string {
  if (schema.enum) return schema.enum.join(' | ');
  return Array.isArray(schema.type) ? schema.type.join(' | ') : (schema.type ?? 'value');
}

/** The task named in the file, read with a line match so it works while the rest does not parse. */
function taskOf(text: string): TaskInfo | undefined {
  const match = /^task:\s*["']?([A-Za-z_]+)/m.exec(text);
  return match && isTaskName(match[1]) ? TASKS[match[1]] : undefined;
}
