#!/usr/bin/env bash
# The long fault runs (issue 11) behind docs/reliability.md's figures: the
# crash loop 100 times, the wallet kill loop 100 times, and 1,000 blocks over
# links with 200 ms delay, 20 ms jitter and 5% loss (the kernel's sch_netem,
# else scripts/netns/linkem.py over TUN). CI runs the short forms (ctest -L faults).
#   scripts/faults_long.sh [BUILD_DIR]   (default build/asan-ubsan; needs central, miner, wallet built)
set -uo pipefail
cd "$(dirname "$0")/.." || exit 2
apps=${1:-build/asan-ubsan}/apps
bins=("$PWD/$apps/central" "$PWD/$apps/miner" "$PWD/$apps/wallet")
for b in "${bins[@]}"; do [[ -x $b ]] || { echo "missing $b: build central, miner and wallet first"; exit 2; }; done
status=0
run() {
    local name=$1
    shift
    echo "== $name"
    local start=$SECONDS rc=0
    bash "$@" | grep -E "^(RESULT|FAIL|SKIPPED|seed|ping|linkem counters)"
    rc=${PIPESTATUS[0]}
    echo "== $name: exit $rc in $((SECONDS - start)) s"
    [[ $rc -eq 0 || $rc -eq 77 ]] || status=1
}
run "crash loop x100" tests/faults/crash_test.sh "${bins[@]}" 100
run "wallet kill loop x100" tests/faults/wallet_crash_test.sh "${bins[@]}" 100
run "netem 1000 blocks" tests/faults/netem_test.sh "${bins[@]}" 1000
run "partition" tests/faults/partition_test.sh "${bins[@]}"
run "ibd cut" tests/faults/ibd_cut_test.sh "${bins[@]}"
exit $status
