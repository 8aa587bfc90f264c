#!/usr/bin/env bash
# Link discovery: time and peak memory, on the demo corpora and on 30 novels of
# ELTeC-fra (≈ 50k paragraphs). Embedding the novels the first time takes about
# 10 minutes on 2 cores (resumable: rerun after an interruption); the measured
# step is `rhizome links`, with every vector already in the cache.
# `corpora`: every shared corpus (benches/all-corpora.toml, ≈ 217k paragraphs;
# the first index embeds for about an hour). `one-post`: on that index, one
# new post published (a corpus of one text beside the others): `index` then
# `links`, timed together (issue 15), then the post removed again; a second
# argument names another config (benches/essais-27k.toml: a real index of
# 27.7k paragraphs whose vectors the all-corpora run leaves in the cache).
# `links` starts from the last run's neighbours; `links --full` is timed too.
# Usage: benches/links_bench.sh [demo|eltec|all|corpora|one-post [CONFIG]]
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
  local dir cfg base=${1:-benches/all-corpora.toml}
  dir=$(mktemp -d)
  cfg=benches/.one-post.toml
  trap 'rm -rf "$dir" "$cfg"' RETURN
  cp ../shared/corpus/crouzet-blog/posts/2025/03/quitter-facebook.md "$dir/nouveau-billet.md" 2>/dev/null ||
    find ../shared/corpus/crouzet-blog -name '*.md' | head -1 | xargs -I{} cp {} "$dir/nouveau-billet.md"
  { cat "$base"
    printf '\n[[corpus]]\nname = "nouveau"\npath = "%s"\nformat = "markdown"\n' "$dir"; } > "$cfg"
  "$R" --config "$base" index --quiet >/dev/null
  "$R" --config "$base" links >/dev/null
  /usr/bin/time -f "one post: index + links %e s wall, %M KB peak RSS" \
    bash -c "'$R' --config '$cfg' index --quiet && '$R' --config '$cfg' links"
  local graph
  graph="benches/$(sed -n 's/^data_dir = "\(.*\)"/\1/p' "$base")/links.json"
  cp "$graph" "$dir/incremental.json"
  /usr/bin/time -f "the same graph again, every pair: links --full %e s wall, %M KB peak RSS" \
    "$R" --config "$cfg" links --full
  python3 - "$dir/incremental.json" "$graph" <<'PY'
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:3])
print("reused:", a.get("reused"))
for g in (a, b):
    g.pop("seconds"); g.pop("reused", None)
print("links.json from the saved neighbours equals links --full:", a == b)
sys.exit(0 if a == b else 1)
PY
  # The post removed again (a corpus dropped from the config keeps its texts).
  rm "$dir/nouveau-billet.md"
  "$R" --config "$cfg" index --quiet >/dev/null
  "$R" --config "$cfg" links >/dev/null
}
case "${1:-demo}" in
  demo) measure rhizome.toml demo ;;
  eltec) measure benches/eltec-50k.toml eltec-50k ;;
  all) measure rhizome.toml demo; measure benches/eltec-50k.toml eltec-50k ;;
  corpora) measure benches/all-corpora.toml all-corpora ;;
  one-post) one_post "${2:-}" ;;
esac
