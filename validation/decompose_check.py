"""Independent check of `entrepot decompose` (pandas on the raw CSV, not the store):
recomputes the constant-market-share decomposition and the contributions to growth of
a reporter's exports between two years of penppml_trade/trade.csv and compares every
figure of Entrepot's `--format json` document with them, to 1e-9 relative.

penppml holds exports by exporter (exp), importer (imp) and year (time), no products,
so the decomposition is by partners (markets): world demand, market mix and
competitiveness (no product mix). The BACI HS17 extract in the shared data holds one
year (2020) only, so it has no second period to decompose against.

Definitions (as `entrepot decompose` documents them):

* codes: the panel's legacy codes are mapped to today's ISO3 with entrepot-core's
  `data/countries.csv` (column `aliases`: ROM -> ROU, ZAR -> COD, ...);
* X_j: the reporter's exports to market j != reporter; base 0 = FROM, end 1 = TO;
* reference group: the other exporters (exp != reporter) with positive exports to
  some market other than the reporter and themselves in both years; W_j their exports
  to market j (j != reporter, j != exporter);
* g = W1/W0 - 1, g_j = W1_j/W0_j - 1 (g where W0_j = 0);
* world demand g*X0; market mix sum_j (g_j - g) X0_j; competitiveness
  sum_j (X1_j - (1 + g_j) X0_j) over X0_j > 0, plus X1_j where X0_j = 0;
* contributions: 100 (x1_j - x0_j)/X0 pp; growth 100 (x1_j/x0_j - 1); growth without j
  100 ((X1 - x1_j)/(X0 - x0_j) - 1); for a loss, 100 (net change of the others)/|loss|.

Usage: decompose_check.py SHARED_DATA_DIR CORE_DATA_DIR REPORTER FROM TO DOCUMENT.json
(the document of `entrepot --format json decompose REPORTER --from FROM --to TO
--dataset penppml --top 1000`). Prints each effect, one line per mismatch and
`checked N figures, M mismatches`; exits 1 on a mismatch.
"""

import csv
import json
import math
import sys

import pandas as pd

REL_TOL = 1e-9


def alias_map(core_dir):
    """Any code of countries.csv (ISO3 or alpha alias) -> ISO3."""
    out = {}
    with open(f"{core_dir}/countries.csv", encoding="utf-8") as f:
        for r in csv.DictReader(f):
            out[r["iso3"]] = r["iso3"]
            for a in r["aliases"].split(";"):
                a = a.strip()
                if a.isalpha():
                    out.setdefault(a.upper(), r["iso3"])
    return out


def tables(doc):
    """Table id -> list of rows (body then footer), each {column key: cell}."""
    out = {}
    for s in doc["sections"]:
        for b in s["blocks"]:
            if b.get("type") == "table":
                keys = [c["key"] for c in b["columns"]]
                out[b["id"]] = [dict(zip(keys, r["cells"])) for r in b["rows"] + b["footer"]]
    return out


class Compare:
    def __init__(self):
        self.checked = 0
        self.mismatches = 0
        self.max_rel = 0.0

    def number(self, what, cell, expected, scale=1.0):
        """A number cell (times `scale`) against the expected value, or a missing
        cell where the expected value is undefined (None)."""
        self.checked += 1
        if expected is None:
            if cell.get("type") != "missing":
                self.mismatches += 1
                print(f"MISMATCH {what}: expected missing, got {cell}")
            return
        if cell.get("type") == "figure":
            cell = {"type": "number", "value": cell["figure"]["value"]}
        if cell.get("type") != "number":
            self.mismatches += 1
            print(f"MISMATCH {what}: expected {expected!r}, got {cell}")
            return
        got = cell["value"] * scale
        self.max_rel = max(self.max_rel, abs(got - expected) / max(1.0, abs(got), abs(expected)))
        if abs(got - expected) > REL_TOL * max(1.0, abs(got), abs(expected)):
            self.mismatches += 1
            print(f"MISMATCH {what}: expected {expected!r}, got {got!r}")


def main():
    if len(sys.argv) != 7:
        print(__doc__.split("Usage: ")[1], file=sys.stderr)
        return 2
    shared, core_dir, reporter, y0, y1, doc_path = sys.argv[1:]
    y0, y1 = int(y0), int(y1)
    codes = alias_map(core_dir)
    trade = pd.read_csv(
        f"{shared}/penppml_trade/trade.csv",
        usecols=["exp", "imp", "time", "export"],
        dtype={"exp": str, "imp": str},
        keep_default_na=False,
        na_values={"export": [""]},
    )
    trade = trade[trade.time.isin([y0, y1])].copy()
    trade["exp"] = trade.exp.map(lambda c: codes.get(c, c))
    trade["imp"] = trade.imp.map(lambda c: codes.get(c, c))

    # The reporter's exports by market, [base, end].
    own = trade[(trade.exp == reporter) & (trade.imp != reporter)]
    x = own.pivot_table(index="imp", columns="time", values="export", aggfunc="sum", fill_value=0.0)
    x = x.reindex(columns=[y0, y1], fill_value=0.0)
    x0, x1 = float(x[y0].sum()), float(x[y1].sum())

    # The reference group: other exporters active in both years.
    ref = trade[(trade.exp != reporter) & (trade.imp != reporter) & (trade.exp != trade.imp)]
    active = ref[ref.export > 0].groupby("time").exp.agg(set)
    group = active.get(y0, set()) & active.get(y1, set())
    ref = ref[ref.exp.isin(group)]
    w = ref.pivot_table(index="imp", columns="time", values="export", aggfunc="sum", fill_value=0.0)
    w = w.reindex(columns=[y0, y1], fill_value=0.0)
    g = float(w[y1].sum()) / float(w[y0].sum()) - 1.0

    world = g * x0
    market = competitiveness = 0.0
    for j, row in x.iterrows():
        b, e = float(row[y0]), float(row[y1])
        w0 = float(w.at[j, y0]) if j in w.index else 0.0
        w1 = float(w.at[j, y1]) if j in w.index else 0.0
        gj = w1 / w0 - 1.0 if w0 > 0 else g
        if b > 0:
            market += (gj - g) * b
            competitiveness += e - b - gj * b
        else:
            competitiveness += e
    change = x1 - x0
    print(f"pandas {reporter} {y0}->{y1}: X0 {x0:.12g} X1 {x1:.12g} reference exporters {len(group)} g {g:.12g}")
    print(f"pandas world demand {world:.12g} market mix {market:.12g} competitiveness {competitiveness:.12g} change {change:.12g}")
    print(f"pandas sum of effects - change {world + market + competitiveness - change:.3g}")

    with open(doc_path, encoding="utf-8") as f:
        doc = json.load(f)
    t = tables(doc)
    cmp = Compare()
    effects = {r["effect"]["text"]: r for r in t["decompose-effects"]}
    for label, value in [
        ("World demand", world),
        ("Market mix", market),
        ("Competitiveness", competitiveness),
        ("Change", change),
    ]:
        cmp.number(f"{label} (USD)", effects[label]["value"], value, scale=1e9)
        cmp.number(f"{label} (pp)", effects[label]["pct_of_base"], 100.0 * value / x0)
    cmp.number("Product mix (no products)", effects["Product mix"]["value"], None)
    headline = {
        it["label"]: it["value"]
        for s in doc["sections"]
        for b in s["blocks"]
        if b.get("type") == "figures"
        for it in b["items"]
    }
    growth_cell = headline["Growth of the other exporters' exports"]
    cmp.number("reference growth (%)", growth_cell, 100.0 * g)

    rows = {r["code"]["text"]: r for r in t["decompose-partners"]}
    if any(c.startswith("Others") for c in rows):
        print("MISMATCH the document sums some partners: run it with --top 1000")
        cmp.mismatches += 1
    for j, row in x.iterrows():
        b, e = float(row[y0]), float(row[y1])
        r = rows.get(j)
        if r is None:
            cmp.checked += 1
            cmp.mismatches += 1
            print(f"MISMATCH partner {j} missing from the document")
            continue
        rest0, rest1 = x0 - b, x1 - e
        cmp.number(f"{j} base", r["base"], b, scale=1e9)
        cmp.number(f"{j} end", r["end"], e, scale=1e9)
        cmp.number(f"{j} contribution", r["contribution_pp"], 100.0 * (e - b) / x0)
        cmp.number(f"{j} growth", r["growth_pct"], 100.0 * (e / b - 1.0) if b > 0 else None)
        cmp.number(
            f"{j} growth without",
            r["growth_without_pct"],
            100.0 * (rest1 / rest0 - 1.0) if rest0 > 1e-12 * x0 else None,
        )
        cmp.number(f"{j} loss made up", r["offset_pct"], 100.0 * (rest1 - rest0) / (b - e) if e < b else None)
    total = rows["Total"]
    cmp.number("total growth", total["growth_pct"], 100.0 * (x1 / x0 - 1.0))
    if not math.isclose(sum(100.0 * (float(r[y1]) - float(r[y0])) / x0 for _, r in x.iterrows()), 100.0 * (x1 / x0 - 1.0), rel_tol=1e-9):
        print("MISMATCH pandas: the contributions do not add up to the growth")
        cmp.mismatches += 1
    print(f"largest relative difference {cmp.max_rel:.3g}")
    print(f"checked {cmp.checked} figures, {cmp.mismatches} mismatches")
    return 1 if cmp.mismatches else 0


if __name__ == "__main__":
    sys.exit(main())
