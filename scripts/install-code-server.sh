#!/usr/bin/env bash
# Installs code-server 4.100.3 (= VS Code 1.100, the last release that runs on
# Node 20) into a cache outside git, for the end-to-end tests (test/e2e/).
#
#   scripts/install-code-server.sh            # install unless already cached
#   scripts/install-code-server.sh --force    # rebuild from scratch
#   scripts/install-code-server.sh --print-dir
#
# Cache folder: ${QNN_CODE_SERVER_DIR:-$HOME/.cache/qnn-fpga/code-server-4.100.3}
# Entry point afterwards: $DIR/node_modules/code-server/out/node/entry.js
#
# `npm install code-server` fails offline (its post-install downloads ripgrep
# from GitHub), so this follows the recipe in shared/spec/tooling.md:
#   1. npm install --ignore-scripts code-server@4.100.3; npm rebuild argon2
#   2. lib/vscode: npm install --omit=dev --ignore-scripts; link
#      @vscode/ripgrep/bin/rg -> /usr/bin/rg; node-gyp rebuild of the native
#      modules; node_modules.asar -> node_modules; npm install in extensions/.
# Everything is built in "$DIR.staging" and moved to "$DIR" only when every
# step (and a final check) succeeded; then a marker file is written, so a second
# run is a fast no-op. Any failure exits non-zero with a message saying which
# step failed; the half-built staging folder is left for inspection.
#
# Needs (Debian packages): nodejs 20 + npm, ripgrep, build-essential, python3,
# libkrb5-dev, libsecret-1-dev, libx11-dev, libxkbfile-dev, and the npm
# registry (no other internet access).
set -euo pipefail

VERSION=4.100.3
DIR="${QNN_CODE_SERVER_DIR:-$HOME/.cache/qnn-fpga/code-server-$VERSION}"
MARKER="$DIR/.qnn-install-complete"
ENTRY="$DIR/node_modules/code-server/out/node/entry.js"
NATIVE_MODULES=(@parcel/watcher @vscode/spdlog kerberos native-watchdog node-pty @vscode/deviceid)
NODE_GYP="node-gyp@12"

log() { printf '[install-code-server] %s\n' "$*" >&2; }
die() {
  printf '\n[install-code-server] ERROR: %s\n' "$*" >&2
  printf '[install-code-server] code-server %s was NOT installed (cache: %s).\n' "$VERSION" "$DIR" >&2
  exit 1
}

force=0
case "${1:-}" in
  --force) force=1 ;;
  --print-dir) echo "$DIR"; exit 0 ;;
  "") ;;
  -h|--help) sed -n '2,25p' "$0"; exit 0 ;;
  *) die "unknown argument '$1' (use --force, --print-dir or nothing)" ;;
esac

is_installed() {
  [ -f "$MARKER" ] && [ "$(head -n1 "$MARKER" 2>/dev/null)" = "code-server $VERSION" ] && [ -f "$ENTRY" ]
}

if [ "$force" = 0 ] && is_installed; then
  log "code-server $VERSION already installed in $DIR"
  exit 0
fi

# ---- prerequisites ---------------------------------------------------------
command -v node >/dev/null || die "node is not on PATH (apt package: nodejs, version 20)"
command -v npm >/dev/null || die "npm is not on PATH (apt package: npm, or Node's own npm)"
node_major=$(node -p 'process.versions.node.split(".")[0]')
[ "$node_major" = 20 ] || die "code-server $VERSION needs Node 20, found $(node -v)"
[ -x /usr/bin/rg ] || die "/usr/bin/rg is missing: apt-get install -y ripgrep"
command -v make >/dev/null && command -v g++ >/dev/null || die "no C++ toolchain: apt-get install -y build-essential"
command -v python3 >/dev/null || die "python3 is missing (node-gyp needs it): apt-get install -y python3"
[ -e /usr/include/gssapi/gssapi.h ] || die "Kerberos headers missing: apt-get install -y libkrb5-dev"
[ -d /usr/include/libsecret-1 ] || die "libsecret headers missing: apt-get install -y libsecret-1-dev"
[ -e /usr/include/X11/Xlib.h ] || die "X11 headers missing: apt-get install -y libx11-dev"
[ -e /usr/include/X11/extensions/XKBfile.h ] || die "xkbfile headers missing: apt-get install -y libxkbfile-dev"

# node-gyp must not download Node's headers from nodejs.org (no internet): use
# npm's nodedir if one is configured, else the headers that ship with this Node.
NODEDIR="${npm_config_nodedir:-}"
if [ -z "$NODEDIR" ]; then
  NODEDIR=$(npm config get nodedir 2>/dev/null || true)
  case "$NODEDIR" in undefined|null) NODEDIR= ;; esac
fi
if [ -z "$NODEDIR" ]; then
  node_prefix=$(node -p 'require("path").resolve(process.execPath, "../..")')
  [ -f "$node_prefix/include/node/node.h" ] && NODEDIR="$node_prefix"
fi
if [ -n "$NODEDIR" ]; then
  [ -f "$NODEDIR/include/node/node.h" ] || die "nodedir $NODEDIR has no include/node/node.h"
  export npm_config_nodedir="$NODEDIR"
  log "node-gyp uses the Node headers in $NODEDIR/include/node"
else
  log "warning: no local Node headers found; node-gyp will try to download them"
fi

mkdir -p "$(dirname "$DIR")"
exec 9>"$DIR.lock"
if ! flock -n 9; then
  log "another install is running (lock $DIR.lock); waiting for it…"
  flock 9
  if [ "$force" = 0 ] && is_installed; then
    log "code-server $VERSION was installed by the other run"
    exit 0
  fi
fi

STAGE="$DIR.staging"
start=$(date +%s)
step() { log "[$(( $(date +%s) - start ))s] $*"; }
run() {
  # run <what> <command…>: runs the command, failing with a clear message
  local what=$1; shift
  if ! "$@"; then
    die "step failed: $what (command: $*; in $(pwd)). Staging folder kept at $STAGE"
  fi
}

rm -rf "$STAGE"
mkdir -p "$STAGE"
cd "$STAGE"
printf '{ "name": "qnn-code-server-cache", "private": true }\n' > package.json

step "1/7 npm install --ignore-scripts code-server@$VERSION"
run "npm install code-server" npm install --ignore-scripts --no-audit --no-fund --loglevel=error "code-server@$VERSION"
CS="$STAGE/node_modules/code-server"
[ -f "$CS/out/node/entry.js" ] || die "code-server package has no out/node/entry.js"

step "2/7 npm rebuild argon2"
run "npm rebuild argon2" npm rebuild argon2 --loglevel=error

VS="$CS/lib/vscode"
cd "$VS"
step "3/7 lib/vscode: npm install --omit=dev --ignore-scripts"
run "lib/vscode npm install" npm install --omit=dev --ignore-scripts --no-audit --no-fund --loglevel=error

step "4/7 ripgrep: link @vscode/ripgrep/bin/rg -> /usr/bin/rg"
[ -d node_modules/@vscode/ripgrep ] || die "lib/vscode/node_modules/@vscode/ripgrep is missing"
mkdir -p node_modules/@vscode/ripgrep/bin
ln -sfn /usr/bin/rg node_modules/@vscode/ripgrep/bin/rg

step "5/7 node-gyp rebuild: ${NATIVE_MODULES[*]}"
for m in "${NATIVE_MODULES[@]}"; do
  [ -f "node_modules/$m/binding.gyp" ] || die "native module $m has no binding.gyp in $VS/node_modules/$m"
  step "      $m"
  ( cd "node_modules/$m" && npx --yes "$NODE_GYP" rebuild ${NODEDIR:+--nodedir="$NODEDIR"} --loglevel=error >"$STAGE/node-gyp-${m//\//_}.log" 2>&1 ) \
    || { tail -n 40 "$STAGE/node-gyp-${m//\//_}.log" >&2; die "node-gyp rebuild of $m failed (log: $STAGE/node-gyp-${m//\//_}.log)"; }
  ls "node_modules/$m"/build/Release/*.node >/dev/null 2>&1 || die "node-gyp rebuild of $m produced no build/Release/*.node"
done

step "6/7 node_modules.asar -> node_modules"
ln -sfn node_modules node_modules.asar

step "7/7 extensions/: npm install --omit=dev --ignore-scripts"
( cd extensions && npm install --omit=dev --ignore-scripts --no-audit --no-fund --loglevel=error ) \
  || die "npm install in lib/vscode/extensions failed"

step "checking the native modules load and code-server runs"
for m in "${NATIVE_MODULES[@]}"; do
  node -e 'require(process.argv[1])' "$VS/node_modules/$m" || die "native module $m does not load in $(node -v)"
done
cd "$STAGE"
# (--config: without it code-server writes ~/.config/code-server/config.yaml)
printf 'auth: none\ncert: false\n' > "$STAGE/check-config.yaml"
ver=$(XDG_DATA_HOME="$STAGE/check-xdg" node "$CS/out/node/entry.js" --config "$STAGE/check-config.yaml" --version 2>&1) || die "node entry.js --version failed: $ver"
grep -q "^$VERSION .*Code 1\.100\." <<<"$ver" || die "unexpected code-server --version output: $ver"
rm -rf "$STAGE/check-config.yaml" "$STAGE/check-xdg"

rm -rf "$DIR"
mv "$STAGE" "$DIR"
printf 'code-server %s\ninstalled %s with node %s in %ss\n' "$VERSION" "$(date -u +%FT%TZ)" "$(node -v)" "$(( $(date +%s) - start ))" > "$MARKER"
step "done: code-server $VERSION installed in $DIR"
