#!/usr/bin/env bash
# The main job: installs what is missing, builds the optimized tree and runs
# the coin tutorial's network scenario ("Part 7: Network") for real, four
# processes on loopback (scripts/network_scenario.sh): central creates the
# chain and pays WALLET_1 and WALLET_2; a wallet node and a miner node join
# and download it; the wallet sends two payments through the network; the
# miner mines them; the balances are the tutorial's. Then central stops and
# the other two keep working without it.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"

bash scripts/bootstrap.sh
echo "== building (release preset)"
cmake --preset release -DCHAINKIT_BUILD_TESTS=OFF -DCHAINKIT_BUILD_BENCH=OFF >/dev/null
cmake --build --preset release -j "$(nproc)" --target central wallet miner

work="$(mktemp -d "${TMPDIR:-/tmp}/chainkit-demo.XXXXXX")"
trap 'rm -rf "$work"' EXIT
echo "== the network scenario in $work (NODE_IDs 3000 central, 3001 wallet, 3002 miner)"
bash scripts/network_scenario.sh "$root/build/release/apps" "$work"
