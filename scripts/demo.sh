#!/usr/bin/env bash
# The main job: installs what is missing, builds the optimized tree and runs
# the original tutorial's single-node scenario in a scratch directory:
#   two wallets, a chain whose genesis pays the first, a payment of 3 coins
#   mined at once (--mine), the balances, and printchain.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"

bash scripts/bootstrap.sh
echo "== building (release preset)"
cmake --preset release -DCHAINKIT_BUILD_TESTS=OFF -DCHAINKIT_BUILD_BENCH=OFF >/dev/null
cmake --build --preset release -j "$(nproc)" --target central wallet miner
bin="$root/build/release/apps"

work="$(mktemp -d "${TMPDIR:-/tmp}/chainkit-demo.XXXXXX")"
trap 'rm -rf "$work"' EXIT
cd "$work"
export NODE_ID=3000
step() { printf '\n\033[1m$ %s\033[0m\n' "$*"; "$@"; }

alice=$("$bin/wallet" createwallet | awk '/address/ {print $NF}' | tail -n1)
bob=$("$bin/wallet" createwallet | awk '/address/ {print $NF}' | tail -n1)
echo "wallet addresses: alice=$alice bob=$bob"
step "$bin/central" createblockchain --address "$alice"
step "$bin/wallet" listaddresses
step "$bin/central" send --from "$alice" --to "$bob" --amount 3 --mine
step "$bin/wallet" getbalance --address "$alice"
step "$bin/wallet" getbalance --address "$bob"
step "$bin/wallet" printchain
step "$bin/wallet" reindexutxo
step "$bin/wallet" getbalance --address "$bob"
echo
echo "demo: done (expected: alice 17 = 10 genesis + 10 mining reward - 3, bob 3)"
