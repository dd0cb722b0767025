"""Independent check of `entrepot exposure` (pandas).

Usage: exposure_check.py SHARED PENPPML_FIRM PENPPML_JSON BACI_FIRM BACI_JSON

Two firms' sales files (`dest,year,value` with home DEU, totals, on the penppml
panel; `dest,year,hs,value` with home ZAF, HS6 and HS4 codes, on the BACI HS17 2020
extract of ZAF's and AFG's exports) are read with pandas, and every figure of
Entrepot's JSON documents recomputed from them and from the raw CSVs of the two
datasets (each flow once, by the exporter: a destination's imports are every
exporter's exports to it):

* per year: sales, destinations, HHI, effective number 1/HHI, entropy, top-1 and
  top-3 shares (over destinations; home sales count as a market);
* contributions to growth by destination from the first to the last year (pp);
* the destination's imports and the firm's market share, per destination (over all
  the firm's products) and per destination and product; absent at home, where the
  sales exceed the recorded imports, and on the BACI extract, whose two exporters do
  not cover world trade;
* the one-market products (largest destination above one half).

Compared to 1e-9 relative; prints `checked N figures, K mismatches`.
"""
import json
import math
import sys

import pandas as pd

shared, pen_firm, pen_json, baci_firm, baci_json = sys.argv[1:6]
checked = mismatches = 0


def compare(what, a, b):
    global checked, mismatches
    checked += 1
    if b is None or abs(a - b) > 1e-9 * max(1.0, abs(a)):
        mismatches += 1
        print(f"MISMATCH {what}: pandas {a} entrepot {b}")


def tables(doc):
    out = {}
    for s in doc["sections"]:
        for b in s["blocks"]:
            if b.get("type") == "table":
                keys = [c["key"] for c in b["columns"]]
                out[b["id"]] = [
                    dict(zip(keys, r["cells"])) for r in b["rows"] + b["footer"]
                ]
    return out


def num(cell, scale=1.0):
    if cell.get("type") != "number":
        return None
    u = cell["unit"]
    f = {"units": 1, "thousands": 1e3, "millions": 1e6, "billions": 1e9}.get(
        u.get("scale"), 1
    ) if u.get("kind") == "money" else 1
    return cell["value"] * f / scale


def check_firm(name, firm, imports, home, doc, covered=True):
    """firm: dest, year, product, value; imports: dest, year, product → value."""
    t = tables(doc)
    # concentration per year
    for row in t["indices"]:
        y = int(row["year"]["text"])
        x = firm[firm.year == y].groupby("dest")["value"].sum()
        x = x[x > 0]
        s = x / x.sum()
        hhi = float((s**2).sum())
        compare(f"{name} {y} sales", float(x.sum()), num(row["sales"]))
        compare(f"{name} {y} destinations", float(len(x)), num(row["destinations"]))
        compare(f"{name} {y} hhi", hhi, num(row["hhi"]))
        compare(f"{name} {y} effective", 1 / hhi, num(row["effective_number"]))
        compare(f"{name} {y} entropy", float(-(s * s.map(math.log)).sum()), num(row["entropy"]))
        top = s.sort_values(ascending=False)
        compare(f"{name} {y} top1", 100 * float(top.iloc[:1].sum()), num(row["top1_share"]))
        compare(f"{name} {y} top3", 100 * float(top.iloc[:3].sum()), num(row["top3_share"]))
    # contributions to growth
    years = sorted(firm.year.unique())
    if len(years) > 1 and "growth" in t:
        y0, y1 = years[0], years[-1]
        b = firm[firm.year == y0].groupby("dest")["value"].sum()
        e = firm[firm.year == y1].groupby("dest")["value"].sum()
        total0 = b.sum()
        for row in t["growth"]:
            d = row["destination"]["text"]
            if d == "Total":
                compare(f"{name} growth", 100 * (e.sum() / total0 - 1), num(row["contribution_pp"]))
                continue
            pp = 100 * (e.get(d, 0.0) - b.get(d, 0.0)) / total0
            compare(f"{name} contribution {d}", pp, num(row["contribution_pp"]))
    # market shares per destination (all the firm's products) and per product
    products = sorted(firm["product"].unique())
    for row in t["markets"]:
        d, y = row["destination"]["text"], int(row["year"]["text"])
        sales = firm[(firm.dest == d) & (firm.year == y)]["value"].sum()
        compare(f"{name} {d} {y} sales", float(sales), num(row["sales"]))
        if d == home:
            checked_absent(f"{name} {d} {y}", row["market_share"])
            continue
        if not covered:
            checked_absent(f"{name} {d} {y}", row["market_share"], "do not cover world trade")
            continue
        m = sum(imports.get((d, y, k), 0.0) for k in products)
        compare(f"{name} {d} {y} imports", m, num(row["imports"]))
        share(f"{name} {d} {y}", sales, m, row["market_share"])
    for row in t.get("market-products", []):
        d, k, y = row["destination"]["text"], row["product"]["text"], int(row["year"]["text"])
        sales = firm[(firm.dest == d) & (firm.year == y) & (firm["product"] == k)]["value"].sum()
        if d == home:
            checked_absent(f"{name} {d} {k} {y}", row["market_share"])
            continue
        if not covered:
            checked_absent(f"{name} {d} {k} {y}", row["market_share"], "do not cover world trade")
            continue
        m = imports.get((d, y, k), 0.0)
        compare(f"{name} {d} {k} {y} imports", m, num(row["imports"]))
        share(f"{name} {d} {k} {y}", sales, m, row["market_share"])
    # one-market products (last year, more than one half to one destination)
    last = firm[firm.year == years[-1]]
    if products != ["TOTAL"]:
        expected = {}
        for k, g in last.groupby("product"):
            x = g.groupby("dest")["value"].sum()
            if x.max() / x.sum() > 0.5:
                expected[k] = 100 * x.max() / x.sum()
        got = {r["product"]["text"]: num(r["largest_share"]) for r in t["one-market"]}
        compare(f"{name} one-market products", float(len(expected)), float(len(got)))
        for k, v in expected.items():
            compare(f"{name} one-market {k}", v, got.get(k))


def share(what, sales, m, cell):
    """The market share, or, where the sales exceed the recorded imports, absent."""
    global checked, mismatches
    if sales > m * (1 + 1e-9):
        checked += 1
        if cell.get("type") != "missing" or "exceed" not in cell.get("reason", ""):
            mismatches += 1
            print(f"MISMATCH {what}: sales {sales} above imports {m}, got {cell}")
        return
    compare(f"{what} share", 100 * sales / m, num(cell))


def checked_absent(what, cell, why="own country"):
    global checked, mismatches
    checked += 1
    if cell.get("type") != "missing" or why not in cell.get("reason", ""):
        mismatches += 1
        print(f"MISMATCH {what}: expected absent ({why}), got {cell}")


# penppml: totals
pen = pd.read_csv(f"{shared}/penppml_trade/trade.csv", usecols=["exp", "imp", "time", "export"])
firm = pd.read_csv(pen_firm)
firm["product"] = "TOTAL"
years = set(firm.year)
imp = pen[pen.time.isin(years)].groupby(["imp", "time"])["export"].sum()
imports = {(d, y, "TOTAL"): float(v) for (d, y), v in imp.items()}
check_firm("penppml", firm, imports, "DEU", json.load(open(pen_json, encoding="utf-8")))

# BACI HS17 2020 extract: HS6 and HS4 codes, values in thousands of USD
baci = pd.read_csv(
    f"{shared}/baci_hs17_2020_zaf_afg_exports/BACI_HS17_Y2020_V202301_exporters_ZAF_AFG.csv",
    dtype={"k": str},
)
codes = pd.read_csv(
    f"{shared}/baci_hs17_2020_zaf_afg_exports/country_codes_V202201.csv", encoding="latin-1"
)
iso = dict(zip(codes.country_code, codes.iso_3digit_alpha))
baci["imp"] = baci.j.map(iso)
firm = pd.read_csv(f"{baci_firm}", dtype={"hs": str}).rename(columns={"hs": "product"})
imports = {}
for k in firm["product"].unique():
    sel = baci[baci.k.str.startswith(k)].groupby(["imp", "t"])["v"].sum() * 1000
    for (d, y), v in sel.items():
        imports[(d, y, k)] = float(v)
# The extract holds two exporters: it does not cover world trade, so their exports to
# a destination are not its imports, and every share is absent with that reason.
check_firm(
    "baci", firm, imports, "ZAF", json.load(open(baci_json, encoding="utf-8")), covered=False
)

print(f"checked {checked} figures, {mismatches} mismatches")
