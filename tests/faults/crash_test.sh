#!/usr/bin/env bash
# Crash loop (issue 11): a mining node and a syncing node on loopback, one of
# them SIGKILLed at a random instant, ROUNDS times. After every kill the
# victim's data dir passes `verify` and holds the exact supply (subsidies of
# heights 0..tip, read from its blocks); it restarts with no --connect (only
# its saved peers.json), opens, and catches up to the height the other node
# had when it restarted. At the end both nodes agree on one tip, and neither
# ever held more than a few connections to the other.
#
# usage: crash_test.sh CENTRAL MINER WALLET [ROUNDS]   (default 20; 100 for the long run)
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
CENTRAL=$1 MINER=$2 WALLET=$3 ROUNDS=${4:-20}
WORK=$(mktemp -d /tmp/ck_crash.XXXXXX)
source "$HERE/lib.sh"
faults_init
cd "$WORK"
# The nodes restart on fixed ports: in a network namespace of their own when
# possible (its own loopback, so parallel runs never collide), else on the
# machine's loopback.
NS=-
if bash "$HERE/../../scripts/netns/netns.sh" check >/dev/null; then
    NS=ckc$(($$ % 100000))
    ip netns add "$NS"
    FAULTS_CLEANUP+=("ip netns del $NS")
    ip -n "$NS" link set lo up
fi
SEED=${SEED:-$RANDOM}
RANDOM=$SEED
echo "seed $SEED (rerun with SEED=$SEED)"

port_of() { echo $((42300 + ${1#n})); }
addr_of() { echo "/ip4/127.0.0.1/tcp/$(port_of "$1")"; }
M=$("$WALLET" createwallet --wallet wm.dat | awk '{print $NF}')
"$CENTRAL" createblockchain --address "$M" --data-dir d1 --export-genesis g.dat >/dev/null
# n1 mines, n2 syncs from it; only their first start names a peer.
start1() { start_node n1 "$NS" "$MINER" --node-id 42301 --data-dir d1 --listen "$(addr_of n1)" --log-level info \
    --miner "$M" --continuous --threads 1; }
start2() { start_node n2 "$NS" "$WALLET" --node-id 42302 --data-dir d2 --listen "$(addr_of n2)" --log-level info "$@"; }
start1
wait_until 30 "n1 listening" has_listen_line n1
start2 --genesis g.dat --connect "$(addr_of n1)"
wait_until 60 "n2 syncs 3 blocks" at_least_height n2 3

kills_n1=0 kills_n2=0 catchup_max=0
for ((r = 1; r <= ROUNDS; r++)); do
    if ((RANDOM % 2)); then victim=n1 other=n2; else victim=n2 other=n1; fi
    # A random instant within 0-1.5 s of the last restart's catch-up.
    sleep "$((RANDOM % 1500 / 1000)).$(printf %03d $((RANDOM % 1000)))"
    stop_node "$victim" KILL
    [[ $victim == n1 ]] && kills_n1=$((kills_n1 + 1)) || kills_n2=$((kills_n2 + 1))
    verify_dir "d${victim#n}"
    h=$(supply_check "d${victim#n}")
    # What lets it restart with no --connect: the other node in its peers.json.
    grep -q "\"$(addr_of "$other")/p2p/" "d${victim#n}/peers.json" 2>/dev/null ||
        fail "round $r: $victim's peers.json lacks $other after the kill"
    t0=$(now_ms)
    if [[ $victim == n1 ]]; then start1; else start2; fi
    wait_until 30 "$victim reopens after the kill (round $r)" has_listen_line "$victim"
    target=$(tip_height "$other")
    wait_until 60 "$victim catches up to $target from its saved peers (round $r)" at_least_height "$victim" "$target"
    dt=$(($(now_ms) - t0))
    ((dt > catchup_max)) && catchup_max=$dt
    echo "round $r: killed $victim at stored height $h, verify ok, back at $(tip_height "$victim") (>= $target) in $dt ms"
done

# Mining off, then both nodes on one tip.
stop_node n1
start_node n1 "$NS" "$MINER" --node-id 42301 --data-dir d1 --listen "$(addr_of n1)" --log-level info
wait_until 30 "n1 reopens" has_listen_line n1
wait_until 60 "n1 and n2 agree on a tip" same_tip n1 n2
stop_node n1
stop_node n2
no_connection_pileup n1 n2
for d in d1 d2; do
    verify_dir "$d"
    h=$(supply_check "$d")
done
echo "RESULT crash: $ROUNDS kills (miner $kills_n1, syncer $kills_n2), every restart verified and caught up" \
    "(slowest catch-up $catchup_max ms), final height $h, supply exact"
