"""Independent check of `entrepot dependence` (pandas on the raw CSVs, not the store):
compares every figure of the report documents given with the same figure computed
here, to 1e-9 relative.

* BACI HS17 2020 extract (`dependence ZAF AFG --dataset baci --top 100000`): AFG's
  dependence on ZAF and ZAF's on AFG per HS6 product. BACI holds only exports (v in
  thousands of USD), so AFG's imports from ZAF are ZAF's exports to AFG (i = 710,
  j = 4). Per product k and direction: the value at stake x_k, the supplier's exports
  of k to everyone X_k and the export share x_k / X_k (the buyer's absorption of the
  supplier's exports of k); per direction, the same overall. The extract holds the
  exports of two countries only, so neither buyer's total imports are held: every
  import share must be absent (a missing cell whose reason says it is not held),
  never a number.
* penppml panel (`dependence CHN USA --dataset penppml`): both directions, every year.
  Exports only (`export`, USD), so a country's imports are the sum of every exporter's
  exports to it. Coverage of a year: the share of the value whose importer is itself
  an exporter in the year (any row, zeros included); at 90% and over the year covers
  world trade and: import share = x / M_buyer, export share = x / X_supplier,
  asymmetry = import share − export share, trade intensity =
  (x / X_supplier) / (M_buyer / (M_world − M_supplier)), M_world = all exports of the
  year. Under 90%, the import share and the intensity must be absent; so must the
  export share of a supplier with no exports in the year (CHN before 1984).

Usage: dependence_check.py SHARED_DATA_DIR BACI_JSON PENPPML_JSON
Prints one line per mismatch, the largest relative difference, and
`checked N figures, M mismatches`; exits 1 on a mismatch.
"""

import json
import sys

import pandas as pd

REL_TOL = 1e-9
COVERAGE = 0.9
worst = 0.0


def rel(a, b):
    return abs(a - b) / max(abs(a), abs(b), 1e-300)


def tables(doc):
    out = {}
    for s in doc["sections"]:
        for b in s["blocks"]:
            if b.get("type") == "table":
                keys = [c["key"] for c in b["columns"]]
                out[b["id"]] = [dict(zip(keys, r["cells"])) for r in b["rows"]]
    return out


class Checker:
    def __init__(self):
        self.n = 0
        self.bad = 0
        self.worst = 0.0

    def number(self, what, cell, expected, scale=1.0):
        self.n += 1
        if cell.get("type") != "number":
            self.bad += 1
            print(f"MISMATCH {what}: expected {expected}, got {cell}")
            return
        got = cell["value"] * scale
        r = rel(got, expected) if expected != 0 else abs(got)
        self.worst = max(self.worst, r)
        if r > REL_TOL:
            self.bad += 1
            print(f"MISMATCH {what}: expected {expected!r}, got {got!r} (rel {r:.2e})")

    def missing(self, what, cell, words=""):
        self.n += 1
        if cell.get("type") != "missing" or words not in cell.get("reason", ""):
            self.bad += 1
            print(f"MISMATCH {what}: expected absent ({words}), got {cell}")


def baci(shared, doc, c):
    b = pd.read_csv(
        f"{shared}/baci_hs17_2020_zaf_afg_exports/BACI_HS17_Y2020_V202301_exporters_ZAF_AFG.csv",
        dtype={"k": str},
        skipinitialspace=True,
    )
    b = b[b.t == 2020].assign(k=lambda d: d.k.str.strip().str.zfill(6), usd=lambda d: d.v * 1000.0)
    t = tables(doc)
    for sup, buy, i, j in (("ZAF", "AFG", 710, 4), ("AFG", "ZAF", 4, 710)):
        own = b[b.i == i]
        x_k = own[own.j == j].groupby("k").usd.sum()
        x_k = x_k[x_k > 0]
        total_k = own.groupby("k").usd.sum()
        rows = t[f"dependence-products-{sup}-{buy}"]
        by_code = {r["hs"]["text"]: r for r in rows}
        c.n += 1
        if set(by_code) != set(x_k.index):
            c.bad += 1
            print(f"MISMATCH {sup}->{buy} products: {len(by_code)} listed, {len(x_k)} expected")
        for k, x in x_k.items():
            r = by_code.get(k)
            if r is None:
                continue
            c.number(f"{sup}->{buy} {k} value at stake", r["value_at_stake"], x, 1e9)
            c.number(f"{sup}->{buy} {k} export share", r["export_share"], x / total_k[k], 0.01)
            c.missing(f"{sup}->{buy} {k} import share", r["import_share"], "not held")
        year = [r for r in t["dependence"] if r["supplier"]["text"] == sup]
        x = own[own.j == j].usd.sum()
        c.number(f"{sup}->{buy} 2020 trade", year[0]["trade_value"], x, 1e9)
        c.number(f"{sup}->{buy} 2020 export share", year[0]["export_share"], x / own.usd.sum(), 0.01)
        c.missing(f"{sup}->{buy} 2020 import share", year[0]["import_share"], "not held")
        c.missing(f"{sup}->{buy} 2020 trade intensity", year[0]["trade_intensity"], "not held")


def penppml(shared, doc, c):
    p = pd.read_csv(f"{shared}/penppml_trade/trade.csv", usecols=["exp", "imp", "time", "export"])
    p = p[p.exp != p.imp]
    rows = {(r["year"]["text"], r["supplier"]["text"]): r for r in tables(doc)["dependence"]}
    for year, g in p.groupby("time"):
        exporters = set(g.exp)
        world = g.export.sum()
        within = g[g.imp.isin(exporters)].export.sum() / world
        covered = within >= COVERAGE
        for sup, buy in (("CHN", "USA"), ("USA", "CHN")):
            r = rows.get((str(year), sup))
            if r is None:
                c.n += 1
                c.bad += 1
                print(f"MISMATCH penppml {year} {sup}->{buy}: no row")
                continue
            x = g[(g.exp == sup) & (g.imp == buy)].export.sum()
            x_sup = g[g.exp == sup].export.sum()
            m_buy = g[g.imp == buy].export.sum()
            m_sup = g[g.imp == sup].export.sum()
            what = f"penppml {year} {sup}->{buy}"
            c.number(f"{what} trade", r["trade_value"], x, 1e9)
            if sup not in exporters:
                # no report of the supplier's exports: absent whatever the coverage
                c.missing(f"{what} export share ({sup} reports no exports)", r["export_share"])
                c.missing(f"{what} trade intensity ({sup} reports no exports)", r["trade_intensity"])
                continue
            c.number(f"{what} export share", r["export_share"], x / x_sup, 0.01)
            if covered:
                d = x / m_buy
                c.number(f"{what} import share", r["import_share"], d, 0.01)
                c.number(f"{what} asymmetry", r["asymmetry"], d - x / x_sup, 0.01)
                tii = (x / x_sup) / (m_buy / (world - m_sup))
                c.number(f"{what} trade intensity", r["trade_intensity"], tii)
            else:
                c.missing(f"{what} import share (coverage {within:.3f})", r["import_share"], "not held")
                c.missing(f"{what} trade intensity (coverage {within:.3f})", r["trade_intensity"], "not held")


def main():
    if len(sys.argv) != 4:
        print(__doc__.strip().splitlines()[-4], file=sys.stderr)
        return 2
    shared, baci_json, penppml_json = sys.argv[1:]
    c = Checker()
    baci(shared, json.load(open(baci_json, encoding="utf-8")), c)
    penppml(shared, json.load(open(penppml_json, encoding="utf-8")), c)
    print(f"largest relative difference {c.worst:.3e}")
    print(f"checked {c.n} figures, {c.bad} mismatches")
    return 1 if c.bad else 0


if __name__ == "__main__":
    sys.exit(main())
