"""Shared helpers of the entrepot pytest suite: where the shared reference data is.

The data folder is ENTREPOT_SHARED_DATA (default ../shared/data next to the repository).
A test that needs a missing file is skipped, unless ENTREPOT_REQUIRE_SHARED_DATA=1 (CI),
where it fails.
"""

import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(Path(__file__).resolve().parent))


def shared_file(rel: str) -> Path:
    base = Path(os.environ.get("ENTREPOT_SHARED_DATA", ROOT.parent / "shared" / "data"))
    path = base / rel
    if not path.exists():
        msg = f"shared data file {path} not found (set ENTREPOT_SHARED_DATA)"
        if os.environ.get("ENTREPOT_REQUIRE_SHARED_DATA") == "1":
            pytest.fail(msg)
        pytest.skip(msg)
    return path
