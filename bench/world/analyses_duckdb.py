"""DuckDB computing the aggregates each Entrepôt analysis reads (bench/world/analyses.sh).

Usage: analyses_duckdb.py DATASET_DIR COMMAND REPORTER PARTNER Y0 Y1

COMMAND is one of diversification, decompose, dependence, reroute, exposure, edge,
complexity (exposure takes the firm's sales CSV as a seventh argument). Each runs, over
read_parquet of the dataset's files (hive partitioning on `year`), the GROUP BYs the
command's flow cubes compute — reported and mirror sides, every year or the two years
compared — and fetches every result row into Python (as Entrepôt reads its cubes).
Prints the rows fetched and the time of the queries alone.
"""
import sys
import time

import duckdb

ds, command, r, g, y0, y1 = sys.argv[1:7]
# exposure: the firm's sales file (its destinations and products)
sales = sys.argv[7] if len(sys.argv) > 7 else None
src = f"read_parquet('{ds}/**/*.parquet', hive_partitioning = true, union_by_name = true)"
years = f"year IN ({y0}, {y1})"

queries = {
    # reporter's exports by partner and year (reported, then the partners' reports of
    # imports from it), and every exporter's exports by partner and year (the world
    # reference of the margins and the potential partners of the Theil index)
    "diversification": [
        f"SELECT partner, year, SUM(value_usd) FROM {src} WHERE reporter = '{r}' AND flow = 'export' GROUP BY ALL",
        f"SELECT reporter, year, SUM(value_usd) FROM {src} WHERE partner = '{r}' AND flow = 'import' GROUP BY ALL",
        f"SELECT reporter, partner, year, SUM(value_usd) FROM {src} WHERE flow = 'export' GROUP BY ALL",
    ],
    # reporter's exports by product, partner and year; the other exporters by exporter
    # (the reference group) and their exports by product and partner, both years
    "decompose": [
        f"SELECT product, partner, year, SUM(value_usd) FROM {src} WHERE reporter = '{r}' AND flow = 'export' AND {years} GROUP BY ALL",
        f"SELECT product, reporter, year, SUM(value_usd) FROM {src} WHERE partner = '{r}' AND flow = 'import' AND {years} GROUP BY ALL",
        f"SELECT reporter, partner, year, SUM(value_usd) FROM {src} WHERE flow = 'export' AND {years} GROUP BY ALL",
        f"SELECT product, partner, year, SUM(value_usd) FROM {src} WHERE flow = 'export' AND reporter <> '{r}' AND {years} GROUP BY ALL",
    ],
    # both countries' totals by flow and year (reported and mirror), the pair's flows
    # by product and year both ways, every reporter's trade by partner (coverage of
    # world trade) and world imports by country (mirror of exports)
    "dependence": [
        f"SELECT reporter, flow, year, SUM(value_usd) FROM {src} WHERE reporter IN ('{r}', '{g}') GROUP BY ALL",
        f"SELECT partner, flow, year, SUM(value_usd) FROM {src} WHERE partner IN ('{r}', '{g}') GROUP BY ALL",
        f"SELECT reporter, partner, flow, product, year, SUM(value_usd) FROM {src} WHERE (reporter = '{r}' AND partner = '{g}') OR (reporter = '{g}' AND partner = '{r}') GROUP BY ALL",
        f"SELECT reporter, partner, year, SUM(value_usd) FROM {src} GROUP BY ALL",
        f"SELECT partner, year, SUM(value_usd) FROM {src} WHERE flow = 'export' GROUP BY ALL",
    ],
    # reporter's exports by partner, product and year; the target's imports by
    # partner, product and year (its partners' exports to it), both years
    "reroute": [
        f"SELECT partner, product, year, SUM(value_usd) FROM {src} WHERE reporter = '{r}' AND flow = 'export' AND {years} GROUP BY ALL",
        f"SELECT reporter, product, year, SUM(value_usd) FROM {src} WHERE partner = '{r}' AND flow = 'import' AND {years} GROUP BY ALL",
        f"SELECT partner, product, year, SUM(value_usd) FROM {src} WHERE reporter = '{g}' AND flow = 'import' AND {years} GROUP BY ALL",
        f"SELECT reporter, product, year, SUM(value_usd) FROM {src} WHERE partner = '{g}' AND flow = 'export' AND {years} GROUP BY ALL",
    ],
    # the firm's destinations' imports of its products by product and year: reported
    # (their imports) and mirror (every exporter's exports to them), as exposure reads
    # them for its shares of imports; every reporter's trade by partner (coverage of
    # world trade, which tells whether the mirror totals are the world's)
    "exposure": [] if sales is None else [
        f"SELECT reporter, partner, year, SUM(value_usd) FROM {src} WHERE {years} GROUP BY ALL",
        f"""WITH s AS (SELECT DISTINCT country, lpad(CAST(hs6 AS VARCHAR), 6, '0') AS hs6
                       FROM read_csv('{sales}'))
            SELECT reporter, product, year, SUM(value_usd) FROM {src} JOIN s
              ON reporter = s.country AND product = s.hs6
            WHERE flow = 'import' AND {years} GROUP BY ALL""",
        f"""WITH s AS (SELECT DISTINCT country, lpad(CAST(hs6 AS VARCHAR), 6, '0') AS hs6
                       FROM read_csv('{sales}'))
            SELECT partner, product, year, SUM(value_usd) FROM {src} JOIN s
              ON partner = s.country AND product = s.hs6
            WHERE flow = 'export' AND {years} GROUP BY ALL""",
    ],
    # every exporter's exports by HS6 product in the last year (the world matrix of
    # shares and RCA), and by partner (coverage of world trade)
    "edge": [
        f"SELECT reporter, product, SUM(value_usd) FROM {src} WHERE flow = 'export' AND year = {y1} GROUP BY ALL",
        f"SELECT reporter, partner, SUM(value_usd) FROM {src} WHERE flow = 'export' AND year = {y1} GROUP BY ALL",
    ],
    # Balassa RCA and world market share of every exporter x HS6 cell of the last year
    # (Entrepot's `complexity --tables` writes these and, from them, ECI, PCI, density,
    # COI and COG, which SQL does not compute)
    "complexity": [
        f"""WITH x AS (SELECT reporter, product, SUM(value_usd) AS v FROM {src}
                       WHERE flow = 'export' AND year = {y1} GROUP BY ALL)
            SELECT reporter, product,
                   (v / SUM(v) OVER (PARTITION BY reporter))
                     / (SUM(v) OVER (PARTITION BY product) / SUM(v) OVER ()) AS rca,
                   v / SUM(v) OVER (PARTITION BY product) AS world_share
            FROM x""",
    ],
}

con = duckdb.connect()
start = time.perf_counter()
rows = 0
for q in queries[command]:
    rows += len(con.sql(q).fetchall())
elapsed = time.perf_counter() - start
print(f"{command} {r} {g}: {rows} rows in {elapsed:.2f} s (queries, in process)")
