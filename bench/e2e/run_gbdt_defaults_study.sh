#!/bin/sh
# The study behind the gbdt defaults (docs/user/model-defaults.md): prospect's own gbdt on bank,
# hillstrom, cookie_cats (two targets) and generated data, every configuration on the same seeds,
# against xgboost's defaults and 200 rounds / depth 4 / eta 0.05 (bench/e2e/gbdt_defaults_study.py).
# Usage: bench/e2e/run_gbdt_defaults_study.sh BUILD_DIR [extra gbdt_defaults_study.py flags...]
#   e.g. bench/e2e/run_gbdt_defaults_study.sh build --seeds 1,2,3 --datasets bank,hillstrom
set -eu
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
[ $# -gt 0 ] || { echo "usage: $0 BUILD_DIR [flags...]" >&2; exit 2; }
BUILD=$1
shift
case "$BUILD" in /*) ;; *) BUILD=$(pwd)/$BUILD ;; esac
[ -x "$BUILD/prospect" ] || { echo "error: no prospect binary in $BUILD (build the target prospect first)" >&2; exit 2; }
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
/usr/bin/python3 "$ROOT/bench/e2e/gbdt_defaults_study.py" "$BUILD/prospect" \
  --data "$ROOT/../shared/data" --work "$WORK" "$@"
