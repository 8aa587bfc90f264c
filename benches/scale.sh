#!/usr/bin/env bash
# Search latency as the index grows (issue 7): indexes ≈10k and ≈100k
# paragraphs from the embedding cache, then runs the criterion bench on them
# and, if it is indexed, on every shared corpus (benches/all-corpora.toml).
# Usage: benches/scale.sh            (needs the vectors in the cache: the first
# run embeds what is missing, about 25 minutes for the 100k set on 2 cores)
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$HOME/.cache/rhizome/target}
export RHIZOME_CACHE_DIR=${RHIZOME_CACHE_DIR:-$HOME/.cache/rhizome/embeddings}
cargo build --release -q -p rhizome-api
R=$CARGO_TARGET_DIR/release/rhizome
CONFIGS="10k=benches/scale-10k.toml,100k=benches/scale-100k.toml"
for c in benches/scale-10k.toml benches/scale-100k.toml; do "$R" --config "$c" index --quiet; done
[ -f .rhizome/all/catalogue.json ] && CONFIGS="$CONFIGS,all=benches/all-corpora.toml"
RHIZOME_SCALE_CONFIGS=$CONFIGS cargo bench -p rhizome-benches --bench search_latency -- --noplot "$@"
