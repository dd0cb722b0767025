#!/usr/bin/env python3
"""SYNTHETIC country x product export matrix for the ecomplexity comparison.

Writes a long CSV (country, product, year, value) of SYNTHETIC data, not trade
statistics: COUNTRIES countries (C000..) x PRODUCTS products (P0000..), one year
(2020). Seed 20240611 (recorded here and in the output's name).

Structure, so that the country-product network looks like trade data: each country has
a capability level a_c ~ U(0, 1) and size s_c ~ lognormal(0, 1.5); each product a
sophistication b_p ~ U(0, 1) and world demand d_p ~ lognormal(0, 1). A country exports
a product with probability 0.9 * (1 - b_p * (1 - a_c))**3 + 0.02 (nested: capable
countries export most products, simple products are exported by most countries), the
value being s_c * d_p * lognormal(0, 1). About half the cells are zero and are left
out of the CSV (as in BACI).

Usage: gen_matrix.py OUT.csv [COUNTRIES] [PRODUCTS]   (default 150 x 2000)
"""
import sys

import numpy as np

SEED = 20240611


def main():
    out = sys.argv[1]
    n_c = int(sys.argv[2]) if len(sys.argv) > 2 else 150
    n_p = int(sys.argv[3]) if len(sys.argv) > 3 else 2000
    rng = np.random.default_rng(SEED)
    a = rng.uniform(0, 1, n_c)
    size = rng.lognormal(0, 1.5, n_c)
    b = rng.uniform(0, 1, n_p)
    demand = rng.lognormal(0, 1, n_p)
    prob = 0.9 * (1 - b[None, :] * (1 - a[:, None])) ** 3 + 0.02
    exports = rng.uniform(size=(n_c, n_p)) < prob
    value = size[:, None] * demand[None, :] * rng.lognormal(0, 1, (n_c, n_p))
    value = np.where(exports, np.round(value * 1000, 3), 0.0)
    c_idx, p_idx = np.nonzero(value)
    with open(out, "w") as f:
        f.write("country,product,year,value\n")
        for c, p in zip(c_idx, p_idx):
            f.write(f"C{c:03d},P{p:04d},2020,{float(value[c, p])!r}\n")
    print(f"SYNTHETIC matrix, seed {SEED}: {n_c} countries x {n_p} products, "
          f"{len(c_idx)} non-zero cells ({len(c_idx) / (n_c * n_p):.0%}) -> {out}")


if __name__ == "__main__":
    main()
