// Runs every bench/*.bench.ts in its own process, one after another (they would skew each other
// in parallel on two cores), and prints their figures. `npm run bench -- NAME [ARGS...]` runs only
// matching ones and hands them ARGS (e.g. `npm run bench -- stop-click 200`).
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

const filter = process.argv[2];
const args = process.argv.slice(3);
const benches = readdirSync(__dirname)
  .filter((f) => f.endsWith('.bench.ts') && (!filter || f.includes(filter)))
  .sort();
if (benches.length === 0) {
  process.stderr.write(`no benchmark matches '${filter}'\n`);
  process.exit(2);
}
let failed = 0;
for (const bench of benches) {
  process.stdout.write(`\n=== ${bench} ===\n`);
  const result = spawnSync(process.execPath, ['--import', 'tsx', join(__dirname, bench), ...args], { stdio: 'inherit' });
  if (result.status !== 0) {
    failed++;
    process.stdout.write(`!!! ${bench} exited with ${result.status ?? result.signal}\n`);
  }
}
process.exit(failed ? 1 : 0);
