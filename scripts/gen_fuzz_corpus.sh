#!/usr/bin/env bash
# Regenerates the committed seed corpora tests/fuzz/corpus/<target>/ from
# valid encodings: each fuzz target writes its own fuzz_seeds() (built with
# the library's encoders) when CHAINKIT_FUZZ_WRITE_SEEDS names a folder.
# Needs the `fuzz` preset built (scripts/fuzz.sh builds it).
#   scripts/gen_fuzz_corpus.sh [TARGET...]
set -euo pipefail
cd "$(dirname "$0")/.."
bin_dir=build/fuzz/tests/fuzz
if (($# > 0)); then
  targets=("$@")
else
  mapfile -t targets < <(cd "$bin_dir" && find . -maxdepth 1 -type f -name '*_fuzz' -perm -u+x -printf '%f\n' | sort)
fi
for t in "${targets[@]}"; do
  rm -rf "tests/fuzz/corpus/$t"
  CHAINKIT_FUZZ_WRITE_SEEDS="tests/fuzz/corpus/$t" "$bin_dir/$t"
done
