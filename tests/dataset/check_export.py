"""Checks a dataset written by `rhizome export dataset`, the way its users
will read it: every configuration loads with pyarrow and with Hugging Face
`datasets` (offline), row counts match `rhizome stats`, every paragraph's byte
range slices its text out of the source, the left-out corpus appears nowhere,
and the Croissant file passes `mlcroissant validate`.

Usage: python check_export.py DATASET_DIR STATS_JSON LEFT_OUT_CORPUS
"""
import glob
import json
import os
import subprocess
import sys

os.environ["HF_DATASETS_OFFLINE"] = "1"
os.environ["HF_HUB_OFFLINE"] = "1"

import pyarrow.parquet as pq  # noqa: E402
from datasets import load_dataset  # noqa: E402

root, stats_path, left_out = sys.argv[1], sys.argv[2], sys.argv[3]
stats = json.load(open(stats_path))


def check(cond, what):
    if not cond:
        print(f"FAIL {what}")
        sys.exit(1)
    print(f"ok   {what}")


configs = ["texts", "paragraphs", "links", "related", "clusters", "embeddings"]
tables = {}
for c in configs:
    files = sorted(glob.glob(os.path.join(root, c, "*.parquet")))
    check(files, f"{c}: Parquet files present")
    tables[c] = pq.read_table(files).to_pylist()
    ds = load_dataset("parquet", data_files=files, split="train")
    check(ds.num_rows == len(tables[c]) > 0,
          f"{c}: {ds.num_rows} rows with datasets.load_dataset, the same as pyarrow")

exported = {c: v for c, v in stats["corpora"].items() if c != left_out}
texts, paragraphs = tables["texts"], tables["paragraphs"]
check(len(texts) == sum(t for t, _ in exported.values()),
      f"texts: {len(texts)} rows = rhizome stats for {sorted(exported)}")
check(len(paragraphs) == sum(p for _, p in exported.values()),
      f"paragraphs: {len(paragraphs)} rows = rhizome stats")

source = {t["id"]: t["source"].encode("utf-8") for t in texts}


def letters(s):
    return [ch for ch in s if ch.isalnum()]


def in_order(hay, needle):
    it = iter(hay)
    return all(ch in it for ch in needle)


bad = []
for p in paragraphs:
    piece = source[p["text_id"]][p["start"]:p["end"]].decode("utf-8")
    shown, src = letters(p["text"]), letters(piece)
    # The shown text is the slice without markdown marks: its letters, in order,
    # and not much else (the same rule as the Rust tests).
    if not (in_order(src, shown) and len(src) <= 2 * len(shown) + 400):
        bad.append(p["id"])
check(not bad, f"paragraphs: every byte range slices its text from the source ({len(paragraphs)} checked; bad: {bad[:3]})")

ids = {p["id"] for p in paragraphs}
check(all(l["from_paragraph"] in ids and l["to_paragraph"] in ids for l in tables["links"]),
      "links: both ends are exported paragraphs")
dated = {t["id"]: t["date"] for t in texts}
check(all(dated[l["from_text"]] < dated[l["to_text"]] for l in tables["links"]
          if l["direction"] == "earlier_to_later"),
      "links: earlier_to_later runs from the earlier text")

hits = []
for c, rows in tables.items():
    for r in rows:
        if left_out in json.dumps(r, ensure_ascii=False, default=str):
            hits.append(c)
            break
check(not hits, f"{left_out}: in no file ({hits})")
card = open(os.path.join(root, "README.md"), encoding="utf-8").read()
check(card.startswith("---\n") and "configs:" in card, "README.md: the Hub's YAML header")
check(f"`{left_out}`" in card, f"README.md names the left-out corpus {left_out}")

out = subprocess.run(["mlcroissant", "validate", "--jsonld", os.path.join(root, "croissant.json")],
                     capture_output=True, text=True)
print(out.stdout[-1500:], out.stderr[-1500:])
check(out.returncode == 0, "mlcroissant validate croissant.json")
