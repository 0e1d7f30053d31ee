#!/usr/bin/env node
// The `sim2real` command: the bundled CLI (built by `npm run build`, which `npm install` runs).
'use strict';
const path = require('node:path');
const fs = require('node:fs');
const cli = path.join(__dirname, '..', 'dist', 'cli.js');
if (!fs.existsSync(cli)) {
  process.stderr.write('sim2real: dist/cli.js is missing; run `npm run build` in the project first.\n');
  process.exit(2);
}
require(cli);
