#!/bin/sh
# Prepare tests/browser for use: check Node.js, install the pinned npm
# playwright-core from package-lock.json (npm ci) when node_modules is missing or
# older than the lock file.  Idempotent; runs from any working directory.
set -eu

case "$0" in
  */*) dir=${0%/*} ;;
  *) dir=. ;;
esac
dir=$(cd "$dir" && pwd)

if ! command -v node >/dev/null 2>&1; then
  echo "browser tests: Node.js not found (need >= 20)" >&2
  exit 1
fi
major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
if [ "$major" -lt 20 ] 2>/dev/null; then
  echo "browser tests: Node.js $(node --version 2>/dev/null) too old (need >= 20)" >&2
  exit 1
fi
if ! command -v npm >/dev/null 2>&1; then
  echo "browser tests: npm not found (needed to install playwright-core)" >&2
  exit 1
fi

# npm ci rewrites node_modules/.package-lock.json, so its mtime marks the
# last successful install.
stamp="$dir/node_modules/.package-lock.json"
if [ ! -f "$stamp" ] || [ "$dir/package-lock.json" -nt "$stamp" ] || [ "$dir/package.json" -nt "$stamp" ]; then
  log=$(mktemp "${TMPDIR:-/tmp}/browser-npm-ci.XXXXXX")
  if ! (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error) >"$log" 2>&1; then
    echo "browser tests: npm ci failed in $dir:" >&2
    cat "$log" >&2
    rm -f "$log"
    exit 1
  fi
  rm -f "$log"
  touch "$stamp"
fi
exit 0
