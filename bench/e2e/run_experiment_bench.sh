#!/bin/sh
# Experiment analysis benchmark: prospect (in-memory Table, C++ driver) against pandas + statsmodels
# + scipy on the same generated 10M-row assignment and outcome table, in one run.
# Usage: bench/e2e/run_experiment_bench.sh [BUILD_DIR] [ROWS]   (default build, 10000000)
. "$(dirname "$0")/run_common.sh"
bench_build "${1:-build}" prospect_experiment_bench
ROWS=${2:-10000000}
/usr/bin/python3 "$ROOT/bench/e2e/experiment_bench.py" --rows "$ROWS" --dir "$WORK" \
  --driver "$BUILD/bench/prospect_experiment_bench"
