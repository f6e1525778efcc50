#!/usr/bin/env bash
# Test hosts for the fault tests: N Linux network namespaces, each with one
# address on a private bridge, so nodes talk over real links that can be cut,
# healed and slowed without touching the machine's own interfaces.
#
#   netns.sh check                   exit 0 if usable, else print why and exit 77
#   netns.sh check-netem             as check, and tc netem must exist too
#   netns.sh check-tun               as check, and TUN devices and python3 too
#   netns.sh up PREFIX N             namespaces PREFIX-1..PREFIX-N at 10.77.0.1..N/24
#   netns.sh up-tun PREFIX N         the same hosts on a TUN device each (tun0), no
#                                    bridge: linked only while `linkem` runs
#   netns.sh linkem PREFIX ARGS...   runs scripts/netns/linkem.py ARGS over the up-tun
#                                    hosts (e.g. --delay-ms 200 --jitter-ms 20 --loss 0.05)
#                                    with $PYTHON (default python3), in the foreground
#   netns.sh ip PREFIX I             the address of host I
#   netns.sh partition PREFIX "I J"  hosts I, J... on a bridge of their own
#   netns.sh heal PREFIX             every host back on the shared bridge
#   netns.sh netem PREFIX ARGS...    tc netem ARGS on every host's outgoing link (e.g.
#                                    delay 200ms 20ms loss 5%): once per packet, as linkem
#   netns.sh rate PREFIX I RATE      what host I receives, capped at RATE (tc tbf, e.g. 2mbit)
#   netns.sh down PREFIX             removes everything `up` or `up-tun` made (idempotent)
#
# The bridges live in a namespace of their own (PREFIX-hub), not in the root
# one: deleting the namespaces removes every veth, bridge and TUN with them, and
# no route or address of the machine changes. PREFIX: letters and digits, unique
# per run. partition, heal, netem and rate need `up` (a bridge), not `up-tun`.
# 77 is CTest's SKIP_RETURN_CODE for the tests that use this script.
set -euo pipefail

SKIP=77
HERE=$(cd "$(dirname "$0")" && pwd)

why_unusable() {
    [[ $(id -u) -eq 0 ]] || { echo "needs root (uid $(id -u))"; return; }
    command -v ip >/dev/null || { echo "needs iproute2 (ip)"; return; }
    local probe="ckprobe$$"
    ip netns add "$probe" 2>/dev/null || { echo "cannot create network namespaces"; return; }
    if ! ip -n "$probe" link add pa type veth peer name pb 2>/dev/null; then
        ip netns del "$probe"
        echo "cannot create veth pairs"
        return
    fi
    if [[ ${1:-} == tun ]]; then
        if ! command -v python3 >/dev/null; then
            echo "needs python3 (for linkem.py)"
        elif ! ip -n "$probe" tuntap add dev pt mode tun 2>/dev/null; then
            echo "cannot create TUN devices (/dev/net/tun)"
        fi
    fi
    if [[ ${1:-} == netem ]]; then
        if ! command -v tc >/dev/null; then
            echo "needs tc (iproute2)"
        elif ! ip netns exec "$probe" tc qdisc add dev pa root netem delay 1ms 2>/dev/null; then
            echo "this kernel has no tc netem qdisc (sch_netem)"
        fi
    fi
    ip netns del "$probe"
}

check() {
    local why
    why=$(why_unusable "${1:-}")
    if [[ -n $why ]]; then
        echo "SKIPPED: network namespace harness unavailable: $why"
        exit $SKIP
    fi
}

up() {
    local p=$1 n=$2 hub="${1}-hub"
    down "$p"
    ip netns add "$hub"
    ip -n "$hub" link add br0 type bridge
    ip -n "$hub" link add br1 type bridge
    ip -n "$hub" link set br0 up
    ip -n "$hub" link set br1 up
    for ((i = 1; i <= n; i++)); do
        ip netns add "$p-$i"
        ip -n "$hub" link add "v$i" type veth peer name eth0 netns "$p-$i"
        ip -n "$hub" link set "v$i" master br0 up
        ip -n "$p-$i" addr add "10.77.0.$i/24" dev eth0
        ip -n "$p-$i" link set eth0 up
        ip -n "$p-$i" link set lo up
    done
}

up_tun() {
    local p=$1 n=$2
    down "$p"
    for ((i = 1; i <= n; i++)); do
        local ns="$p-$i"
        ip netns add "$ns"
        # Persistent, so it exists (and holds its address and route) before
        # linkem.py attaches to it; it goes with the namespace.
        ip -n "$ns" tuntap add dev tun0 mode tun
        # Room for a burst while linkem (one Python process) catches up: past
        # the queue the kernel drops silently, which linkem could not count.
        ip -n "$ns" link set tun0 txqueuelen 4096
        # No IPv6 on it: linkem forwards IPv4 only, and router solicitations
        # would only add noise to its counters.
        ip netns exec "$ns" sh -c 'echo 1 >/proc/sys/net/ipv6/conf/tun0/disable_ipv6' 2>/dev/null || true
        ip -n "$ns" addr add "10.77.0.$i/24" dev tun0
        ip -n "$ns" link set tun0 up
        ip -n "$ns" link set lo up
    done
}

linkem() {
    local p=$1
    shift
    local -a hosts=()
    for i in $(hosts "$p"); do hosts+=("$p-$i=10.77.0.$i"); done
    exec "${PYTHON:-python3}" "$HERE/linkem.py" "$@" "${hosts[@]}"
}

hosts() { ip netns list | awk -v p="$1-" '$1 ~ "^"p"[0-9]+$" {print substr($1, length(p) + 1)}'; }

partition() {
    local p=$1
    for i in $2; do ip -n "${p}-hub" link set "v$i" master br1; done
}

heal() {
    local p=$1
    for i in $(hosts "$p"); do ip -n "${p}-hub" link set "v$i" master br0; done
}

netem() {
    local p=$1
    shift
    # On each host's own side only: a packet between two hosts then crosses
    # one netem (ping RTT = 2 x delay), as with linkem.py. The hub's side too
    # would apply it twice per packet (2 x delay each way, loss 1-(1-P)^2).
    for i in $(hosts "$p"); do
        ip netns exec "$p-$i" tc qdisc replace dev eth0 root netem "$@"
    done
}

rate() {
    ip netns exec "${1}-hub" tc qdisc replace dev "v$2" root tbf rate "$3" burst 16kb latency 500ms
}

down() {
    local p=$1
    for i in $(hosts "$p"); do ip netns del "$p-$i" 2>/dev/null || true; done
    ip netns del "${p}-hub" 2>/dev/null || true
}

cmd=${1:-}
shift || true
case $cmd in
    check) check ;;
    check-netem) check netem ;;
    check-tun) check tun ;;
    up) up "$1" "$2" ;;
    up-tun) up_tun "$1" "$2" ;;
    linkem) linkem "$@" ;;
    ip) echo "10.77.0.$2" ;;
    partition) partition "$1" "$2" ;;
    heal) heal "$1" ;;
    netem) netem "$@" ;;
    rate) rate "$1" "$2" "$3" ;;
    down) down "$1" ;;
    *)
        sed -n '2,26p' "$0" >&2
        exit 2
        ;;
esac
