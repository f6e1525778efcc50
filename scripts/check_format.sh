#!/usr/bin/env bash
# Fails when a tracked C++ file differs from what the root .clang-format
# makes of it. Fix with: git ls-files '*.cpp' '*.hpp' | xargs clang-format -i
set -euo pipefail
cd "$(dirname "$0")/.."
files=$(git ls-files '*.cpp' '*.hpp' '*.h')
if ! echo "$files" | xargs clang-format --dry-run --Werror 2>/tmp/chainkit_format.$$; then
  grep -o '^[^:]*:[0-9]*' /tmp/chainkit_format.$$ | sort -u | head -20 >&2
  rm -f /tmp/chainkit_format.$$
  echo "check_format: files above differ from .clang-format (run clang-format -i on them)" >&2
  exit 1
fi
rm -f /tmp/chainkit_format.$$
echo "check_format: $(echo "$files" | wc -l) files match .clang-format"
