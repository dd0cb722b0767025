"""gegravity's OneSectorGE on a gravity CSV: a PTA switched on between two countries.

Usage: bench_gegravity.py CSV COEFFS_CSV A B
COEFFS_CSV: `entrepot gravity fit --format csv` output (term, estimate, ...). Y and E are
the row and column sums of the flows (as Entrepot computes them); sigma 5; reference
importer DEU if present, else the first country. Prints one JSON line: seconds of
build_baseline + define_experiment + simulate (`solve_s`), the omr_rescale used, whether
the full-GE solver converged, and A's and B's welfare changes (%).
"""
import json
import sys
import time
import warnings

import gegravity as ge
import pandas as pd

csv, coef_csv, a, b = sys.argv[1:5]
REG = ["lndist", "contiguity", "common_language", "pta", "international"]
est = pd.read_csv(coef_csv).set_index("term")["estimate"]
d = pd.read_csv(csv)
d["Y"] = d.groupby("exporter")["trade"].transform("sum")
d["E"] = d.groupby("importer")["trade"].transform("sum")
d["year"] = d["year"].astype(str)
year = d["year"].iloc[0]
ref = "DEU" if "DEU" in set(d["importer"]) else sorted(d["importer"].unique())[0]
coeffs = ge.CostCoeffs(estimates=pd.DataFrame({"var": REG, "beta": [float(est[k]) for k in REG], "se": 0.0}),
                       identifier_col="var", coeff_col="beta", stderr_col="se")
t0 = time.perf_counter()
base = ge.BaselineData(d, imp_var_name="importer", exp_var_name="exporter", year_var_name="year",
                       trade_var_name="trade", expend_var_name="E", output_var_name="Y")
m = ge.OneSectorGE(baseline=base, cost_coeff_values=coeffs, cost_variables=REG, year=year,
                   reference_importer=ref, sigma=5.0, quiet=True)
scale = None
with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    for k in [0, 1, -1, 2, -2, 3, -3, 4, -4, 5, -5, 6, -6]:
        try:
            m.build_baseline(omr_rescale=10.0 ** k)
        except ValueError:
            continue
        if m.solver_diagnostics["baseline_MRs"].success:
            scale = 10.0 ** k
            break
    x = m.baseline_data.copy()
    for i, j in [(a, b), (b, a)]:
        x.loc[(x["exporter"] == i) & (x["importer"] == j), "pta"] = 1
    m.define_experiment(x)
    m.simulate()
solve_s = time.perf_counter() - t0
w = 100 * (1 / m.country_results["welfare statistic"] - 1)
print(json.dumps({"solve_s": solve_s, "omr_rescale": scale,
                  "converged": bool(m.solver_diagnostics["full_GE"].success),
                  "welfare_pct": {a: float(w[a]), b: float(w[b])}}))
