"""Writes a SYNTHETIC gravity economy (random data, NOT real trade) for the GE benchmark.

Usage: gen_economy.py N OUT.csv [SEED]

N countries C001..CNNN in 2006, every ordered pair including domestic sales (exporter =
importer), in the column layout of gegravity's sample: exporter, importer, year, trade,
pta, contiguity, common_language, lndist, international. Locations are uniform on a
square, flows follow a gravity equation (the coefficients of gegravity's example) with
log-normal noise; C001 and C002 have no PTA (the benchmark switches one on).
"""
import sys

import numpy as np

n, out = int(sys.argv[1]), sys.argv[2]
rng = np.random.default_rng(int(sys.argv[3]) if len(sys.argv) > 3 else 42)
names = [f"C{k + 1:03d}" for k in range(n)]
xy = rng.uniform(0, 10000, size=(n, 2))
dist = np.sqrt(((xy[:, None, :] - xy[None, :, :]) ** 2).sum(-1))
np.fill_diagonal(dist, 50.0)
lndist = np.log(dist)
contig = ((dist < 900) & ~np.eye(n, dtype=bool)).astype(int)
lang_group = rng.integers(0, 12, n)
lang = (lang_group[:, None] == lang_group[None, :]).astype(int)
bloc = rng.integers(0, 8, n)
pta = ((bloc[:, None] == bloc[None, :]) & ~np.eye(n, dtype=bool)).astype(int)
pta[0, 1] = pta[1, 0] = 0
intl = (~np.eye(n, dtype=bool)).astype(int)
size = rng.lognormal(11, 1.5, n)
bx = -0.39 * lndist + 0.89 * contig + 0.03 * lang + 0.47 * pta - 3.41 * intl
trade = np.outer(size, size) ** 0.5 * np.exp(bx) * rng.lognormal(0, 0.5, (n, n))
trade = np.round(trade, 3) + 0.001
with open(out, "w") as f:
    f.write("exporter,importer,year,trade,pta,contiguity,common_language,lndist,international\n")
    for i in range(n):
        for j in range(n):
            f.write(f"{names[i]},{names[j]},2006,{float(trade[i, j])!r},{pta[i, j]},{contig[i, j]},{lang[i, j]},"
                    f"{lndist[i, j]:.6f},{intl[i, j]}\n")
