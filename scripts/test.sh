#!/usr/bin/env bash
# Sets everything up and passes the whole test suite (what CI runs):
#   1. installs missing Debian packages (scripts/bootstrap.sh);
#   2. builds everything under AddressSanitizer + UBSan with warnings as
#      errors and runs every CTest test (unit, integration, interop, browser);
#   3. builds the libFuzzer targets with clang 14 and runs each briefly
#      (CTest label fuzz-smoke);
#   4. builds the optimized tree (libraries, apps, benchmarks), installs it
#      and builds and runs tests/consumer against the installed package.
set -euo pipefail
cd "$(dirname "$0")/.."
jobs=$(nproc)
# Share ccache hits between clones in other folders (CI builds a fresh clone).
export CCACHE_BASEDIR="$PWD" CCACHE_NOHASHDIR=1

bash scripts/bootstrap.sh
bash tests/interop/setup.sh
bash tests/browser/setup.sh
bash scripts/check_format.sh

echo "== asan-ubsan build and tests"
cmake --preset asan-ubsan >/dev/null
cmake --build --preset asan-ubsan -j "$jobs"
ctest --preset asan-ubsan -j "$jobs"

echo "== fuzz build (clang 14, libFuzzer + ASan + UBSan) and fuzz-smoke"
# Every fuzz target replays its corpus and regression inputs, then fuzzes a
# few seconds (tests/fuzz/CMakeLists.txt); scripts/fuzz.sh runs them longer.
cmake --preset fuzz >/dev/null
cmake --build --preset fuzz -j "$jobs"
ctest --preset fuzz -L fuzz-smoke -j "$jobs"

echo "== release build, install and consumer"
# BENCH=ON explicitly: demo.sh configures this same tree with it OFF, and a
# cached OFF would silently leave the benchmarks unbuilt here.
cmake --preset release -DCHAINKIT_BUILD_TESTS=OFF -DCHAINKIT_BUILD_BENCH=ON >/dev/null
cmake --build --preset release -j "$jobs"
rm -rf build/install
cmake --install build/release --prefix build/install >/dev/null
cmake -S tests/consumer -B build/consumer -G Ninja -DCMAKE_PREFIX_PATH="$PWD/build/install" >/dev/null
cmake --build build/consumer
./build/consumer/chainkit_consumer
echo "test.sh: all steps passed"
