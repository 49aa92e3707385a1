#!/bin/sh
# Classifier parity and speed: prospect vs scikit-learn / xgboost on bank-additional-full and
# hillstrom, the same split, encoding and parameters, in one run (bench/e2e/model_bench.py).
# Usage: bench/e2e/run_model_parity.sh [BUILD_DIR] [extra model_bench.py flags...]
#   e.g. bench/e2e/run_model_parity.sh build --models forest --datasets bank
. "$(dirname "$0")/run_common.sh"
bench_build "${1:-build}" prospect_model_bench
[ $# -gt 0 ] && shift
/usr/bin/python3 "$ROOT/bench/e2e/model_bench.py" --driver "$BUILD/bench/prospect_model_bench" \
  --data "$ROOT/../shared/data" --work "$WORK" "$@"
