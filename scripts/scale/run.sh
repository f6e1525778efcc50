#!/usr/bin/env bash
# N nodes on one machine: propagation, memory, bytes per block and load.
# Usage: scripts/scale/run.sh [N=100] [--rounds 20] [--no-build] [--no-processes] [--no-load] ...
# (scripts/scale/run.py --help lists every option). Output in build/scale-N/.
set -euo pipefail
exec python3 "$(dirname "$0")/run.py" "$@"
