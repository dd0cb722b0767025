#!/usr/bin/env bash
# Creates bench/.venv with the peer tools (DuckDB, polars, pyfixest, …) from PyPI.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
if [ ! -x "$here/.venv/bin/python" ]; then
  python3 -m venv "$here/.venv"
fi
"$here/.venv/bin/pip" install -q --upgrade pip >/dev/null
"$here/.venv/bin/pip" install -q "$@"
