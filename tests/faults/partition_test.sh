#!/usr/bin/env bash
# Partition and heal (issue 11): four nodes on their own network namespaces,
# split {1,2} | {3,4}. Both halves mine; the {3,4} half also mines a payment
# (transaction T). The halves heal and every node must converge on the
# most-work chain ({1,2}'s, made longer on purpose), pass `verify`, hold the
# exact supply, and T (undone by the reorg) must come back from the losing
# side's mempool and be mined on the winning chain.
#
# usage: partition_test.sh CENTRAL MINER WALLET   (root; exits 77 = skipped otherwise)
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
NETNS="$HERE/../../scripts/netns/netns.sh"
CENTRAL=$1 MINER=$2 WALLET=$3
WORK=$(mktemp -d /tmp/ck_partition.XXXXXX)
P=ck$(($$ % 100000))  # unique per run: parallel runs never share a namespace
source "$HERE/lib.sh"
bash "$NETNS" check || exit $?
faults_init
FAULTS_CLEANUP+=("bash '$NETNS' down $P")
bash "$NETNS" up $P 4
cd "$WORK"

addr_of() { echo "/ip4/10.77.0.$1/tcp/$((42100 + $1))"; }
# node I ROLE_BIN [ARGS...]: startnode in namespace I on its own address;
# --connect is added by the caller only on first start.
node() {
    local i=$1 bin=$2
    shift 2
    start_node "n$i" "$P-$i" "$bin" --node-id $((42100 + i)) --data-dir "d$i" --listen "$(addr_of "$i")" \
        --log-level info "$@"
}

# Genesis paying A (wallet w1.dat); miner payout addresses MA (side 1) and MB.
A=$("$WALLET" createwallet --wallet w1.dat | awk '{print $NF}')
MA=$("$WALLET" createwallet --wallet wa.dat | awk '{print $NF}')
MB=$("$WALLET" createwallet --wallet wb.dat | awk '{print $NF}')
"$CENTRAL" createblockchain --address "$A" --data-dir d1 --export-genesis g.dat >/dev/null
cp w1.dat w3.dat  # side B's copy of A's key, to pay from the genesis coin

echo "phase 1: all connected, node 1 mines"
node 1 "$MINER" --miner "$MA" --continuous --threads 1
wait_until 20 "n1 listening" has_listen_line n1
node 2 "$WALLET" --genesis g.dat --connect "$(addr_of 1)"
node 3 "$MINER" --genesis g.dat --connect "$(addr_of 1)" --connect "$(addr_of 2)"
node 4 "$WALLET" --genesis g.dat --connect "$(addr_of 1)" --connect "$(addr_of 3)"
all_at() { for i in 1 2 3 4; do at_least_height "n$i" "$1" || return 1; done; }
wait_until 60 "all nodes at height 5" all_at 5

echo "phase 2: partition {1,2} | {3,4}"
bash "$NETNS" partition $P "3 4"
# Side B: node 3, its only miner, mines T offline, then restarts from its
# peers.json alone and mines on top of T's block.
stop_node n3
sent=$("$WALLET" send --from "$A" --to "$MB" --amount 3 --mine --data-dir d3 --wallet w3.dat)
T=$(sed -n 's/.* in transaction \([0-9a-f]*\),.*/\1/p' <<<"$sent")
hb0=$(sed -n 's/.* at height \([0-9]*\)$/\1/p' <<<"$sent")
[[ -n $T && -n $hb0 ]] || fail "send --mine on node 3: $sent"
node 3 "$MINER" --miner "$MB" --continuous --threads 1
wait_until 60 "side B mines 4 blocks" at_least_height n4 $((hb0 + 4))
# Node 3 now mines only when its pool holds a transaction: T, after the reorg.
stop_node n3
node 3 "$MINER" --miner "$MB" --min-txs 1 --threads 1
hb=$(tip_height n4)
wait_until 60 "side A 3 blocks ahead of side B" at_least_height n2 $((hb + 3))
stop_node n1
node 1 "$MINER"
wait_until 20 "n1 restarted" has_listen_line n1
wait_until 30 "side A settles" same_tip n1 n2
ha=$(tip_height n1) a_tip=$(tip_hash n1)
hb=$(tip_height n4)
((ha > hb)) || fail "side A ($ha) is not ahead of side B ($hb)"
echo "side A at $ha ($a_tip), side B at $hb"

echo "phase 3: heal"
t0=$(now_ms)
bash "$NETNS" heal $P
all_past() { for i in 1 2 3 4; do at_least_height "n$i" "$1" || return 1; done; same_tip n1 n2 n3 n4; }
wait_until 120 "every node on side A's chain or beyond" all_past "$ha"
t1=$(now_ms)
# T comes back into node 3's pool in the reorg and node 3 mines it.
wait_until 120 "T mined on the winning chain" all_past $((ha + 1))
t2=$(now_ms)
for i in 1 2 3 4; do stop_node "n$i"; done
no_connection_pileup n1 n2 n3 n4

for i in 1 2 3 4; do
    verify_dir "d$i"
    h=$(supply_check "d$i")
    "$WALLET" printchain --json --data-dir "d$i" >"chain$i.json"
    python3 - "chain$i.json" "$ha" "$a_tip" "$T" <<'PY' || fail "node $i: side A's block or T missing"
import json, sys
blocks = {b["height"]: b for b in json.load(open(sys.argv[1]))}
assert blocks[int(sys.argv[2])]["hash"] == sys.argv[3], "side A's tip is not in the chain"
assert any(t["txid"] == sys.argv[4] for b in blocks.values() for t in b["transactions"]), "T is not mined"
PY
    echo "node $i: verify ok, supply exact at height $h, side A's tip and T in its chain"
done
echo "RESULT partition: heal to converged $((t1 - t0)) ms, to T re-mined $((t2 - t0)) ms (side A $ha, side B $hb)"
