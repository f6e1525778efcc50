#!/usr/bin/env bash
# The link emulator's contract (scripts/netns/linkem.py): 2,000 numbered UDP
# datagrams, one every 0.5 ms, from host 1 to host 2 across linkem with 50 ms
# +- 20 ms delay and 10% loss. Checks that every datagram was held at least
# delay - jitter and at most delay + jitter (plus the lateness linkem
# reports for a loaded machine), that the link kept FIFO
# order (and that --reorder does reorder), that the loss rate is near 10% and
# the counters match what the receiver saw, and that the same seed drops the
# same datagrams again.
#
# usage: linkem_test.sh [ANY...]   (arguments ignored; CTest passes the apps).
#        Root, iproute2 and TUN, else exit 77 (skipped).
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
NETNS="$HERE/../../scripts/netns/netns.sh"
PROBE="$HERE/linkem_probe.py"
P=ck$(($$ % 100000))
source "$HERE/lib.sh"
# The interpreter itself: a version manager's shim (pyenv) adds seconds to
# every start on a loaded machine.
PYTHON=$(python3 -c 'import sys; print(sys.executable)' 2>/dev/null || echo python3)
export PYTHON
bash "$NETNS" check-tun || exit $?
WORK=$(mktemp -d /tmp/ck_linkem.XXXXXX)
faults_init
FAULTS_CLEANUP+=(stop_linkem "bash '$NETNS' down $P")
bash "$NETNS" up-tun "$P" 2
COUNT=2000 DELAY=50 JITTER=20 LOSS=0.10

field() { echo "$1" | tr ' ' '\n' | awk -F= -v k="$2" '$1 == k {print $2}'; }

# run NAME LINKEM_ARGS...: one probe run; sets RX (the receiver's line) and
# COUNTERS (linkem's counters line).
run() {
    local name=$1
    shift
    bash "$NETNS" linkem "$P" --delay-ms $DELAY --jitter-ms $JITTER --loss $LOSS "$@" >"$WORK/$name.linkem.log" 2>&1 &
    LINKEM_PID=$!
    wait_until 10 "linkem attached" grep -qs '^linkem: attached' "$WORK/$name.linkem.log"
    ip netns exec "$P-2" "$PYTHON" "$PROBE" receive 10.77.0.2 9000 2 >"$WORK/$name.rx.log" 2>&1 &
    local rx=$!
    FAULTS_PID["rx"]=$rx
    wait_until 10 "receiver ready" grep -qs '^ready' "$WORK/$name.rx.log"
    ip netns exec "$P-1" "$PYTHON" "$PROBE" send 10.77.0.2 9000 $COUNT 0.5
    wait "$rx" || fail "$name: receiver failed: $(cat "$WORK/$name.rx.log")"
    unset "FAULTS_PID[rx]"
    stop_linkem || fail "$name: linkem exited with $? after SIGTERM"
    RX=$(tail -1 "$WORK/$name.rx.log")
    COUNTERS=$(grep '^linkem counters' "$WORK/$name.linkem.log")
    echo "$name: ${RX%% lost=*}"
    echo "$name: $COUNTERS"
}

# check NAME: the delay bounds, loss rate and counters of the last run.
check() {
    local name=$1 received forwarded dropped
    received=$(field "$RX" received)
    read -r forwarded dropped < <(echo "$COUNTERS" | awk '{for (i = 1; i < NF; i++) {
        if ($i == "forwarded") f = $(i + 1); if ($i == "dropped") d = $(i + 1)} print f, d}')
    ((forwarded == received)) || fail "$name: linkem forwarded $forwarded datagrams, the receiver got $received"
    ((forwarded + dropped == COUNT)) || fail "$name: linkem saw $((forwarded + dropped)) datagrams, $COUNT were sent"
    # 10% of 2,000: 200 +- 13 (one sigma); 120..280 is six sigmas either way.
    ((dropped >= 120 && dropped <= 280)) || fail "$name: $dropped of $COUNT dropped, not about 10%"
    # Never early: the receiver's clock reading can only add to the delay.
    awk -v lo="$(field "$RX" delay_min_ms)" -v d=$DELAY -v j=$JITTER 'BEGIN {exit !(lo >= d - j - 0.5)}' ||
        fail "$name: a datagram arrived after $(field "$RX" delay_min_ms) ms, under ${DELAY} - ${JITTER} ms"
    # Never held past delay + jitter beyond the lateness linkem reports (the
    # receiver's own readings are late by whatever a loaded machine adds).
    local held late
    held=$(echo "$COUNTERS" | sed -n 's/.*held mean [0-9.]* ms (min [0-9.]*, max \([0-9.]*\)).*/\1/p')
    late=$(echo "$COUNTERS" | sed -n 's/.*released late by up to \([0-9.]*\) ms.*/\1/p')
    awk -v h="$held" -v l="$late" -v d=$DELAY -v j=$JITTER 'BEGIN {exit !(h != "" && h <= d + j + l + 1)}' ||
        fail "$name: linkem held a packet $held ms, over ${DELAY} + ${JITTER} ms + its lateness $late ms"
}

run fifo --seed 7
check fifo
[[ $(field "$RX" reordered) == 0 ]] || fail "fifo: $(field "$RX" reordered) datagrams reordered on a FIFO link"
lost_first=$(field "$RX" lost)

run again --seed 7
check again
[[ $(field "$RX" lost) == "$lost_first" ]] || fail "the same seed dropped other datagrams"

# Jitter of +-20 ms with 0.5 ms spacing must reorder when allowed to.
run reorder --seed 7 --reorder
check reorder
(($(field "$RX" reordered) > 0)) || fail "reorder: --reorder reordered nothing"
echo "RESULT linkem: delays within ${DELAY} +- ${JITTER} ms, FIFO kept, loss near 10%, counters exact, seed reproducible, --reorder reorders"
