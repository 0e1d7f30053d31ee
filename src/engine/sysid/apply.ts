/**
 * Apply a system identification result to an experiment's text: the identified values become the
 * experiment's calibrated nominal values (its `calibration` block), and randomization ranges are
 * re-centred on them where they are absolute (`abs`) or offsets (`add`); `scale` ranges multiply
 * the new nominal already, so they stay centred on 1 (and are moved there if they had drifted off).
 *
 * The text is edited in place, span by span, at the offsets the `yaml` Document API reports, so
 * every comment, blank line and alignment the user wrote survives; only the calibration block is
 * written whole (it is machine-written). Pure: text in, text and a summary out.
 */
import { isMap, isScalar, isSeq, parseDocument, type Document, type Node as YamlNode, type Pair, type YAMLMap, type YAMLSeq } from 'yaml';
import { fmt } from '../config/coverage';
import { parameterInfo, PARAMETER_GROUPS, targetsFor, type ParameterInfo } from '../config/parameters';
import { isTaskName, TASKS, type TaskInfo } from '../config/taskCatalog';
import type { IdentifiedParameter, SysidResult } from './types';

export interface ApplyOptions {
  /** The result's file as the experiment should name it (relative to the experiment's folder). */
  readonly source?: string;
}

export interface ApplyOutcome {
  /** The experiment text with the calibration written and the ranges re-centred. */
  readonly text: string;
  /** One line per change, in the field's words ("joint_damping (shoulder): nominal 0.05 -> 0.11"). */
  readonly changes: readonly string[];
  /** Identified values that could not be applied, and why. */
  readonly skipped: readonly string[];
}

interface Edit {
  readonly start: number;
  readonly end: number;
  readonly text: string;
}

/** Calibrated values per parameter: one value (scene-wide) or per target. */
interface CalibratedEntry {
  value?: number;
  stdError?: number;
  unit?: string;
  perTarget: Map<string, { value: number; stdError?: number }>;
}
type CalibratedValues = Map<string, CalibratedEntry>;

export class ApplyError extends Error {}

export function applySysidResult(text: string, result: SysidResult, options: ApplyOptions = {}): ApplyOutcome {
  const doc = parseDocument(text, { keepSourceTokens: false });
  if (doc.errors.length > 0) throw new ApplyError(`the experiment does not parse as YAML (${doc.errors[0]!.message}); fix it first`);
  if (!isMap(doc.contents)) throw new ApplyError('the experiment is not a mapping of keys');
  const taskName = scalarAt(doc, ['task']);
  if (!isTaskName(taskName)) throw new ApplyError(`the experiment's task ${JSON.stringify(taskName)} is not a built-in task`);
  const task = TASKS[taskName];
  if (result.task !== task.name) throw new ApplyError(`the result was measured for task '${result.task}', the experiment is '${task.name}'`);

  const changes: string[] = [];
  const skipped: string[] = [];
  const identified = usable(result.identified, task, skipped);
  const calibrated = existingCalibration(doc);
  const edits: Edit[] = [];

  for (const id of identified) {
    const info = parameterInfo(id.parameter)!;
    const value = info.integer ? Math.round(id.value) : Number(id.value.toPrecision(4));
    const entry: CalibratedEntry = calibrated.get(id.parameter) ?? { perTarget: new Map() };
    const before = id.target === undefined ? entry.value : entry.perTarget.get(id.target)?.value ?? entry.value;
    const shownBefore = before ?? (info.nominal as number);
    if (id.target === undefined) entry.value = value;
    else entry.perTarget.set(id.target, { value, stdError: id.stdError });
    if (id.target === undefined) entry.stdError = id.stdError;
    entry.unit = id.unit;
    calibrated.set(id.parameter, entry);
    changes.push(`${label(id.parameter, id.target)}: nominal ${fmt(shownBefore)} -> ${fmt(value)} ${unitOf(info)} (± ${fmt(id.stdError)})${info.integer && value !== id.value ? `, rounded from ${fmt(id.value)}` : ''}`);
  }

  edits.push(...recentreRanges(doc, task, identified, changes));
  edits.push(calibrationEdit(doc, text, calibrated, task, result, options));
  return { text: applyEdits(text, edits), changes, skipped };
}

/** Identified values the experiment can take: known numeric parameters, targets the task has. */
function usable(identified: readonly IdentifiedParameter[], task: TaskInfo, skipped: string[]): IdentifiedParameter[] {
  const out: IdentifiedParameter[] = [];
  for (const id of identified) {
    const info = parameterInfo(id.parameter);
    if (!info || typeof info.nominal !== 'number' || (info.size ?? 1) > 1) {
      skipped.push(`${label(id.parameter, id.target)}: not a scalar experiment parameter`);
      continue;
    }
    if (!Number.isFinite(id.value)) {
      skipped.push(`${label(id.parameter, id.target)}: the value is not a finite number`);
      continue;
    }
    const targets = targetsFor(info, task);
    if (id.target !== undefined && !targets?.includes(id.target)) {
      skipped.push(`${label(id.parameter, id.target)}: task '${task.name}' has no such ${info.targetKind === 'joints' ? 'joint' : 'target'}`);
      continue;
    }
    if ((info.min !== undefined && id.value < info.min) || (info.max !== undefined && id.value > info.max)) {
      skipped.push(`${label(id.parameter, id.target)}: ${fmt(id.value)} lies outside what the parameter can take (${info.min ?? '-∞'} to ${info.max ?? '∞'})`);
      continue;
    }
    out.push(id);
  }
  return out;
}

/** The calibration block already in the file, so values it holds that this result lacks are kept. */
function existingCalibration(doc: Document): CalibratedValues {
  const out: CalibratedValues = new Map();
  const parameters = doc.getIn(['calibration', 'parameters'], true);
  if (!isMap(parameters)) return out;
  for (const pair of parameters.items) {
    const name = isScalar(pair.key) ? String(pair.key.value) : undefined;
    if (!name) continue;
    const entry: CalibratedEntry = { perTarget: new Map() };
    // the standard errors an earlier Apply wrote after the value stay with the values kept
    const errors = stdErrorsOf((pair.value as YamlNode | null)?.comment);
    if (isScalar(pair.value) && typeof pair.value.value === 'number') {
      entry.value = pair.value.value;
      entry.stdError = errors[0];
    } else if (isMap(pair.value)) {
      pair.value.items.forEach((t, i) => {
        if (isScalar(t.key) && isScalar(t.value) && typeof t.value.value === 'number') entry.perTarget.set(String(t.key.value), { value: t.value.value, stdError: errors[i] });
      });
    }
    out.set(name, entry);
  }
  return out;
}

/**
 * The standard errors in a line comment this step wrote (`# ± 0.27 steps`, `# ± 0.001, ?, 0.002 kg`),
 * one per value in order; `?` or anything that is not a number gives none.
 */
function stdErrorsOf(comment: string | null | undefined): (number | undefined)[] {
  const m = comment?.match(/^\s*±\s*(.*)$/);
  if (!m) return [];
  return m[1]!.split(',').map((item) => {
    const x = Number(item.trim().split(/\s+/)[0]);
    return Number.isFinite(x) && x >= 0 ? x : undefined;
  });
}

/** Write (or rewrite) the top-level calibration block. */
function calibrationEdit(doc: Document, text: string, calibrated: CalibratedValues, task: TaskInfo, result: SysidResult, options: ApplyOptions): Edit {
  const how = result.source.kind === 'robot' ? `on the robot at ${result.source.address}` : `from the log ${result.source.file}`;
  const lines = [`calibration:`];
  if (options.source) lines.push(`  source: ${quoteIfNeeded(options.source)}`);
  lines.push(`  date: "${result.createdAt}"`);
  lines.push(`  parameters:`);
  for (const [name, entry] of calibrated) {
    const info = parameterInfo(name);
    const unit = info ? unitOf(info) : entry.unit ?? '';
    const targets = info ? targetsFor(info, task) : undefined;
    if (entry.perTarget.size === 0 || !targets) {
      if (entry.value === undefined) continue;
      lines.push(`    ${name}: ${fmt(entry.value)}${entry.stdError !== undefined ? `   # ± ${fmt(entry.stdError)} ${unit}` : ''}`);
      continue;
    }
    // in the task's order; a scene-wide value written earlier still covers targets not measured now
    const items: string[] = [];
    const errors: string[] = [];
    for (const target of targets) {
      const v = entry.perTarget.get(target)?.value ?? entry.value;
      if (v === undefined) continue;
      items.push(`${target}: ${fmt(v)}`);
      const e = entry.perTarget.get(target)?.stdError;
      errors.push(e !== undefined ? fmt(e) : '?');
    }
    const known = errors.some((e) => e !== '?');
    lines.push(`    ${name}: { ${items.join(', ')} }${known ? `   # ± ${errors.join(', ')} ${unit}` : ''}`);
  }
  const block = lines.join('\n');
  const comment = `# Measured by system identification ${how}; written by Sim2Real (Apply to Experiment).`;
  const pair = topLevelPair(doc, 'calibration');
  if (pair && isScalar(pair.key) && pair.key.range && (pair.value as YamlNode | null)?.range) {
    let start = pair.key.range[0];
    // the block's range runs to the next line: keep the newline (and blank lines) after it
    let end = (pair.value as YamlNode).range![1];
    while (end > start && /\s/.test(text[end - 1]!)) end--;
    // the line this step wrote above the block names the newest measurement
    const above = text.slice(0, start).match(/(^|\n)(# Measured by system identification [^\n]*)\n$/);
    if (above) start -= above[2]!.length + 1;
    return { start, end, text: above ? `${comment}\n${block}` : block };
  }
  const trimmed = text.replace(/\s+$/, '');
  return { start: trimmed.length, end: text.length, text: `\n\n${comment}\n${block}\n` };
}

/** Re-centre abs/add ranges on the measured values; bring scale ranges back around 1. */
function recentreRanges(doc: Document, task: TaskInfo, identified: readonly IdentifiedParameter[], changes: string[]): Edit[] {
  const edits: Edit[] = [];
  for (const group of PARAMETER_GROUPS) {
    const groupNode = doc.getIn(['randomization', group], true);
    if (!isMap(groupNode)) continue;
    for (const pair of groupNode.items) {
      const name = isScalar(pair.key) ? String(pair.key.value) : '';
      const info = parameterInfo(name);
      if (!info || !isMap(pair.value)) continue;
      const entry = pair.value as YAMLMap;
      if (entryScalar(entry, 'enabled') === false) continue;
      const targets = entryTargets(entry, info, task);
      const values = identified.filter((id) => id.parameter === name && (id.target === undefined || targets === undefined || targets.includes(id.target))).map((id) => (info.integer ? Math.round(id.value) : id.value));
      if (values.length === 0) continue;
      const operation = (entryScalar(entry, 'operation') as string | undefined) ?? info.defaultOperation;
      const distribution = entryScalar(entry, 'distribution') as string | undefined;
      const where = `randomization.${group}.${name}`;
      if (distribution === 'gaussian') {
        const mean = entry.get('mean', true);
        if (!isScalar(mean) || typeof mean.value !== 'number' || !mean.range) continue;
        const centre = operation === 'abs' ? (Math.min(...values) + Math.max(...values)) / 2 : operation === 'add' ? 0 : 1;
        if (mean.value === centre) continue;
        edits.push({ start: mean.range[0], end: mean.range[1], text: fmt(centre) });
        changes.push(`${where}: mean ${fmt(mean.value)} -> ${fmt(centre)} (${operation === 'abs' ? 'the measured value' : operation === 'add' ? 'no offset from the calibrated nominal' : '1 × the calibrated nominal'})`);
        continue;
      }
      const range = entry.get('range', true);
      if (!isSeq(range) || range.items.length !== 2) continue;
      const [lowNode, highNode] = range.items as YamlNode[];
      if (!isScalar(lowNode) || !isScalar(highNode) || typeof lowNode.value !== 'number' || typeof highNode.value !== 'number') continue;
      const low = lowNode.value;
      const high = highNode.value;
      if (!(low <= high)) continue; // reversed: the validator reports it
      const next = recentred(info, operation, distribution, low, high, values);
      if (!next || (next[0] === low && next[1] === high)) continue;
      edits.push(...rangeEdits(range, lowNode, highNode, next));
      const why =
        operation === 'abs'
          ? `centred on the measured ${values.length > 1 ? `values ${fmt(Math.min(...values))}-${fmt(Math.max(...values))}` : `value ${fmt(values[0]!)}`}`
          : operation === 'add'
            ? 'offsets centred on the calibrated nominal'
            : 'multipliers centred on 1 × the calibrated nominal';
      changes.push(`${where}: range [${fmt(low)}, ${fmt(high)}] -> [${fmt(next[0])}, ${fmt(next[1])}] (${why})`);
    }
  }
  return edits;
}

/** The new [low, high], same width (wider only when the measured values spread further). */
function recentred(info: ParameterInfo, operation: string, distribution: string | undefined, low: number, high: number, values: readonly number[]): [number, number] | undefined {
  const integer = info.integer || distribution === 'randint';
  if (operation === 'scale') {
    if (low <= 1 && 1 <= high) return undefined; // already around the (new) nominal
    if (distribution === 'log_uniform' && low > 0) {
      const ratio = Math.sqrt(high / low);
      return [round(1 / ratio), round(ratio)];
    }
    const half = (high - low) / 2;
    return [Math.max(0, round(1 - half)), round(1 + half)];
  }
  const lowest = Math.min(...values);
  const highest = Math.max(...values);
  const centre = operation === 'add' ? 0 : (lowest + highest) / 2;
  const spread = operation === 'add' ? 0 : highest - lowest;
  let width = Math.max(high - low, spread * 1.25);
  if (distribution === 'log_uniform' && low > 0 && operation === 'abs') {
    const ratio = Math.max(Math.sqrt(high / low), Math.sqrt(highest / lowest) * 1.1);
    return [round(centre / ratio), round(centre * ratio)];
  }
  let a: number;
  if (integer) {
    width = Math.round(width);
    a = Math.round(centre) - Math.floor(width / 2);
  } else a = round(centre - width / 2);
  let b = integer ? a + width : round(centre + width / 2);
  // keep the range physical: shifted up, width kept (abs against the parameter's minimum)
  const minimum = operation === 'abs' ? info.min : undefined;
  if (minimum !== undefined && a < minimum) {
    b = integer ? b + (minimum - a) : round(b + (minimum - a));
    a = minimum;
  }
  return [a, b];
}

/** A flow list is rewritten whole; a block list keeps its lines and only its numbers change. */
function rangeEdits(range: YAMLSeq, lowNode: YamlNode, highNode: YamlNode, next: [number, number]): Edit[] {
  if (range.flow && range.range) return [{ start: range.range[0], end: range.range[1], text: `[${fmt(next[0])}, ${fmt(next[1])}]` }];
  return [
    { start: lowNode.range![0], end: lowNode.range![1], text: fmt(next[0]) },
    { start: highNode.range![0], end: highNode.range![1], text: fmt(next[1]) },
  ];
}

function entryTargets(entry: YAMLMap, info: ParameterInfo, task: TaskInfo): readonly string[] | undefined {
  const listed = entry.get('targets', true);
  if (isSeq(listed)) return listed.items.flatMap((item) => (isScalar(item) ? [String(item.value)] : []));
  return targetsFor(info, task);
}

function entryScalar(entry: YAMLMap, key: string): unknown {
  const node = entry.get(key, true);
  return isScalar(node) ? node.value : undefined;
}

function scalarAt(doc: Document, path: string[]): unknown {
  const node = doc.getIn(path, true);
  return isScalar(node) ? node.value : undefined;
}

function topLevelPair(doc: Document, key: string): Pair | undefined {
  const contents = doc.contents as YAMLMap;
  return contents.items.find((pair) => isScalar(pair.key) && pair.key.value === key) as Pair | undefined;
}

function applyEdits(text: string, edits: readonly Edit[]): string {
  const sorted = [...edits].sort((a, b) => b.start - a.start);
  for (let i = 1; i < sorted.length; i++) {
    if (sorted[i]!.end > sorted[i - 1]!.start) throw new ApplyError('internal: overlapping edits');
  }
  let out = text;
  for (const edit of sorted) out = out.slice(0, edit.start) + edit.text + out.slice(edit.end);
  return out;
}

function round(x: number): number {
  return Number(x.toPrecision(3));
}

function label(parameter: string, target: string | undefined): string {
  return target === undefined ? parameter : `${parameter} (${target})`;
}

function unitOf(info: ParameterInfo): string {
  return info.unit.split(' (')[0]!;
}

function quoteIfNeeded(value: string): string {
  return /^[\w./-]+$/.test(value) ? value : JSON.stringify(value);
}
