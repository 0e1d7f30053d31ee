// Writes schemas/reality-profile.schema.json from src/engine/robot/realityProfileSpec.ts (the one
// source of truth). Run: npx tsx scripts/gen-reality-schema.ts   (test/unit/robot-profile.test.ts
// fails when the committed file differs from what this writes).
import { writeFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { realitySchemaText } from '../src/engine/robot/realitySchema';

const out = join(dirname(fileURLToPath(import.meta.url)), '..', 'schemas', 'reality-profile.schema.json');
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, realitySchemaText());
process.stdout.write(`wrote ${out}\n`);
