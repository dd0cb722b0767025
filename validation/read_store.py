"""Reads an Entrepôt store with DuckDB, polars and pandas (no Entrepôt code) and prints
the CHN->USA 2016 exports of the penppml dataset in bn USD, one line per tool.

The flows files of a dataset are `year=<YYYY>/part-<k>.parquet` under the version
directory the manifest names: hive partitioning gives `year`, and `reporter` is a
column of the files. (Stores written before manifest version 2 have
`reporter=<R>/year=<YYYY>/part-<k>.parquet`, where hive partitioning gives both; the
same reads work on them.) Only the files the manifest lists are data: a reader that
globs the version directory relies on the store holding nothing else there.

Usage: read_store.py STORE_DIR DATASET
"""
import json
import os
import sys

store, name = sys.argv[1], sys.argv[2]
with open(os.path.join(store, "manifest.json")) as f:
    manifest = json.load(f)
root = os.path.join(store, manifest["datasets"][name]["path"])
glob = os.path.join(root, "**", "*.parquet")

import duckdb  # noqa: E402

v = duckdb.sql(
    f"SELECT SUM(value_usd) FROM read_parquet('{glob}', hive_partitioning=true) "
    "WHERE reporter='CHN' AND partner='USA' AND year=2016"
).fetchall()[0][0]
print(f"duckdb {v / 1e9:.2f}")

import polars as pl  # noqa: E402

v = (
    pl.scan_parquet(glob, hive_partitioning=True)
    .filter((pl.col("reporter") == "CHN") & (pl.col("partner") == "USA") & (pl.col("year") == 2016))
    .select(pl.col("value_usd").sum())
    .collect()
    .item()
)
print(f"polars {v / 1e9:.2f}")

import pandas as pd  # noqa: E402

df = pd.read_parquet(root, filters=[("reporter", "=", "CHN"), ("year", "=", 2016)])
v = df.loc[df["partner"] == "USA", "value_usd"].sum()
print(f"pandas {v / 1e9:.2f}")
