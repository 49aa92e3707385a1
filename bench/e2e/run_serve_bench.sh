#!/bin/sh
# prospect serve under load with wrk, against a Python + xgboost peer (bench/e2e/serve_bench.py).
# Usage: bench/e2e/run_serve_bench.sh [BUILD_DIR] [flags...]
. "$(dirname "$0")/run_common.sh"
bench_build "${1:-build}" prospect
[ $# -gt 0 ] && shift
/usr/bin/python3 "$ROOT/bench/e2e/serve_bench.py" --prospect "$BUILD/prospect" --work "$WORK" "$@"
