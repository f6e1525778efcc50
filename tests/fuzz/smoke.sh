#!/usr/bin/env bash
# One fuzz-smoke test (CTest label fuzz-smoke): replays a target's committed
# corpus and regression inputs, then fuzzes for a few seconds. New corpus
# entries and crash artifacts go to a scratch folder in the build tree, never
# into the repository. The seed and the run count are fixed so a CI run
# explores the same inputs every time (a new finding belongs to
# scripts/fuzz.sh's long runs, not to a random red CI); the time cap only
# bounds slow targets.
#   smoke.sh BINARY TARGET SOURCE_DIR SCRATCH_DIR SECONDS
set -euo pipefail
bin=$1 name=$2 src=$3 scratch=$4/$2 seconds=$5
rm -rf "$scratch"
mkdir -p "$scratch/new" "$scratch/artifacts"
dirs=("$scratch/new")  # libFuzzer writes new inputs to the first folder only
for d in "$src/corpus/$name" "$src/regressions/$name"; do
  if [[ -d $d ]]; then dirs+=("$d"); fi
done
exec "$bin" -seed=1 -runs=30000 -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 -print_funcs=0 \
  -artifact_prefix="$scratch/artifacts/" "${dirs[@]}"
