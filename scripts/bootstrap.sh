#!/usr/bin/env bash
# Installs every Debian package chainkit needs to build, test and run.
# Idempotent: when everything is present it prints one summary line.
set -euo pipefail

packages=(
  g++ cmake ninja-build ccache pkg-config git
  libasio-dev libsodium-dev librocksdb-dev libcereal-dev catch2 libfmt-dev
  libcli11-dev libspdlog-dev nlohmann-json3-dev libbenchmark-dev libssl-dev
  libcpp-httplib-dev python3 iproute2 clang-format
  clang-14 libclang-rt-14-dev  # the fuzz preset: libFuzzer and sanitizer runtimes
  chromium fonts-liberation    # the explorer page's browser test (tests/browser)
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
# Node.js (>= 20) runs the js-libp2p interop peers. A machine may already
# have a newer Node.js from elsewhere (with its own npm): keep it.
if ! command -v node >/dev/null 2>&1; then missing+=(nodejs); fi
if ! command -v npm >/dev/null 2>&1; then missing+=(npm); fi

if ((${#missing[@]} > 0)); then
  echo "bootstrap: installing ${missing[*]}"
  sudo_cmd=()
  if [[ $(id -u) -ne 0 ]]; then sudo_cmd=(sudo); fi
  export DEBIAN_FRONTEND=noninteractive
  "${sudo_cmd[@]}" apt-get update -qq
  "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
# js-libp2p needs Node.js >= 20 and Debian 12's own nodejs is 18: say so
# here, before a long build, rather than only when the interop setup refuses.
node_major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
if ((node_major < 20)); then
  echo "bootstrap: warning: Node.js $(node --version 2>/dev/null || echo missing) is older than 20;" \
    "scripts/test.sh's interop tests need Node.js >= 20 (the demo does not)" >&2
fi
echo "bootstrap: ${#packages[@]} build packages and Node.js $(node --version 2>/dev/null || echo missing) present"
