#!/usr/bin/env bash
# The coin tutorial's network scenario ("Part 7: Network"), run for real with
# four processes on loopback, every step printed and every balance checked:
#   central (NODE_ID 3000) creates the chain and pays WALLET_1 and WALLET_2
#   10 each with --mine; a wallet node (3001) and a miner node (3002) join it
#   and download the chain; the wallet node sends 1 to WALLET_3 and 1 to
#   WALLET_4 through the network; the miner mines them; the balances are the
#   tutorial's. Then central stops, and two new payments sent through the
#   wallet node are mined by the miner, which only ever knew central.
#
#   network_scenario.sh BIN_DIR [WORK_DIR]
# BIN_DIR holds central, wallet and miner. BASE_PORT (default 3000) moves the
# three NODE_IDs (BASE_PORT, +1, +2) so a test can run beside a demo.
# Exit status 0 only if every check passed.
set -euo pipefail
bin=$(cd "$1" && pwd)
work=${2:-$(mktemp -d "${TMPDIR:-/tmp}/chainkit-network.XXXXXX")}
# A folder of an earlier run (marked) is cleared; any other non-empty one is refused.
if [[ -f $work/.chainkit-scenario ]]; then
  rm -rf "$work"
elif [[ -d $work && -n $(ls -A "$work") ]]; then
  echo "network_scenario.sh: $work is not empty; give an empty or new folder" >&2
  exit 2
fi
mkdir -p "$work" && touch "$work/.chainkit-scenario"
cd "$work"
base=${BASE_PORT:-3000}
central_id=$base wallet_id=$((base + 1)) miner_id=$((base + 2))
timeout_s=${SCENARIO_TIMEOUT:-60}
pids=()

cleanup() {
  for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
}
trap cleanup EXIT

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
fail() {
  echo "scenario FAILED: $*" >&2
  for f in central.log wallet.log miner.log; do
    [[ -f $f ]] && { echo "--- last lines of $f" >&2; tail -n 15 "$f" >&2; }
  done
  exit 1
}
# run NODE_ID BINARY ARGS...: prints the command and its output.
run() {
  local id=$1 b=$2
  shift 2
  printf '\033[1m[%s]$ %s %s\033[0m\n' "$id" "$b" "$*"
  NODE_ID=$id "$bin/$b" "$@"
}
new_address() { NODE_ID=$1 "$bin/$2" createwallet | awk '/address/ {print $NF}' | tail -n1; }

# wait_log FILE PATTERN: waits until FILE has a line matching PATTERN.
wait_log() {
  local deadline=$((SECONDS + timeout_s))
  until grep -q -- "$2" "$1" 2>/dev/null; do
    ((SECONDS < deadline)) || fail "no line matching '$2' in $1 after ${timeout_s}s"
    sleep 0.2
  done
}
# start_node NAME ID BINARY ARGS...: starts `BINARY startnode ARGS` logging
# to NAME.log and waits for its listen line.
start_node() {
  local name=$1 id=$2 b=$3
  shift 3
  printf '\033[1m[%s]$ %s startnode %s &\033[0m\n' "$id" "$b" "$*"
  NODE_ID=$id "$bin/$b" startnode "$@" >"$name.log" 2>&1 &
  pids+=($!)
  eval "${name}_pid=$!"
  wait_log "$name.log" "node listening on"
  grep -m1 "node listening on" "$name.log"
}
listen_addr() { grep -m1 "node listening on" "$1.log" | awk '{print $NF}'; }
# expect_balance ID ADDRESS_NAME ADDRESS COINS
expect_balance() {
  local out
  out=$(NODE_ID=$1 "$bin/wallet" getbalance --address "$3") || fail "getbalance $2: $out"
  echo "$2: $out"
  [[ $out == "Balance of '$3': $4" || $out == "Balance of '$3': $4 ("* ]] || fail "$2 should hold $4"
}

say "addresses: central, four wallets, miner"
CENTRAL=$(new_address "$central_id" central)
W1=$(new_address "$wallet_id" wallet)
W2=$(new_address "$wallet_id" wallet)
W3=$(new_address "$wallet_id" wallet)
W4=$(new_address "$wallet_id" wallet)
MINER=$(new_address "$miner_id" miner)
printf 'CENTRAL %s\nWALLET_1 %s\nWALLET_2 %s\nWALLET_3 %s\nWALLET_4 %s\nMINER %s\n' \
  "$CENTRAL" "$W1" "$W2" "$W3" "$W4" "$MINER"

say "central creates the chain and pays WALLET_1 and WALLET_2 10 each (mined at once)"
run "$central_id" central createblockchain --address "$CENTRAL" --export-genesis genesis.dat
run "$central_id" central send --from "$CENTRAL" --to "$W1" --amount 10 --mine
run "$central_id" central send --from "$CENTRAL" --to "$W2" --amount 10 --mine

say "central starts; the wallet node and the miner node join it with only the genesis file"
start_node central "$central_id" central
central_addr=$(listen_addr central)
start_node wallet "$wallet_id" wallet --genesis genesis.dat --connect "$central_addr"
start_node miner "$miner_id" miner --genesis genesis.dat --connect "$central_addr" --miner "$MINER" --min-txs 2
wait_log wallet.log "^tip 2 "
wait_log miner.log "^tip 2 "
echo "wallet and miner nodes downloaded the chain (height 2)"
expect_balance "$wallet_id" WALLET_1 "$W1" 10
expect_balance "$wallet_id" WALLET_2 "$W2" 10
expect_balance "$wallet_id" CENTRAL "$CENTRAL" 10

say "the wallet node sends 1 to WALLET_3 and 1 to WALLET_4 through the network"
run "$wallet_id" wallet send --from "$W1" --to "$W3" --amount 1 || fail "send to WALLET_3"
run "$wallet_id" wallet send --from "$W2" --to "$W4" --amount 1 || fail "send to WALLET_4"
say "the miner mines them (it mines once 2 transactions wait); the wallet node syncs"
wait_log miner.log "^tip 3 "
wait_log wallet.log "^tip 3 "
expect_balance "$wallet_id" WALLET_1 "$W1" 9
expect_balance "$wallet_id" WALLET_2 "$W2" 9
expect_balance "$wallet_id" WALLET_3 "$W3" 1
expect_balance "$wallet_id" WALLET_4 "$W4" 1
expect_balance "$wallet_id" MINER "$MINER" 10
expect_balance "$wallet_id" CENTRAL "$CENTRAL" 10

say "the wallet node's Prometheus metrics (GET /metrics on its RPC port)"
rpc_url=$(cat "blockchain_$wallet_id/rpc.endpoint")
rpc_port=${rpc_url##*:}
exec 3<>"/dev/tcp/127.0.0.1/$rpc_port"
printf 'GET /metrics HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n' >&3
metrics=$(cat <&3)
exec 3<&-
grep -E '^chainkit_(block_height|peers|blocks_accepted_total|transactions_accepted_total)' <<<"$metrics" ||
  fail "no metrics from $rpc_url/metrics"
grep -q '^chainkit_block_height 3$' <<<"$metrics" || fail "metrics do not show height 3"

say "central stops; the wallet and miner nodes stay connected to each other"
kill -TERM "$central_pid"
wait "$central_pid" || fail "central did not stop cleanly"
echo "central stopped"
run "$wallet_id" wallet send --from "$W3" --to "$W1" --amount 0.5 || fail "send without central"
run "$wallet_id" wallet send --from "$W4" --to "$W2" --amount 0.5 || fail "send without central"
wait_log miner.log "^tip 4 "
wait_log wallet.log "^tip 4 "
echo "the miner, which only ever knew central's address, mined the payments; the wallet node has them"
expect_balance "$wallet_id" WALLET_1 "$W1" 9.5
expect_balance "$wallet_id" WALLET_2 "$W2" 9.5
expect_balance "$wallet_id" WALLET_3 "$W3" 0.5
expect_balance "$wallet_id" WALLET_4 "$W4" 0.5
expect_balance "$wallet_id" MINER "$MINER" 20

say "scenario passed: the tutorial's balances, and the network kept working without central"
