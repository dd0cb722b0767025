"""Checks the partner values of `entrepot brief --format json` on the BACI extract
against DuckDB reading the raw BACI CSV (not the store): every row of every partner
table (countries, groups, rest of world) and each table's total.

Exports of a reporter are its rows as exporter; its imports are mirror figures, the
partners' exports to it (BACI holds each flow once, on the exporter's side). Group
values sum the group's members on the last day of the brief's year, from the groups
table of entrepot-core (`data/groups.csv`). Country codes: BACI's own country table
(ISO3 column), and for codes BACI leaves without one (490, "Other Asia, nes"), the
numeric codes of entrepot-core's `data/countries.csv`.

Usage: brief_mirror.py BACI_DIR CORE_DATA_DIR BRIEF.json...
Prints one line per mismatch and `checked N values, M mismatches`; exits 1 on a
mismatch.
"""

import csv
import json
import sys

import duckdb

REL_TOL = 1e-9


def iso3_map(baci_dir, core_dir):
    """BACI numeric country code -> ISO3."""
    out = {}
    with open(f"{core_dir}/countries.csv", encoding="utf-8") as f:
        for r in csv.DictReader(f):
            codes = [r["m49"]] + [a for a in r["aliases"].split(";") if a.strip().isdigit()]
            for c in codes:
                out.setdefault(int(c), r["iso3"])
    with open(f"{baci_dir}/country_codes_V202201.csv", encoding="latin-1") as f:
        for r in csv.DictReader(f):
            iso3 = r["iso_3digit_alpha"].strip()
            if len(iso3) == 3 and iso3.isalpha():
                out[int(r["country_code"])] = iso3
    return out


def members(core_dir, group, year):
    """ISO3 codes of a group's members on the last day of `year`."""
    day = f"{year}-12-31"
    out = set()
    with open(f"{core_dir}/groups.csv", encoding="utf-8") as f:
        for r in csv.DictReader(f):
            if r["group"].strip().upper() != group:
                continue
            if (not r["from"] or r["from"] <= day) and (not r["to"] or day <= r["to"]):
                out.add(r["iso3"].strip())
    return out


def close(a, b):
    return abs(a - b) <= REL_TOL * max(1.0, abs(a), abs(b))


def main():
    baci_dir, core_dir, briefs = sys.argv[1], sys.argv[2], sys.argv[3:]
    codes = iso3_map(baci_dir, core_dir)
    con = duckdb.connect()
    con.execute("CREATE TABLE codes (code INTEGER, iso3 VARCHAR)")
    con.executemany("INSERT INTO codes VALUES (?, ?)", list(codes.items()))
    con.execute(
        f"""CREATE TABLE flows AS
        SELECT b.t AS year, e.iso3 AS exporter, i.iso3 AS importer, b.v * 1000 AS value_usd
        FROM read_csv('{baci_dir}/BACI_HS17_Y2020_V202301_exporters_ZAF_AFG.csv',
                      columns={{'t': 'INTEGER', 'i': 'INTEGER', 'j': 'INTEGER',
                                'k': 'VARCHAR', 'v': 'DOUBLE', 'q': 'DOUBLE'}}, header=true) b
        JOIN codes e ON e.code = b.i JOIN codes i ON i.code = b.j"""
    )
    checked = mismatches = 0
    for path in briefs:
        with open(path, encoding="utf-8") as f:
            brief = json.load(f)
        reporter, year = brief["reporter"], int(str(brief["period"])[:4])
        for table in brief["partner_tables"]:
            flow = table["flow"]
            own, other = ("exporter", "importer") if flow == "export" else ("importer", "exporter")
            by_partner = dict(
                con.execute(
                    f"SELECT {other}, SUM(value_usd) FROM flows WHERE {own} = ? AND year = ? "
                    f"AND {other} <> ? GROUP BY 1",
                    [reporter, year, reporter],
                ).fetchall()
            )
            total = sum(by_partner.values())
            expected = {}
            for row in table["rows"]:
                code, kind = row["code"], row["kind"]
                if kind == "group":
                    expected[code] = sum(by_partner.get(m, 0.0) for m in members(core_dir, code, year))
                elif kind == "country":
                    expected[code] = by_partner.get(code, 0.0)
            in_partition = sum(
                expected[r["code"]]
                for r in table["rows"]
                if r["in_partition"] and r["kind"] != "rest_of_world"
            )
            checks = [(f"{flow} total", total, table["total"]["level"])]
            for row in table["rows"]:
                want = total - in_partition if row["kind"] == "rest_of_world" else expected[row["code"]]
                checks.append((f"{flow} {row['code']}", want, row["value"]))
            for name, want, fig in checks:
                checked += 1
                got = None if fig is None else fig["value"] * 1e9
                if got is None or not close(want, got):
                    mismatches += 1
                    print(f"MISMATCH {reporter} {year} {name}: duckdb {want:.3f}, brief {got}")
    print(f"checked {checked} values, {mismatches} mismatches")
    sys.exit(1 if mismatches else 0)


if __name__ == "__main__":
    main()
