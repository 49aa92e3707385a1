#!/bin/sh
# Builds the CSV read driver (Release, build-io by default) and runs the prospect-vs-pandas CSV
# benchmark. Usage: bench/e2e/run_csv_bench.sh [BUILD_DIR] [ROWS]
set -e
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${1:-$ROOT/build-io}
ROWS=${2:-1000000}
[ -f "$BUILD/build.ninja" ] || cmake -S "$ROOT" -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=Release
cmake --build "$BUILD" -j2 --target prospect_csv_read
/usr/bin/python3 "$ROOT/bench/e2e/csv_parse.py" --driver "$BUILD/bench/prospect_csv_read" --rows "$ROWS"
