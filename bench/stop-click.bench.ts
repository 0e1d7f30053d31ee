// Click-to-stop latency of the safe-test console in a real VS Code (code-server + Chromium): the
// measurement lives in test/e2e/stop-click-latency.e2e.ts (it needs the e2e harness); this runs it
// through the e2e runner with the gate opened. Usage: npm run bench -- stop-click [clicks=60]
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const clicks = process.argv[2] ?? '60';
const result = spawnSync('bash', [join(__dirname, '..', 'scripts', 'e2e.sh'), 'test/e2e/stop-click-latency.e2e.ts'], {
  cwd: join(__dirname, '..'),
  stdio: 'inherit',
  env: { ...process.env, SIM2REAL_STOP_CLICK_BENCH: clicks },
});
process.exit(result.status ?? 1);
