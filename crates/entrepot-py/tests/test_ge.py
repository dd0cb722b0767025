"""entrepot.ge and entrepot.scenario: gegravity's own example on its own sample (a
Canada-Japan PTA, sigma 5, DEU reference; validation/ge_gegravity_check.py does the same
through the command), a zero shock, bad input, and the same run from a data frame and
from a scenario file."""

import math

import numpy as np
import pandas as pd
import pytest

import entrepot

from conftest import shared_file

REG = ["lndist", "contiguity", "common_language", "pta", "international"]
FML = "trade ~ " + " + ".join(REG) + " | exporter + importer"
SIGMA, REF, PAIR = 5.0, "DEU", ("CAN", "JPN")
# gegravity's README example: its PPML cost coefficients on this sample.
PUBLISHED = {"lndist": -0.3898623, "contiguity": 0.891577, "common_language": 0.0326249,
             "pta": 0.4711383, "international": -3.412584}


@pytest.fixture(scope="module")
def sample():
    return pd.read_csv(shared_file("gegravity_sample/sample_data_set.csv"))


@pytest.fixture(scope="module")
def pta_run(sample):
    fit = entrepot.fepois(sample, FML)
    b = fit.coef()
    run = entrepot.ge(
        sample, year=2006, sigma=SIGMA, estimate=FML, baseline="fitted", reference=REF,
        deficits="multiplicative", numeraire="inward_resistance", solver="both",
        tolerance=1e-12, focus=PAIR,
        shocks=[{"agreement": "pta", "members": list(PAIR), "active": True,
                 "coefficient": float(b["pta"])}],
    )
    return b, run


def countries(run):
    return run.countries.to_pandas().set_index("country")


def test_cost_coefficients_are_gegravitys(pta_run):
    b, _ = pta_run
    gap = max(abs(b[k] - v) for k, v in PUBLISHED.items())
    assert gap < 1e-6, b


def test_pta_conditional_ge_equals_gegravity(sample, pta_run):
    ge = pytest.importorskip("gegravity")
    import warnings

    b, run = pta_run
    assert run.solver_gap < 1e-6, "exact hat algebra and GEPPML agree"
    assert run.adding_up_gap < 1e-9
    d = sample.copy()
    d["Y"] = d.groupby("exporter")["trade"].transform("sum")
    d["E"] = d.groupby("importer")["trade"].transform("sum")
    d["year"] = d["year"].astype(str)
    coeffs = ge.CostCoeffs(estimates=pd.DataFrame({"var": REG, "beta": [b[k] for k in REG],
                                                   "se": 0.0}),
                           identifier_col="var", coeff_col="beta", stderr_col="se")
    base = ge.BaselineData(d, imp_var_name="importer", exp_var_name="exporter",
                           year_var_name="year", trade_var_name="trade", expend_var_name="E",
                           output_var_name="Y")
    m = ge.OneSectorGE(baseline=base, cost_coeff_values=coeffs, cost_variables=REG,
                       year="2006", reference_importer=REF, sigma=SIGMA, quiet=True)
    solved = False
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        # Without a constant among the cost variables gegravity's OMRs need rescaling.
        for k in [0, 1, -1, 2, -2, 3, -3, 4, -4, 5, -5, 6, -6]:
            try:
                m.build_baseline(omr_rescale=10.0 ** k)
            except ValueError:
                continue
            if m.solver_diagnostics["baseline_MRs"].success:
                solved = True
                break
        assert solved, "gegravity solved its baseline"
        x = m.baseline_data.copy()
        for a, c in [PAIR, PAIR[::-1]]:
            x.loc[(x["exporter"] == a) & (x["importer"] == c), "pta"] = 1
        m.define_experiment(x)
        m.simulate(ge_tolerance=1e-12)
    # 1. the PTA's change of the cost term on CAN<->JPN, as the report's shocks table says
    doc = run.report().to_dict()
    shocks = next(bl for s in doc["sections"] for bl in s["blocks"] if bl.get("id") == "shocks")
    ours = shocks["rows"][0]["cells"][2]["value"]
    theirs = float(m.bilateral_costs.loc[PAIR, "trade cost change (%)"])
    assert abs(ours - theirs) < 1e-9 * abs(theirs), (ours, theirs)
    # 2. conditional GE exports from gegravity's solved conditional MRs (its formula)
    mr, oe = m.country_mr_terms, m.outputs_expenditures
    y0, e0 = oe["baseline output"], oe["baseline expenditure"]

    def flows(costs, omr, imr):
        c = costs.set_index(["exporter", "importer"])["trade_cost"]
        i, j = c.index.get_level_values(0), c.index.get_level_values(1)
        v = (e0.loc[j].values * y0.loc[i].values / y0.sum() * c.values
             / (imr.loc[j].values ** (1 - SIGMA) * omr.loc[i].values ** (1 - SIGMA)))
        return pd.Series(v, index=c.index)

    def foreign(x):
        i, j = x.index.get_level_values(0), x.index.get_level_values(1)
        return x[i != j].groupby(level=0).sum()

    xb = flows(m.baseline_trade_costs, mr["baseline omr"], mr["baseline imr"])
    xc = flows(m.experiment_trade_costs, mr["conditional omr"], mr["conditional imr"])
    theirs = foreign(xc) / foreign(xb)
    ent = 1 + countries(run)["exports_conditional_pct"] / 100
    rel = (ent.loc[theirs.index] / theirs - 1).abs().max()
    assert rel < 1e-7, rel


def test_pta_full_ge_equals_an_independent_numpy_equilibrium(sample, pta_run):
    """The full endowment equilibrium by exact hat algebra in numpy, with Entrepôt's
    stated deficit rule (E' = κ φ Y') and P_DEU = 1 (as validation/ge_gegravity_check.py)."""
    b, run = pta_run
    names = sorted(set(sample["exporter"]))
    n, ix, r = len(names), {c: k for k, c in enumerate(names)}, names.index(REF)
    X = np.zeros((n, n))
    T0 = np.zeros((n, n))
    for row in sample.itertuples(index=False):
        i, j = ix[row.exporter], ix[row.importer]
        X[i, j] = row.trade
        T0[i, j] = math.exp(sum(b[k] * getattr(row, k) for k in REG))
    T1 = T0.copy()
    for a, c in [PAIR, PAIR[::-1]]:
        T1[ix[a], ix[c]] *= math.exp(b["pta"])
    y, e = X.sum(axis=1), X.sum(axis=0)

    def mrs(T, y, e):
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
        return T @ (e / w / P), P

    Pi0, P0 = mrs(T0, y, e)
    X0 = np.outer(y, e) * T0 / y.sum() / np.outer(Pi0, P0)
    phi, shares, that = e / y, X0 / X0.sum(axis=0), T1 / T0
    ph = np.ones(n)
    for _ in range(200000):
        y1 = ph * y
        e1 = phi * y1 * y1.sum() / (phi * y1).sum()
        a = shares * that * (ph ** (1 - SIGMA))[:, None]
        excess = (a / a.sum(axis=0) * e1).sum(axis=1) / y1
        ph = ph * excess ** (1 / SIGMA)
        if np.max(np.abs(np.log(excess))) < 1e-14:
            break
    y1 = ph * y
    e1 = phi * y1 * y1.sum() / (phi * y1).sum()
    Pi1, P1 = mrs(T1, y1, e1)
    # Values in the numeraire's units (P_DEU = 1): the scale of p that satisfies the
    # supply equation Y_i/W = (β_i p_i)^(1−σ) Π_i with β from the baseline.
    s = (((y1 / y1.sum()) / (y / y.sum()) * Pi0 / Pi1) ** (1 / (1 - SIGMA)) / ph).mean()
    ph, y1, e1 = ph * s, y1 * s, e1 * s
    Pi1, P1 = mrs(T1, y1, e1)
    X1 = np.outer(y1, e1) * T1 / y1.sum() / np.outer(Pi1, P1)
    off = ~np.eye(n, dtype=bool)
    p_change = (P1 / P0) ** (1 / (1 - SIGMA))
    expected = {
        "exports": (X1 * off).sum(axis=1) / (X0 * off).sum(axis=1),
        "imports": (X1 * off).sum(axis=0) / (X0 * off).sum(axis=0),
        "producer_price": ph,
        "inward_resistance": p_change,
        "real_gdp": ph / p_change,
        "welfare": (e1 / e) / p_change,
    }
    got = countries(run).loc[names]
    for measure, ratio in expected.items():
        ours = 1 + got[f"{measure}_full_pct"].to_numpy() / 100
        rel = np.max(np.abs(ours / ratio - 1))
        assert rel < 1e-8, (measure, rel)


def test_a_frame_and_a_scenario_file_give_the_same_run(sample, pta_run, tmp_path):
    b, run = pta_run
    csv = shared_file("gegravity_sample/sample_data_set.csv")
    toml = tmp_path / "pta.toml"
    toml.write_text(f'''[data]
file = "{csv}"
year = 2006
[elasticity]
sigma = {SIGMA}
[estimate]
formula = "{FML}"
[model]
baseline = "fitted"
reference = "{REF}"
deficits = "multiplicative"
numeraire = "inward_resistance"
solver = "both"
tolerance = 1e-12
[[shock]]
type = "agreement"
members = ["CAN", "JPN"]
variable = "pta"
active = true
coefficient = {float(b["pta"])!r}
[report]
exporter = "CAN"
importer = "JPN"
''')
    from_file = entrepot.scenario(toml)
    assert from_file.countries.equals(run.countries)
    assert from_file.flows.equals(run.flows)
    assert from_file.diversion.equals(run.diversion)
    assert entrepot.scenario(toml.read_text()).flows.equals(run.flows)
    assert run.report().kind == "scenario" and "CAN" in run._repr_html_()
    summary = run.diversion_summary()
    assert summary["exporter"] == "CAN" and summary["importer"] == "JPN"
    # The PTA raises CAN -> JPN: nothing was lost, so no share is defined.
    assert summary["lost"] < 0 and summary["redirected_share_pct"] is None
    flows = run.to_pandas("flows").set_index(["exporter", "importer"])
    assert flows.loc[PAIR, "full_pct"] > 0


def test_a_zero_shock_returns_the_baseline_exactly(sample):
    run = entrepot.ge(sample, year=2006, theta=4,
                      shocks=[{"tariff_pp": 0, "importer": "USA", "exporter": "CHN"}])
    flows = run.flows.to_pandas()
    assert (flows["full"] == flows["baseline"]).all()
    assert (flows["conditional"] == flows["baseline"]).all()
    c = countries(run)
    assert (c["welfare_full_pct"] == 0).all() and (c["real_gdp_full_pct"] == 0).all()
    assert run.diversion_summary()["lost"] == 0


def test_a_tariff_lowers_the_pair_and_diverts_trade(sample):
    run = entrepot.ge(sample, year=2006, theta=4, theta_se=0.5, draws=30,
                      shocks=[{"type": "tariff", "importer": "USA", "exporter": "CHN",
                               "change_pp": 20}])
    s = run.diversion_summary()
    assert s["lost"] > 0 and 0 < s["redirected_share_pct"] < 100
    assert run.draws == 30
    c = countries(run)
    lo, hi = c.loc["USA", "welfare_full_low_pct"], c.loc["USA", "welfare_full_high_pct"]
    assert lo <= c.loc["USA", "welfare_full_pct"] <= hi
    d = run.diversion.to_pandas()
    assert set(d["role"]) == {"direct", "market", "supplier", "exporter_domestic",
                              "importer_domestic"}


def test_bad_input_raises_the_commands_errors(sample, tmp_path):
    shock = [{"tariff_pp": 10, "importer": "USA", "exporter": "CHN"}]
    with pytest.raises(entrepot.UsageError, match="the data have no column `value`"):
        entrepot.ge(sample, value="value", year=2006, theta=4, shocks=shock)
    with pytest.raises(entrepot.NotFoundError,
                       match="shock 1: `XXX` is neither a country of the data nor a known group"):
        entrepot.ge(sample, year=2006, theta=4,
                    shocks=[{"tariff_pp": 10, "importer": "XXX", "exporter": "CHN"}])
    with pytest.raises(entrepot.UsageError, match="shock 1: unknown field `change`"):
        entrepot.ge(sample, year=2006, theta=4,
                    shocks=[{"type": "tariff", "importer": "USA", "exporter": "CHN",
                             "change": 10}])
    with pytest.raises(entrepot.UsageError, match="exactly one of sigma, theta"):
        entrepot.ge(sample, year=2006, shocks=shock)
    bad = sample.copy()
    bad.loc[4, "trade"] = -1.0
    row = bad.iloc[4]
    with pytest.raises(entrepot.BadInputError) as frame_error:
        entrepot.ge(bad, year=2006, theta=4, shocks=shock)
    # The command's message, the row counted from 1 where the command counts file lines.
    what = (f", field trade: {row.exporter} → {row.importer} in 2006 is -1; "
            "flows must be finite and non-negative")
    assert str(frame_error.value) == "the flows table, row 5" + what
    csv = tmp_path / "bad.csv"
    bad.to_csv(csv, index=False)
    toml = tmp_path / "bad.toml"
    toml.write_text(f'[data]\nfile = "{csv}"\nyear = 2006\n[elasticity]\ntheta = 4\n'
                    '[[shock]]\ntype = "tariff"\nimporter = "USA"\nexporter = "CHN"\n'
                    'change_pp = 10\n')
    with pytest.raises(entrepot.BadInputError) as file_error:
        entrepot.scenario(toml)
    assert str(file_error.value) == f"file {csv}, line 6" + what
