#!/usr/bin/env bash
# API fuzzing from the OpenAPI document with schemathesis (PyPI), against a
# server on loopback with the demo corpora loaded (run scripts/run.sh once first).
# Passes when no generated request gets a server error (5xx).
# Usage: benches/api_fuzz.sh [MAX_EXAMPLES=50]
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$HOME/.cache/rhizome/target}
export RHIZOME_CACHE_DIR=${RHIZOME_CACHE_DIR:-$HOME/.cache/rhizome/embeddings}
VENV=models/schemathesis
[ -x "$VENV/bin/schemathesis" ] || { python3 -m venv "$VENV" && "$VENV/bin/pip" install -q schemathesis; }
ADDR=127.0.0.1:18097
"$CARGO_TARGET_DIR/release/rhizome" serve --addr "$ADDR" > /dev/null 2>&1 &
PID=$!
trap 'kill $PID 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do curl -sf "http://$ADDR/health" >/dev/null && break; sleep 0.2; done
"$VENV/bin/schemathesis" run "http://$ADDR/openapi.json" --checks not_a_server_error --max-examples "${1:-50}" --workers 2
