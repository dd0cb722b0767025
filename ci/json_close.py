#!/usr/bin/env python3
"""json_close.py A B: exits 0 when the JSON documents A and B are the same but for the
last bits of their numbers (relative difference at most 1e-12), else prints where they
differ and exits 1. A sum over rows that a cluster shuffles between executors adds them
in another order than the local engine does (used by ci/ballista.sh and ci/s3.sh)."""
import json, sys
def close(a, b, path="$"):
    if isinstance(a, bool) or isinstance(b, bool) or not isinstance(a, (int, float)) or not isinstance(b, (int, float)):
        if type(a) is not type(b):
            sys.exit(f"{path}: {a!r} vs {b!r}")
        if isinstance(a, dict):
            if a.keys() != b.keys():
                sys.exit(f"{path}: keys {sorted(a)} vs {sorted(b)}")
            for k in a:
                close(a[k], b[k], f"{path}.{k}")
        elif isinstance(a, list):
            if len(a) != len(b):
                sys.exit(f"{path}: {len(a)} vs {len(b)} items")
            for i, (x, y) in enumerate(zip(a, b)):
                close(x, y, f"{path}[{i}]")
        elif a != b:
            sys.exit(f"{path}: {a!r} vs {b!r}")
    elif abs(a - b) > 1e-12 * max(abs(a), abs(b)):
        sys.exit(f"{path}: {a!r} vs {b!r}")
close(json.load(open(sys.argv[1])), json.load(open(sys.argv[2])))
