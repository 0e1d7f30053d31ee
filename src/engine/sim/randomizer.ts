/**
 * Domain randomization: draw an episode's parameter values from the experiment's entries with a
 * seeded Rng, and apply them to a scene through its named parameter setters only.
 *
 * Each targeted parameter draws one value per target (friction of the puck and of the table are
 * independent draws); the sample keys are `name.target` for those and `name` otherwise.
 * `scale` multiplies the nominal value, `add` offsets it, `abs` replaces it; the result is clamped to
 * the parameter's [min, max] and rounded for integer parameters. The nominal value is the
 * experiment's calibrated one (its `calibration` block) where it has one, parameters.ts otherwise.
 */
import type { Calibration, RandomizationEntry } from '../config/experiment';
import { calibratedValue, nominalValue } from '../config/nominal';
import { appliesToTask, parameterInfo, targetsFor, type ParameterInfo } from '../config/parameters';
import type { TaskInfo } from '../config/taskCatalog';
import type { EpisodeSample } from './env';
import type { Rng } from '../util/rng';
import type { TableScene } from './tasks/tableScene';

export function sampleKey(name: string, target?: string): string {
  return target === undefined ? name : `${name}.${target}`;
}

/** One value to draw: an entry, for one of its targets. */
export interface SampleSlot {
  readonly entry: RandomizationEntry;
  readonly info: ParameterInfo;
  readonly target: string | undefined;
  readonly key: string;
  /** What `scale` multiplies and `add` offsets for this target. */
  readonly nominal: number | string;
}

/** The slots of a task's entries, in entry order then target order (the draw order). */
export function sampleSlots(entries: readonly RandomizationEntry[], task: TaskInfo, calibration?: Calibration): SampleSlot[] {
  const slots: SampleSlot[] = [];
  for (const entry of entries) {
    const info = parameterInfo(entry.name);
    if (!info) throw new Error(`unknown randomization parameter '${entry.name}'`);
    // e.g. object_mass in reach (no objects): nothing to vary. Named targets are still checked below.
    if (!appliesToTask(info, task) && entry.targets === undefined) continue;
    const available = targetsFor(info, task);
    if (available === undefined) {
      slots.push({ entry, info, target: undefined, key: sampleKey(entry.name), nominal: nominalValue(info, undefined, calibration) });
      continue;
    }
    const targets = entry.targets ?? available;
    for (const target of targets) {
      if (!available.includes(target)) throw new Error(`'${entry.name}' cannot target '${target}' in task '${task.name}'`);
      slots.push({ entry, info, target, key: sampleKey(entry.name, target), nominal: nominalValue(info, target, calibration) });
    }
  }
  return slots;
}

/** Draw one raw value from the entry's distribution (before the operation). */
export function drawRaw(entry: RandomizationEntry, rng: Rng): number | string {
  switch (entry.distribution) {
    case 'uniform': {
      const [low, high] = requireRange(entry);
      return rng.uniform(low, high);
    }
    case 'log_uniform': {
      const [low, high] = requireRange(entry);
      if (!(low > 0)) throw new Error(`'${entry.name}': log_uniform needs a positive lower bound`);
      return Math.exp(rng.uniform(Math.log(low), Math.log(high)));
    }
    case 'gaussian':
      return rng.gaussian(entry.mean ?? 0, entry.std ?? 1);
    case 'randint': {
      const [low, high] = requireRange(entry);
      return rng.randint(Math.ceil(low), Math.floor(high));
    }
    case 'choice': {
      const values = entry.values;
      if (!values || values.length === 0) throw new Error(`'${entry.name}': choice needs values`);
      return values[Math.floor(rng.next() * values.length)];
    }
  }
}

function requireRange(entry: RandomizationEntry): readonly [number, number] {
  if (!entry.range) throw new Error(`'${entry.name}': ${entry.distribution} needs a range`);
  return entry.range;
}

/** The raw draw turned into the parameter's value: operation on the nominal, clamp, round. */
export function resolveValue(info: ParameterInfo, operation: RandomizationEntry['operation'], raw: number | string, nominal: number | string = info.nominal): number | string {
  if (typeof raw === 'string' || typeof nominal === 'string') return raw;
  let value = operation === 'scale' ? nominal * raw : operation === 'add' ? nominal + raw : raw;
  if (info.min !== undefined && value < info.min) value = info.min;
  if (info.max !== undefined && value > info.max) value = info.max;
  if (info.integer) value = Math.round(value);
  return value;
}

/** Draw one slot into sample (a vector reuses its array). */
export function drawSlot(slot: SampleSlot, rng: Rng, sample: EpisodeSample): void {
  const size = slot.entry.size;
  if (size > 1) {
    let vector = sample[slot.key];
    if (!Array.isArray(vector)) {
      vector = new Array<number>(size).fill(0);
      sample[slot.key] = vector;
    }
    for (let i = 0; i < size; i++) vector[i] = Number(resolveValue(slot.info, slot.entry.operation, drawRaw(slot.entry, rng), slot.nominal));
  } else {
    sample[slot.key] = resolveValue(slot.info, slot.entry.operation, drawRaw(slot.entry, rng), slot.nominal);
  }
}

/** Draw the slots into sample, in order. */
export function drawSlots(slots: readonly SampleSlot[], rng: Rng, sample: EpisodeSample): void {
  for (const slot of slots) drawSlot(slot, rng, sample);
}

/**
 * The calibrated values of a task's parameters as sample entries: written once before any draw, so
 * a parameter that is not randomized keeps its calibrated value (draws overwrite their own keys).
 */
export function calibratedSample(calibration: Calibration | undefined, task: TaskInfo, sample: EpisodeSample): void {
  if (!calibration) return;
  for (const name of Object.keys(calibration.parameters)) {
    const info = parameterInfo(name);
    if (!info || !appliesToTask(info, task)) continue;
    const targets = targetsFor(info, task);
    if (targets === undefined) {
      const value = calibratedValue(calibration, name, undefined);
      if (value !== undefined) sample[sampleKey(name)] = value;
      continue;
    }
    for (const target of targets) {
      const value = calibratedValue(calibration, name, target);
      if (value !== undefined) sample[sampleKey(name, target)] = value;
    }
  }
}

/** The value of a scalar numeric parameter: drawn if it is in the sample, nominal otherwise. */
export function valueOf(sample: EpisodeSample, name: string, target?: string): number {
  const drawn = sample[sampleKey(name, target)];
  if (typeof drawn === 'number') return drawn;
  const nominal = parameterInfo(name)?.nominal;
  if (typeof nominal !== 'number') throw new Error(`parameter '${name}' has no numeric nominal value`);
  return nominal;
}

/**
 * Apply every physics and actuator parameter of the task to the scene (drawn or nominal), so a
 * scene never keeps a value from an earlier episode.
 */
export function applyPhysics(scene: TableScene, sample: EpisodeSample, task: TaskInfo): void {
  for (const body of task.contactBodies) {
    scene.setFriction(body, valueOf(sample, 'friction', body));
    scene.setRestitution(body, valueOf(sample, 'restitution', body));
  }
  for (const object of task.objects) {
    scene.setObjectMass(object, valueOf(sample, 'object_mass', object));
    scene.setLinearDamping(object, valueOf(sample, 'linear_damping', object));
    scene.setAngularDamping(object, valueOf(sample, 'angular_damping', object));
  }
  for (const link of task.links) scene.setLinkMass(link, valueOf(sample, 'link_mass', link));
  for (const joint of task.joints) {
    scene.setJointDamping(joint, valueOf(sample, 'joint_damping', joint));
    scene.setJointFriction(joint, valueOf(sample, 'joint_friction', joint));
    scene.setJointStiffness(joint, valueOf(sample, 'joint_stiffness', joint));
    scene.setMotorStrength(joint, valueOf(sample, 'motor_strength', joint));
  }
  if (task.contactBodies.includes('table')) scene.setTableHeight(valueOf(sample, 'table_height'));
}
