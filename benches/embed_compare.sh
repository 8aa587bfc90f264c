#!/usr/bin/env bash
# Embedding throughput, side by side in one run: Rhizome's embedder vs plain
# Python onnxruntime, same int8 model, same paragraphs, batch size and threads.
# Usage: benches/embed_compare.sh [PARAGRAPHS=1000] [RUNS=3]
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$HOME/.cache/rhizome/target}
N=${1:-1000}; RUNS=${2:-3}
mkdir -p benches/out
cargo build --release -q -p rhizome-benches
"$CARGO_TARGET_DIR/release/embed_throughput" --paragraphs "$N" --runs "$RUNS" --out benches/out/paragraphs.txt | tee benches/out/rust.json
read -r BATCH THREADS < <(models/venv/bin/python -c "import json;d=json.load(open('benches/out/rust.json'));print(d['batch_size'],d['threads'])")
models/venv/bin/python benches/embed_onnxruntime.py benches/out/paragraphs.txt models/multilingual-e5-small model_int8.onnx "$BATCH" "$THREADS" "$RUNS" | tee benches/out/python.json
models/venv/bin/python - <<'PY'
import json
r, p = json.load(open("benches/out/rust.json")), json.load(open("benches/out/python.json"))
ratio = r["paragraphs_per_s_median"] / p["paragraphs_per_s_median"]
print(f"rhizome {r['paragraphs_per_s_median']:.1f} par/s vs python onnxruntime {p['paragraphs_per_s_median']:.1f} par/s "
      f"({p['tokens_per_s_median']:.0f} tokens/s): ratio {ratio:.2f}x on {r['paragraphs']} paragraphs, batch {r['batch_size']}, {r['threads']} threads")
PY
