#!/usr/bin/env bash
# The main job: set-up (idempotent), index the demo corpora (incremental),
# discover links, answer a sample search, then serve the API and the web pages.
# RHIZOME_NO_SERVE=1 stops after the sample search.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$HOME/.cache/rhizome/target}
export RHIZOME_CACHE_DIR=${RHIZOME_CACHE_DIR:-$HOME/.cache/rhizome/embeddings}
bash scripts/setup.sh
RHIZOME=$CARGO_TARGET_DIR/release/rhizome
echo "==> rhizome index (demo corpora from rhizome.toml)"
status=0
"$RHIZOME" index || status=$?
if [ "$status" -ne 0 ] && [ "$status" -ne 3 ]; then exit "$status"; fi
echo "==> rhizome links"
"$RHIZOME" links
"$RHIZOME" stats
echo "==> rhizome search \"le revenu de base\" --group -k 5"
"$RHIZOME" search "le revenu de base" --group -k 5
if [ "${RHIZOME_NO_SERVE:-0}" = "1" ]; then exit 0; fi
echo "==> rhizome serve (Ctrl-C to stop)"
exec "$RHIZOME" serve --addr "${RHIZOME_ADDR:-127.0.0.1:8080}"
