#!/usr/bin/env bash
# Every quick bench on the demo corpora, in one go (about 3 minutes on 2
# cores, after scripts/run.sh has indexed the demo): embedding throughput
# side by side with Python onnxruntime, link discovery, API load, a short soak,
# and both vector-store backends when QDRANT_URL is set. The scale benches
# (benches/scale.sh, the all-corpora run) take hours the first time: run them
# on their own.
set -euo pipefail
cd "$(dirname "$0")/.."
benches/embed_compare.sh 600 3
benches/links_bench.sh demo
benches/load.sh 10
benches/soak.sh 20
if [ -n "${QDRANT_URL:-}" ]; then benches/backends.sh 3; else echo "backends: skipped (QDRANT_URL is not set)"; fi
