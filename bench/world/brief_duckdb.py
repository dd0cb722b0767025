"""The aggregates behind `entrepot brief REPORTER`, computed by DuckDB on the same
Parquet store: the reporter's exports by partner and its mirror imports (the
partners' exports to it) by partner, for every year held, then both summed by partner
group (members on the last day of each year, from entrepot-core's groups table).

Usage: brief_duckdb.py DATASET_DIR REPORTER GROUPS_CSV [BRIEF_JSON]

DATASET_DIR is the dataset's current version in the store (its Parquet files, any
layout). Prints the time of the queries and, with BRIEF_JSON (the brief's
`--format json` output), the largest relative difference between DuckDB's and the
brief's partner values of the brief's year.
"""

import json
import sys
import time

import duckdb


def main():
    dataset_dir, reporter, groups_csv = sys.argv[1], sys.argv[2], sys.argv[3]
    brief_json = sys.argv[4] if len(sys.argv) > 4 else None
    t0 = time.perf_counter()
    con = duckdb.connect()
    con.execute(
        f"""CREATE VIEW flows AS SELECT * FROM read_parquet('{dataset_dir}/**/*.parquet',
        hive_partitioning = true, union_by_name = true)"""
    )
    con.execute(
        f"""CREATE TABLE membership AS SELECT upper(trim("group")) AS grp, trim(iso3) AS iso3,
        CAST(NULLIF(trim("from"), '') AS DATE) AS date_from,
        CAST(NULLIF(trim("to"), '') AS DATE) AS date_to
        FROM read_csv('{groups_csv}', header = true, all_varchar = true)"""
    )
    # Exports as reported, imports as mirror: one scan each, both years.
    con.execute(
        """CREATE TABLE by_partner AS
        SELECT 'export' AS flow, year, partner, SUM(value_usd) AS value
          FROM flows WHERE reporter = $r AND flow = 'export' AND partner <> $r GROUP BY ALL
        UNION ALL
        SELECT 'import' AS flow, year, reporter AS partner, SUM(value_usd) AS value
          FROM flows WHERE partner = $r AND flow = 'export' AND reporter <> $r GROUP BY ALL""",
        {"r": reporter},
    )
    by_group = con.execute(
        """SELECT p.flow, p.year, m.grp, SUM(p.value) AS value
        FROM by_partner p JOIN membership m ON m.iso3 = p.partner
         AND (m.date_from IS NULL OR m.date_from <= make_date(p.year, 12, 31))
         AND (m.date_to IS NULL OR make_date(p.year, 12, 31) <= m.date_to)
        GROUP BY ALL"""
    ).fetchall()
    by_partner = con.execute("SELECT flow, year, partner, value FROM by_partner").fetchall()
    elapsed = time.perf_counter() - t0
    years = sorted({y for _, y, _, _ in by_partner})
    print(
        f"duckdb {reporter}: {len(by_partner)} partner values and {len(by_group)} group values "
        f"over years {years} in {elapsed:.3f} s (queries, in process)"
    )
    if brief_json:
        compare(brief_json, by_partner, by_group)


def compare(path, by_partner, by_group):
    """The largest relative difference over the brief's partner and group rows."""
    with open(path, encoding="utf-8") as f:
        brief = json.load(f)
    year = int(str(brief["period"])[:4])
    want = {(fl, p): v for fl, y, p, v in by_partner if y == year}
    want.update({(fl, g): v for fl, y, g, v in by_group if y == year})
    worst, n = 0.0, 0
    for table in brief["partner_tables"]:
        if table["span"] != str(brief["period"]):
            continue
        for row in table["rows"]:
            if row["kind"] == "rest_of_world" or row["value"] is None:
                continue
            got = row["value"]["value"] * 1e9
            exp = want.get((table["flow"], row["code"]), 0.0)
            worst = max(worst, abs(got - exp) / max(abs(exp), 1.0))
            n += 1
    print(f"brief vs duckdb: {n} partner/group values of {year}, largest relative difference {worst:.2e}")


if __name__ == "__main__":
    main()
