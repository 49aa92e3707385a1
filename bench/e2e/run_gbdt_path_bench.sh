#!/bin/sh
# Whole path CSV → features → GBDT → scores: the prospect CLI against pandas + xgboost on
# bank-additional-full (bench/e2e/gbdt_path_bench.py). Usage: bench/e2e/run_gbdt_path_bench.sh [BUILD_DIR] [flags...]
set -eu
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${1:-$ROOT/build}
[ $# -gt 0 ] && shift
case "$BUILD" in /*) ;; *) BUILD=$ROOT/$BUILD ;; esac
cmake --build "$BUILD" --target prospect >/dev/null
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
/usr/bin/python3 "$ROOT/bench/e2e/gbdt_path_bench.py" --prospect "$BUILD/prospect" \
  --csv "$ROOT/../shared/data/bank_marketing/bank-additional-full.csv" --work "$WORK" "$@"
