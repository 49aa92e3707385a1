#!/bin/sh
# Experiment analysis benchmark: prospect (in-memory Table, C++ driver) against pandas + statsmodels
# + scipy on the same generated 10M-row assignment and outcome table, in one run.
# Usage: bench/e2e/run_experiment_bench.sh [BUILD_DIR] [ROWS]   (default build-exp, 10000000)
set -eu
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${1:-$ROOT/build-exp}
ROWS=${2:-10000000}
case "$BUILD" in /*) ;; *) BUILD=$ROOT/$BUILD ;; esac
cmake --build "$BUILD" --target prospect_lib >/dev/null
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
# The driver links the library built by CMake (bench/CMakeLists.txt only builds micro benchmarks).
g++ -std=c++20 -O2 -fopenmp -I"$ROOT/include" "$ROOT/bench/e2e/experiment_driver.cpp" "$BUILD/libprospect.a" \
  -lfmt -lspdlog -lsqlite3 -lz -lsimdjson -ltomlplusplus -lpthread -o "$WORK/experiment_driver"
/usr/bin/python3 "$ROOT/bench/e2e/experiment_bench.py" --rows "$ROWS" --dir "$WORK" --driver "$WORK/experiment_driver"
