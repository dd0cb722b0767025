"""Independent check of `entrepot diversification` (pandas, not the store): prints the
concentration indices the acceptance tests in crates/entrepot-cli/tests/diversification.rs
compare against, computed straight from the raw CSVs.

* penppml_trade/trade.csv: China's exports (exp == CHN) by destination (imp != CHN) and
  year, zero values left out: number of destinations, HHI = sum of squared shares,
  effective number 1/HHI, top-3 share.
* BACI HS17 2020 extract: South Africa's (i == 710) exports by destination (j) and by
  HS6 product (k), v in thousands of USD (shares do not depend on the unit): HHI and
  top-1/3/5/10 shares.

Usage: diversification_check.py [SHARED_DATA_DIR]   (default $ENTREPOT_SHARED_DATA)
Prints one line per figure, `name value` with 12 significant digits; compare with
`entrepot --format json diversification CHN` and
`entrepot --format json diversification ZAF [--across products]`.
"""

import os
import sys

import pandas as pd


def indices(values: pd.Series, ks=(1, 3, 5)) -> dict:
    v = values[values > 0].sort_values(ascending=False)
    s = v / v.sum()
    out = {"units": len(v), "hhi": float((s**2).sum())}
    out["effective_number"] = 1.0 / out["hhi"]
    for k in ks:
        out[f"top{k}_share"] = float(s.iloc[:k].sum())
    return out


def show(label: str, d: dict) -> None:
    for k, v in d.items():
        print(f"{label} {k} {v:.12g}")


def main() -> int:
    shared = sys.argv[1] if len(sys.argv) > 1 else os.environ.get("ENTREPOT_SHARED_DATA")
    if not shared:
        print("usage: diversification_check.py SHARED_DATA_DIR", file=sys.stderr)
        return 2
    trade = pd.read_csv(
        f"{shared}/penppml_trade/trade.csv", usecols=["exp", "imp", "time", "export"]
    )
    chn = trade[(trade.exp == "CHN") & (trade.imp != "CHN")]
    for year, g in chn.groupby("time"):
        show(f"penppml CHN export destinations {year}", indices(g.groupby("imp")["export"].sum(), ks=(3,)))

    baci_dir = f"{shared}/baci_hs17_2020_zaf_afg_exports"
    baci = pd.read_csv(
        f"{baci_dir}/BACI_HS17_Y2020_V202301_exporters_ZAF_AFG.csv",
        dtype={"k": str},
        skipinitialspace=True,
    )
    zaf = baci[(baci.t == 2020) & (baci.i == 710) & (baci.j != 710)]
    show("baci ZAF 2020 destinations", indices(zaf.groupby("j")["v"].sum(), ks=(1, 3, 5, 10)))
    zaf = zaf.assign(hs6=zaf.k.str.strip().str.zfill(6))
    show("baci ZAF 2020 HS6 products", indices(zaf.groupby("hs6")["v"].sum(), ks=(1, 3, 5)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
