#!/usr/bin/env bash
# Benchmark (not a test): entrepot.fepois vs pyfixest.fepois in the same Python process on
# the penppml panel and a SYNTHETIC 1M-row gravity panel (seed 42); see fepois.py.
#   bash bench/python/fepois.sh [--rows N] [--repeats R] [--skip-penppml]
# Builds the wheel with the `bench-fast` cargo profile (release code generation, no LTO;
# ENTREPOT_PY_PROFILE=dev for a quick build whose kernels, entrepot-gravity and
# entrepot-complexity, are still at opt-level 3) and installs it, pyfixest, pandas and
# pyarrow into bench/.venv.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/entrepot-target}"
profile="${ENTREPOT_PY_PROFILE:-bench-fast}"
wheels="$CARGO_TARGET_DIR/wheels-entrepot-py-bench"
bash "$root/bench/setup_venv.sh" "maturin>=1.5,<2" pyfixest pandas pyarrow
rm -rf "$wheels"
"$root/bench/.venv/bin/maturin" build --quiet -m "$root/crates/entrepot-py/Cargo.toml" \
  --profile "$profile" --out "$wheels"
"$root/bench/.venv/bin/pip" install -q --force-reinstall --no-deps "$wheels"/entrepot-*.whl
echo "profile: $profile; cpus: $(nproc); $("$root/bench/.venv/bin/python" --version)"
"$root/bench/.venv/bin/python" "$here/fepois.py" "$@"
