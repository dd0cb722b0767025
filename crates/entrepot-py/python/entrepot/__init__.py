"""Entrepôt for notebooks: structural gravity (PPML and OLS with high-dimensional fixed
effects), trade-policy scenarios in general equilibrium, economic complexity, the trade
store and the release brief, on pandas, polars or pyarrow tables.

    >>> import entrepot
    >>> fit = entrepot.fepois(df, "trade ~ log(dist) + cntg | exporter^year + importer^year",
    ...                       vcov={"CRV1": "pair_id"})
    >>> fit.tidy()
    >>> run = entrepot.ge(flows, shocks=[{"tariff_pp": 20, "importer": "USA", "exporter": "CHN"}],
    ...                   year=2006, theta=7)
    >>> run.countries.to_pandas()

Long calls (``fepois``, ``feols``, ``ge``, ``scenario``, ``Store.ingest``) take
``progress=``: a bar in a notebook by default (``tqdm.auto`` when installed), ``True``,
``False``, or a callable ``f(stage, done, total)``.

The engine is Rust (the `entrepot` command's): the figures and error messages are the
command's, the GIL is released while it computes, and tables cross the boundary as
Arrow (the PyCapsule stream interface), so a pyarrow table is read without a copy.
Results are pyarrow tables; ``.to_pandas()`` and ``polars.from_arrow(...)`` convert them.

Small-sample corrections (``ssc=``):

* ``"pyfixest"`` (default; also ``"fixest"``) or ``pf.ssc()``: pyfixest's and fixest's
  defaults, ``k_adj``, ``k_fixef="nonnested"``, ``G_adj``, ``G_df="min"``;
* ``"stata"`` (also ``"ppmlhdfe"``): Stata's ML estimators (``ppmlhdfe``, ``poisson``):
  robust ``N/(N-1)``, cluster ``G/(G-1)``, iid none;
* ``"reghdfe"``: Stata's ``reghdfe``;
* ``"none"``: no correction;
* a dictionary ``{"k_adj": ..., "k_fixef": ..., "G_adj": ..., "G_df": ...}``, as
  ``pyfixest.ssc(...)`` returns it, field by field.
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Sequence, Union

from . import _entrepot
from ._entrepot import (
    BadInputError,
    EntrepotError,
    NotFoundError,
    Report,
    Store,
    UsageError,
)

__version__ = _entrepot.__version__

from ._ge import ScenarioResult, ge, scenario  # noqa: E402

__all__ = [
    "fepois",
    "feols",
    "Fit",
    "complexity",
    "ge",
    "scenario",
    "ScenarioResult",
    "Store",
    "Report",
    "EntrepotError",
    "UsageError",
    "NotFoundError",
    "BadInputError",
    "to_arrow",
]


def to_arrow(data: Any):
    """The data as a pyarrow table: a pyarrow table as it is, a pandas DataFrame through
    ``pyarrow.Table.from_pandas`` (index dropped), a polars DataFrame through
    ``to_arrow()`` (no copy), anything else with ``__arrow_c_stream__`` through
    ``pyarrow.table``."""
    import pyarrow as pa

    if isinstance(data, pa.Table):
        return data
    if isinstance(data, pa.RecordBatch):
        return pa.Table.from_batches([data])
    module = type(data).__module__.split(".")[0]
    if module == "pandas":
        return pa.Table.from_pandas(data, preserve_index=False)
    if module == "polars":
        if hasattr(data, "collect"):  # a LazyFrame
            data = data.collect()
        return data.to_arrow()
    if hasattr(data, "__arrow_c_stream__"):
        return pa.table(data)
    raise TypeError(
        "data must be a pandas, polars or pyarrow table (or have __arrow_c_stream__), "
        f"got {type(data).__name__}"
    )


def _vcov(vcov: Union[str, Dict[str, str], None]):
    """pyfixest's ``vcov=`` as (kind, cluster) of the engine: ``"iid"``, ``"hetero"``
    (``"HC1"``), ``{"CRV1": "pair_id"}``, ``{"CRV1": "exporter+importer"}`` (two-way)."""
    if vcov is None:
        return None, None
    if isinstance(vcov, str):
        return vcov, None
    if isinstance(vcov, dict) and len(vcov) == 1:
        (kind, cluster), = vcov.items()
        if kind != "CRV1":
            raise UsageError(f"vcov: only CRV1 clustering is available, got {kind}")
        parts = [p.strip() for p in str(cluster).split("+")]
        return "cluster", ",".join(parts)
    raise UsageError(f'vcov must be "iid", "hetero" or {{"CRV1": "var"}}, got {vcov!r}')


class Fit:
    """A fitted gravity model, with pyfixest's accessors: ``coef()``, ``se()``,
    ``tstat()``, ``pvalue()``, ``confint()``, ``vcov()``, ``tidy()``, ``summary()``,
    ``fixef()``, ``predict()``; ``report()`` is the regression table as a report
    document (``_repr_html_`` in a notebook)."""

    def __init__(self, inner: "_entrepot.Fit"):
        self._inner = inner

    # Figures ---------------------------------------------------------------
    def coef(self):
        """The coefficients, a pandas Series indexed by name (a dict without pandas)."""
        return self._series(self._inner.coefficients, "Estimate")

    def se(self):
        """The standard errors, a pandas Series indexed by name."""
        return self._series(self._inner.std_errors, "Std. Error")

    def tstat(self):
        """The z statistics (estimate / standard error)."""
        return self._series(
            [b / s for b, s in zip(self._inner.coefficients, self._inner.std_errors)], "z value"
        )

    def pvalue(self):
        """Two-sided p-values from the standard normal distribution."""
        return self._tidy_column("Pr(>|z|)")

    def confint(self):
        """95% confidence intervals (normal), a pandas DataFrame with ``2.5%`` and
        ``97.5%``."""
        return self.tidy()[["2.5%", "97.5%"]]

    def vcov(self):
        """The variance matrix, a pandas DataFrame indexed by name both ways."""
        import pandas as pd

        names = self._inner.names
        return pd.DataFrame(self._inner.vcov_matrix, index=names, columns=names)

    def tidy(self, as_arrow: bool = False):
        """The coefficient table: ``Estimate``, ``Std. Error``, ``z value``,
        ``Pr(>|z|)``, ``2.5%``, ``97.5%`` (normal p-values and intervals), indexed by
        ``Coefficient`` as pyfixest's ``tidy()``; a pyarrow table with ``as_arrow=True``."""
        t = self._inner.tidy_table()
        if as_arrow:
            return t
        return t.to_pandas().set_index("Coefficient")

    def summary(self) -> str:
        """The regression table as text (as ``entrepot gravity`` prints it); printed too."""
        text = self._inner.summary_text()
        print(text)
        return text

    def fixef(self):
        """The fixed effects, a pyarrow table (``fixed_effect``, ``level``, ``value``),
        on the linear-predictor scale, normalised as the engine documents it (within each
        connected component of the first two dimensions the first level of the second is
        0)."""
        return self._inner.fixef_table()

    def fitted_values(self):
        """The fitted values (``mu`` for PPML, ``y-hat`` for OLS) of the observations
        used: a pyarrow table of ``row`` (the input row, from 0) and ``fitted``."""
        return self._inner.fitted_table()

    def predict(self):
        """The fitted values of the observations used, a numpy array (pyfixest's
        ``predict()`` on the estimation sample, response scale)."""
        return self._inner.fitted_table().column("fitted").to_numpy()

    def report(self) -> Report:
        """The regression table as a report document."""
        return self._inner.report()

    # Model facts -------------------------------------------------------------
    @property
    def nobs(self) -> int:
        """Observations used."""
        return self._inner.nobs

    _N = nobs

    @property
    def deviance(self) -> float:
        """PPML deviance (OLS: sum of squared residuals)."""
        return self._inner.deviance

    @property
    def loglik(self) -> Optional[float]:
        """PPML log-likelihood."""
        return self._inner.loglik

    @property
    def pseudo_r2(self) -> float:
        """PPML pseudo-R2 (1 - ll/ll0), OLS R2."""
        return self._inner.pseudo_r2

    @property
    def iterations(self) -> int:
        """IRLS iterations."""
        return self._inner.iterations

    @property
    def dropped(self) -> Dict[str, int]:
        """Observations removed, by reason (filters, missing, singletons, separation)."""
        return dict(self._inner.dropped)

    @property
    def vcov_type(self) -> str:
        """``iid``, ``hetero`` or ``cluster``."""
        return self._inner.vcov_type

    @property
    def ssc_factor(self) -> float:
        """The small-sample factor applied to the variance."""
        return self._inner.ssc_factor

    @property
    def n_clusters(self) -> List[int]:
        """Clusters per cluster dimension."""
        return self._inner.n_clusters

    @property
    def messages(self) -> List[str]:
        """Notes (drops, collinear regressors)."""
        return self._inner.messages

    def _repr_html_(self) -> str:
        return self._inner.report()._repr_html_()

    def __repr__(self) -> str:
        return f"<entrepot {self._inner.estimator} fit: {self._inner.formula}, N = {self.nobs}>"

    # Helpers ------------------------------------------------------------------
    def _series(self, values, name):
        names = self._inner.names
        try:
            import pandas as pd
        except ImportError:  # pragma: no cover - pandas is optional
            return dict(zip(names, values))
        return pd.Series(values, index=pd.Index(names, name="Coefficient"), name=name)

    def _tidy_column(self, col):
        return self._series(self._inner.tidy_table().column(col).to_pylist(), col)


def _fit(
    estimator: str,
    data: Any,
    fml: str,
    vcov: Union[str, Dict[str, str], None],
    ssc: Union[str, Dict[str, Any], None],
    weights: Optional[str],
    offset: Optional[str],
    filters: Optional[Sequence[str]],
    tol: float,
    maxiter: int,
    fixef_tol: float,
    intercept: bool,
    progress: Any,
) -> Fit:
    kind, cluster = _vcov(vcov)
    inner = _entrepot.fit(
        to_arrow(data),
        fml,
        estimator,
        vcov=kind,
        cluster=cluster,
        ssc=ssc,
        weights=weights,
        offset=offset,
        filters=list(filters or []),
        tol=tol,
        max_iter=maxiter,
        demean_tol=fixef_tol,
        intercept=intercept,
        progress=progress,
    )
    return Fit(inner)


def fepois(
    data: Any,
    fml: str,
    vcov: Union[str, Dict[str, str], None] = None,
    ssc: Union[str, Dict[str, Any], None] = None,
    weights: Optional[str] = None,
    offset: Optional[str] = None,
    filters: Optional[Sequence[str]] = None,
    iwls_tol: float = 1e-8,
    iwls_maxiter: int = 1000,
    fixef_tol: float = 1e-8,
    intercept: bool = False,
    progress: Any = None,
) -> Fit:
    """Poisson pseudo-maximum likelihood with high-dimensional fixed effects (PPML).

    ``fml`` is ``"depvar ~ regressors | fixed effects"`` (``log(x)``, interactions
    ``exporter^year``); ``vcov`` as pyfixest's: ``"iid"``, ``"hetero"`` or
    ``{"CRV1": "pair_id"}`` (``"a+b"`` two-way); default: iid. ``ssc`` see the module
    docstring. ``filters``: conditions the sample must meet (``"year >= 1990"``).
    Singletons, observations separated by the fixed effects and by the regressors are
    dropped first, as pyfixest (``separation_check=["fe", "ir"]``) and ppmlhdfe do.
    Convergence: relative change in deviance below ``iwls_tol``, the fixed effects
    partialled out to ``fixef_tol`` (pyfixest's names and defaults). ``progress``: a
    bar of the iterations in a notebook by default, ``True``/``False``, or a callable
    ``f(stage, done, total)`` (see :mod:`entrepot._progress`).
    """
    return _fit("ppml", data, fml, vcov, ssc, weights, offset, filters, iwls_tol,
                iwls_maxiter, fixef_tol, intercept, progress)


def feols(
    data: Any,
    fml: str,
    vcov: Union[str, Dict[str, str], None] = None,
    ssc: Union[str, Dict[str, Any], None] = None,
    weights: Optional[str] = None,
    filters: Optional[Sequence[str]] = None,
    fixef_tol: float = 1e-8,
    intercept: bool = False,
    progress: Any = None,
) -> Fit:
    """OLS with high-dimensional fixed effects; arguments as :func:`fepois`."""
    return _fit("ols", data, fml, vcov, ssc, weights, None, filters, 1e-8, 1000, fixef_tol,
                intercept, progress)


def complexity(
    data: Any,
    time: str = "time",
    loc: str = "loc",
    prod: str = "prod",
    val: str = "val",
    rca_mcp_threshold: float = 1.0,
    asymmetric: bool = False,
):
    """Economic complexity per ``time`` of a long table (one row per time, location,
    product and export value), as the ``ecomplexity`` package computes it: a pyarrow
    table with ecomplexity's columns, ``loc, prod, val, time, diversity, ubiquity, mcp,
    eci, pci, density, coi, cog, rca`` (under your column names), one row per location x
    product kept (zero-total locations and products dropped). ``ecomplexity(df, {"time":
    ..., "loc": ..., "prod": ..., "val": ...})`` becomes ``entrepot.complexity(df,
    time=..., loc=..., prod=..., val=...)``."""
    return _entrepot.complexity(
        to_arrow(data), time, loc, prod, val,
        rca_mcp_threshold=rca_mcp_threshold, asymmetric=asymmetric,
    )
