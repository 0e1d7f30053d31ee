#!/usr/bin/env bash
# `npm run test:e2e [-- test/e2e/<file>.e2e.ts ...]`: the end-to-end tier.
# Installs the tools when missing (scripts/e2e-setup.sh), packages the extension for this platform
# and runs the e2e test files, each in its own real VS Code (code-server + Chromium).
set -euo pipefail
cd "$(dirname "$0")/.."
started=$SECONDS

env_file="$(bash scripts/e2e-setup.sh)"
# shellcheck source=/dev/null
source "$env_file"
echo "[e2e] tools ready after $((SECONDS - started)) s" >&2

SIM2REAL_E2E_VSIX="$(node scripts/package.mjs --out .e2e/sim2real-workbench-e2e.vsix)"
export SIM2REAL_E2E_VSIX
echo "[e2e] packaged $SIM2REAL_E2E_VSIX after $((SECONDS - started)) s" >&2

files=("$@")
if [ "${#files[@]}" -eq 0 ]; then files=(test/e2e/*.e2e.ts); fi
# One file at a time: each runs a code-server and a Chromium, and these machines have 2 cores.
status=0
node --import tsx --test --test-concurrency=1 --test-reporter=spec "${files[@]}" || status=$?
echo "[e2e] finished in $((SECONDS - started)) s (exit $status)" >&2
exit "$status"
