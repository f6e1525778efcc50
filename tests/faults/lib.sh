# shellcheck shell=bash
# Shared helpers for the fault tests (sourced, not run): node processes with
# their stdout in a log, waits on observed state with a deadline, and a
# cleanup that stops exactly the processes these helpers started.
#
# The caller sets CENTRAL, MINER and WALLET (binary paths) and WORK (a scratch
# directory), and calls faults_init once.

declare -A FAULTS_PID  # node name -> pid of its running startnode
FAULTS_CLEANUP=()      # extra cleanup commands (e.g. netns.sh down)

faults_cleanup() {
    local rc=$?
    for name in "${!FAULTS_PID[@]}"; do kill -KILL "${FAULTS_PID[$name]}" 2>/dev/null || true; done
    for name in "${!FAULTS_PID[@]}"; do wait "${FAULTS_PID[$name]}" 2>/dev/null || true; done
    for c in "${FAULTS_CLEANUP[@]}"; do eval "$c" || true; done
    if [[ $rc -ne 0 && $rc -ne 77 ]]; then
        echo "FAILED (exit $rc); node logs:"
        for f in "$WORK"/*.log; do [[ -f $f ]] && { echo "== $f"; tail -n 30 "$f"; }; done
    fi
    [[ -n ${KEEP_WORK:-} ]] || rm -rf "$WORK"
    exit $rc
}

faults_init() {
    mkdir -p "$WORK"
    trap faults_cleanup EXIT
    trap 'exit 130' INT TERM
}

# The link emulator (scripts/netns/linkem.py) the caller started in the
# background: stopped with SIGTERM, so its counters reach its log also on
# failure. Add stop_linkem to FAULTS_CLEANUP.
LINKEM_PID=""
stop_linkem() {
    [[ -n $LINKEM_PID ]] || return 0
    local pid=$LINKEM_PID
    LINKEM_PID=""
    kill -TERM "$pid" 2>/dev/null || true
    wait "$pid"
}

fail() {
    echo "FAIL: $*"
    exit 1
}

now_ms() { date +%s%3N; }

# wait_until SECONDS DESCRIPTION CMD...: polls CMD every 0.2 s until it
# succeeds; fails the test with DESCRIPTION when SECONDS pass first.
wait_until() {
    local limit=$1 what=$2
    shift 2
    local deadline=$(($(now_ms) + limit * 1000))
    until "$@"; do
        (($(now_ms) < deadline)) || fail "timed out after ${limit} s waiting for: $what"
        sleep 0.2
    done
}

# start_node NAME NS BIN ARGS...: runs `BIN startnode ARGS` (in network
# namespace NS unless NS is -), appending its output to $WORK/NAME.log.
start_node() {
    local name=$1 ns=$2 bin=$3
    shift 3
    local -a pre=()
    [[ $ns == - ]] || pre=(ip netns exec "$ns")
    echo "== start $(date +%T.%3N)" >>"$WORK/$name.log"
    "${pre[@]}" "$bin" startnode "$@" >>"$WORK/$name.log" 2>&1 &
    FAULTS_PID[$name]=$!
}

# stop_node NAME [SIGNAL]: SIGTERM (default) or SIGKILL, then reaps it.
# A SIGTERM must end in a clean exit within 30 s.
stop_node() {
    local name=$1 sig=${2:-TERM} pid=${FAULTS_PID[$1]}
    kill -"$sig" "$pid" 2>/dev/null || true
    if [[ $sig == TERM ]]; then
        local deadline=$(($(now_ms) + 30000))
        while kill -0 "$pid" 2>/dev/null; do
            (($(now_ms) < deadline)) || fail "$name did not stop within 30 s of SIGTERM"
            sleep 0.1
        done
    fi
    local rc=0
    wait "$pid" 2>/dev/null || rc=$?
    unset "FAULTS_PID[$name]"
    [[ $sig != TERM || $rc -eq 0 ]] || fail "$name exited with $rc after SIGTERM"
}

# What NAME printed since its last start (its log holds every run): the
# height and hash of its last "tip H HASH" line (-1 and "" if none), and
# its listen multiaddr.
since_start() { awk '/^== start/ {n = 0} {l[n++] = $0} END {for (i = 0; i < n; i++) print l[i]}' "$WORK/$1.log"; }
tip_height() { since_start "$1" | awk '$1 == "tip" {h = $2} END {print (h == "" ? -1 : h)}'; }
tip_hash() { since_start "$1" | awk '$1 == "tip" {h = $3} END {print h}'; }
at_least_height() { (($(tip_height "$1") >= $2)); }
listen_addr() { since_start "$1" | awk '/node listening on/ {a = $NF} END {print a}'; }
has_listen_line() { [[ -n $(listen_addr "$1") ]]; }

# same_tip NAME...: every named node printed the same last tip hash.
same_tip() {
    local first
    first=$(tip_hash "$1")
    [[ -n $first ]] || return 1
    for n in "$@"; do [[ $(tip_hash "$n") == "$first" ]] || return 1; done
}

# no_connection_pileup NAME...: no node refused a peer for holding too many
# connections: a node that redials a peer it is already in session with
# piles up idle connections until the peer refuses them.
no_connection_pileup() {
    for n in "$@"; do
        if grep "refusing inbound connection" "$WORK/$n.log" | head -3; then
            fail "$n refused connections over the per-address limit: a peer piled them up"
        fi
    done
}

# verify_dir DATA_DIR: the stored UTXO set equals a rebuild from the blocks.
verify_dir() {
    local out
    out=$("$WALLET" verify --data-dir "$1" 2>&1) || fail "verify $1: $out"
    [[ $out == ok:* ]] || fail "verify $1: $out"
}

# supply_check DATA_DIR: the unspent outputs read from the blocks (printchain
# --json) sum to the subsidies of heights 0..tip, each coinbase claims no
# more than its subsidy plus its block's fees, and no output is spent twice.
# Prints the height.
supply_check() {
    "$WALLET" printchain --json --data-dir "$1" >"$WORK/chain.json" || fail "printchain $1"
    python3 - "$WORK/chain.json" <<'PY' || fail "supply check of $1"
import json, sys
blocks = sorted(json.load(open(sys.argv[1])), key=lambda b: b["height"])
# regtest: 10 coins, halving every 150 blocks (libchain/src/params.cpp)
def subsidy(h): return (10 * 10**8) >> (h // 150)
outs, spent = {}, set()
for b in blocks:
    fees, coinbase = 0, None
    for tx in b["transactions"]:
        if tx["coinbase"]:
            coinbase = sum(o["value_units"] for o in tx["outputs"])
        else:
            value_in = 0
            for i in tx["inputs"]:
                key = (i["txid"], i["index"])
                if key not in outs or key in spent:
                    sys.exit(f"block {b['height']}: input {key} unknown or spent twice")
                spent.add(key)
                value_in += outs[key]
            fees += value_in - sum(o["value_units"] for o in tx["outputs"])
        for n, o in enumerate(tx["outputs"]):
            outs[(tx["txid"], n)] = o["value_units"]
    if coinbase is None or coinbase > subsidy(b["height"]) + fees:
        sys.exit(f"block {b['height']}: coinbase {coinbase} above subsidy + fees")
supply = sum(v for k, v in outs.items() if k not in spent)
expected = sum(subsidy(b["height"]) for b in blocks)
if supply != expected or blocks[-1]["height"] != len(blocks) - 1:
    sys.exit(f"supply {supply} != {expected} at height {blocks[-1]['height']}")
print(blocks[-1]["height"])
PY
}
