#!/usr/bin/env bash
# Embedded qdrant-edge vs a Qdrant server, on the demo corpora (issue 6):
# indexing throughput with every embedding already cached (points/s, median
# of RUNS fresh indexes), then search latency (store k-NN and hybrid, p50/p99).
# Needs a running server: QDRANT_URL=http://127.0.0.1:6334 benches/backends.sh [RUNS=3]
set -euo pipefail
cd "$(dirname "$0")/.."
: "${QDRANT_URL:?set QDRANT_URL to a running Qdrant server (gRPC port)}"
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$HOME/.cache/rhizome/target}
export RHIZOME_CACHE_DIR=${RHIZOME_CACHE_DIR:-$HOME/.cache/rhizome/embeddings}
RUNS=${1:-3}
cargo build --release -q -p rhizome-api -p rhizome-benches --features rhizome-indexer/qdrant-server
R=$CARGO_TARGET_DIR/release/rhizome
SERVER_URL=$QDRANT_URL; unset QDRANT_URL
"$R" index --quiet >/dev/null # the demo's embeddings in the cache
TMP=$(mktemp -d); trap 'rm -rf "$TMP"' EXIT
for backend in embedded server; do
  for i in $(seq "$RUNS"); do
    if [ $backend = server ]; then export QDRANT_URL=$SERVER_URL; else unset QDRANT_URL; fi
    export RHIZOME_DATA_DIR=$TMP/$backend-$i RHIZOME_COLLECTION=bench-backends-$$-$i
    "$R" index --quiet --json > "$TMP/$backend-$i.json"
  done
  python3 - "$backend" "$TMP"/$backend-*.json <<'PY'
import json, sys, statistics
runs = [json.load(open(f)) for f in sys.argv[2:]]
rates = sorted(r["paragraphs_indexed"] / r["seconds"] for r in runs)
print(f"{sys.argv[1]}: index {runs[0]['paragraphs_indexed']} cached paragraphs: median {statistics.median(rates):.0f} points/s over {len(rates)} runs {[round(x) for x in rates]}")
PY
  "$CARGO_TARGET_DIR/release/store_latency" --queries 500
done
# Leave the server as it was.
for i in $(seq "$RUNS"); do curl -s -X DELETE "${SERVER_HTTP:-http://127.0.0.1:6333}/collections/bench-backends-$$-$i" >/dev/null || true; done
