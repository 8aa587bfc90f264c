#!/usr/bin/env bash
# Load on loopback against a release build with the demo corpora loaded (run
# scripts/run.sh once first): the related-texts route (the widget's call) and
# hybrid search (query embedding included). Needs wrk (Debian: apt-get install wrk).
# Usage: benches/load.sh [SECONDS=15]   (RHIZOME_BIN=path/to/rhizome to measure another build)
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$HOME/.cache/rhizome/target}
export RHIZOME_CACHE_DIR=${RHIZOME_CACHE_DIR:-$HOME/.cache/rhizome/embeddings}
DUR=${1:-15}
ADDR=127.0.0.1:18080
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install wrk"; exit 1; }
mkdir -p benches/out
"${RHIZOME_BIN:-$CARGO_TARGET_DIR/release/rhizome}" serve --addr "$ADDR" > benches/out/serve.log 2>&1 &
PID=$!
trap 'kill $PID 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do curl -sf "http://$ADDR/health" >/dev/null && break; sleep 0.2; done
rss() { awk '/VmRSS/{print $2/1024 " MB"}' /proc/$PID/status; }
echo "RSS after start: $(rss)"
# warm-up: every related response is built once, then memoised
for id in $(cat benches/related_ids.txt); do curl -sf "http://$ADDR/api/v1/related/$id" >/dev/null; done

echo "== related texts (widget): 2 threads, 64 connections, ${DUR}s"
wrk -t2 -c64 -d"${DUR}s" --latency -s benches/wrk_related.lua "http://$ADDR" | tee benches/out/related.txt
echo "== hybrid search, every query new (embedding each): 2 threads, 4 connections, ${DUR}s"
wrk -t2 -c4 -d"${DUR}s" --latency -s benches/wrk_search.lua "http://$ADDR" | tee benches/out/search.txt
echo "== hybrid search, one query repeated (recent-query cache): 1 thread, 1 connection, ${DUR}s"
wrk -t1 -c1 -d"${DUR}s" --latency -s benches/wrk_search_repeat.lua "http://$ADDR" | tee benches/out/search_repeat.txt
echo "RSS after load: $(rss); peak: $(awk '/VmHWM/{print $2/1024 " MB"}' /proc/$PID/status)"
