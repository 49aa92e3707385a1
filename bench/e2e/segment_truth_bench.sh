#!/bin/sh
# Segments against the generator's true segments: generate N customers, ingest, profile, then
# `prospect segment --truth ground_truth.segment` for several methods; prints each adjusted Rand
# index, and the ceiling (the ARI reachable from the customers' true hidden traits).
# Usage: bench/e2e/segment_truth_bench.sh [PROSPECT=build/prospect] [CUSTOMERS=100000] [SEED=1]
set -eu
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
P=${1:-$ROOT/build/prospect}
N=${2:-100000}
SEED=${3:-1}
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
"$P" generate --customers "$N" --seed "$SEED" --out "$WORK/data" --quiet >/dev/null
"$P" init "$WORK/ws" --quiet >/dev/null
for t in customers events orders items ground_truth; do
  "$P" --workspace "$WORK/ws" --quiet ingest "$t" "$WORK/data/$t.csv" >/dev/null
done
"$P" --workspace "$WORK/ws" --quiet profile >/dev/null
ari() {  # method, extra args...
  m=$1; shift
  start=$(date +%s.%N)
  a=$("$P" --workspace "$WORK/ws" --json segment --method "$m" --truth ground_truth.segment --name "bench_$m$*" "$@" |
      /usr/bin/python3 -c 'import json,sys; d=json.load(sys.stdin); print("%.4f k=%d" % (d["truth"]["adjusted_rand_index"], len(d["names"])))')
  end=$(date +%s.%N)
  printf '%-12s %-62s ARI %s  (%.1f s)\n' "$m" "${*:-(defaults)}" "$a" "$(echo "$end - $start" | bc)"
}
echo "customers: $N (seed $SEED); features: the segment defaults unless given"
ari kmeans
ari kmeans --k 5
ari kmeans --k 5 --features avg_order_value,frequency,events_total
ari gmm --k 5
ari gmm --k 5 --features avg_order_value,frequency,events_total
ari rfm
/usr/bin/python3 "$ROOT/bench/e2e/segment_truth_ceiling.py" "$WORK/data/ground_truth.csv"
