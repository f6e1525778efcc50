#!/usr/bin/env bash
# The wallet file survives a kill during every write (issue 11): `createwallet`
# and `send --mine` are SIGKILLed at random instants across their whole run,
# ROUNDS times. After each kill the wallet still loads, its addresses are the
# ones before the kill plus at most the one being created (in order: a
# prefix-consistent set), a createwallet that reported success kept its key,
# and the chain passes `verify` with the exact supply.
#
# usage: wallet_crash_test.sh CENTRAL MINER WALLET [ROUNDS]   (default 20)
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
CENTRAL=$1 WALLET=$3 ROUNDS=${4:-20}  # $2 (miner) unused: same arguments as the other tests
WORK=$(mktemp -d /tmp/ck_wcrash.XXXXXX)
source "$HERE/lib.sh"
faults_init
cd "$WORK"
SEED=${SEED:-$RANDOM}
RANDOM=$SEED
echo "seed $SEED (rerun with SEED=$SEED)"

A=$("$WALLET" createwallet --wallet w.dat | awk '{print $NF}')
"$CENTRAL" createblockchain --address "$A" --data-dir d --export-genesis g.dat >/dev/null
list() { "$WALLET" listaddresses --wallet w.dat; }
# How long each command runs when not killed: kill instants spread over it.
t0=$(now_ms)
"$WALLET" createwallet --wallet w.dat >/dev/null
t1=$(now_ms)
"$WALLET" send --from "$A" --to "$A" --amount 1 --mine --data-dir d --wallet w.dat >/dev/null
t2=$(now_ms)
span_create=$((t1 - t0 + 20)) span_send=$((t2 - t1 + 20))
echo "createwallet runs ${span_create} ms, send --mine ${span_send} ms (kill instants within those)"

# run_killed SPAN_MS CMD...: runs CMD, SIGKILLs it at a random instant within
# SPAN_MS; prints its stdout; returns its exit status (137 when killed).
run_killed() {
    local span=$1
    shift
    "$@" >"$WORK/out.txt" 2>&1 &
    local pid=$! ms=$((RANDOM * 32768 + RANDOM))
    ms=$((ms % span))
    sleep "$((ms / 1000)).$(printf %03d $((ms % 1000)))"
    kill -KILL "$pid" 2>/dev/null || true
    local rc=0
    { wait "$pid"; } 2>/dev/null || rc=$?  # (no "Killed" line from bash)
    cat "$WORK/out.txt"
    return $rc
}

created=0 killed=0 sends=0
for ((r = 1; r <= ROUNDS; r++)); do
    before=$(list) || fail "round $r: the wallet does not load before the round"
    if ((r % 2)); then
        rc=0
        out=$(run_killed "$span_create" "$WALLET" createwallet --wallet w.dat) || rc=$?
        after=$(list) || fail "round $r: the wallet does not load after createwallet was killed: $(list 2>&1)"
        n0=$(grep -c . <<<"$before") n1=$(grep -c . <<<"$after")
        [[ $(head -n "$n0" <<<"$after") == "$before" ]] || fail "round $r: addresses before the kill changed"
        ((n1 <= n0 + 1)) || fail "round $r: $((n1 - n0)) addresses added by one createwallet"
        if ((rc == 0)); then
            [[ $(tail -n 1 <<<"$after") == "${out##* }" ]] || fail "round $r: the reported address was lost"
            ((n1 == n0 + 1)) || fail "round $r: createwallet succeeded but added no address"
        else
            killed=$((killed + 1))
        fi
        created=$((created + n1 - n0))
    else
        rc=0
        run_killed "$span_send" "$WALLET" send --from "$A" --to "$A" --amount 1 --mine --data-dir d \
            --wallet w.dat >/dev/null || rc=$?
        ((rc == 0)) || killed=$((killed + 1))
        sends=$((sends + 1))
        after=$(list) || fail "round $r: the wallet does not load after send was killed"
        [[ $after == "$before" ]] || fail "round $r: send changed the wallet's addresses"
        verify_dir d
        supply_check d >/dev/null
    fi
done
h=$(supply_check d)
echo "RESULT wallet-crash: $ROUNDS rounds, $killed killed mid-run, $created keys kept, $sends sends;" \
    "wallet loads every time, chain height $h verified, supply exact"
