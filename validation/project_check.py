#!/usr/bin/env python3
"""`entrepot project` and entrepot-project against statsmodels and pandas.

1. Damped trend (no arguments): statsmodels' ExponentialSmoothing (Holt's damped trend,
   additive) is run with fixed parameters and initial state on a fixed series; its
   one-step fitted values and forecasts 1..6 years ahead are printed. The Rust test
   `damped::tests::forecasts_equal_statsmodels_with_the_same_parameters` holds these
   numbers: rerun and compare when either side changes. statsmodels parameterises the
   trend in Holt's error-correction form: its smoothing_trend is beta* with
   beta = alpha * beta* in the state-space form entrepot-project uses.

2. The CLI (arguments SHARED ENTREPOT WORK): CHN's share of the Yotov et al. (2016)
   panel's exports (domestic flows left out) is recomputed with pandas from the raw
   CSV, and its log-linear projection to 2012 (OLS of the log-odds on the year, 80%
   prediction interval) with statsmodels; both are compared with `entrepot project CHN
   --to 2012 --format json` (shares and bounds to 1e-9 relative).

Usage: bench/.venv/bin/python validation/project_check.py [SHARED ENTREPOT WORK]
"""
import json
import subprocess
import sys

import numpy as np
import statsmodels
from statsmodels.tsa.holtwinters import ExponentialSmoothing


def damped():
    y = [-3.20, -3.11, -3.05, -2.90, -2.86, -2.71, -2.66, -2.52, -2.49, -2.41, -2.38, -2.30]
    alpha, beta_star, phi, l0, b0 = 0.7, 0.3, 0.9, -3.3, 0.1
    model = ExponentialSmoothing(np.array(y), trend="add", damped_trend=True,
                                 initialization_method="known",
                                 initial_level=l0, initial_trend=b0)
    fit = model.fit(smoothing_level=alpha, smoothing_trend=beta_star, damping_trend=phi,
                    optimized=False)
    print("statsmodels", statsmodels.__version__)
    print("alpha", alpha, "beta (state space) =", alpha * beta_star, "phi", phi)
    print("fitted", ", ".join(repr(float(v)) for v in fit.fittedvalues))
    print("forecast", ", ".join(repr(float(v)) for v in fit.forecast(6)))
    print("sse", repr(float(fit.sse)))


def cli(shared, entrepot, work):
    import pandas as pd
    import statsmodels.api as sm

    csv = f"{shared}/yotov_agtpa/agtpa_applications.csv"
    store = f"{work}/project_store"
    subprocess.run([entrepot, "--quiet", "--store", store, "ingest", csv, "--dataset", "agtpa",
                    "--map", "reporter=exporter,partner=importer,period=year,value=trade,flow=export"],
                   check=True, capture_output=True)
    out = subprocess.run([entrepot, "--quiet", "--store", store, "--format", "json", "project",
                          "CHN", "--to", "2012", "--dataset", "agtpa"],
                         check=True, capture_output=True, text=True).stdout
    doc = json.loads(out)
    table = next(b for s in doc["sections"] for b in s["blocks"]
                 if b.get("type") == "table" and b["id"] == "projection")
    keys = [c["key"] for c in table["columns"]]

    def val(row, key):
        cell = row["cells"][keys.index(key)]
        return cell["value"] if cell.get("type") == "number" else None

    df = pd.read_csv(csv)
    df = df[df.exporter != df.importer]
    df["exporter"] = df.exporter.replace({"ROM": "ROU"})
    tot = df.groupby(["year", "exporter"]).trade.sum()
    share = 100 * tot.xs("CHN", level="exporter") / tot.groupby(level="year").sum()
    failed = checked = 0

    def check(what, a, b):
        nonlocal failed, checked
        checked += 1
        if a is None or abs(a - b) > 1e-9 * max(1.0, abs(b)):
            failed += 1
            print(f"FAIL {what}: entrepot {a}, reference {b}")

    rows = table["rows"]
    for r in rows[: len(share)]:
        year = int(r["cells"][0]["text"])
        check(f"share {year}", val(r, "share"), share[year])
    z = np.log(share / (100 - share))
    x = sm.add_constant(np.arange(len(z), dtype=float))
    fit = sm.OLS(z.values, x).fit()
    h = np.arange(len(z), len(z) + 6, dtype=float)
    pred = fit.get_prediction(sm.add_constant(h, has_constant="add")).summary_frame(alpha=0.2)
    inv = lambda v: 100 / (1 + np.exp(-v))
    for i, r in enumerate(rows[len(share):]):
        year = int(r["cells"][0]["text"])
        check(f"log-linear {year}", val(r, "log_linear"), inv(pred["mean"].iloc[i]))
        check(f"log-linear lower {year}", val(r, "log_linear_lower"), inv(pred["obs_ci_lower"].iloc[i]))
        check(f"log-linear upper {year}", val(r, "log_linear_upper"), inv(pred["obs_ci_upper"].iloc[i]))
    print(f"checked: {failed} failed ({checked} figures)")


if __name__ == "__main__":
    if len(sys.argv) == 4:
        cli(*sys.argv[1:])
    else:
        damped()
