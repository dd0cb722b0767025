#!/usr/bin/env python3
"""pyfixest side of bench/gravity/run.sh (not a test).

    python bench_pyfixest.py <case> <data.csv> [--tol 1e-8] [--separation fe|fe,ir]

Cases: yotov, penppml, synthetic (the same models as the Rust side, see run.sh).
Runs one warm-up fit on the first 5% of rows (numba/Rust kernels, imports), then times
`pf.fepois` and prints one JSON line: load and fit seconds, N, coefficients, standard
errors and the peak resident memory (ru_maxrss) of the process.
"""

import json
import resource
import sys
import time


def main():
    case, path = sys.argv[1], sys.argv[2]
    tol = 1e-8
    sep = ["fe"]
    args = sys.argv[3:]
    for i, a in enumerate(args):
        if a == "--tol":
            tol = float(args[i + 1])
        if a == "--separation":
            sep = args[i + 1].split(",")
    import numpy as np
    import pandas as pd
    import pyfixest as pf
    from pyfixest.demeaners import MapDemeaner

    t0 = time.perf_counter()
    df = pd.read_csv(path)
    if case == "yotov":
        df = df[df["year"].isin([1986, 1990, 1994, 1998, 2002, 2006]) & (df["exporter"] != df["importer"])].copy()
        df["ln_dist"] = np.log(df["dist"])
        fml = "trade ~ ln_dist + cntg + lang + clny | exporter^year + importer^year"
        vcov = {"CRV1": "pair_id"}
    elif case == "penppml":
        df["fta"] = (df["id"] > 0).astype(float)
        df["pair"] = df["exp"] + "_" + df["imp"]
        fml = "export ~ fta | exp^time + imp^time + exp^imp"
        vcov = {"CRV1": "pair"}
    elif case == "synthetic":
        df["pair"] = df["exp"] + "_" + df["imp"]
        fml = "y ~ fta + x2 | exp^time + imp^time + exp^imp"
        vcov = {"CRV1": "pair"}
    else:
        raise SystemExit(f"unknown case {case}")
    load_s = time.perf_counter() - t0
    dem = MapDemeaner(fixef_tol=tol)

    def run(d):
        return pf.fepois(fml, data=d, vcov=vcov, iwls_tol=tol, separation_check=sep, demeaner=dem)

    warm = df.iloc[: max(1000, len(df) // 20)].copy()
    try:
        run(warm)
    except Exception as e:  # a prefix may be degenerate; the warm-up is best effort
        print(f"warm-up failed: {e}", file=sys.stderr)
    t1 = time.perf_counter()
    fit = run(df)
    fit_s = time.perf_counter() - t1
    print(json.dumps({
        "tool": "pyfixest",
        "version": pf.__version__,
        "load_s": load_s,
        "fit_s": fit_s,
        "nobs": int(fit._N),
        "names": list(fit.coef().index),
        "coef": [float(v) for v in fit.coef().values],
        "se": [float(v) for v in fit.se().values],
        "separation": sep,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0,
    }))


if __name__ == "__main__":
    main()
