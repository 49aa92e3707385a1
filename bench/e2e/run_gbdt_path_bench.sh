#!/bin/sh
# Whole path CSV → features → GBDT → scores: the prospect CLI against pandas + xgboost on
# bank-additional-full (bench/e2e/gbdt_path_bench.py). Usage: bench/e2e/run_gbdt_path_bench.sh [BUILD_DIR] [flags...]
. "$(dirname "$0")/run_common.sh"
bench_build "${1:-build}" prospect
[ $# -gt 0 ] && shift
/usr/bin/python3 "$ROOT/bench/e2e/gbdt_path_bench.py" --prospect "$BUILD/prospect" \
  --csv "$ROOT/../shared/data/bank_marketing/bank-additional-full.csv" --work "$WORK" "$@"
