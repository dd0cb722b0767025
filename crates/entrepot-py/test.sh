#!/usr/bin/env bash
# The Python package's test: builds the wheel with maturin, installs it into a FRESH
# virtual environment with pytest and the peers it is checked against (pyfixest,
# ecomplexity, gegravity, pandas, polars, pyarrow from PyPI), and runs tests/ with pytest.
#
# Profile: the workspace's `dev` profile by default (the kernels, entrepot-gravity and
# entrepot-complexity, are built at opt-level 3 even there, see Cargo.toml), which keeps
# CI fast; ENTREPOT_PY_PROFILE=bench-fast (or release) for an optimised wheel.
# maturin itself comes from bench/.venv (bash bench/setup_venv.sh maturin).
# Exit status: pytest's; a failure to build or install exits non-zero too.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/entrepot-target}"
profile="${ENTREPOT_PY_PROFILE:-dev}"
wheels="$CARGO_TARGET_DIR/wheels-entrepot-py"

echo "== maturin (bench/.venv)"
bash "$root/bench/setup_venv.sh" "maturin>=1.5,<2"
rm -rf "$wheels"
"$root/bench/.venv/bin/maturin" build --quiet -m "$here/Cargo.toml" --profile "$profile" --out "$wheels"
wheel=$(ls "$wheels"/entrepot-*.whl)
echo "built $wheel"

echo "== fresh virtual environment"
venv=$(mktemp -d "${TMPDIR:-/tmp}/entrepot-py-test.XXXXXX")
trap 'rm -rf "$venv"' EXIT
python3 -m venv "$venv"
"$venv/bin/pip" install -q --upgrade pip >/dev/null
"$venv/bin/pip" install -q "$wheel" pytest pyfixest ecomplexity gegravity pandas polars pyarrow
"$venv/bin/python" -c "import entrepot, pyfixest, ecomplexity; print('entrepot', entrepot.__version__, '| pyfixest', pyfixest.__version__)"

echo "== pytest"
cd "$here/tests"
"$venv/bin/python" -m pytest -q -p no:cacheprovider "$@"
