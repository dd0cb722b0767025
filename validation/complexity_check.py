#!/usr/bin/env python3
"""Economic complexity: Entrepot against ecomplexity (Harvard Growth Lab, PyPI).

Usage: complexity_check.py ENTREPOT_BINARY WORKDIR

Generates the SYNTHETIC 150 x 2,000 matrix of bench/complexity/gen_matrix.py (seed
20240611), runs ecomplexity on it (defaults: RCA presence, threshold 1, symmetric
proximity; the log-supermodularity diagnostic off, it changes no figure) and
`entrepot complexity --data FILE --tables DIR` on the same CSV, and compares ECI, PCI
(per country / product), COI (per country), RCA, density and COG (per cell), and the
world market share of every cell against pandas. Prints one
`ok`/`FAIL` line per figure with the largest absolute difference (tolerance 1e-6) and
`checked: N failed`.
"""
import os
import subprocess
import sys
import time
import warnings

import pandas as pd
from ecomplexity import ecomplexity

TOL = 1e-6


def world_share(df, cells):
    """Each cell's share of the product's world exports, x_cp / X_p, on the cells written."""
    x = df.groupby(["country", "product"])["value"].sum()
    share = x / x.groupby(level="product").transform("sum")
    return share.reindex(pd.MultiIndex.from_frame(cells[["country", "product"]])).fillna(0.0)


def main():
    binary, work = sys.argv[1], sys.argv[2]
    here = os.path.dirname(os.path.abspath(__file__))
    data = os.path.join(work, "complexity_synthetic.csv")
    subprocess.run([sys.executable, os.path.join(here, "..", "bench", "complexity", "gen_matrix.py"), data],
                   check=True)
    tables = os.path.join(work, "complexity_tables")
    t0 = time.time()
    subprocess.run([binary, "--quiet", "complexity", "--data", data, "--tables", tables],
                   check=True, stdout=subprocess.DEVNULL)
    t_entrepot = time.time() - t0

    df = pd.read_csv(data, dtype={"country": str, "product": str})
    warnings.simplefilter("ignore")
    t0 = time.time()
    ref = ecomplexity(df, {"time": "year", "loc": "country", "prod": "product", "val": "value"},
                      check_logsupermodularity=False, verbose=False)
    t_eco = time.time() - t0
    ref = ref.dropna(subset=["eci"])

    countries = pd.read_csv(os.path.join(tables, "countries.csv"), dtype={"country": str})
    products = pd.read_csv(os.path.join(tables, "products.csv"), dtype={"product": str})
    cells = pd.read_csv(os.path.join(tables, "cells.csv"), dtype={"country": str, "product": str})

    failed = 0
    checks = [
        ("eci", ref.groupby("country")["eci"].first(), countries.set_index("country")["eci"]),
        ("pci", ref.groupby("product")["pci"].first(), products.set_index("product")["pci"]),
        ("coi", ref.groupby("country")["coi"].first(), countries.set_index("country")["coi"]),
        ("density", ref.set_index(["country", "product"])["density"],
         cells.set_index(["country", "product"])["density"]),
        ("cog", ref.set_index(["country", "product"])["cog"],
         cells.set_index(["country", "product"])["cog"]),
        ("rca", ref.set_index(["country", "product"])["rca"],
         cells.set_index(["country", "product"])["rca"]),
        ("world_share", world_share(df, cells), cells.set_index(["country", "product"])["world_share"]),
        ("diversity", ref.groupby("country")["diversity"].first(), countries.set_index("country")["diversity"]),
        ("ubiquity", ref.groupby("product")["ubiquity"].first(), products.set_index("product")["ubiquity"]),
    ]
    for name, want, got in checks:
        both = pd.concat([want.rename("want"), got.rename("got")], axis=1)
        missing = int(both.isna().any(axis=1).sum())
        diff = float((both["want"] - both["got"]).abs().max())
        ok = missing == 0 and diff <= TOL
        failed += not ok
        print(f"{'ok  ' if ok else 'FAIL'} {name}: {len(both)} values, max abs difference {diff:.3g}"
              + (f", {missing} missing on one side" if missing else ""))
    print(f"time: entrepot {t_entrepot:.2f} s (whole CLI run), ecomplexity {t_eco:.2f} s")
    print(f"checked: {failed} failed")


if __name__ == "__main__":
    main()
