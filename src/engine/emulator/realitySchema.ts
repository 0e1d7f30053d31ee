/**
 * The JSON Schema of reality profiles, generated from realityProfileSpec.ts. scripts/gen-reality-schema.ts
 * writes it to schemas/reality-profile.schema.json and a unit test checks the file is up to date.
 */
import { PARAMETER_SPECS, PROFILE_JOINT_COUNT, SECTIONS, TOP_LEVEL_FIELDS, type FieldSpec, type ParameterValueSpec } from './realityProfileSpec';

type Schema = Record<string, unknown>;

export const REALITY_SCHEMA_ID = 'https://sim2real-workbench.invalid/schemas/reality-profile.schema.json';

function describe(description: string, unit?: string): string {
  return unit ? `${description} Unit: ${unit}.` : description;
}

function bounds(spec: { min?: number; max?: number }): Schema {
  const out: Schema = {};
  if (spec.min !== undefined) out.minimum = spec.min;
  if (spec.max !== undefined) out.maximum = spec.max;
  return out;
}

export function fieldSchema(spec: FieldSpec): Schema {
  switch (spec.kind) {
    case 'number':
      return { type: spec.integer ? 'integer' : 'number', ...bounds(spec), default: spec.default, description: describe(spec.description, spec.unit) };
    case 'perJoint': {
      const item = { type: 'number', ...bounds(spec) };
      return {
        description: describe(`${spec.description} One number for every joint, or a list with one per joint (shoulder, elbow, wrist).`, spec.unit),
        default: spec.default,
        oneOf: [item, { type: 'array', items: item, minItems: PROFILE_JOINT_COUNT, maxItems: PROFILE_JOINT_COUNT }],
      };
    }
    case 'enum':
      return { type: 'string', enum: [...spec.values], ...(spec.default !== undefined ? { default: spec.default } : {}), description: spec.description };
    case 'string':
      return { type: 'string', ...(spec.pattern ? { pattern: spec.pattern } : {}), ...(spec.default !== undefined ? { default: spec.default } : {}), description: spec.description };
  }
}

export function parameterSchema(spec: ParameterValueSpec): Schema {
  const { info } = spec;
  const description = describe(`True value on the emulated robot (absolute, not a scale). ${info.description}`, info.unit);
  if (spec.shape === 'categorical') return { type: 'string', enum: [...(info.categorical ?? [])], description };
  const number = { type: info.integer ? 'integer' : 'number', ...bounds(info) };
  if (spec.shape === 'vector') return { type: 'array', items: number, minItems: info.size, maxItems: info.size, description };
  if (!spec.targets) return { ...number, description };
  return {
    description: `${description} One number for every target, or a map from target (${spec.targets.join(', ')}) to number.`,
    oneOf: [number, { type: 'object', propertyNames: { enum: [...spec.targets] }, additionalProperties: number, minProperties: 1 }],
  };
}

export function buildRealitySchema(): Schema {
  const properties: Schema = {};
  for (const [key, spec] of Object.entries(TOP_LEVEL_FIELDS)) properties[key] = fieldSchema(spec);
  for (const [key, section] of Object.entries(SECTIONS)) {
    properties[key] = {
      type: 'object',
      description: section.description,
      additionalProperties: false,
      properties: Object.fromEntries(Object.entries(section.fields).map(([name, spec]) => [name, fieldSchema(spec)])),
    };
  }
  properties.parameters = {
    type: 'object',
    description: 'The robot\'s true values of the parameters an experiment can randomize, under the same names. Unset parameters keep the scene\'s nominal value.',
    additionalProperties: false,
    properties: Object.fromEntries(PARAMETER_SPECS.map((spec) => [spec.info.name, parameterSchema(spec)])),
  };
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    $id: REALITY_SCHEMA_ID,
    title: 'Sim2Real Workbench reality profile',
    description: 'The "real robot" of the reality emulator (`sim2real emulate --profile FILE`): its true parameters and the hardware effects the simulator does not model. Generated from src/engine/emulator/realityProfileSpec.ts; do not edit by hand.',
    type: 'object',
    required: ['task'],
    additionalProperties: false,
    properties,
  };
}

/** The file's exact text (stable key order, trailing newline) so the drift test can compare bytes. */
export function realitySchemaText(): string {
  return JSON.stringify(buildRealitySchema(), null, 2) + '\n';
}
