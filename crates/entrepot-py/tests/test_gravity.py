"""entrepot.fepois / feols against published figures and against pyfixest on the same
DataFrame: Yotov, Piermartini, Monteiro and Larch (2016), Table 1 column 4, and the
ppmlhdfe FTA example (help file, example 3), plus the input kinds and the errors.

Both estimators run with tight tolerances (IRLS 1e-12 on the relative deviance change,
demeaning 1e-12) so that each reports the converged optimum; then coefficients agree to
1e-8 and standard errors to 1e-6 (absolute) under the same small-sample correction.
"""

import numpy as np
import pandas as pd
import polars as pl
import pyarrow as pa
import pytest

import entrepot

from conftest import shared_file

pf = pytest.importorskip("pyfixest")
from pyfixest.demeaners import MapDemeaner  # noqa: E402

COEF_TOL = 1e-8
SE_TOL = 1e-6
TIGHT = dict(iwls_tol=1e-12, fixef_tol=1e-12)
# Stata's ML convention (ppmlhdfe, ppml with clusters): G/(G-1), nothing else; spelled as
# pyfixest's ssc so that both packages apply the same factor.
STATA_SSC = pf.ssc(k_adj=False, k_fixef="none", G_adj=True, G_df="conventional")

YOTOV_YEARS = [1986, 1990, 1994, 1998, 2002, 2006]
YOTOV_FML = "trade ~ log(dist) + cntg + lang + clny | exporter^year + importer^year"


def pyfixest_fepois(df, fml, vcov, ssc):
    return pf.fepois(
        fml,
        data=df,
        vcov=vcov,
        ssc=ssc,
        iwls_tol=1e-12,
        iwls_maxiter=500,
        separation_check=["fe", "ir"],
        demeaner=MapDemeaner(fixef_tol=1e-12, fixef_maxiter=200_000),
    )


def assert_same_fit(ours, theirs):
    """Same coefficient names, estimates to COEF_TOL and standard errors to SE_TOL."""
    b, s = ours.coef(), ours.se()
    rb, rs = theirs.coef(), theirs.se()
    assert sorted(b.index) == sorted(rb.index)
    for name in rb.index:
        assert abs(b[name] - rb[name]) <= COEF_TOL, (name, b[name], rb[name])
        assert abs(s[name] - rs[name]) <= SE_TOL, (name, s[name], rs[name])
    assert ours.nobs == theirs._N


@pytest.fixture(scope="module")
def yotov():
    df = pd.read_csv(shared_file("yotov_agtpa/agtpa_applications.csv"))
    df = df[(df["exporter"] != df["importer"]) & df["year"].isin(YOTOV_YEARS)]
    return df.reset_index(drop=True)


@pytest.fixture(scope="module")
def fta():
    df = pd.read_csv(shared_file("ppmlhdfe_example_trade_fta/EXAMPLE_TRADE_FTA_DATA.csv"))
    df = df[df["category"] == "TOTAL"].copy()
    df["pair"] = df["isoimp"] + "_" + df["isoexp"]
    return df.reset_index(drop=True)


def test_yotov_table1_column4_reproduces_the_published_ppml(yotov):
    fit = entrepot.fepois(yotov, YOTOV_FML, vcov={"CRV1": "pair_id"}, ssc="stata")
    # Yotov et al. (2016), Table 1, column 4 (p. 42): estimate (standard error).
    published = {
        "log(dist)": (-0.841, 0.032),
        "cntg": (0.437, 0.083),
        "lang": (0.247, 0.077),
        "clny": (-0.222, 0.116),
    }
    b, s = fit.coef(), fit.se()
    for name, (est, se) in published.items():
        assert abs(b[name] - est) <= 0.0005 + 1e-12, (name, b[name])
        assert abs(s[name] - se) <= 0.0005 + 1e-12, (name, s[name])
    assert fit.nobs == 28_152


@pytest.mark.parametrize("ssc", ["default", "stata"])
def test_yotov_table1_column4_matches_pyfixest(yotov, ssc):
    ours_ssc = None if ssc == "default" else STATA_SSC
    theirs_ssc = pf.ssc() if ssc == "default" else STATA_SSC
    ours = entrepot.fepois(yotov, YOTOV_FML, vcov={"CRV1": "pair_id"}, ssc=ours_ssc, **TIGHT)
    theirs = pyfixest_fepois(yotov, YOTOV_FML, {"CRV1": "pair_id"}, theirs_ssc)
    assert_same_fit(ours, theirs)


def test_stata_preset_is_the_same_as_its_pyfixest_spelling(yotov):
    a = entrepot.fepois(yotov, YOTOV_FML, vcov={"CRV1": "pair_id"}, ssc="stata")
    b = entrepot.fepois(yotov, YOTOV_FML, vcov={"CRV1": "pair_id"}, ssc=STATA_SSC)
    assert np.allclose(a.se().values, b.se().values, rtol=0, atol=1e-12)


@pytest.mark.parametrize(
    "vcov",
    [{"CRV1": "pair"}, "hetero", "iid", {"CRV1": "isoexp+isoimp"}],
    ids=["cluster", "hetero", "iid", "twoway"],
)
def test_ppmlhdfe_fta_example_matches_pyfixest(fta, vcov):
    fml = "trade ~ fta | isoimp^year + isoexp^year + isoimp^isoexp"
    ours = entrepot.fepois(fta, fml, vcov=vcov, **TIGHT)
    theirs = pyfixest_fepois(fta, fml, vcov, pf.ssc())
    assert_same_fit(ours, theirs)
    assert ours.dropped["total_rows"] == len(fta)


def test_ppmlhdfe_fta_example_with_stata_ssc_matches_pyfixest(fta):
    fml = "trade ~ fta | isoimp^year + isoexp^year + isoimp^isoexp"
    ours = entrepot.fepois(fta, fml, vcov={"CRV1": "pair"}, ssc="ppmlhdfe", **TIGHT)
    theirs = pyfixest_fepois(fta, fml, {"CRV1": "pair"}, STATA_SSC)
    assert_same_fit(ours, theirs)


def test_feols_matches_pyfixest(fta):
    pos = fta[fta["trade"] > 0].copy()
    pos["ltrade"] = np.log(pos["trade"])
    fml = "ltrade ~ fta + ln_distw | isoimp^year + isoexp^year"
    ours = entrepot.feols(pos, fml, vcov={"CRV1": "pair"}, fixef_tol=1e-12)
    theirs = pf.feols(
        fml, data=pos, vcov={"CRV1": "pair"},
        demeaner=MapDemeaner(fixef_tol=1e-12, fixef_maxiter=200_000),
    )
    assert_same_fit(ours, theirs)


def test_pandas_polars_and_pyarrow_inputs_give_the_same_fit(fta):
    fml = "trade ~ fta | isoimp^year + isoexp^year + isoimp^isoexp"
    fits = [
        entrepot.fepois(data, fml, vcov={"CRV1": "pair"})
        for data in (fta, pl.from_pandas(fta), pa.Table.from_pandas(fta), pl.from_pandas(fta).lazy())
    ]
    for f in fits[1:]:
        assert f.coef().equals(fits[0].coef())
        assert f.se().equals(fits[0].se())


def test_tidy_fixef_and_fitted_values(fta):
    fml = "trade ~ fta | isoimp^year + isoexp^year + isoimp^isoexp"
    fit = entrepot.fepois(fta, fml, vcov={"CRV1": "pair"})
    tidy = fit.tidy()
    assert list(tidy.columns) == ["Estimate", "Std. Error", "z value", "Pr(>|z|)", "2.5%", "97.5%"]
    row = tidy.loc["fta"]
    assert row["Estimate"] == fit.coef()["fta"]
    assert abs(row["97.5%"] - row["Estimate"] - 1.959963984540054 * row["Std. Error"]) < 1e-12
    assert 0 <= row["Pr(>|z|)"] <= 1
    # fitted values: ln mu = x b + the fixed effects of the observation, row by row
    fe = fit.fixef().to_pandas()
    assert set(fe["fixed_effect"]) == {"isoimp^year", "isoexp^year", "isoimp^isoexp"}
    fitted = fit.fitted_values().to_pandas()
    assert len(fitted) == fit.nobs
    look = {(t, l): v for t, l, v in fe.itertuples(index=False)}
    for r, mu in fitted.head(50).itertuples(index=False):
        obs = fta.iloc[r]
        eta = fit.coef()["fta"] * obs["fta"]
        eta += look[("isoimp^year", f"{obs['isoimp']}^{obs['year']}")]
        eta += look[("isoexp^year", f"{obs['isoexp']}^{obs['year']}")]
        eta += look[("isoimp^isoexp", f"{obs['isoimp']}^{obs['isoexp']}")]
        assert abs(np.exp(eta) - mu) <= 1e-8 * mu
    assert "fta" in fit.summary()
    assert fit.report().kind
    assert "<table" in fit._repr_html_()


def test_bad_formula_raises_with_the_commands_message(fta):
    with pytest.raises(entrepot.UsageError, match=r"^--formula: .*"):
        entrepot.fepois(fta, "trade ~ fta | | isoimp")
    with pytest.raises(entrepot.EntrepotError):
        entrepot.fepois(fta, "trade fta")


def test_missing_column_raises_and_names_it(fta):
    with pytest.raises(entrepot.EntrepotError, match="no_such_column"):
        entrepot.fepois(fta, "trade ~ no_such_column | isoimp^year")


def test_bad_vcov_and_ssc_raise(fta):
    with pytest.raises(entrepot.UsageError, match="CRV1"):
        entrepot.fepois(fta, "trade ~ fta | isoimp^year", vcov={"CRV3": "pair"})
    with pytest.raises(entrepot.UsageError, match="ssc"):
        entrepot.fepois(fta, "trade ~ fta | isoimp^year", ssc="sas")
    with pytest.raises(TypeError, match="pandas, polars or pyarrow"):
        entrepot.fepois([1, 2, 3], "trade ~ fta")
