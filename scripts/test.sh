#!/usr/bin/env bash
# The test command: set-up (idempotent), then formatting, lints and every test.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$HOME/.cache/rhizome/target}
# Embeddings are cached by (model, paragraph text): keep them across clones.
export RHIZOME_CACHE_DIR=${RHIZOME_CACHE_DIR:-$HOME/.cache/rhizome/embeddings}
bash scripts/setup.sh
echo "==> cargo fmt --check"
cargo fmt --all -- --check
echo "==> cargo clippy --all-targets -D warnings"
cargo clippy --release --workspace --all-targets -- -D warnings
echo "==> cargo test"
INSTA_UPDATE=no cargo test --release --workspace
if ! command -v chromium >/dev/null; then
  echo "==> Chromium for the browser tests (Debian packages chromium, chromium-driver)"
  if [ "$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq chromium chromium-driver >/dev/null; else sudo apt-get install -y chromium chromium-driver; fi
fi
echo "==> browser tests (headless Chromium, web/tests/e2e.mjs; screenshots in web/tests/out/)"
(cd web && RHIZOME_BIN="$CARGO_TARGET_DIR/release/rhizome" node tests/e2e.mjs)
echo "==> API contract (Schemathesis, all checks and stateful; a generated client)"
bash scripts/api_contract.sh "$CARGO_TARGET_DIR/release/rhizome"
