#!/bin/sh
# Shared by tests/interop/setup.sh and tests/browser/setup.sh: checks
# Node.js (>= 20) and npm, then installs the folder's pinned npm packages
# from its package-lock.json (npm ci) when node_modules is missing or older
# than the lock file. Idempotent.
#   npm_setup.sh LABEL DIR WHAT      (WHAT: what npm installs, for messages)
set -eu
label=$1 dir=$2 what=$3

if ! command -v node >/dev/null 2>&1; then
  echo "$label: Node.js not found (need >= 20)" >&2
  exit 1
fi
major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
if [ "$major" -lt 20 ] 2>/dev/null; then
  echo "$label: Node.js $(node --version 2>/dev/null) too old (need >= 20)" >&2
  exit 1
fi
if ! command -v npm >/dev/null 2>&1; then
  echo "$label: npm not found (needed to install $what)" >&2
  exit 1
fi

# npm ci rewrites node_modules/.package-lock.json, so its mtime marks the
# last successful install.
stamp="$dir/node_modules/.package-lock.json"
if [ ! -f "$stamp" ] || [ "$dir/package-lock.json" -nt "$stamp" ] || [ "$dir/package.json" -nt "$stamp" ]; then
  log=$(mktemp "${TMPDIR:-/tmp}/npm-ci.XXXXXX")
  if ! (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error) >"$log" 2>&1; then
    echo "$label: npm ci failed in $dir:" >&2
    cat "$log" >&2
    rm -f "$log"
    exit 1
  fi
  rm -f "$log"
  touch "$stamp"
fi
exit 0
