// Click-to-stop latency of the safe-test console in a real VS Code (code-server + Chromium): the
// measurement lives in test/e2e/stop-click-latency.e2e.ts (it needs the e2e harness); this runs it
// through the e2e runner with the gate opened. Usage: npm run bench -- stop-click [clicks=60]
// (SIM2REAL_BENCH_SMOKE=1: 1 click per condition unless given; the runner installs the e2e tools
// when they are missing, as `npm run test:e2e` does.)
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { announceSmoke, smoke } from './smoke';

const clicks = process.argv[2] ?? smoke('60', '1');
announceSmoke(`${clicks} click(s) per condition`);
const result = spawnSync('bash', [join(__dirname, '..', 'scripts', 'e2e.sh'), 'test/e2e/stop-click-latency.e2e.ts'], {
  cwd: join(__dirname, '..'),
  stdio: 'inherit',
  env: { ...process.env, SIM2REAL_STOP_CLICK_BENCH: clicks },
});
process.exit(result.status ?? 1);
