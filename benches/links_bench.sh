#!/usr/bin/env bash
# Link discovery: time and peak memory, on the demo corpora and on 30 novels of
# ELTeC-fra (≈ 50k paragraphs). Embedding the novels the first time takes about
# 10 minutes on 2 cores (resumable: rerun after an interruption); the measured
# step is `rhizome links`, with every vector already in the cache.
# Usage: benches/links_bench.sh [demo|eltec|all]
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$HOME/.cache/rhizome/target}
export RHIZOME_CACHE_DIR=${RHIZOME_CACHE_DIR:-$HOME/.cache/rhizome/embeddings}
R=$CARGO_TARGET_DIR/release/rhizome
measure() { # config label
  "$R" --config "$1" index --quiet >/dev/null
  /usr/bin/time -f "$2: %e s wall, %M KB peak RSS" "$R" --config "$1" links
}
case "${1:-demo}" in
  demo) measure rhizome.toml demo ;;
  eltec) measure benches/eltec-50k.toml eltec-50k ;;
  all) measure rhizome.toml demo; measure benches/eltec-50k.toml eltec-50k ;;
esac
