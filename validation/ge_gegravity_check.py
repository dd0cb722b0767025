"""Entrepot's `scenario run` against the `gegravity` Python package (PyPI, P. Herman, USITC).

Usage: ge_gegravity_check.py SHARED ENTREPOT_BINARY [WORKDIR]

Data: gegravity's own sample (shared/gegravity_sample/sample_data_set.csv: 30 countries,
2006, square, domestic flows included, no zero flows). Scenario: gegravity's own example,
a PTA between Canada and Japan (`pta` set to 1 on CAN->JPN and JPN->CAN), sigma = 5
(theta = 4), reference importer DEU.

Both tools get the same inputs:
* trade costs t_ij = exp(sum_k b_k x_kij) over lndist, contiguity, common_language, pta,
  international, with b estimated by Entrepot (PPML, exporter and importer fixed effects,
  all 900 flows). These are gegravity's example coefficients (checked below); the
  scenario file gives the PTA coefficient explicitly and the baseline is `fitted`.
* output Y_i = sum_j X_ij and expenditure E_j = sum_i X_ij of the 30x30 flows. The
  sample's own `Y` and `E` columns are NOT these sums (they include trade with countries
  outside the sample and do not add up to the same world total), so gegravity is fed the
  sums, as Entrepot computes them.
* gegravity's model: the reference importer's inward resistance P_R = 1 in the baseline
  and the counterfactual, expenditure E_j' = phi_j Y_j' with phi_j = E_j/Y_j
  (OneSectorGE.py, Country._construct_country_measures). So Entrepot runs with
  deficits = "multiplicative", numeraire = "inward_resistance", reference = "DEU".
  (Entrepot's multiplicative deficits carry one world scalar kappa, E_j' = kappa phi_j Y_j',
  that keeps world expenditure equal to world output; gegravity has none.)

What is compared (relative differences of the ratios counterfactual/baseline, 1 + x/100):
1. the PTA's cost change on CAN<->JPN;
2. conditional GE (output and expenditure fixed, MRs adjust): exports of every country,
   gegravity's from its solved conditional multilateral resistances;
3. full GE: gegravity's `simulate()` does not solve the full endowment equilibrium. Its
   full-GE system (OneSectorGE._full_ge) keeps the baseline output and expenditure shares
   in the multilateral-resistance equations, so its counterfactual MRs are its
   conditional MRs and its factory-gate price is p_i = pi_i(baseline) / pi_i(conditional)
   (one step of the Yotov et al. (2016) iterative procedure); its counterfactual flows do
   not add up to its counterfactual output. The check verifies those three facts, prints
   the differences to Entrepot's full GE per measure (not a pass/fail figure), and checks
   Entrepot's full GE against an independent numpy solution of the full endowment
   equilibrium (exact hat algebra with Entrepot's stated deficit rule and numeraire).

Prints `ok`/`FAIL` lines; exits 1 if any check fails (or gegravity cannot be imported).
"""
import json
import os
import subprocess
import sys
import tempfile
import warnings

import numpy as np
import pandas as pd

shared, entrepot = sys.argv[1], sys.argv[2]
work = sys.argv[3] if len(sys.argv) > 3 else tempfile.mkdtemp()
csv = os.path.join(shared, "gegravity_sample", "sample_data_set.csv")
REG = ["lndist", "contiguity", "common_language", "pta", "international"]
SIGMA, REF, PAIR = 5.0, "DEU", ("CAN", "JPN")
fails = 0


def report(ok, what, detail):
    global fails
    fails += 0 if ok else 1
    print(f"{'ok  ' if ok else 'FAIL'} {what}: {detail}")


def maxrel(a, b):
    """Largest |a/b - 1| over aligned series of ratios; and where."""
    r = (a / b - 1).abs()
    return float(r.max()), str(r.idxmax())


try:
    import gegravity as ge
except Exception as e:  # noqa: BLE001
    print(f"FAIL gegravity could not be imported ({e}); install it: bash bench/setup_venv.sh gegravity")
    sys.exit(1)

# --- 1. Entrepot's PPML estimate of the cost function -----------------------------------
fml = "trade ~ " + " + ".join(REG) + " | exporter + importer"
out = subprocess.run([entrepot, "--quiet", "--format", "csv", "gravity", "fit", "--data", csv,
                      "--formula", fml], check=True, capture_output=True, text=True).stdout
est = pd.read_csv(pd.io.common.StringIO(out)).set_index("term")["estimate"]
published = {"lndist": -0.3898623, "contiguity": 0.891577, "common_language": 0.0326249,
             "pta": 0.4711383, "international": -3.412584}  # gegravity README example
gap = max(abs(est[k] - v) for k, v in published.items())
report(gap < 1e-6, "PPML cost coefficients equal gegravity's example estimates (7 digits)",
       f"largest gap {gap:.1e}")

# --- 2. Entrepot's scenario ---------------------------------------------------------------
toml = os.path.join(work, "gegravity_can_jpn.toml")
with open(toml, "w") as f:
    f.write(f'''title = "CAN-JPN PTA on the gegravity sample (gegravity's example)"
[data]
file = "{csv}"
year = 2006
[elasticity]
theta = {SIGMA - 1:g}
[estimate]
formula = "{fml}"
[model]
baseline = "fitted"
reference = "{REF}"
deficits = "multiplicative"
numeraire = "inward_resistance"
solver = "both"
tolerance = 1e-12
[[shock]]
type = "agreement"
members = ["{PAIR[0]}", "{PAIR[1]}"]
variable = "pta"
active = true
coefficient = {float(est['pta'])!r}
''')
doc = json.loads(subprocess.run([entrepot, "--quiet", "--format", "json", "scenario", "run", toml],
                                check=True, capture_output=True, text=True).stdout)
blocks = {b.get("id"): b for s in doc["sections"] for b in s["blocks"]}


def table(block_id):
    b = blocks[block_id]
    cols = [c["label"] for c in b["columns"]]
    return pd.DataFrame({r["cells"][0]["text"]: {cols[k]: c.get("value") for k, c in enumerate(r["cells"])}
                         for r in b["rows"]}).T


ent = table("countries")
ent_cost = float(blocks["shocks"]["rows"][0]["cells"][2]["value"])
ratio = lambda col: 1 + ent[col].astype(float) / 100  # noqa: E731

# --- 3. gegravity ---------------------------------------------------------------------------
d = pd.read_csv(csv)
d["Y"] = d.groupby("exporter")["trade"].transform("sum")
d["E"] = d.groupby("importer")["trade"].transform("sum")
d["year"] = d["year"].astype(str)
coeffs = ge.CostCoeffs(estimates=pd.DataFrame({"var": REG, "beta": [est[k] for k in REG], "se": 0.0}),
                       identifier_col="var", coeff_col="beta", stderr_col="se")
base = ge.BaselineData(d, imp_var_name="importer", exp_var_name="exporter", year_var_name="year",
                       trade_var_name="trade", expend_var_name="E", output_var_name="Y")
m = ge.OneSectorGE(baseline=base, cost_coeff_values=coeffs, cost_variables=REG, year="2006",
                   reference_importer=REF, sigma=SIGMA, quiet=True)
scale = None
with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    # Without a constant among the cost variables the OMRs need rescaling to solve
    # (gegravity's omr_rescale; the first factor that solves is used).
    for k in [0, 1, -1, 2, -2, 3, -3, 4, -4, 5, -5, 6, -6]:
        try:
            m.build_baseline(omr_rescale=10.0 ** k)
        except ValueError:
            continue
        if m.solver_diagnostics["baseline_MRs"].success:
            scale = 10.0 ** k
            break
    if scale is None:
        print("FAIL gegravity could not solve the baseline at any omr_rescale in 1e-6..1e6")
        sys.exit(1)
    x = m.baseline_data.copy()
    for a, b in [PAIR, PAIR[::-1]]:
        x.loc[(x["exporter"] == a) & (x["importer"] == b), "pta"] = 1
    m.define_experiment(x)
    m.simulate(ge_tolerance=1e-12)
print(f"     gegravity {ge.__name__} solved with omr_rescale = {scale:g}; full-GE solver: "
      f"{m.solver_diagnostics['full_GE'].message}")
cr, mr = m.country_results, m.country_mr_terms
countries = sorted(cr.index)

gcost = float(m.bilateral_costs.loc[PAIR, "trade cost change (%)"])
report(abs(gcost - ent_cost) < 1e-9 * abs(gcost), "PTA cost change t' / t on CAN<->JPN",
       f"Entrepot {ent_cost:.9f}%, gegravity {gcost:.9f}%")

# Conditional GE: flows from gegravity's solved conditional MRs (its own formula,
# X_ij = E_j (Y_i/Y) t_ij / (P_j^(1-s) pi_i^(1-s))).
oe = m.outputs_expenditures
Y0, E0 = oe["baseline output"], oe["baseline expenditure"]
W = Y0.sum()


def flows(costs, omr, imr):
    c = costs.set_index(["exporter", "importer"])["trade_cost"]
    i, j = c.index.get_level_values(0), c.index.get_level_values(1)
    v = (E0.loc[j].values * Y0.loc[i].values / W * c.values
         / (imr.loc[j].values ** (1 - SIGMA) * omr.loc[i].values ** (1 - SIGMA)))
    return pd.Series(v, index=c.index)


def foreign_exports(X):
    i, j = X.index.get_level_values(0), X.index.get_level_values(1)
    return X[i != j].groupby(level=0).sum()


Xb = flows(m.baseline_trade_costs, mr["baseline omr"], mr["baseline imr"])
Xc = flows(m.experiment_trade_costs, mr["conditional omr"], mr["conditional imr"])
g_cond_exports = foreign_exports(Xc) / foreign_exports(Xb)
rel, at = maxrel(ratio("Exports, conditional").loc[countries], g_cond_exports.loc[countries])
report(rel < 1e-7, "conditional GE exports, every country", f"max relative difference {rel:.1e} ({at})")

# --- 4. what gegravity's full GE is ---------------------------------------------------------
rel = max(maxrel(mr["experiment imr"], mr["conditional imr"])[0],
          maxrel(mr["experiment omr"], mr["conditional omr"])[0])
report(rel < 1e-7, "gegravity full GE keeps its conditional MRs", f"max relative difference {rel:.1e}")
onestep = mr["baseline omr"] / mr["conditional omr"]
rel, _ = maxrel(1 + cr["factory gate price change (percent)"] / 100, onestep)
report(rel < 1e-7, "gegravity full-GE factory-gate price = pi(baseline)/pi(conditional)",
       f"max relative difference {rel:.1e}")
bt = m.bilateral_trade_results["experiment trade"]
g_clear = float((bt.groupby(level=0).sum() / oe["experiment output"] - 1).abs().max())
print(f"     gegravity full GE: largest |sum_j X_ij' / Y_i' - 1| = {g_clear:.2e} "
      "(its counterfactual flows do not add up to its counterfactual output)")

g = pd.DataFrame({
    "Exports": 1 + cr["foreign exports change (percent)"] / 100,
    "Imports": 1 + cr["foreign imports change (percent)"] / 100,
    "Producer price": 1 + cr["factory gate price change (percent)"] / 100,
    "Outward MR Π": 1 + cr["omr change (percent)"] / 100,
    "Inward MR P": 1 + cr["imr change (percent)"] / 100,
    "Real GDP": 1 + cr["GDP change (percent)"] / 100,
    # gegravity's "welfare statistic" is W/W' = (E/P)/(E'/P'): its inverse is the ratio.
    "Welfare": 1 / cr["welfare statistic"],
})
print("     full GE, Entrepot (equilibrium) vs gegravity (one step), per measure (gegravity's OMR is\n"
      "     Entrepot's divided by world output, so its change also differs by that of world output):")
for col in g.columns:
    rel, at = maxrel(ratio(col).loc[countries], g[col].loc[countries])
    print(f"       {col:<15} max relative difference {rel:.2e} ({at}: Entrepot {ent.loc[at, col]:+.5f}%, "
          f"gegravity {100 * (g.loc[at, col] - 1):+.5f}%)")

# --- 5. independent full endowment equilibrium (numpy) ----------------------------------------
n = len(countries)
ix = {c: k for k, c in enumerate(countries)}
T0, T1 = np.zeros((n, n)), np.zeros((n, n))
for costs, T in [(m.baseline_trade_costs, T0), (m.experiment_trade_costs, T1)]:
    for e, i, v in costs[["exporter", "importer", "trade_cost"]].itertuples(index=False):
        T[ix[e], ix[i]] = v
y, e = Y0.loc[countries].values, E0.loc[countries].values
r = ix[REF]


def mrs(T, y, e):
    """Powered MRs (Pi_i = sum_j t_ij (E_j/W)/P_j, P_j = sum_i t_ij (Y_i/W)/Pi_i), P_R = 1."""
    w = y.sum()
    P = np.ones(n)
    for _ in range(100000):
        Pi = T @ (e / w / P)
        Pn = T.T @ (y / w / Pi)
        Pn = Pn / Pn[r]
        if np.max(np.abs(np.log(Pn / P))) < 1e-14:
            P = Pn
            break
        P = Pn
    Pi = T @ (e / w / P)
    return Pi, P


Pi0, P0 = mrs(T0, y, e)
X0 = np.outer(y, e) * T0 / y.sum() / np.outer(Pi0, P0)
phi = e / y
pi0 = X0 / X0.sum(axis=0)  # import shares
that = T1 / T0
ph = np.ones(n)  # factory-gate price changes
for it in range(200000):
    y1 = ph * y
    e1 = phi * y1 * y1.sum() / (phi * y1).sum()  # E' = kappa phi Y'
    a = pi0 * that * (ph ** (1 - SIGMA))[:, None]
    X1 = a / a.sum(axis=0) * e1
    excess = X1.sum(axis=1) / y1
    ph = ph * excess ** (1 / SIGMA)
    if np.max(np.abs(np.log(excess))) < 1e-14:
        break
y1 = ph * y
e1 = phi * y1 * y1.sum() / (phi * y1).sum()
Pi1, P1 = mrs(T1, y1, e1)  # re-normalised with P_R = 1 (it fixes the price level)
# Prices in the numeraire's units: P_R = 1 pins the scale of p (the level equations are
# homogeneous in Y, E). Rescale p so that the solved levels satisfy the supply equation
# Y_i/W = (beta_i p_i)^(1-sigma) Pi_i with beta from the baseline.
s = ((y1 / y1.sum()) / (y / y.sum()) * Pi0 / Pi1) ** (1 / (1 - SIGMA)) / ph
s = s.mean()
ph, y1, e1 = ph * s, y1 * s, e1 * s
Pi1, P1 = mrs(T1, y1, e1)
X1 = np.outer(y1, e1) * T1 / y1.sum() / np.outer(Pi1, P1)
clear = float(np.max(np.abs(X1.sum(axis=1) / y1 - 1)))
off = ~np.eye(n, dtype=bool)
ref = pd.DataFrame({
    "Exports": (X1 * off).sum(axis=1) / (X0 * off).sum(axis=1),
    "Imports": (X1 * off).sum(axis=0) / (X0 * off).sum(axis=0),
    "Producer price": ph,
    # Entrepot's Pi is in the units of Yotov et al. (2016), OMR = Y_i E_R / exp(FE_i), which
    # is W times the Pi above (and gegravity's): its change carries the change of world
    # output W (stated in entrepot-ge's model.rs).
    "Outward MR Π": (Pi1 * y1.sum() / (Pi0 * y.sum())) ** (1 / (1 - SIGMA)),
    "Inward MR P": (P1 / P0) ** (1 / (1 - SIGMA)),
    "Real GDP": ph / (P1 / P0) ** (1 / (1 - SIGMA)),
    "Welfare": (e1 / e) / (P1 / P0) ** (1 / (1 - SIGMA)),
}, index=countries)
print(f"     numpy full endowment equilibrium: largest |sum_j X_ij' / Y_i' - 1| = {clear:.1e}, "
      f"kappa = {y1.sum() / (phi * y1).sum():.9f}")
for col in ref.columns:
    rel, at = maxrel(ratio(col).loc[countries], ref[col])
    report(rel < 1e-8, f"full GE {col}, Entrepot vs numpy equilibrium", f"max relative difference {rel:.1e} ({at})")

print(f"checked: {fails} failed")
sys.exit(1 if fails else 0)
