#!/usr/bin/env bash
# Soak (issue 8): wrk for SECONDS at 64 connections on each of search,
# related and graph, one after the other, against a release server on the
# demo corpora (run scripts/run.sh once first). Prints errors, p99 and the
# server's RSS before and after each route.
# Usage: benches/soak.sh [SECONDS=60] [CONFIG=rhizome.toml]
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$HOME/.cache/rhizome/target}
export RHIZOME_CACHE_DIR=${RHIZOME_CACHE_DIR:-$HOME/.cache/rhizome/embeddings}
DUR=${1:-60}; CONFIG=${2:-rhizome.toml}
ADDR=127.0.0.1:18081
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install wrk"; exit 1; }
mkdir -p benches/out
"$CARGO_TARGET_DIR/release/rhizome" --config "$CONFIG" serve --addr "$ADDR" > benches/out/soak-serve.log 2>&1 &
PID=$!
trap 'kill $PID 2>/dev/null || true' EXIT
for _ in $(seq 1 300); do curl -sf "http://$ADDR/health" >/dev/null && break; sleep 0.2; done
rss() { awk '/VmRSS/{printf "%.0f MB", $2/1024}' /proc/$PID/status; }
for route in search related graph; do
  before=$(rss)
  echo "== $route: 2 threads, 64 connections, ${DUR}s"
  wrk -t2 -c64 -d"${DUR}s" --timeout 30s --latency -s "benches/wrk_$route.lua" "http://$ADDR" > "benches/out/soak-$route.txt"
  grep -E "Requests/sec|errors:|Non-2xx|Socket errors| 50%| 99%" "benches/out/soak-$route.txt"
  echo "RSS before $before, after $(rss)"
done
echo "peak RSS: $(awk '/VmHWM/{printf "%.0f MB", $2/1024}' /proc/$PID/status)"
grep -c "panicked" benches/out/soak-serve.log | sed 's/^/panics in the server log: /' || true
