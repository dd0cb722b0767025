"""Independent check of `entrepot series` (pandas on the raw CSV and the concordance
tables, not the store): South Africa's and Afghanistan's 2020 exports in the BACI HS17
extract, converted to HS 2022 codes with equal weights, compared with Entrepot's values
table.

Links HS 2017 -> HS 2022 are read from the MIT-licensed table in the shared data
(`reference/hs_concordance/HS2022_to_HS2017.csv`, one older code per newer code) plus the
project's added links (`crates/entrepot-core/data/concordance/hs2017_hs2022_added.csv`).
A code with k targets gives each 1/k of its value; a code without a link is unmapped.

* every HS 2022 code's value in USD bn (BACI's v is in thousands of USD), to 1e-9
  relative;
* no code more or fewer on either side;
* the total kept: sum of Entrepot's values + unmapped = the exporter's total.

Usage: series_check.py SHARED_DATA_DIR CORE_DATA_DIR ZAF_CSV AFG_CSV
  where *_CSV is `entrepot --format csv series ZAF --hs HS2022 --weights equal`.
Prints `MISMATCH …` lines and a last line `checked N figures, M mismatches`.
"""

import csv
import sys
from collections import defaultdict

import pandas as pd

EXPORTERS = {"ZAF": 710, "AFG": 4}


def links(shared: str, core: str) -> dict:
    mit = pd.read_csv(
        f"{shared}/reference/hs_concordance/HS2022_to_HS2017.csv", dtype=str
    )
    out = defaultdict(set)
    for new, old in zip(mit.HS2022, mit.HS2017):
        out[old.zfill(6)].add(new.zfill(6))
    added = pd.read_csv(f"{core}/concordance/hs2017_hs2022_added.csv", dtype=str)
    for old, new in zip(added.hs2017, added.hs2022):
        out[old.zfill(6)].add(new.zfill(6))
    return out


def reference(shared: str, core: str) -> dict:
    baci = pd.read_csv(
        f"{shared}/baci_hs17_2020_zaf_afg_exports/BACI_HS17_Y2020_V202301_exporters_ZAF_AFG.csv",
        dtype={"k": str},
        skipinitialspace=True,
    )
    baci = baci[baci.t == 2020].assign(hs6=lambda d: d.k.str.strip().str.zfill(6))
    link = links(shared, core)
    out = {}
    for name, code in EXPORTERS.items():
        x = baci[baci.i == code].groupby("hs6")["v"].sum() * 1e3 / 1e9  # USD bn
        conv = defaultdict(float)
        unmapped = 0.0
        for k, v in x.items():
            targets = sorted(link.get(k, ()))
            if not targets:
                unmapped += v
                continue
            for t in targets:
                conv[t] += v / len(targets)
        out[name] = (dict(conv), unmapped, float(x.sum()))
    return out


def main() -> None:
    shared, core, files = sys.argv[1], sys.argv[2], sys.argv[3:]
    ref = reference(shared, core)
    checked = mismatches = 0
    for name, path in zip(EXPORTERS, files):
        conv, unmapped, total = ref[name]
        got = {}
        with open(path, newline="") as f:
            for row in csv.DictReader(f):
                if row["table"] == "series" and row["part"] == "body":
                    got[row["code"]] = float(row["value"])
        for code in sorted(set(conv) | set(got)):
            checked += 1
            a, b = got.get(code), conv.get(code)
            if a is None or b is None or abs(a - b) > 1e-9 * max(1.0, abs(b)):
                mismatches += 1
                print(f"MISMATCH {name} {code}: entrepot {a} pandas {b}")
        checked += 1
        kept = sum(got.values()) + unmapped
        if abs(kept - total) > 1e-9 * total:
            mismatches += 1
            print(f"MISMATCH {name} total: {kept} (values + unmapped) vs {total}")
    print(f"checked {checked} figures, {mismatches} mismatches")


if __name__ == "__main__":
    main()
