/**
 * Hovers: what a key means, its unit and default, and for randomization parameters why they matter
 * when the policy meets the real robot. Pure: the VS Code provider only adapts it.
 */
import { parameterInfo, PARAMETER_GROUPS, type ParameterGroup } from './parameters';
import { schemaAt } from './schema';
import { isTaskName, TASKS } from './taskCatalog';
import type { TreeNode } from './yamlTree';

export interface Hover {
  /** Markdown. */
  readonly contents: string;
  readonly start: number;
  readonly end: number;
}

const DISTRIBUTION_HELP: Record<string, string> = {
  uniform: 'Every value in `range` [low, high] is equally likely.',
  log_uniform: 'Uniform in log space over `range`: for quantities spanning orders of magnitude.',
  gaussian: 'Normal with `mean` and `std`; `clip` bounds it.',
  choice: 'One of `values`, equally likely.',
  randint: 'A whole number in `range`, both ends included (delays in control steps).',
};

export function hoverAt(root: TreeNode | null, offset: number): Hover | undefined {
  const hit = find(root, offset, []);
  if (!hit) return undefined;
  const { path, node, onKey } = hit;
  const key = path[path.length - 1]!;
  if (!onKey) {
    if (node.kind !== 'scalar') return undefined;
    if (key === 'task' && path.length === 1 && isTaskName(node.value)) {
      const task = TASKS[node.value];
      return { contents: `**Task \`${task.name}\`**: ${task.summary}\n\nObservation: ${task.observationSize} values · action: ${task.actionSize} joint commands in [-1, 1] · episode cap ${task.maxEpisodeSteps} control steps.`, start: node.start, end: node.end };
    }
    if (key === 'distribution' && typeof node.value === 'string' && DISTRIBUTION_HELP[node.value]) {
      return { contents: `**${node.value}**: ${DISTRIBUTION_HELP[node.value]}`, start: node.start, end: node.end };
    }
    return undefined;
  }
  const schemaPath = path.map((p) => (/^\d+$/.test(p) ? '*' : p));
  const schema = schemaAt(schemaPath);
  if (!schema) return undefined;
  const parts = [`**${key}**`];
  const group = schemaPath.length === 3 && schemaPath[0] === 'randomization' && PARAMETER_GROUPS.includes(schemaPath[1] as ParameterGroup);
  const info = group ? parameterInfo(key) : undefined;
  if (info) {
    parts.push(`${info.description}`);
    parts.push(`*Unit:* ${info.unit} · *nominal:* ${info.nominal} · *default operation:* \`${info.defaultOperation}\`${info.size ? ` · *size:* ${info.size}` : ''}`);
    parts.push(`**Why it matters for transfer:** ${info.whyForTransfer}`);
    const e = info.example;
    parts.push(`*Typical:* \`${e.distribution}${e.range ? ` [${e.range.join(', ')}]` : ''}${e.values ? ` of ${e.values.join(', ')}` : ''}${e.operation ? `, ${e.operation}` : ''}\``);
  } else {
    if (schema.description) parts.push(schema.description);
    const facts: string[] = [];
    if (schema['x-unit']) facts.push(`*Unit:* ${schema['x-unit']}`);
    if (schema.default !== undefined) facts.push(`*Default:* \`${JSON.stringify(schema.default)}\``);
    if (schema.enum) facts.push(`*One of:* ${schema.enum.map((v) => `\`${v}\``).join(', ')}`);
    if (schema.minimum !== undefined || schema.maximum !== undefined) facts.push(`*Range:* ${schema.minimum ?? '-∞'} … ${schema.maximum ?? '∞'}`);
    if (facts.length) parts.push(facts.join(' · '));
    if (schema['x-why']) parts.push(`**Why it matters for transfer:** ${schema['x-why']}`);
  }
  return { contents: parts.join('\n\n'), start: node.start, end: node.end };
}

interface Hit {
  readonly path: string[];
  readonly node: TreeNode;
  readonly onKey: boolean;
}

/** The innermost key or value under the offset, with the path of keys leading to it. */
function find(node: TreeNode | null, offset: number, path: string[]): Hit | undefined {
  if (!node || offset < node.start || offset > node.end) return undefined;
  if (node.kind === 'map') {
    for (const pair of node.pairs) {
      const key = String(pair.key.value);
      if (offset >= pair.key.start && offset <= pair.key.end) return { path: [...path, key], node: pair.key, onKey: true };
      const inner = find(pair.value, offset, [...path, key]);
      if (inner) return inner;
    }
    return undefined;
  }
  if (node.kind === 'seq') {
    for (let i = 0; i < node.items.length; i++) {
      const inner = find(node.items[i] ?? null, offset, [...path, String(i)]);
      if (inner) return inner;
    }
    return undefined;
  }
  return path.length ? { path, node, onKey: false } : undefined;
}
