#!/usr/bin/env bash
# Runs libFuzzer targets for as long as asked (docs/reliability.md):
#   scripts/fuzz.sh TARGET|all SECONDS
# TARGET is an executable name such as yamux_session_fuzz. Builds the `fuzz`
# preset first. New corpus entries and crash artifacts are kept in a scratch
# folder outside the repository ($CHAINKIT_FUZZ_SCRATCH, default
# /tmp/chainkit-fuzz/<target>/), so a later run resumes from them; the
# committed corpus (tests/fuzz/corpus/) and regressions are read, never
# written. Prints, per target, executions, exec/s, coverage (libFuzzer's cov
# = edges, ft = features) and corpus size; exits non-zero if any target
# crashed, naming the artifact to keep as a regression input.
set -euo pipefail
cd "$(dirname "$0")/.."
if (($# != 2)) || ! [[ $2 =~ ^[0-9]+$ ]]; then
  echo "usage: scripts/fuzz.sh TARGET|all SECONDS" >&2
  exit 2
fi
target=$1 seconds=$2
scratch=${CHAINKIT_FUZZ_SCRATCH:-/tmp/chainkit-fuzz}
src=tests/fuzz

if ! out=$(cmake --preset fuzz 2>&1 && cmake --build --preset fuzz 2>&1); then
  echo "$out" | tail -40 >&2
  echo "fuzz.sh: the fuzz preset did not build (needs clang-14: scripts/bootstrap.sh)" >&2
  exit 1
fi
bin_dir=build/fuzz/tests/fuzz
if [[ $target == all ]]; then
  mapfile -t targets < <(cd "$bin_dir" && find . -maxdepth 1 -type f -name '*_fuzz' -perm -u+x -printf '%f\n' | sort)
else
  [[ -x $bin_dir/$target ]] || { echo "fuzz.sh: no target $target in $bin_dir" >&2; exit 2; }
  targets=("$target")
fi

failed=()
printf '%-26s %8s %12s %9s %7s %7s %7s\n' target seconds execs exec/s cov ft corpus
for t in "${targets[@]}"; do
  work=$scratch/$t
  mkdir -p "$work/corpus" "$work/artifacts"
  dirs=("$work/corpus")
  for d in "$src/corpus/$t" "$src/regressions/$t"; do
    if [[ -d $d ]]; then dirs+=("$d"); fi
  done
  log=$work/last_run.log
  status=0
  "$bin_dir/$t" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 -print_funcs=0 \
    -artifact_prefix="$work/artifacts/" "${dirs[@]}" >"$log" 2>&1 || status=$?
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
  last=$(grep -E '^#[0-9]+' "$log" | tail -1 || true)
  cov=$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<<"$last")
  ft=$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<<"$last")
  corp=$(sed -n 's/.* corp: \([0-9]*\/[0-9]*[a-zA-Z]*\).*/\1/p' <<<"$last")
  printf '%-26s %8s %12s %9s %7s %7s %7s\n' "$t" "$seconds" "${execs:-?}" "${rate:-?}" "${cov:-?}" "${ft:-?}" "${corp:-?}"
  if ((status != 0)); then
    failed+=("$t")
    echo "  FAILED (exit $status): log $log; artifacts in $work/artifacts/" >&2
    grep -m3 -E 'ERROR|FUZZ_CHECK|SUMMARY' "$log" | sed 's/^/  /' >&2 || true
  fi
done
if ((${#failed[@]} > 0)); then
  echo "fuzz.sh: findings in ${failed[*]}: fix them and keep each input under tests/fuzz/regressions/<target>/" >&2
  exit 1
fi
