#!/bin/sh
# Recommendations against the generator's hidden taste: generate N customers, train each
# recommender on every event (view 1, cart 3, purchase 5), list the top K unseen items for every
# customer with events, and score the lists by the share in each customer's two true favourite
# categories (recommend_taste.py explains the measure and its baselines).
# Usage: bench/e2e/recommend_taste_bench.sh [PROSPECT=build/prospect] [CUSTOMERS=20000] [SEED=1]
#        [MODELS="popularity item_knn als bpr ease"] [K=10]
set -eu
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
P=${1:-$ROOT/build/prospect}
N=${2:-20000}
SEED=${3:-1}
MODELS=${4:-popularity item_knn als bpr ease}
K=${5:-10}
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
"$P" generate --customers "$N" --seed "$SEED" --out "$WORK/data" --quiet >/dev/null
"$P" init "$WORK/ws" --quiet >/dev/null
export PROSPECT_WORKSPACE="$WORK/ws"
"$P" --quiet ingest events "$WORK/data/events.csv" >/dev/null
"$P" --quiet sql "SELECT DISTINCT customer_id FROM events" --out "$WORK/users.csv" >/dev/null
echo "customers: $N (seed $SEED); lists of $K unseen items per customer with events"
for m in $MODELS; do
  start=$(date +%s.%N)
  "$P" --quiet recommend train --model "$m" --type type --type-weight view=1 \
    --type-weight cart=3 --type-weight purchase=5 --name "taste_$m" >/dev/null
  "$P" --quiet recommend top "taste_$m" --users "$WORK/users.csv" --k "$K" \
    --out "$WORK/$m.csv" >/dev/null
  end=$(date +%s.%N)
  printf '%-12s train + top: %.1f s\n' "$m" "$(echo "$end - $start" | bc)"
done
cd "$WORK" && /usr/bin/python3 "$ROOT/bench/e2e/recommend_taste.py" "$WORK/data" \
  $(for m in $MODELS; do printf '%s.csv ' "$m"; done)
