#!/usr/bin/env bash
# The open dataset, end to end, on the demo corpora (part of scripts/test.sh):
#  1. index + links of the demo, `rhizome export dataset` (debats-ia is marked
#     non-redistributable in rhizome.toml, so it must be left out);
#  2. tests/dataset/check_export.py: pyarrow, datasets.load_dataset (offline),
#     row counts against `rhizome stats`, byte ranges, the left-out corpus,
#     mlcroissant validate;
#  3. round trip: the dataset indexed as a `dataset` corpus into a fresh data
#     dir gives the same texts, paragraph ids and texts, and the same related
#     texts for three posts as the demo without the left-out corpus.
# Usage: scripts/dataset_check.sh [RHIZOME_BIN]
source "$(dirname "$0")/python_tools.sh"
BIN=${1:-$CARGO_TARGET_DIR/release/rhizome}
PY=${RHIZOME_PYDATA:-$HOME/.cache/rhizome/pydata}
ensure_venv "$PY" "pyarrow, datasets, mlcroissant" "pyarrow>=17" "datasets>=3" "mlcroissant>=1.0"
WORK=$(mktemp -d)
# The configurations sit in the repository root: their relative paths
# (models/, ../shared/) are read from the file's folder.
trap 'rm -rf "$WORK" .check-demo.toml .check-kept.toml .check-mirror.toml' EXIT
LEFT_OUT=debats-ia
# Three configurations with rhizome.toml's settings: the demo, the demo
# without the left-out corpus, and the exported dataset as one corpus.
"$PY/bin/python" - "$WORK" "$LEFT_OUT" <<'PYEOF'
import re, sys
work, left_out = sys.argv[1], sys.argv[2]
text = open("rhizome.toml", encoding="utf-8").read()
head, *blocks = text.split("[[corpus]]")
keep = [b for b in blocks if f'name = "{left_out}"' not in b]
def write(name, corpora):
    open(f".check-{name}.toml", "w", encoding="utf-8").write(
        f'data_dir = "{work}/{name}-data"\n' + re.sub(r'(?m)^data_dir', '#data_dir', head)
        + "".join("[[corpus]]" + b for b in corpora))
write("demo", blocks)
write("kept", keep)
write("mirror", [f'\nname = "mirror"\npath = "{work}/dataset"\nformat = "dataset"\nlicense = "CC-BY-4.0 AND CC0-1.0"\n'])
PYEOF
r() { local cfg=$1; shift; env -u RHIZOME_DATA_DIR RUST_LOG=warn "$BIN" --config ".check-$cfg.toml" "$@"; }
echo "==> the demo: index, links, export dataset"
r demo index --quiet >/dev/null
r demo links >/dev/null
echo "==> reuse links against a plain sequence matcher (issue 16)"
python3 tests/reuse/check_reuse.py "$WORK/demo-data/links.json" ../shared/corpus
r demo stats --json > "$WORK/stats.json"
r demo export dataset "$WORK/dataset" --with-embeddings
echo "==> the dataset as its users read it"
PATH="$PY/bin:$PATH" "$PY/bin/python" tests/dataset/check_export.py "$WORK/dataset" "$WORK/stats.json" "$LEFT_OUT"

echo "==> round trip: the dataset indexed as a 'dataset' corpus"
for cfg in kept mirror; do
  r $cfg index --quiet >/dev/null
  r $cfg links >/dev/null
done
r mirror export dataset "$WORK/again" >/dev/null
POSTS="crouzet-blog/posts/2025/01/technofascisme crouzet-blog/posts/2014/05/la-necessite-logique-du-revenu-de-base crouzet-blog/posts/2017/12/je-ne-donne-plus-je-vends-en-g1"
for p in $POSTS; do
  r kept related "$p" --json > "$WORK/kept-$(basename "$p").json"
  r mirror related "$p" --json > "$WORK/mirror-$(basename "$p").json"
done
"$PY/bin/python" - "$WORK" $POSTS <<'PYEOF'
import json, sys
import pyarrow.parquet as pq
work, posts = sys.argv[1], sys.argv[2:]
def check(cond, what):
    print(("ok   " if cond else "FAIL ") + what)
    if not cond:
        sys.exit(1)
a = pq.read_table(f"{work}/dataset/paragraphs").to_pylist()
b = pq.read_table(f"{work}/again/paragraphs").to_pylist()
key = lambda rows: sorted((p["id"], p["text"], p["start"], p["end"]) for p in rows)
ta = sorted(t["id"] for t in pq.read_table(f"{work}/dataset/texts").to_pylist())
tb = sorted(t["id"] for t in pq.read_table(f"{work}/again/texts").to_pylist())
check(ta == tb, f"round trip: the same {len(ta)} texts")
check(key(a) == key(b), f"round trip: the same {len(a)} paragraph ids, texts and byte ranges")
for p in posts:
    name = p.rsplit("/", 1)[1]
    ka = json.load(open(f"{work}/kept-{name}.json"))
    kb = json.load(open(f"{work}/mirror-{name}.json"))
    ra = [(r["text"], round(r["score"], 3)) for r in ka["related"]]
    rb = [(r["text"], round(r["score"], 3)) for r in kb["related"]]
    check(ra == rb and ra, f"round trip: related of {name} equal ({len(ra)} texts)")
PYEOF
