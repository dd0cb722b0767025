"""Trade-policy scenarios in general equilibrium: ``entrepot.ge`` on a flows table,
``entrepot.scenario`` on a scenario file, both returning a :class:`ScenarioResult`."""

from __future__ import annotations

import json
from os import PathLike
from typing import Any, Dict, List, Optional, Sequence, Tuple, Union

from . import _entrepot

# Short forms of a shock, the unit in the key: {"tariff_pp": 20, ...} is a tariff shock
# with change_pp = 20 (percentage points, as --tariff USA:CHN:20), {"cost_pct": -10,
# ...} an iceberg cost shock of -10%, {"agreement": "rta", ...} the agreement whose
# dummy is the rta column.
_SHORT = {"tariff_pp": ("tariff", "change_pp"), "cost_pct": ("cost", "change_pct"),
          "agreement": ("agreement", "variable")}


def _shock_json(shock: Dict[str, Any]) -> str:
    """A shock dictionary as the JSON of a scenario file's ``[[shock]]``."""
    if not isinstance(shock, dict):
        raise TypeError(f"a shock must be a dictionary, got {type(shock).__name__}")
    s = dict(shock)
    if "type" not in s:
        short = [k for k in _SHORT if k in s]
        if len(short) == 1:
            kind, field = _SHORT[short[0]]
            s["type"] = kind
            s[field] = s.pop(short[0])
    for side in ("importer", "exporter", "members"):
        if isinstance(s.get(side), (tuple, set, frozenset)):
            s[side] = sorted(s[side]) if isinstance(s[side], (set, frozenset)) else list(s[side])
    return json.dumps(s)


class ScenarioResult:
    """A solved scenario: the baseline and the conditional and full endowment general
    equilibria.

    Tables (pyarrow; ``to_pandas(name)`` / ``to_polars(name)`` convert one):

    * ``countries``: per economy, each measure's levels and % changes
      (``welfare_full_pct``, ``real_gdp_full_pct``, ``exports_conditional_pct`` …), with
      the intervals' ``…_full_low_pct`` / ``…_full_high_pct`` when θ was resampled;
    * ``flows``: every pair's flow, baseline, conditional and full, and % changes;
    * ``diversion``: the focus pair's flow, the exporter's sales to each other market and
      the importer's purchases from each other supplier (``None`` without a focus pair;
      ``diversion_missing`` says why); ``diversion_summary()`` the totals.

    ``report()`` is the report document (``_repr_html_`` in a notebook), as
    ``entrepot scenario run`` prints it.
    """

    def __init__(self, inner: "_entrepot.ScenarioResult"):
        self._inner = inner

    @property
    def countries(self):
        """Per-economy table (pyarrow), one row per economy in code order."""
        return self._inner.countries_table()

    @property
    def flows(self):
        """Per-pair table (pyarrow): ``exporter, importer, baseline, conditional, full,
        conditional_pct, full_pct`` (domestic sales on the diagonal included)."""
        return self._inner.flows_table()

    @property
    def diversion(self):
        """The diversion accounting around the focus pair (pyarrow), or ``None``."""
        return self._inner.diversion_table()

    def diversion_summary(self) -> Optional[Dict[str, Any]]:
        """Totals of the diversion accounting (full GE): ``lost``, ``redirected``,
        ``replaced``, ``absorbed``, the shares of ``lost`` redirected and replaced (%)
        and their intervals; ``None`` without a focus pair."""
        s = self._inner.diversion_summary()
        return None if s is None else dict(s)

    def report(self) -> "_entrepot.Report":
        """The report document."""
        return self._inner.report()

    def to_pandas(self, table: str = "countries"):
        """One table (``countries``, ``flows``, ``diversion``) as a pandas DataFrame."""
        t = self._table(table)
        return None if t is None else t.to_pandas()

    def to_polars(self, table: str = "countries"):
        """One table (``countries``, ``flows``, ``diversion``) as a polars DataFrame."""
        import polars as pl

        t = self._table(table)
        return None if t is None else pl.from_arrow(t)

    def _table(self, name: str):
        if name not in ("countries", "flows", "diversion"):
            raise ValueError(f"table must be countries, flows or diversion, got {name!r}")
        return getattr(self, name)

    # Facts of the run --------------------------------------------------------------
    economies = property(lambda self: self._inner.countries,
                         doc="The economies, in the tables' order.")
    year = property(lambda self: self._inner.year, doc="The baseline year.")
    theta = property(lambda self: self._inner.theta, doc="The trade elasticity θ = σ − 1.")
    sigma = property(lambda self: self._inner.sigma, doc="The elasticity of substitution σ.")
    theta_origin = property(lambda self: self._inner.theta_origin,
                            doc="Where θ came from, in words.")
    reference = property(lambda self: self._inner.reference,
                         doc="The reference country of the normalisation.")
    shocks = property(lambda self: self._inner.shocks, doc="The shocks, in words.")
    notes = property(lambda self: self._inner.notes,
                     doc="Notes (group members not in the data, assumed tariffs).")
    iterations = property(lambda self: self._inner.iterations,
                          doc="Outer iterations of the full endowment solve.")
    solver_gap = property(lambda self: self._inner.solver_gap,
                          doc="With solver='both': the largest relative gap between the solvers.")
    adding_up_gap = property(lambda self: self._inner.adding_up_gap,
                             doc="Market clearing of the full GE: largest relative gap.")
    draws = property(lambda self: self._inner.draws, doc="Draws of θ solved (0: none).")
    diversion_missing = property(lambda self: self._inner.diversion_missing,
                                 doc="Why there is no diversion accounting, or None.")
    intervals_missing = property(lambda self: self._inner.intervals_missing,
                                 doc="Why there are no intervals, or None.")

    def _repr_html_(self) -> str:
        return self.report()._repr_html_()

    def __repr__(self) -> str:
        return (f"<entrepot scenario: {'; '.join(self.shocks)}; {len(self.economies)} economies, "
                f"{self.year}, θ = {self.theta:g}>")


def ge(
    data: Any,
    shocks: Sequence[Dict[str, Any]],
    exporter: str = "exporter",
    importer: str = "importer",
    value: str = "trade",
    year: Optional[int] = None,
    year_column: str = "year",
    theta: Optional[float] = None,
    sigma: Optional[float] = None,
    theta_se: Optional[float] = None,
    coefficient: Optional[str] = None,
    estimate: Optional[str] = None,
    estimate_filters: Optional[Sequence[str]] = None,
    estimate_cluster: Optional[str] = None,
    baseline: str = "observed",
    reference: Optional[str] = None,
    deficits: Optional[str] = None,
    numeraire: Optional[str] = None,
    solver: str = "hat",
    tolerance: Optional[float] = None,
    draws: Optional[int] = None,
    seed: Optional[int] = None,
    level: Optional[float] = None,
    focus: Optional[Tuple[str, str]] = None,
    groups: Optional[Sequence[str]] = None,
    heat_map: Optional[Sequence[str]] = None,
    currency: Optional[str] = None,
    scale: Optional[str] = None,
    title: Optional[str] = None,
    groups_file: Union[str, PathLike, None] = None,
    progress: Any = None,
) -> ScenarioResult:
    """A trade-policy scenario in general equilibrium on a flows table, as
    ``entrepot scenario run`` solves it (structural gravity, Yotov et al. 2016 ch. 2:
    the conditional and the full endowment counterfactual, exact hat algebra and/or
    GEPPML).

    ``data``: pandas, polars or pyarrow, one row per exporter, importer (and year),
    domestic sales on the diagonal (exporter = importer); the columns are named by
    ``exporter``, ``importer``, ``value`` and ``year_column``, and ``year`` picks the
    baseline when several are held. Errors name the table's rows from 1.

    ``shocks``: dictionaries with the fields of a scenario file's ``[[shock]]``:

    * ``{"type": "tariff", "importer": "USA", "exporter": "CHN", "change_pp": 20}``
      (``from_pct``, ``both_ways`` optional), short ``{"tariff_pp": 20, "importer":
      "USA", "exporter": "CHN"}``;
    * ``{"type": "cost", "importer": ..., "exporter": ..., "change_pct": -10}``, short
      ``{"cost_pct": -10, ...}``;
    * ``{"type": "agreement", "members": ["CAN", "MEX", "USA"], "variable": "rta",
      "active": False, "coefficient": 0.557}``, short ``{"agreement": "rta", ...}``
      (without ``coefficient``, the ``estimate``'s coefficient of the variable).

    Either side may be a group (``"EU27"``) or a list. The elasticity: exactly one of
    ``theta`` (θ = σ − 1), ``sigma`` or ``coefficient`` (the ``estimate``'s regressor
    whose coefficient is −θ); ``theta_se`` (or the estimate's standard error) enables
    intervals from ``draws`` resampled θ (default 200; ``seed``, ``level`` 0.9).
    ``estimate``: a gravity formula fitted on the data (``entrepot gravity`` syntax,
    ``estimate_filters``, ``estimate_cluster``), for agreement coefficients, θ and
    ``baseline="fitted"`` costs. ``reference`` (default the largest economy),
    ``deficits`` (``multiplicative``, ``additive``, ``balanced``), ``numeraire``
    (``inward_resistance``, ``producer_price``, ``world_output``), ``solver`` (``hat``,
    ``geppml``, ``both``), ``tolerance`` (1e-10). ``focus=(exporter, importer)``: the
    pair of the diversion accounting (default the first shock's). ``currency`` and
    ``scale`` state the values' unit for the report (never assumed). ``progress``: see
    :mod:`entrepot._progress` (stages ``PPML iterations``, ``solving``, ``draws of θ``).
    """
    from . import to_arrow

    inner = _entrepot.ge(
        to_arrow(data),
        [_shock_json(s) for s in shocks],
        exporter=exporter, importer=importer, value=value, year=year,
        year_column=year_column, theta=theta, sigma=sigma, theta_se=theta_se,
        coefficient=coefficient, estimate=estimate,
        estimate_filters=list(estimate_filters or []), estimate_cluster=estimate_cluster,
        baseline=baseline, reference=reference, deficits=deficits, numeraire=numeraire,
        solver=solver, tolerance=tolerance, draws=draws, seed=seed, level=level,
        focus=tuple(focus) if focus is not None else None,
        groups=list(groups) if groups is not None else None,
        heat_map=list(heat_map) if heat_map is not None else None,
        currency=currency, scale=scale, title=title,
        groups_file=None if groups_file is None else str(groups_file),
        progress=progress,
    )
    return ScenarioResult(inner)


def scenario(
    spec: Union[str, PathLike],
    store: Union[str, PathLike, "_entrepot.Store", None] = None,
    groups_file: Union[str, PathLike, None] = None,
    memory_limit: Optional[int] = None,
    progress: Any = None,
) -> ScenarioResult:
    """Runs a scenario file as ``entrepot scenario run FILE`` does: ``spec`` is its path
    or its TOML text (text when it holds a line break; format in the README, "Trade-policy scenarios"); a relative
    ``[data] file`` is read relative to the file's folder (to the working directory for
    text). ``store``: the store of ``[data] dataset`` or ``sql`` (a path or a
    :class:`Store`; default the per-user store)."""
    if isinstance(store, _entrepot.Store):
        store = store.path
    is_text = isinstance(spec, str) and "\n" in spec
    inner = _entrepot.scenario(
        path=None if is_text else str(spec),
        text=spec if is_text else None,
        store=None if store is None else str(store),
        groups_file=None if groups_file is None else str(groups_file),
        memory_limit=memory_limit,
        progress=progress,
    )
    return ScenarioResult(inner)
