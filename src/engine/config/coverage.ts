/**
 * Coverage check: does each randomization range contain what was measured on the robot? A value
 * outside the range the policy trains on is a transfer gap waiting to happen, so every entry whose
 * effective range (after its operation on the nominal value, clamped as the simulator clamps) misses
 * a measured value gets a warning on its range, with two quick fixes: widen the range to include
 * the value, or re-centre it on the value keeping its width.
 *
 * Measured values come from the experiment's own `calibration` block (so `sim2real validate` sees
 * them) and, in the editor, from the newest system identification result of the experiment.
 */
import type { Calibration } from './experiment';
import type { Finding, FindingFix } from './findings';
import { calibratedValue } from './nominal';
import { appliesToTask, parameterInfo, PARAMETER_GROUPS, targetsFor, type ParameterInfo } from './parameters';
import type { TaskInfo } from './taskCatalog';
import { mapAt, numericPair, plain, valueOf, type MapNode, type ScalarNode, type SeqNode } from './yamlTree';

/** One measured value in the experiment's parameter names. */
export interface MeasuredValue {
  readonly parameter: string;
  readonly target?: string;
  readonly value: number;
}

/** Values measured outside the file (a sysid.json), with where they come from. */
export interface Measurement {
  /** Shown in the message, e.g. "sysid-20261125-150000". */
  readonly source: string;
  /** ISO 8601: a measurement older than the calibration block's date is not checked. */
  readonly createdAt?: string;
  readonly values: readonly MeasuredValue[];
}

interface Checked {
  readonly value: number;
  readonly from: string;
}

/** Coverage findings of one experiment tree. */
export function checkCoverage(root: MapNode, task: TaskInfo, measurement: Measurement | undefined): Finding[] {
  const calibration = calibrationIn(root);
  const measured = measuredValues(task, calibration, measurement);
  if (measured.size === 0) return [];
  const randomization = mapAt(root, 'randomization');
  if (!randomization) return [];
  const findings: Finding[] = [];
  for (const group of PARAMETER_GROUPS) {
    const groupMap = mapAt(randomization, group);
    if (!groupMap) continue;
    for (const pair of groupMap.pairs) {
      const info = parameterInfo(String(pair.key.value));
      if (!info || info.group !== group || pair.value?.kind !== 'map' || typeof info.nominal !== 'number') continue;
      if (!appliesToTask(info, task)) continue;
      checkEntry(info, pair.value, task, calibration, measured, findings);
    }
  }
  return findings;
}

/** The calibration block as written, numbers only (the schema check reports anything else). */
export function calibrationIn(root: MapNode): Calibration | undefined {
  const block = mapAt(root, 'calibration');
  const parameters = block ? mapAt(block, 'parameters') : undefined;
  if (!block || !parameters) return undefined;
  const values: Record<string, number | Record<string, number>> = {};
  for (const pair of parameters.pairs) {
    const raw = plain(pair.value);
    if (typeof raw === 'number' && Number.isFinite(raw)) values[String(pair.key.value)] = raw;
    else if (raw && typeof raw === 'object' && !Array.isArray(raw)) {
      const perTarget: Record<string, number> = {};
      for (const [target, v] of Object.entries(raw as Record<string, unknown>)) if (typeof v === 'number' && Number.isFinite(v)) perTarget[target] = v;
      values[String(pair.key.value)] = perTarget;
    }
  }
  const date = valueOf(block, 'date');
  return { parameters: values, ...(date?.kind === 'scalar' && typeof date.value === 'string' ? { date: date.value } : {}) };
}

/**
 * What to check, keyed `name` or `name.target`: the calibration block's values, replaced by a
 * measurement newer than the block (one the user has not applied yet).
 */
function measuredValues(task: TaskInfo, calibration: Calibration | undefined, measurement: Measurement | undefined): Map<string, Checked> {
  const out = new Map<string, Checked>();
  if (calibration) {
    for (const name of Object.keys(calibration.parameters)) {
      const info = parameterInfo(name);
      if (!info) continue;
      const targets = targetsFor(info, task);
      if (targets === undefined) {
        const value = calibratedValue(calibration, name, undefined);
        if (value !== undefined) out.set(name, { value, from: 'the calibration block' });
      } else {
        for (const target of targets) {
          const value = calibratedValue(calibration, name, target);
          if (value !== undefined) out.set(`${name}.${target}`, { value, from: 'the calibration block' });
        }
      }
    }
  }
  // an unreadable date counts as newer: better a warning too many than a range left unchecked
  const newer = measurement && (!calibration?.date || !measurement.createdAt || !(Date.parse(measurement.createdAt) <= Date.parse(calibration.date)));
  if (measurement && newer) {
    for (const m of measurement.values) {
      if (!Number.isFinite(m.value)) continue;
      const info = parameterInfo(m.parameter);
      const targets = info ? targetsFor(info, task) : undefined;
      // one value for a targeted parameter holds for each of its targets
      const keys = m.target !== undefined ? [`${m.parameter}.${m.target}`] : targets ? targets.map((t) => `${m.parameter}.${t}`) : [m.parameter];
      for (const key of keys) out.set(key, { value: m.value, from: measurement.source });
    }
  }
  return out;
}

function checkEntry(info: ParameterInfo, entry: MapNode, task: TaskInfo, calibration: Calibration | undefined, measured: Map<string, Checked>, findings: Finding[]): void {
  const enabled = valueOf(entry, 'enabled');
  if (enabled?.kind === 'scalar' && enabled.value === false) return;
  const size = valueOf(entry, 'size');
  if (size?.kind === 'scalar' && typeof size.value === 'number' && size.value > 1) return;
  const operationNode = valueOf(entry, 'operation');
  const operation = operationNode?.kind === 'scalar' && (operationNode.value === 'scale' || operationNode.value === 'add' || operationNode.value === 'abs') ? operationNode.value : info.defaultOperation;
  const shape = rangeShape(entry);
  if (!shape) return;

  const available = targetsFor(info, task);
  const targetsNode = valueOf(entry, 'targets');
  const listed = targetsNode?.kind === 'seq' ? targetsNode.items.flatMap((item) => (item?.kind === 'scalar' ? [String(item.value)] : [])) : undefined;
  const targets: (string | undefined)[] = available === undefined ? [undefined] : (listed ?? [...available]).filter((t) => available.includes(t));

  for (const target of targets) {
    const checked = measured.get(target === undefined ? info.name : `${info.name}.${target}`);
    if (!checked) continue;
    const nominal = calibratedValue(calibration, info.name, target) ?? (info.nominal as number);
    const op = (raw: number): number => clampToLimits(info, operation === 'scale' ? nominal * raw : operation === 'add' ? nominal + raw : raw);
    const [a, b] = [op(shape.low), op(shape.high)];
    const [low, high] = a <= b ? [a, b] : [b, a];
    const tolerance = 1e-9 * Math.max(1, Math.abs(low), Math.abs(high));
    if (checked.value >= low - tolerance && checked.value <= high + tolerance) continue;
    const raw = inverse(operation, nominal, checked.value);
    const written = shape.kind === 'gaussian' ? `gaussian ${fmt(shape.mean)} ± 2 × ${fmt(shape.std)}` : `range [${fmt(shape.low)}, ${fmt(shape.high)}]`;
    const how = operation === 'scale' ? `${written} × nominal ${fmt(nominal)}` : operation === 'add' ? `${written} + nominal ${fmt(nominal)}` : written;
    const unit = /^(coefficient|relative)/.test(info.unit) ? '' : ` ${info.unit.split(' (')[0]}`;
    const fixes = Number.isFinite(raw) ? coverageFixes(info, operation, shape, raw, checked.value, nominal) : [];
    findings.push({
      severity: 'warning',
      code: 'coverage-outside-range',
      message: `measured ${info.name}${target === undefined ? '' : ` (${target})`} ${fmt(checked.value)}${unit} lies outside ${fmt(low)}-${fmt(high)} (${how}); from ${checked.from}. The policy never trains on the robot's value.`,
      start: shape.at.start,
      end: shape.at.end,
      ...(fixes[0] ? { fix: fixes[0] } : {}),
      ...(fixes.length > 1 ? { moreFixes: fixes.slice(1) } : {}),
    });
  }
}

type RangeShape =
  | { readonly kind: 'range'; readonly low: number; readonly high: number; readonly node: SeqNode; readonly at: ScalarNode | SeqNode; readonly distribution: string }
  | { readonly kind: 'gaussian'; readonly low: number; readonly high: number; readonly mean: number; readonly std: number; readonly meanNode: ScalarNode; readonly stdNode: ScalarNode; readonly at: ScalarNode };

/** The raw interval an entry draws from (a gaussian counts as mean ± 2 std, or its clip). */
function rangeShape(entry: MapNode): RangeShape | undefined {
  const distribution = valueOf(entry, 'distribution');
  const kind = distribution?.kind === 'scalar' ? distribution.value : undefined;
  if (kind === 'uniform' || kind === 'log_uniform' || kind === 'randint') {
    const node = valueOf(entry, 'range');
    const pair = numericPair(node);
    if (!pair || node?.kind !== 'seq' || pair[0] > pair[1]) return undefined; // reversed ranges have their own error
    return { kind: 'range', low: pair[0], high: pair[1], node, at: node, distribution: kind };
  }
  if (kind === 'gaussian') {
    const meanNode = valueOf(entry, 'mean');
    const stdNode = valueOf(entry, 'std');
    if (meanNode?.kind !== 'scalar' || stdNode?.kind !== 'scalar' || typeof meanNode.value !== 'number' || typeof stdNode.value !== 'number') return undefined;
    const mean = meanNode.value;
    const std = stdNode.value;
    const clip = numericPair(valueOf(entry, 'clip'));
    const low = clip ? Math.max(clip[0], mean - 2 * std) : mean - 2 * std;
    const high = clip ? Math.min(clip[1], mean + 2 * std) : mean + 2 * std;
    return { kind: 'gaussian', low, high, mean, std, meanNode, stdNode, at: meanNode };
  }
  return undefined;
}

/** "Widen range to include X" and "Re-centre range on X", as edits of the range (or mean/std) text. */
function coverageFixes(info: ParameterInfo, operation: string, shape: RangeShape, raw: number, value: number, nominal: number): FindingFix[] {
  const shown = fmt(value);
  if (shape.kind === 'gaussian') {
    const std = Math.abs(raw - shape.mean) / 2;
    return [
      { kind: 'replace', title: `Widen range to include ${shown}`, start: shape.stdNode.start, end: shape.stdNode.end, newText: fmt(roundUp(std * 1.1)) },
      { kind: 'replace', title: `Re-centre range on ${shown}`, start: shape.meanNode.start, end: shape.meanNode.end, newText: fmt(roundNear(raw)) },
    ];
  }
  if (!shape.node.flow) return []; // a block list: the text edit would have to rewrite lines
  const integer = info.integer || shape.distribution === 'randint';
  const lowerLimit = rawLowerLimit(info, operation, shape.distribution, nominal);
  const { low, high } = shape;
  // widen: move only the bound that misses, a little past the value so it lies inside, not on the edge
  const margin = 0.05 * Math.max(high - low, Math.abs(raw - (raw < low ? high : low)));
  let wideLow = raw < low ? raw - margin : low;
  let wideHigh = raw > high ? raw + margin : high;
  wideLow = integer ? Math.floor(raw < low ? raw : low) : raw < low ? roundDown(wideLow) : low;
  wideHigh = integer ? Math.ceil(raw > high ? raw : high) : raw > high ? roundUp(wideHigh) : high;
  if (lowerLimit !== undefined) wideLow = Math.max(wideLow, lowerLimit);

  let centreLow: number;
  let centreHigh: number;
  if (shape.distribution === 'log_uniform' && low > 0 && raw > 0) {
    const ratio = Math.sqrt(high / low);
    centreLow = roundNear(raw / ratio);
    centreHigh = roundNear(raw * ratio);
  } else if (integer) {
    const width = Math.round(high - low);
    centreLow = Math.round(raw) - Math.floor(width / 2);
    centreHigh = centreLow + width;
  } else {
    const half = (high - low) / 2;
    centreLow = roundNear(raw - half);
    centreHigh = roundNear(raw + half);
  }
  if (lowerLimit !== undefined && centreLow < lowerLimit) {
    // keep the width, shifted up to what the parameter can take
    centreHigh += lowerLimit - centreLow;
    centreLow = lowerLimit;
  }
  const text = (a: number, b: number): string => `[${fmt(a)}, ${fmt(b)}]`;
  return [
    { kind: 'replace', title: `Widen range to include ${shown}`, start: shape.node.start, end: shape.node.end, newText: text(wideLow, wideHigh) },
    { kind: 'replace', title: `Re-centre range on ${shown}`, start: shape.node.start, end: shape.node.end, newText: text(centreLow, centreHigh) },
  ];
}

/** The smallest raw bound that keeps the parameter physical (scale ≥ 0, abs ≥ min). */
function rawLowerLimit(info: ParameterInfo, operation: string, distribution: string, nominal: number): number | undefined {
  if (distribution === 'log_uniform') return undefined;
  if (operation === 'scale') return 0;
  if (operation === 'abs') return info.min;
  return info.min !== undefined ? info.min - nominal : undefined;
}

/** The raw draw that gives `value` after the operation on `nominal`. */
export function inverse(operation: string, nominal: number, value: number): number {
  if (operation === 'scale') return nominal === 0 ? Number.POSITIVE_INFINITY : value / nominal;
  if (operation === 'add') return value - nominal;
  return value;
}

function clampToLimits(info: ParameterInfo, value: number): number {
  let v = value;
  if (info.min !== undefined && v < info.min) v = info.min;
  if (info.max !== undefined && v > info.max) v = info.max;
  return v;
}

const SIGNIFICANT = 3;

function decimalsFor(x: number): number {
  if (x === 0 || !Number.isFinite(x)) return 0;
  return Math.max(0, SIGNIFICANT - 1 - Math.floor(Math.log10(Math.abs(x))));
}

/** Rounded to 3 significant digits towards -∞ / +∞ / nearest, so a widened bound never cuts the value. */
function roundDown(x: number): number {
  const f = 10 ** decimalsFor(x);
  return Math.floor(x * f + 1e-9) / f;
}
function roundUp(x: number): number {
  const f = 10 ** decimalsFor(x);
  return Math.ceil(x * f - 1e-9) / f;
}
function roundNear(x: number): number {
  return Number(x.toFixed(Math.min(12, decimalsFor(x) + 1)));
}

/** Numbers as a person writes them: at most 4 significant digits, no float noise. */
export function fmt(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  return String(Number(x.toPrecision(4)));
}

