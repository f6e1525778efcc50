#!/usr/bin/env bash
# Real link conditions (issue 11): every link with tc netem (default 200 ms
# delay, 20 ms jitter, 5% loss). Node 1 holds BLOCKS blocks; nodes 2-4 start
# empty and must all sync them; then node 1 mines 3 more blocks and each must
# reach every node. Prints the sync time and the worst block propagation.
#
# usage: netem_test.sh CENTRAL MINER WALLET [BLOCKS]   (default 200; 1000 in
#        scripts/faults_long.sh). Root, iproute2 and sch_netem, else exit 77.
#        NETEM="..." overrides the netem arguments.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
NETNS="$HERE/../../scripts/netns/netns.sh"
CENTRAL=$1 MINER=$2 WALLET=$3 BLOCKS=${4:-200}
NETEM=${NETEM-delay 200ms 20ms loss 5%}
WORK=$(mktemp -d /tmp/ck_netem.XXXXXX)
P=ck$(($$ % 100000))
source "$HERE/lib.sh"
if [[ -n $NETEM ]]; then bash "$NETNS" check-netem || exit $?; else bash "$NETNS" check || exit $?; fi
faults_init
FAULTS_CLEANUP+=("bash '$NETNS' down $P")
bash "$NETNS" up "$P" 4
[[ -z $NETEM ]] || bash "$NETNS" netem "$P" $NETEM
cd "$WORK"

addr_of() { echo "/ip4/10.77.0.$1/tcp/$((42400 + $1))"; }
node() {
    local i=$1 bin=$2
    shift 2
    start_node "n$i" "$P-$i" "$bin" --node-id $((42400 + i)) --data-dir "d$i" --listen "$(addr_of "$i")" \
        --log-level info "$@"
}
A=$("$WALLET" createwallet --wallet w.dat | awk '{print $NF}')
"$CENTRAL" createblockchain --address "$A" --data-dir d1 --export-genesis g.dat >/dev/null
"$MINER" mine --address "$A" --blocks "$BLOCKS" --threads 1 --data-dir d1 >/dev/null

node 1 "$MINER"
wait_until 30 "node 1 listening" has_listen_line n1
t0=$(now_ms)
node 2 "$WALLET" --genesis g.dat --connect "$(addr_of 1)"
node 3 "$WALLET" --genesis g.dat --connect "$(addr_of 1)" --connect "$(addr_of 2)"
node 4 "$WALLET" --genesis g.dat --connect "$(addr_of 2)" --connect "$(addr_of 3)"
all_at() { for i in 1 2 3 4; do at_least_height "n$i" "$1" || return 1; done; }
wait_until 900 "nodes 2-4 sync $BLOCKS blocks" all_at "$BLOCKS"
t1=$(now_ms)
echo "synced $BLOCKS blocks on every node in $((t1 - t0)) ms"

# Node 1 mines (restarted from its peers.json, links still slowed).
stop_node n1
node 1 "$MINER" --miner "$A" --continuous --threads 1
wait_until 60 "node 1 mines 3 blocks" at_least_height n1 $((BLOCKS + 3))
stop_node n1
node 1 "$MINER"
wait_until 120 "3 new blocks reach every node" all_at $((BLOCKS + 3))
# Propagation of each new block: from node 1's "connected block H" log line
# to the last node's.
worst=$(python3 - "$WORK" "$BLOCKS" <<'PY'
import datetime, re, sys
work, base = sys.argv[1], int(sys.argv[2])
def times(i):
    t = {}
    for line in open(f"{work}/n{i}.log"):
        m = re.match(r"(\S+) info connected block (\d+) ", line)
        if m:
            t.setdefault(int(m.group(2)), datetime.datetime.fromisoformat(m.group(1)))
    return t
logs = {i: times(i) for i in range(1, 5)}
worst = max((max(logs[i][h] for i in range(2, 5)) - logs[1][h]).total_seconds() for h in range(base + 1, base + 4))
print(int(worst * 1000))
PY
)
for i in 1 2 3 4; do stop_node "n$i"; done
for i in 2 3 4; do verify_dir "d$i"; done
echo "RESULT netem ($NETEM): $BLOCKS blocks synced to 3 nodes in $((t1 - t0)) ms;" \
    "each of 3 new blocks reached every node within $worst ms"
