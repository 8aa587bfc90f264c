#!/usr/bin/env bash
# The API against its OpenAPI document, on the demo corpora:
#  1. Schemathesis with every check and its stateful phase (bounded examples);
#  2. a client generated from the document (openapi-python-client) calls
#     search, related and drafts (tests/api/client_calls.py).
# Usage: scripts/api_contract.sh [RHIZOME_BIN]   (part of scripts/test.sh)
source "$(dirname "$0")/python_tools.sh"
BIN=${1:-$CARGO_TARGET_DIR/release/rhizome}
TOOLS=${RHIZOME_PYTOOLS:-$HOME/.cache/rhizome/pytools}
ensure_venv "$TOOLS" "schemathesis, openapi_python_client" "schemathesis==4.32.5" "openapi-python-client==0.29.1"
WORK=$(mktemp -d)
SERVER=
cleanup() { [ -n "$SERVER" ] && kill "$SERVER" 2>/dev/null; wait 2>/dev/null; rm -rf "$WORK"; }
trap cleanup EXIT
export RHIZOME_DATA_DIR=$WORK/data
TOKEN=contract-$RANDOM$RANDOM
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
BASE=http://127.0.0.1:$PORT
"$BIN" index --quiet
"$BIN" links >/dev/null
RHIZOME_ADMIN_TOKEN=$TOKEN "$BIN" serve --addr "127.0.0.1:$PORT" 2>"$WORK/serve.log" &
SERVER=$!
for _ in $(seq 100); do curl -sf "$BASE/health" >/dev/null && break; sleep 0.2; done

echo "==> schemathesis run --checks all (examples, coverage, fuzzing, stateful)"
# From $WORK: Schemathesis keeps a cache in its working directory.
(cd "$WORK" && "$TOOLS/bin/schemathesis" --config-file "$ROOT/tests/api/schemathesis.toml" run "$BASE/openapi.json" \
  --checks all --max-examples 25 --seed "${SCHEMATHESIS_SEED:-20}" --no-shrink --output-truncate true \
  -H "Authorization: Bearer $TOKEN" --report junit --report-dir "$WORK/report" \
  | grep -v '^\s*\[200\] curl' | cut -c1-300)

echo "==> a client generated from the document (openapi-python-client) calls search, related, drafts"
(cd "$WORK" && "$TOOLS/bin/openapi-python-client" generate --url "$BASE/openapi.json" \
  --meta none --output-path "$WORK/gen/rhizome_client" >/dev/null 2>&1)
PYTHONPATH=$WORK/gen "$TOOLS/bin/python" tests/api/client_calls.py "$BASE"
