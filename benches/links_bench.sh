#!/usr/bin/env bash
# Link discovery: time and peak memory, on the demo corpora and on 30 novels of
# ELTeC-fra (≈ 50k paragraphs). Embedding the novels the first time takes about
# 10 minutes on 2 cores (resumable: rerun after an interruption); the measured
# step is `rhizome links`, with every vector already in the cache.
# `corpora`: every shared corpus (benches/all-corpora.toml, ≈ 217k paragraphs;
# the first index embeds for about an hour). `one-post`: on that index, one
# new post published (a corpus of one text beside the others): `index` then
# `links`, timed together (issue 15), then the post removed again.
# Usage: benches/links_bench.sh [demo|eltec|all|corpora|one-post]
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$HOME/.cache/rhizome/target}
export RHIZOME_CACHE_DIR=${RHIZOME_CACHE_DIR:-$HOME/.cache/rhizome/embeddings}
R=$CARGO_TARGET_DIR/release/rhizome
measure() { # config label
  "$R" --config "$1" index --quiet >/dev/null
  /usr/bin/time -f "$2: %e s wall, %M KB peak RSS" "$R" --config "$1" links
}
one_post() {
  local dir cfg
  dir=$(mktemp -d)
  cfg=benches/.one-post.toml
  trap 'rm -rf "$dir" "$cfg"' RETURN
  cp ../shared/corpus/crouzet-blog/posts/2025/03/quitter-facebook.md "$dir/nouveau-billet.md" 2>/dev/null ||
    find ../shared/corpus/crouzet-blog -name '*.md' | head -1 | xargs -I{} cp {} "$dir/nouveau-billet.md"
  { cat benches/all-corpora.toml
    printf '\n[[corpus]]\nname = "nouveau"\npath = "%s"\nformat = "markdown"\n' "$dir"; } > "$cfg"
  "$R" --config benches/all-corpora.toml index --quiet >/dev/null
  "$R" --config benches/all-corpora.toml links >/dev/null
  /usr/bin/time -f "one post: index + links %e s wall, %M KB peak RSS" \
    bash -c "'$R' --config '$cfg' index --quiet && '$R' --config '$cfg' links"
  "$R" --config benches/all-corpora.toml index --quiet >/dev/null
}
case "${1:-demo}" in
  demo) measure rhizome.toml demo ;;
  eltec) measure benches/eltec-50k.toml eltec-50k ;;
  all) measure rhizome.toml demo; measure benches/eltec-50k.toml eltec-50k ;;
  corpora) measure benches/all-corpora.toml all-corpora ;;
  one-post) one_post ;;
esac
