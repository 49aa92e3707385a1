#!/bin/sh
# Drift benchmark: prospect (in-memory Tables, C++ driver) against a scipy loop doing Evidently's
# default tests on the same generated reference and current tables (200 columns), in one run.
# Usage: bench/e2e/run_drift_bench.sh [BUILD_DIR] [ROWS]   (default build, 1000000)
. "$(dirname "$0")/run_common.sh"
bench_build "${1:-build}" prospect_drift_bench
ROWS=${2:-1000000}
/usr/bin/python3 "$ROOT/bench/e2e/drift_bench.py" --rows "$ROWS" --dir "$WORK" \
  --driver "$BUILD/bench/prospect_drift_bench"
