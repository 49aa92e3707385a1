#!/bin/sh
# Erasure at scale: `prospect forget` of 1 and of 100,000 people on 1M customers (23M events)
# against the same deletes in indexed SQLite row tables (bench/e2e/forget_bench.py).
# Usage: bench/e2e/run_forget_bench.sh [BUILD_DIR] [--customers N]
. "$(dirname "$0")/run_common.sh"
bench_build "${1:-build}" prospect
[ $# -gt 0 ] && shift
/usr/bin/python3 "$ROOT/bench/e2e/forget_bench.py" --prospect "$BUILD/prospect" --work "$WORK" "$@"
