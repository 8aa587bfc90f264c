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
echo "==> cargo clippy --features qdrant-server (the server backend's code too)"
cargo clippy --release --workspace --all-targets --features rhizome-api/qdrant-server -- -D warnings
echo "==> cargo doc (warnings are errors)"
RUSTDOCFLAGS="-D warnings" cargo doc --release --workspace --no-deps --lib
echo "==> cargo test"
LOG=$(mktemp)
INSTA_UPDATE=no cargo test --release --workspace 2>&1 | tee "$LOG"
# The tests this machine cannot run are ignored with their reason: list them
# (a skip must never read as a pass).
awk '/^test result:/ { p += $4; f += $6; i += $8 }
     END { printf "==> Rust tests: %d passed, %d failed, %d ignored (not run here)\n", p, f, i }' "$LOG"
grep -E '^test .* \.\.\. ignored, ' "$LOG" | sed 's/^test /    ignored: /' || true
rm -f "$LOG"
if ! command -v chromium >/dev/null; then
  echo "==> Chromium for the browser tests (Debian packages chromium, chromium-driver)"
  if [ "$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq chromium chromium-driver >/dev/null; else sudo apt-get install -y chromium chromium-driver; fi
fi
echo "==> browser tests (headless Chromium, web/tests/e2e.mjs; screenshots in web/tests/out/)"
(cd web && RHIZOME_BIN="$CARGO_TARGET_DIR/release/rhizome" node tests/e2e.mjs)
echo "==> API contract (Schemathesis, all checks and stateful; a generated client)"
bash scripts/api_contract.sh "$CARGO_TARGET_DIR/release/rhizome"
echo "==> open dataset (export, pyarrow, datasets, mlcroissant, round trip)"
bash scripts/dataset_check.sh "$CARGO_TARGET_DIR/release/rhizome"
