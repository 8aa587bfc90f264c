#!/usr/bin/env bash
# Cold demo indexing: an empty data dir and an empty embedding cache, so every
# paragraph and retrieval unit is embedded. Prints the index report and the
# wall time. Usage: benches/cold_index.sh [RHIZOME_BINARY]
# (compare two builds by passing each binary; run on quiet cores).
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$HOME/.cache/rhizome/target}
BIN=${1:-$CARGO_TARGET_DIR/release/rhizome}
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
start=$(date +%s.%N)
RHIZOME_DATA_DIR=$TMP/data RHIZOME_CACHE_DIR=$TMP/cache "$BIN" index --quiet
end=$(date +%s.%N)
echo "cold demo index: $(echo "$end - $start" | bc) s wall ($BIN)"
