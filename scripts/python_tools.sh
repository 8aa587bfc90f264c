# Sourced by the check scripts that drive Python tools from PyPI
# (scripts/api_contract.sh, scripts/dataset_check.sh): the repository root,
# the build's target and cache dirs, the binary, and a cached venv.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT=$PWD
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$HOME/.cache/rhizome/target}
export RHIZOME_CACHE_DIR=${RHIZOME_CACHE_DIR:-$HOME/.cache/rhizome/embeddings}

# ensure_venv DIR "import a, b" PACKAGE... — creates DIR with the packages
# unless they already import there (idempotent; kept across clones).
ensure_venv() {
  local dir=$1 imports=$2
  shift 2
  if ! "$dir/bin/python" -c "import $imports" 2>/dev/null; then
    echo "==> $* from PyPI into $dir"
    python3 -m venv "$dir"
    "$dir/bin/pip" install -q --disable-pip-version-check "$@"
  fi
}
