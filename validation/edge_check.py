"""Independent check of `entrepot edge` (pandas on the raw CSV, not the store): world
market shares and Balassa RCA by HS6 product of South Africa and Afghanistan on the
BACI HS17 2020 extract, compared with Entrepot's products tables.

The extract holds the exports of two exporters only (ZAF, i == 710, and AFG, i == 4),
so the "world" here is those two, on both sides: X_wk = X_ZAF,k + X_AFG,k and
X_w = X_ZAF + X_AFG. Entrepot says in its report that the dataset does not cover world
trade; the comparison is like with like.

* share_rk = X_rk / X_wk × 100;
* RCA_rk = (X_rk / X_r) / (X_wk / X_w) (Balassa 1965);
* exports and world exports in USD bn (BACI's v is in thousands of USD).

Also checks, on Entrepot's output, that the two exporters' shares in every product add
up to 100.

Usage: edge_check.py SHARED_DATA_DIR ZAF_CSV AFG_CSV
  where *_CSV is `entrepot --format csv edge ZAF --dataset baci` (the products table).
Prints `MISMATCH …` lines and a last line `checked N figures, M mismatches`.
"""

import csv
import sys

import pandas as pd

EXPORTERS = {"ZAF": 710, "AFG": 4}


def reference(shared: str) -> dict:
    baci = pd.read_csv(
        f"{shared}/baci_hs17_2020_zaf_afg_exports/BACI_HS17_Y2020_V202301_exporters_ZAF_AFG.csv",
        dtype={"k": str},
        skipinitialspace=True,
    )
    baci = baci[baci.t == 2020].assign(hs6=lambda d: d.k.str.strip().str.zfill(6))
    x = baci.groupby(["i", "hs6"])["v"].sum()  # thousands of USD
    x_w = float(x.sum())
    x_wk = x.groupby(level="hs6").sum()
    out = {}
    for iso3, code in EXPORTERS.items():
        x_r = float(x.loc[code].sum())
        for hs6, v in x.loc[code].items():
            if v <= 0:
                continue
            out[(iso3, hs6)] = {
                "exports": v * 1e3 / 1e9,
                "world_exports": x_wk[hs6] * 1e3 / 1e9,
                "share": 100.0 * v / x_wk[hs6],
                "rca": (v / x_r) / (x_wk[hs6] / x_w),
            }
    return out


def entrepot(path: str) -> dict:
    rows = [r for r in csv.DictReader(open(path)) if r["table"] == "products" and r["part"] == "body"]
    return {r["hs6"]: r for r in rows}


def main() -> int:
    if len(sys.argv) != 4:
        print(__doc__, file=sys.stderr)
        return 2
    ref = reference(sys.argv[1])
    got = {"ZAF": entrepot(sys.argv[2]), "AFG": entrepot(sys.argv[3])}
    n = bad = 0
    for iso3 in EXPORTERS:
        want_codes = {k for (r, k) in ref if r == iso3}
        if set(got[iso3]) != want_codes:
            bad += 1
            print(f"MISMATCH {iso3} products: {len(got[iso3])} in Entrepot, {len(want_codes)} in pandas")
        for hs6 in sorted(want_codes & set(got[iso3])):
            for key, want in ref[(iso3, hs6)].items():
                n += 1
                value = float(got[iso3][hs6][key])
                if abs(value - want) > 1e-9 * max(1.0, abs(want)):
                    bad += 1
                    print(f"MISMATCH {iso3} {hs6} {key}: Entrepot {value!r}, pandas {want!r}")
    sums: dict = {}
    for rows in got.values():
        for hs6, r in rows.items():
            sums[hs6] = sums.get(hs6, 0.0) + float(r["share"])
    for hs6, s in sums.items():
        n += 1
        if abs(s - 100.0) > 1e-9:
            bad += 1
            print(f"MISMATCH shares of {hs6} add up to {s!r}")
    zaf_solar = ref.get(("ZAF", "854140"))
    if zaf_solar:
        print(f"ZAF 854140 share {zaf_solar['share']:.6f} RCA {zaf_solar['rca']:.6f}")
    print(f"products: ZAF {len(got['ZAF'])}, AFG {len(got['AFG'])}, both {len(set(got['ZAF']) & set(got['AFG']))}")
    print(f"checked {n} figures, {bad} mismatches")
    return 0


if __name__ == "__main__":
    sys.exit(main())
