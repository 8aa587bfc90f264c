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
