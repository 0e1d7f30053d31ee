// Writes schemas/experiment.schema.json from the one source of truth (src/engine/config/schema.ts).
// `--check` exits 1 when the committed file differs (run by the unit tests too).
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { EXPERIMENT_SCHEMA } from '../src/engine/config/schema';

const target = join(__dirname, '..', 'schemas', 'experiment.schema.json');
const text = `${JSON.stringify(EXPERIMENT_SCHEMA, null, 2)}\n`;
if (process.argv.includes('--check')) {
  const current = readFileSync(target, 'utf8');
  if (current !== text) {
    process.stderr.write('schemas/experiment.schema.json is out of date: run `npm run schema`.\n');
    process.exit(1);
  }
} else {
  writeFileSync(target, text);
  process.stdout.write(`wrote ${target}\n`);
}
