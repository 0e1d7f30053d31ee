// Writes schemas/reality-profile.schema.json and the key reference in docs/reality-profiles.md from
// src/engine/emulator/realityProfileSpec.ts (the one source of truth). Run:
//   npx tsx scripts/gen-reality-schema.ts
// test/unit/robot-profile.test.ts fails when either committed file differs from what this writes.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { withGeneratedKeys } from '../src/engine/emulator/realityDocs';
import { realitySchemaText } from '../src/engine/emulator/realitySchema';

const root = join(__dirname, '..');
const schemaPath = join(root, 'schemas', 'reality-profile.schema.json');
mkdirSync(dirname(schemaPath), { recursive: true });
writeFileSync(schemaPath, realitySchemaText());
process.stdout.write(`wrote ${schemaPath}\n`);

const docPath = join(root, 'docs', 'reality-profiles.md');
const doc = existsSync(docPath) ? readFileSync(docPath, 'utf8') : '# Reality profiles\n';
writeFileSync(docPath, withGeneratedKeys(doc));
process.stdout.write(`wrote ${docPath}\n`);
