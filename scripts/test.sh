#!/usr/bin/env bash
# Installs dependencies, builds prospect three times and runs the tests: every test in Release and
# in ASan+UBSan, the server's tests under ThreadSanitizer. This is the README's test command;
# .ci/run calls it.
set -euo pipefail
cd "$(dirname "$0")/.."
# Each stage prints its wall time, so the CI log shows where the minutes go.
stage_start=$SECONDS
stage_done() { echo "== $1 took $((SECONDS - stage_start)) s (total $SECONDS s)"; stage_start=$SECONDS; }
scripts/install-deps.sh
stage_done "install-deps"
jobs=$(nproc)
# ccache (if installed) may reuse objects between clones when paths are made relative.
export CCACHE_BASEDIR="$PWD"

# A throwaway PostgreSQL 15 for the PostgreSQL store's tests (PROSPECT_TEST_PG_URL), stopped on
# any exit, failures included.
eval "$(scripts/pg_test_server.sh start)"
trap 'scripts/pg_test_server.sh stop "$PROSPECT_TEST_PG_DIR"' EXIT

echo "== Release build and tests"
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j "$jobs"
stage_done "Release build"
(cd build && ctest --output-on-failure -j "$jobs")
stage_done "Release tests"

# Not again under ASan: the house rules (they read sources) and the browser test of the dashboard
# (Chromium is not instrumented; the unit tests cover the server side it calls).
echo "== ASan + UBSan build and tests"
# -O1 with line tables: quick to build, still readable stack traces.
cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=None -DCMAKE_CXX_FLAGS="-O1 -g1" -DPROSPECT_SANITIZE=ON \
  -DPROSPECT_BUILD_BENCH=OFF >/dev/null
cmake --build build-asan -j "$jobs"
stage_done "ASan+UBSan build"
(cd build-asan && ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
   LSAN_OPTIONS=suppressions="$PWD/../tests/lsan.supp" \
   ctest --output-on-failure -j "$jobs" -LE "slow|house|browser")
stage_done "ASan+UBSan tests"

echo "== ThreadSanitizer build and the server's tests (request threads, reloads, online updates)"
cmake -S . -B build-tsan -G Ninja -DCMAKE_BUILD_TYPE=None -DCMAKE_CXX_FLAGS="-O1 -g1" \
  -DPROSPECT_SANITIZE_THREAD=ON -DPROSPECT_BUILD_BENCH=OFF >/dev/null
cmake --build build-tsan -j "$jobs"
stage_done "TSan build"
(cd build-tsan && TSAN_OPTIONS="suppressions=$PWD/../tests/tsan.supp halt_on_error=1 exitcode=66" \
   ctest --output-on-failure -j "$jobs")
stage_done "TSan tests"
