#!/bin/sh
# Prepare tests/browser for use: check Node.js, install the pinned npm
# playwright-core from package-lock.json (npm ci) when node_modules is missing or
# older than the lock file.  Idempotent; runs from any working directory.
# The checks and the install are tests/npm_setup.sh's.
set -eu

case "$0" in
  */*) dir=${0%/*} ;;
  *) dir=. ;;
esac
dir=$(cd "$dir" && pwd)
exec sh "$dir/../npm_setup.sh" "browser tests" "$dir" "playwright-core"
