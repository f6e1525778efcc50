#!/usr/bin/env bash
# Fails when a tracked C++ file differs from what the root .clang-format
# makes of it. Fix with: git ls-files '*.cpp' '*.hpp' | xargs clang-format-14 -i
# Uses clang-format-14 when installed: the tree is formatted with it, and other
# versions format some constructs differently.
set -euo pipefail
cd "$(dirname "$0")/.."
CLANG_FORMAT=clang-format
if command -v clang-format-14 >/dev/null 2>&1; then CLANG_FORMAT=clang-format-14; fi
files=$(git ls-files '*.cpp' '*.hpp' '*.h')
if ! echo "$files" | xargs "$CLANG_FORMAT" --dry-run --Werror 2>/tmp/chainkit_format.$$; then
  grep -o '^[^:]*:[0-9]*' /tmp/chainkit_format.$$ | sort -u | head -20 >&2
  rm -f /tmp/chainkit_format.$$
  echo "check_format: files above differ from .clang-format (run $CLANG_FORMAT -i on them)" >&2
  exit 1
fi
rm -f /tmp/chainkit_format.$$
echo "check_format: $(echo "$files" | wc -l) files match .clang-format ($CLANG_FORMAT)"
