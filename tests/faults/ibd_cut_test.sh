#!/usr/bin/env bash
# A node cut off in the middle of its initial download finishes from its
# other peers (issue 11): nodes 1 and 2 hold the same 3,000-block chain, node
# 3 starts empty and downloads from both; once it has connected 300 blocks,
# node 1 is cut off from everyone, and node 3 must still reach the tip (from
# node 2 alone, while node 1 stays unreachable) and pass `verify`.
# Node 3's link is capped at 4 Mbit/s so the cut lands mid-download on a
# fast machine too.
#
# usage: ibd_cut_test.sh CENTRAL MINER WALLET   (root; exits 77 = skipped otherwise)
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
NETNS="$HERE/../../scripts/netns/netns.sh"
CENTRAL=$1 MINER=$2 WALLET=$3
WORK=$(mktemp -d /tmp/ck_ibdcut.XXXXXX)
P=ck$(($$ % 100000))  # unique per run: parallel runs never share a namespace
BLOCKS=${BLOCKS:-3000}
source "$HERE/lib.sh"
bash "$NETNS" check || exit $?
faults_init
FAULTS_CLEANUP+=("bash '$NETNS' down $P")
bash "$NETNS" up $P 3
bash "$NETNS" rate $P 3 4mbit
cd "$WORK"

addr_of() { echo "/ip4/10.77.0.$1/tcp/$((42200 + $1))"; }
node() {
    local i=$1 bin=$2
    shift 2
    start_node "n$i" "$P-$i" "$bin" --node-id $((42200 + i)) --data-dir "d$i" --listen "$(addr_of "$i")" \
        --log-level info "$@"
}
connected() { grep -c "connected block" "$WORK/$1.log" || true; }
at_least_connected() { (($(connected "$1") >= $2)); }

A=$("$WALLET" createwallet --wallet w.dat | awk '{print $NF}')
"$CENTRAL" createblockchain --address "$A" --data-dir d1 --export-genesis g.dat >/dev/null
"$MINER" mine --address "$A" --blocks "$BLOCKS" --threads 1 --data-dir d1 >/dev/null
cp -r d1 d2  # before either first starts: each makes its own node key
tip=$("$WALLET" printchain --count 1 --json --data-dir d1 | sed -n 's/.*"hash": "\([0-9a-f]*\)".*/\1/p')

node 1 "$CENTRAL"
node 2 "$CENTRAL"
wait_until 20 "nodes 1 and 2 listening" has_listen_line n2
wait_until 20 "node 1 listening" has_listen_line n1
node 3 "$WALLET" --genesis g.dat --connect "$(addr_of 1)" --connect "$(addr_of 2)"
wait_until 120 "node 3 connects 300 blocks" at_least_connected n3 301  # genesis is one line
bash "$NETNS" partition $P "1"
t0=$(now_ms)
at_cut=$(($(connected n3) - 1))
((at_cut < BLOCKS)) || fail "node 3 finished ($at_cut blocks) before the cut: not a mid-download cut"
echo "node 1 cut off with node 3 at block $at_cut of $BLOCKS"
wait_until 180 "node 3 reaches the tip from node 2" at_least_height n3 "$BLOCKS"
t1=$(now_ms)
[[ $(tip_hash n3) == "$tip" ]] || fail "node 3's tip $(tip_hash n3) is not $tip"
for i in 1 2 3; do stop_node "n$i"; done
verify_dir d3
h=$(supply_check d3)
[[ $h == "$BLOCKS" ]] || fail "node 3 stored height $h"
echo "RESULT ibd-cut: cut at block $at_cut of $BLOCKS, finished from node 2 $((t1 - t0)) ms after the cut"
