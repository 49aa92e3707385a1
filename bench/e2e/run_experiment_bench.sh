#!/bin/sh
# Experiment analysis benchmark: prospect (in-memory Table, C++ driver) against pandas + statsmodels
# + scipy on the same generated 10M-row assignment and outcome table, in one run.
# Usage: bench/e2e/run_experiment_bench.sh [BUILD_DIR] [ROWS]   (default build-exp, 10000000)
. "$(dirname "$0")/run_common.sh"
bench_build "${1:-build-exp}" prospect_lib
ROWS=${2:-10000000}
# The driver links the library built by CMake (bench/CMakeLists.txt only builds micro benchmarks).
g++ -std=c++20 -O2 -fopenmp -I"$ROOT/include" "$ROOT/bench/e2e/experiment_driver.cpp" "$BUILD/libprospect.a" \
  -lfmt -lspdlog -lsqlite3 -lz -lsimdjson -ltomlplusplus -lpthread -o "$WORK/experiment_driver"
/usr/bin/python3 "$ROOT/bench/e2e/experiment_bench.py" --rows "$ROWS" --dir "$WORK" --driver "$WORK/experiment_driver"
