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
read -r BATCH THREADS SESSIONS < <(models/venv/bin/python -c "import json;d=json.load(open('benches/out/rust.json'));print(d['batch_size'],d['threads'],d['sessions'])")
PY_BENCH=(models/venv/bin/python benches/embed_onnxruntime.py benches/out/paragraphs.txt models/multilingual-e5-small model_int8.onnx "$BATCH" "$THREADS" "$RUNS")
# Plain onnxruntime (one session using all threads), then the same split as Rhizome.
"${PY_BENCH[@]}" 1 | tee benches/out/python.json
"${PY_BENCH[@]}" "$SESSIONS" | tee benches/out/python_split.json
models/venv/bin/python - <<'PY'
import json
r = json.load(open("benches/out/rust.json"))
p, q = json.load(open("benches/out/python.json")), json.load(open("benches/out/python_split.json"))
rate, tps = r["paragraphs_per_s_median"], p["tokens_per_s_median"] / p["paragraphs_per_s_median"]
print(f"rhizome {rate:.1f} par/s ({rate * tps:.0f} tokens/s) on {r['paragraphs']} paragraphs, batch {r['batch_size']}, "
      f"{r['threads']} threads in {r['sessions']} sessions")
print(f"  vs plain python onnxruntime (1 session, {p['threads']} threads): {p['paragraphs_per_s_median']:.1f} par/s, "
      f"ratio {rate / p['paragraphs_per_s_median']:.2f}x")
print(f"  vs python onnxruntime with the same split ({q['sessions']} sessions): {q['paragraphs_per_s_median']:.1f} par/s, "
      f"ratio {rate / q['paragraphs_per_s_median']:.2f}x")
PY
