#!/bin/sh
# Top-10 recommendations over a 100,000-item catalogue through the server's request path (the
# HNSW index against every item), then the numpy peer on the same factors.
# Usage: bench/e2e/run_serve_recommend_bench.sh [BUILD_DIR] [USERS ITEMS INTERACTIONS QUERIES]
. "$(dirname "$0")/run_common.sh"
bench_build "${1:-build}" prospect_serve_recommend_bench
[ $# -gt 0 ] && shift
"$BUILD/bench/prospect_serve_recommend_bench" "$WORK" "$@"
/usr/bin/python3 "$ROOT/bench/e2e/serve_recommend_peer.py" "$WORK"
