#!/bin/sh
# Ingest end to end: the `prospect ingest` CLI (parse + columnar store) against pandas.read_csv
# alone on csv_parse.py's 1M-row x 12-column events CSV, in one run (bench/e2e/ingest_bench.py),
# with the ReadCsv driver's parse-only time beside it.
# Usage: bench/e2e/run_ingest_bench.sh [BUILD_DIR] [flags...]   (default build; flags go to the script)
. "$(dirname "$0")/run_common.sh"
bench_build "${1:-build}" prospect
cmake --build "$BUILD" --target prospect_csv_read >/dev/null
[ $# -gt 0 ] && shift
/usr/bin/python3 "$ROOT/bench/e2e/ingest_bench.py" --prospect "$BUILD/prospect" \
  --driver "$BUILD/bench/prospect_csv_read" --work "$WORK" "$@"
