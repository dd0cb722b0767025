"""Independent check of `entrepot reroute` on the penppml panel (pandas).

Usage: reroute_check.py SHARED ORIGIN TARGET BASE LATER ENTREPOT_JSON

Recomputes, from the raw CSV (exporter, importer, year, export value; each flow once,
by the exporter), the change from BASE to LATER of ORIGIN's exports to every third
country T and of T's exports to TARGET, flags the countries where both rose, and
compares each flagged country's value involved, min(dORIGIN->T, dT->TARGET), and the
direct change with the `pairs` table of Entrepot's JSON document, to 1e-9 relative.
Prints `checked N figures, K mismatches`.
"""
import json
import sys

import pandas as pd

shared, origin, target, base, later, doc_path = sys.argv[1:7]
base, later = int(base), int(later)
df = pd.read_csv(f"{shared}/penppml_trade/trade.csv")
df = df[df["time"].isin([base, later])]
v = df.groupby(["exp", "imp", "time"])["export"].sum()


def level(e, i, y):
    return float(v.get((e, i, y), 0.0))


expected = {}
thirds = set(df.loc[df["exp"] == origin, "imp"]) - {origin, target}
for t in sorted(thirds):
    da = level(origin, t, later) - level(origin, t, base)
    db = level(t, target, later) - level(t, target, base)
    if da > 0 and db > 0:
        expected[t] = min(da, db) / 1e9
direct = (level(origin, target, later) - level(origin, target, base)) / 1e9

doc = json.load(open(doc_path))
got = {}
got_direct = None
for s in doc["sections"]:
    for b in s["blocks"]:
        if b.get("id") != "pairs":
            continue
        keys = [c["key"] for c in b["columns"]]
        for r in b["rows"]:
            row = dict(zip(keys, r["cells"]))
            got[row["via"]["text"]] = row["involved"]["value"]
            got_direct = row["direct_change"]["value"]

checked = mismatches = 0


def compare(what, a, b):
    global checked, mismatches
    checked += 1
    if b is None or abs(a - b) > 1e-9 * max(1.0, abs(a)):
        mismatches += 1
        print(f"MISMATCH {what}: pandas {a} entrepot {b}")


if set(expected) != set(got):
    mismatches += 1
    print(f"MISMATCH flagged countries: pandas {sorted(expected)} entrepot {sorted(got)}")
for t, x in expected.items():
    compare(f"{t} value involved", x, got.get(t))
compare("direct change", direct, got_direct)
print(f"flagged {len(expected)} countries")
print(f"checked {checked} figures, {mismatches} mismatches")
