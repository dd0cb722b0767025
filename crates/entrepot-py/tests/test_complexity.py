"""entrepot.complexity against the ecomplexity package (Harvard Growth Lab, PyPI) on the
same DataFrame: a SYNTHETIC two-year panel (seeded), every figure to 1e-6."""

import warnings

import numpy as np
import pandas as pd
import polars as pl
import pytest

import entrepot

ecomplexity = pytest.importorskip("ecomplexity").ecomplexity
TOL = 1e-6
COLS = {"time": "year", "loc": "country", "prod": "product", "val": "value"}


def synthetic_panel(seed=20240611, countries=40, products=120, years=(2019, 2020)):
    """A SYNTHETIC panel: lognormal country size x product size x noise, a third of the
    cells zero, so that presence is far from full and the network connected."""
    rng = np.random.default_rng(seed)
    rows = []
    for y in years:
        size_c = rng.lognormal(0, 1, countries)
        size_p = rng.lognormal(0, 1, products)
        for c in range(countries):
            for p in range(products):
                if rng.random() < 0.33:
                    continue
                v = size_c[c] * size_p[p] * rng.lognormal(0, 1.5) * 1e6
                rows.append((y, f"C{c:03d}", f"{p:06d}", v))
    return pd.DataFrame(rows, columns=["year", "country", "product", "value"])


@pytest.fixture(scope="module")
def panel():
    return synthetic_panel()


@pytest.fixture(scope="module")
def reference(panel):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return ecomplexity(panel, COLS, verbose=False)


def test_complexity_matches_ecomplexity(panel, reference):
    ours = entrepot.complexity(panel, **COLS).to_pandas()
    assert list(ours.columns) == list(reference.columns)
    key = ["year", "country", "product"]
    both = reference.merge(ours, on=key, suffixes=("_ref", "_ours"), how="outer", indicator=True)
    assert (both["_merge"] == "both").all(), both["_merge"].value_counts()
    for col in ["value", "diversity", "ubiquity", "mcp", "eci", "pci", "density", "coi", "cog", "rca"]:
        diff = (both[f"{col}_ref"] - both[f"{col}_ours"]).abs().max()
        assert diff <= TOL, (col, diff)
    assert ours["year"].dtype == reference["year"].dtype


def test_polars_and_pyarrow_inputs(panel):
    a = entrepot.complexity(panel, **COLS)
    b = entrepot.complexity(pl.from_pandas(panel), **COLS)
    c = entrepot.complexity(entrepot.to_arrow(panel), **COLS)
    assert a.equals(b) and a.equals(c)


def test_missing_column_and_bad_values_raise(panel):
    with pytest.raises(entrepot.NotFoundError, match="no column `exports`"):
        entrepot.complexity(panel, time="year", loc="country", prod="product", val="exports")
    bad = panel.copy()
    bad.loc[3, "value"] = -1.0
    with pytest.raises(entrepot.BadInputError, match="year 2019"):
        entrepot.complexity(bad, **COLS)
