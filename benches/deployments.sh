#!/usr/bin/env bash
# The demo on three deployments, in one run on this machine (issue 14): the
# embedded store, one Qdrant node, three Qdrant nodes on loopback (3 shards,
# 2 replicas). All share the cores, so read the ratios, not the absolutes.
# For each: `rhizome index` into an empty data dir with every embedding
# cached (it measures the stores, not the model) → points/s (paragraphs and
# units); `rhizome links` → seconds; hybrid search over HTTP (wrk, 2
# threads, 4 connections, every query new) → p50/p99. The Qdrant
# deployments search BM25 through their sparse vectors (RHIZOME_LEXICAL=
# vector_store: the cluster path), the embedded one through tantivy.
#
# Needs QDRANT_BIN (a Qdrant server binary), wrk, and the demo embedded once
# (scripts/run.sh). Usage: QDRANT_BIN=… benches/deployments.sh [SECONDS=10]
set -euo pipefail
cd "$(dirname "$0")/.."
: "${QDRANT_BIN:?set QDRANT_BIN to a Qdrant server binary}"
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install wrk"; exit 1; }
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$HOME/.cache/rhizome/target}
export RHIZOME_CACHE_DIR=${RHIZOME_CACHE_DIR:-$HOME/.cache/rhizome/embeddings}
DUR=${1:-10}
if [ -z "${RHIZOME_BIN:-}" ]; then
  cargo build --release -q -p rhizome-api --features rhizome-api/qdrant-server
  RHIZOME_BIN=$CARGO_TARGET_DIR/release/rhizome
fi
R=$RHIZOME_BIN
TMP=$(mktemp -d)
ONE=$TMP/one THREE=$TMP/three
cleanup() {
  scripts/qdrant_cluster.sh stop "$THREE" 2>/dev/null || true
  [ -f "$ONE/pid" ] && kill "$(cat "$ONE/pid")" 2>/dev/null || true
  rm -rf "$TMP"
}
trap cleanup EXIT
unset QDRANT_URL

# One node: cluster mode off, its own ports.
mkdir -p "$ONE/storage" "$ONE/snapshots"
(cd "$ONE" && exec env QDRANT__SERVICE__HOST=127.0.0.1 QDRANT__SERVICE__HTTP_PORT=16600 \
  QDRANT__SERVICE__GRPC_PORT=16601 QDRANT__TELEMETRY_DISABLED=true \
  QDRANT__STORAGE__STORAGE_PATH="$ONE/storage" QDRANT__STORAGE__SNAPSHOTS_PATH="$ONE/snapshots" \
  "$QDRANT_BIN" > "$ONE/log" 2>&1) &
echo $! > "$ONE/pid"
for _ in $(seq 1 100); do curl -sf http://127.0.0.1:16600/readyz >/dev/null && break; sleep 0.2; done
scripts/qdrant_cluster.sh start "$THREE" 16620 >/dev/null

measure() { # name, then env assignments for rhizome
  local name=$1; shift
  local dir=$TMP/$name; mkdir -p "$dir"
  (
    export RHIZOME_DATA_DIR=$dir/data RHIZOME_COLLECTION=bench-$name-$$ "$@"
    "$R" index --quiet --json > "$dir/index.json"
    local t0; t0=$(date +%s.%N)
    "$R" links > "$dir/links.txt"
    echo "$t0 $(date +%s.%N)" > "$dir/links.time"
    "$R" stats --json > "$dir/stats.json"
    "$R" serve --addr 127.0.0.1:18090 > "$dir/serve.log" 2>&1 &
    local pid=$!
    for _ in $(seq 1 150); do curl -sf http://127.0.0.1:18090/health >/dev/null && break; sleep 0.2; done
    curl -sf "http://127.0.0.1:18090/api/v1/search?q=le%20revenu%20de%20base" >/dev/null
    wrk -t2 -c4 -d"${DUR}s" --latency -s benches/wrk_search.lua http://127.0.0.1:18090 > "$dir/search.txt"
    kill "$pid"; wait "$pid" 2>/dev/null || true
  )
  python3 - "$name" "$dir" <<'PY'
import json, re, sys
name, d = sys.argv[1], sys.argv[2]
ix = json.load(open(f"{d}/index.json"))
st = json.load(open(f"{d}/stats.json"))
t0, t1 = map(float, open(f"{d}/links.time").read().split())
w = open(f"{d}/search.txt").read()
def pct(p):
    m = re.search(rf"^\s*{p}%\s+([\d.]+)(us|ms|s)", w, re.M)
    v, u = float(m.group(1)), m.group(2)
    return v / 1000 if u == "us" else v * 1000 if u == "s" else v
rps = float(re.search(r"Requests/sec:\s+([\d.]+)", w).group(1))
points = ix["paragraphs_indexed"] + ix["units_indexed"]
print(f"| {name} | {points} | {points / ix['seconds']:.0f} | {t1 - t0:.1f} | {pct(50):.1f} | {pct(99):.1f} | {rps:.0f} | {st['vector_backend']} |")
PY
}

echo "| deployment | points indexed | points/s (cached embeddings) | links (s) | hybrid p50 (ms) | hybrid p99 (ms) | searches/s | backend |"
echo "|---|---|---|---|---|---|---|---|"
measure embedded
measure one-node QDRANT_URL=http://127.0.0.1:16601 RHIZOME_LEXICAL=vector_store
measure three-nodes QDRANT_URL="$(scripts/qdrant_cluster.sh urls "$THREE")" RHIZOME_LEXICAL=vector_store
