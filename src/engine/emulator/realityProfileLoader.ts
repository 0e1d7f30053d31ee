/**
 * Loading a reality profile: YAML text -> validated `RealityProfile`, or findings with line and column.
 * The checks walk the same spec the JSON Schema is generated from (realityProfileSpec.ts), on the
 * YAML syntax tree, so each finding points at the offending key or value in the file.
 */
import { readFileSync } from 'node:fs';
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Node as YamlNode, type YAMLMap } from 'yaml';
import type { TaskName } from '../config/taskCatalog';
import { mergeNames, type RobotNames } from '../rosbridge/names';
import { PARAMETER_SPECS, PROFILE_JOINT_COUNT, SECTIONS, TOP_LEVEL_FIELDS, type FieldSpec, type ParameterValueSpec } from './realityProfileSpec';

export interface ProfileFinding {
  /** Dotted path of the key, e.g. `effects.latencyMs`. */
  readonly path: string;
  readonly message: string;
  /** 1-based. */
  readonly line: number;
  /** 1-based. */
  readonly col: number;
}

export type PerJoint = readonly number[];

export interface RealityEffects {
  readonly frictionCoulombNm: PerJoint;
  readonly frictionViscousNmsPerRad: PerJoint;
  readonly gainError: PerJoint;
  readonly torqueLimitNm: PerJoint;
  readonly backlashRad: PerJoint;
  readonly latencyMs: number;
  readonly latencyJitterMs: number;
  readonly encoderOffsetRad: PerJoint;
  readonly jointPositionNoiseRad: PerJoint;
  readonly jointVelocityNoiseRadPerS: PerJoint;
  readonly jointEffortNoiseNm: PerJoint;
  readonly objectPositionNoiseM: number;
  readonly objectOrientationNoiseRad: number;
}

export type ParameterValue = number | string | readonly number[] | Readonly<Record<string, number>>;

export interface RealityProfile {
  readonly name: string;
  readonly description: string;
  readonly task: TaskName;
  readonly seed: number;
  readonly watchdogMs: number;
  readonly physicsHz: number;
  /** Only the parameters the profile sets; the rest keep the scene's nominal values. */
  readonly parameters: Readonly<Record<string, ParameterValue>>;
  readonly effects: RealityEffects;
  readonly rates: { readonly jointStatesHz: number; readonly objectPoseHz: number; readonly statusHz: number };
  /** The camera section, defaults filled (realityProfileSpec.ts SECTIONS.camera). */
  readonly camera: RealityCamera;
  readonly names: RobotNames;
  readonly sourcePath?: string;
}

export interface RealityCamera {
  readonly rateHz: number;
  readonly widthPx: number;
  readonly heightPx: number;
  readonly positionXM: number;
  readonly positionYM: number;
  readonly positionZM: number;
  readonly lookAtXM: number;
  readonly lookAtYM: number;
  readonly lookAtZM: number;
  readonly ambient: number;
  readonly shadows: 'on' | 'off';
  readonly blurRadiusPx: number;
  readonly whiteBalanceRed: number;
  readonly whiteBalanceGreen: number;
  readonly whiteBalanceBlue: number;
  readonly gamma: number;
  readonly vignetting: number;
  readonly tableTexture?: string;
  readonly textureFolder?: string;
}

export type ProfileResult = { ok: true; profile: RealityProfile } | { ok: false; findings: ProfileFinding[] };

export class ProfileError extends Error {
  constructor(readonly findings: readonly ProfileFinding[], readonly file: string) {
    super(`${file}: invalid reality profile:\n` + findings.map((f) => `  ${file}:${f.line}:${f.col} ${f.path ? f.path + ': ' : ''}${f.message}`).join('\n'));
  }
}

export function loadRealityProfileFile(path: string): RealityProfile {
  const result = parseRealityProfile(readFileSync(path, 'utf8'), path);
  if (!result.ok) throw new ProfileError(result.findings, path);
  return result.profile;
}

export function parseRealityProfile(text: string, sourcePath?: string): ProfileResult {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const findings: ProfileFinding[] = [];
  const at = (offset: number | undefined, path: string, message: string): void => {
    const pos = lineCounter.linePos(offset ?? 0);
    findings.push({ path, message, line: pos.line, col: pos.col });
  };
  for (const error of doc.errors) at(error.pos[0], '', error.message.split('\n')[0]!);
  if (findings.length) return { ok: false, findings };

  const root = doc.contents;
  if (!isMap(root)) {
    at(root?.range?.[0], '', 'a reality profile is a YAML mapping (key: value lines)');
    return { ok: false, findings };
  }
  const checker = new TreeChecker(at);
  const out: Record<string, unknown> = {};
  const sections: Record<string, Record<string, unknown>> = {};
  const parameters: Record<string, ParameterValue> = {};
  let sawTask = false;

  for (const pair of root.items) {
    const key = keyOf(pair.key);
    const keyOffset = (pair.key as YamlNode | null)?.range?.[0];
    const value = pair.value as YamlNode | null;
    if (key === undefined) {
      at(keyOffset, '', 'keys must be plain strings');
      continue;
    }
    if (key in TOP_LEVEL_FIELDS) {
      if (key === 'task') sawTask = true;
      const v = checker.field(TOP_LEVEL_FIELDS[key]!, value, key, keyOffset);
      if (v !== undefined) out[key] = v;
    } else if (key in SECTIONS) {
      sections[key] = checker.section(key, value, keyOffset);
    } else if (key === 'parameters') {
      Object.assign(parameters, checker.parameters(value, keyOffset));
    } else {
      at(keyOffset, key, `unknown key '${key}'; expected one of ${[...Object.keys(TOP_LEVEL_FIELDS), ...Object.keys(SECTIONS), 'parameters'].join(', ')}`);
    }
  }
  if (!sawTask) at(root.range?.[0], 'task', "missing required key 'task' (reach or push)");
  if (findings.length) return { ok: false, findings };

  const effects = {} as Record<string, unknown>;
  for (const [name, spec] of Object.entries(SECTIONS.effects!.fields)) {
    const v = sections.effects?.[name] ?? (spec.kind === 'perJoint' || spec.kind === 'number' ? spec.default : undefined);
    effects[name] = spec.kind === 'perJoint' ? expandPerJoint(v as number | number[]) : v;
  }
  const sectionValues = (name: string): Record<string, unknown> =>
    Object.fromEntries(Object.entries(SECTIONS[name]!.fields).map(([k, spec]) => [k, sections[name]?.[k] ?? ('default' in spec ? spec.default : undefined)]));
  const rates = sectionValues('rates');
  // the experiment's name for the tracker's rate says the same as rates.objectPoseHz: one of them, or both alike
  const trackingHz = trackingRateOf(parameters.object_tracking_rate);
  if (trackingHz !== undefined && trackingHz > 0) {
    const given = sections.rates?.objectPoseHz;
    if (given !== undefined && given !== trackingHz) {
      const node = doc.getIn(['parameters', 'object_tracking_rate'], true) as YamlNode | undefined;
      at(node?.range?.[0], 'parameters.object_tracking_rate', `object_tracking_rate ${trackingHz} Hz contradicts rates.objectPoseHz ${String(given)} Hz: give the tracker's rate once`);
      return { ok: false, findings };
    }
    rates.objectPoseHz = trackingHz;
  }

  const profile: RealityProfile = {
    name: (out.name as string | undefined) ?? (sourcePath ? sourcePath.replace(/^.*[\\/]/, '').replace(/\.ya?ml$/, '') : 'profile'),
    description: (out.description as string | undefined) ?? '',
    task: out.task as TaskName,
    seed: (out.seed as number | undefined) ?? (TOP_LEVEL_FIELDS.seed as { default: number }).default,
    watchdogMs: (out.watchdogMs as number | undefined) ?? (TOP_LEVEL_FIELDS.watchdogMs as { default: number }).default,
    physicsHz: (out.physicsHz as number | undefined) ?? (TOP_LEVEL_FIELDS.physicsHz as { default: number }).default,
    parameters,
    effects: effects as unknown as RealityEffects,
    rates: rates as unknown as RealityProfile['rates'],
    camera: sectionValues('camera') as unknown as RealityCamera,
    names: mergeNames({ topics: sections.topics as never, services: sections.services as never }),
    sourcePath,
  };
  return { ok: true, profile };
}

/** object_tracking_rate as a profile gives it: one number, or one per object (the puck). */
function trackingRateOf(value: ParameterValue | undefined): number | undefined {
  if (typeof value === 'number') return value;
  if (value && typeof value === 'object' && !Array.isArray(value)) return (value as Readonly<Record<string, number>>).puck;
  return undefined;
}

function expandPerJoint(v: number | readonly number[]): number[] {
  return typeof v === 'number' ? new Array<number>(PROFILE_JOINT_COUNT).fill(v) : [...v];
}

function keyOf(node: unknown): string | undefined {
  return isScalar(node) && typeof node.value === 'string' ? node.value : undefined;
}

/** Checks values against the spec; reports through `at` and returns the JS value when valid. */
class TreeChecker {
  constructor(private readonly at: (offset: number | undefined, path: string, message: string) => void) {}

  section(name: string, node: YamlNode | null, keyOffset: number | undefined): Record<string, unknown> {
    const spec = SECTIONS[name]!;
    const values: Record<string, unknown> = {};
    if (!isMap(node)) {
      this.at(node?.range?.[0] ?? keyOffset, name, `'${name}' must be a mapping of ${Object.keys(spec.fields).join(', ')}`);
      return values;
    }
    for (const pair of (node as YAMLMap).items) {
      const key = keyOf(pair.key);
      const offset = (pair.key as YamlNode | null)?.range?.[0];
      const path = `${name}.${key ?? '?'}`;
      const field = key === undefined ? undefined : spec.fields[key];
      if (!field) {
        this.at(offset, path, `unknown key in '${name}'; expected one of ${Object.keys(spec.fields).join(', ')}`);
        continue;
      }
      const v = this.field(field, pair.value as YamlNode | null, path, offset);
      if (v !== undefined) values[key!] = v;
    }
    return values;
  }

  field(spec: FieldSpec, node: YamlNode | null, path: string, keyOffset: number | undefined): unknown {
    const offset = node?.range?.[0] ?? keyOffset;
    switch (spec.kind) {
      case 'number':
        return this.number(node, path, offset, spec, spec.unit);
      case 'perJoint': {
        if (isSeq(node)) {
          if (node.items.length !== PROFILE_JOINT_COUNT) {
            this.at(offset, path, `needs ${PROFILE_JOINT_COUNT} values (shoulder, elbow, wrist), got ${node.items.length}`);
            return undefined;
          }
          const list = node.items.map((item, i) => this.number(item as YamlNode, `${path}[${i}]`, (item as YamlNode).range?.[0] ?? offset, spec, spec.unit));
          return list.every((x) => x !== undefined) ? list : undefined;
        }
        return this.number(node, path, offset, spec, spec.unit);
      }
      case 'enum': {
        const v = isScalar(node) ? node.value : undefined;
        if (typeof v !== 'string' || !spec.values.includes(v)) {
          this.at(offset, path, `must be one of ${spec.values.join(', ')}, got ${describeNode(node)}`);
          return undefined;
        }
        return v;
      }
      case 'string': {
        const v = isScalar(node) ? node.value : undefined;
        if (typeof v !== 'string') {
          this.at(offset, path, `must be a string, got ${describeNode(node)}`);
          return undefined;
        }
        if (spec.pattern && !new RegExp(spec.pattern).test(v)) {
          this.at(offset, path, `'${v}' must match ${spec.pattern} (ROS names are absolute: start with /)`);
          return undefined;
        }
        return v;
      }
    }
  }

  parameters(node: YamlNode | null, keyOffset: number | undefined): Record<string, ParameterValue> {
    const out: Record<string, ParameterValue> = {};
    if (!isMap(node)) {
      this.at(node?.range?.[0] ?? keyOffset, 'parameters', "'parameters' must be a mapping from parameter name to its true value");
      return out;
    }
    const byName = new Map(PARAMETER_SPECS.map((s) => [s.info.name, s]));
    for (const pair of (node as YAMLMap).items) {
      const key = keyOf(pair.key);
      const offset = (pair.key as YamlNode | null)?.range?.[0];
      const spec = key === undefined ? undefined : byName.get(key);
      if (!spec) {
        this.at(offset, `parameters.${key ?? '?'}`, `unknown parameter; expected one of ${[...byName.keys()].join(', ')}`);
        continue;
      }
      const v = this.parameter(spec, pair.value as YamlNode | null, `parameters.${key}`, offset);
      if (v !== undefined) out[key!] = v;
    }
    return out;
  }

  private parameter(spec: ParameterValueSpec, node: YamlNode | null, path: string, keyOffset: number | undefined): ParameterValue | undefined {
    const { info } = spec;
    const offset = node?.range?.[0] ?? keyOffset;
    const bounds = { min: info.min, max: info.max, integer: info.integer };
    if (spec.shape === 'categorical') {
      const v = isScalar(node) ? node.value : undefined;
      if (typeof v !== 'string' || !info.categorical!.includes(v)) {
        this.at(offset, path, `must be one of ${info.categorical!.join(', ')}, got ${describeNode(node)}`);
        return undefined;
      }
      return v;
    }
    if (spec.shape === 'vector') {
      if (!isSeq(node) || node.items.length !== info.size) {
        this.at(offset, path, `must be a list of ${info.size} numbers (${info.unit})`);
        return undefined;
      }
      const list = node.items.map((item, i) => this.number(item as YamlNode, `${path}[${i}]`, (item as YamlNode).range?.[0] ?? offset, bounds, info.unit));
      return list.every((x) => x !== undefined) ? (list as number[]) : undefined;
    }
    if (isMap(node) && spec.targets) {
      const map: Record<string, number> = {};
      let ok = true;
      for (const pair of (node as YAMLMap).items) {
        const target = keyOf(pair.key);
        const tOffset = (pair.key as YamlNode | null)?.range?.[0];
        if (target === undefined || !spec.targets.includes(target)) {
          this.at(tOffset, `${path}.${target ?? '?'}`, `unknown target; expected one of ${spec.targets.join(', ')}`);
          ok = false;
          continue;
        }
        const v = this.number(pair.value as YamlNode | null, `${path}.${target}`, (pair.value as YamlNode | null)?.range?.[0] ?? tOffset, bounds, info.unit);
        if (v === undefined) ok = false;
        else map[target] = v;
      }
      return ok ? map : undefined;
    }
    return this.number(node, path, offset, bounds, info.unit);
  }

  private number(node: YamlNode | null, path: string, offset: number | undefined, bounds: { min?: number; max?: number; integer?: boolean }, unit: string): number | undefined {
    const v = isScalar(node) ? node.value : undefined;
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      this.at(offset, path, `must be a finite number (${unit}), got ${describeNode(node)}`);
      return undefined;
    }
    if (bounds.integer && !Number.isInteger(v)) {
      this.at(offset, path, `must be a whole number (${unit}), got ${v}`);
      return undefined;
    }
    if ((bounds.min !== undefined && v < bounds.min) || (bounds.max !== undefined && v > bounds.max)) {
      this.at(offset, path, `${v} is outside [${bounds.min ?? '-inf'}, ${bounds.max ?? 'inf'}] (${unit})`);
      return undefined;
    }
    return v;
  }
}

function describeNode(node: YamlNode | null): string {
  if (node === null || node === undefined) return 'nothing';
  if (isScalar(node)) return JSON.stringify(node.value) ?? String(node.value);
  if (isSeq(node)) return 'a list';
  if (isMap(node)) return 'a mapping';
  return 'an unsupported value';
}
