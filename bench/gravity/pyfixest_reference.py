#!/usr/bin/env python3
"""Compute pyfixest reference numbers for entrepot-gravity's validation tests.

Usage (from the repository root):

    python3 bench/gravity/pyfixest_reference.py            # creates bench/.venv if needed

Writes crates/entrepot-gravity/tests/reference/pyfixest_reference.json, which the Rust
test `pyfixest_reference` (crates/entrepot-gravity/tests/validation.rs) pins.

The models are run with tight tolerances (IRLS 1e-12 on the relative deviance change,
demeaning 1e-12) so that the reference is the converged optimum, with singletons
dropped, the FE and iterated-rectifier separation checks on, and pyfixest's default
small-sample corrections. Data are read from the shared data folder
(ENTREPOT_SHARED_DATA or ../shared/data relative to the repository root).
"""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
VENV = ROOT / "bench" / ".venv"


def ensure_venv():
    py = VENV / "bin" / "python"
    if Path(sys.prefix).resolve() == VENV.resolve() or os.environ.get("ENTREPOT_NO_VENV"):
        return
    if not py.exists():
        subprocess.check_call([sys.executable, "-m", "venv", str(VENV)])
        subprocess.check_call([str(py), "-m", "pip", "install", "-q", "pyfixest"])
    os.execv(str(py), [str(py), __file__, *sys.argv[1:]])


def data_dir() -> Path:
    d = os.environ.get("ENTREPOT_SHARED_DATA")
    return Path(d) if d else ROOT.parent / "shared" / "data"


def main():
    ensure_venv()
    import numpy as np
    import pandas as pd
    import pyfixest as pf
    from pyfixest.demeaners import MapDemeaner

    dd = data_dir()
    out = {
        "generator": "bench/gravity/pyfixest_reference.py",
        "pyfixest_version": pf.__version__,
        "settings": {
            "iwls_tol": 1e-12,
            "fixef_tol": 1e-12,
            "fixef_rm": "singleton",
            "separation_check": ["fe", "ir"],
            "ssc": "default",
        },
        "models": [],
    }
    dem = MapDemeaner(fixef_tol=1e-12, fixef_maxiter=200_000)

    def run(name, df, fml, vcov, rust_formula, rust_filters, rust_cluster, rust_vcov, rename,
            model="ppml"):
        if model == "ppml":
            fit = pf.fepois(
                fml,
                data=df,
                vcov=vcov,
                iwls_tol=1e-12,
                iwls_maxiter=500,
                separation_check=["fe", "ir"],
                demeaner=dem,
            )
        else:
            fit = pf.feols(fml, data=df, vcov=vcov, demeaner=dem)
        coefs = fit.coef()
        ses = fit.se()
        rec = {
            "name": name,
            "model": model,
            "pyfixest_formula": fml,
            "pyfixest_vcov": vcov,
            "formula": rust_formula,
            "filters": rust_filters,
            "cluster": rust_cluster,
            "vcov": rust_vcov,
            "nobs": int(fit._N),
            "coefficients": [
                {"name": rename.get(k, k), "estimate": float(coefs[k]), "std_error": float(ses[k])}
                for k in coefs.index
            ],
            "deviance": float(fit.deviance) if model == "ppml" else None,
        }
        print(json.dumps(rec, indent=1), flush=True)
        out["models"].append(rec)

    # ppmlhdfe example (help file, example 3).
    fta = pd.read_csv(dd / "ppmlhdfe_example_trade_fta" / "EXAMPLE_TRADE_FTA_DATA.csv")
    fta = fta[fta["category"] == "TOTAL"].copy()
    fta["pair"] = fta["isoimp"] + "_" + fta["isoexp"]
    rf = "trade ~ fta | isoimp^year + isoexp^year + isoimp^isoexp"
    filt = ['category == "TOTAL"']
    for vc, rvc, cl in [
        ({"CRV1": "pair"}, "cluster", "isoimp^isoexp"),
        ("hetero", "hetero", ""),
        ("iid", "iid", ""),
        ({"CRV1": "isoexp+isoimp"}, "cluster", "isoexp,isoimp"),
    ]:
        run(
            f"ppmlhdfe_fta_{rvc}" + ("_twoway" if "," in cl else ""),
            fta,
            "trade ~ fta | isoimp^year + isoexp^year + isoimp^isoexp",
            vc,
            rf,
            filt,
            cl,
            rvc,
            {},
        )

    # OLS on log(trade) with the same fixed effects (feols).
    pos = fta[fta["trade"] > 0].copy()
    pos["ltrade"] = np.log(pos["trade"])
    for vc, rvc, cl in [
        ({"CRV1": "pair"}, "cluster", "isoimp^isoexp"),
        ("hetero", "hetero", ""),
        ("iid", "iid", ""),
        ({"CRV1": "isoexp+isoimp"}, "cluster", "isoexp,isoimp"),
    ]:
        run(
            f"ppmlhdfe_fta_ols_{rvc}" + ("_twoway" if "," in cl else ""),
            pos,
            "ltrade ~ fta + ln_distw | isoimp^year + isoexp^year",
            vc,
            "log(trade) ~ fta + ln_distw | isoimp^year + isoexp^year",
            filt + ["trade > 0"],
            cl,
            rvc,
            {},
            model="ols",
        )

    # penppml trade panel: agreement in force dummy, three-way FE, clustered by pair.
    tr = pd.read_csv(dd / "penppml_trade" / "trade.csv")
    tr["fta"] = (tr["id"] > 0).astype(float)
    tr["pair"] = tr["exp"] + "_" + tr["imp"]
    run(
        "penppml_trade_cluster",
        tr,
        "export ~ fta | exp^time + imp^time + exp^imp",
        {"CRV1": "pair"},
        "export ~ (id > 0) | exp^time + imp^time + exp^imp",
        [],
        "exp^imp",
        "cluster",
        {"fta": "(id > 0)"},
    )

    dest = ROOT / "crates" / "entrepot-gravity" / "tests" / "reference" / "pyfixest_reference.json"
    dest.parent.mkdir(parents=True, exist_ok=True)
    dest.write_text(json.dumps(out, indent=2) + "\n")
    print(f"wrote {dest}")


if __name__ == "__main__":
    main()
