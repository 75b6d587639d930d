r"""Parameter uncertainty: paired Monte Carlo draws, percentile bands and sensitivity.

Every uncertain input is a cited range in ``presets/uncertainty.toml``, drawn
uniformly. Draws are *paired* (common random numbers): draw :math:`k` uses the
same cooling, route and heat-price parameters for every cell and every site,
and the same electricity-price factor for every sample priced by the same
price row, so ``site_report`` and ``rank_sites`` agree draw by draw and a
difference between two places is not noise. Each parameter has its own random
stream, seeded from ``(seed, name)``: adding a parameter does not change the
draws of the others, and the result does not depend on the number of threads.

:func:`first_order_indices` estimates which parameters drive a spread from the
draws themselves (the given-data estimator of Plischke, Borgonovo & Smith 2013).

References
----------
.. [1] Lei, N., Masanet, E. (2020). Statistical analysis for predicting
   location-specific data center PUE and its improvement potential. Energy 201,
   117556. doi:10.1016/j.energy.2020.117556 (parameter ranges; their public
   calculator, github.com/nuoaleon/UEcalculator_dash_app).
.. [2] Plischke, E., Borgonovo, E., Smith, C. L. (2013). Global sensitivity
   measures from given data. European Journal of Operational Research 226(3),
   536-550. doi:10.1016/j.ejor.2012.11.047.
.. [3] Saltelli, A. et al. (2008). Global Sensitivity Analysis: The Primer.
   Wiley (the Ishigami test function and its indices, section 4.2).
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from computeatlas.errors import InputError
from computeatlas.presets import AshraeClass, CoolingTechnology, HeatPrice, Route, uncertainty_table

__all__ = [
    "ENVELOPE_KEYS",
    "Draws",
    "band",
    "first_order_indices",
    "price_factors",
    "price_range",
    "sample",
    "top_shares",
    "uniform_stream",
]

#: Envelope set points a technology's ranges may vary (clipped to the chosen class).
ENVELOPE_KEYS = ("t_max_c", "dp_max_c", "dp_min_c", "rh_max_pct")
#: Percentiles reported for every banded variable [%].
PERCENTILES = (5.0, 50.0, 95.0)


def uniform_stream(seed: int, name: str, n: int) -> np.ndarray:
    """Uniform draws on [0, 1) of one named parameter.

    Parameters
    ----------
    seed : int
        The user's seed.
    name : str
        Parameter (or price-row) name: each has its own stream.
    n : int
        Number of draws.

    Returns
    -------
    numpy.ndarray
        Shape (n,); the first ``m`` values do not depend on ``n``.
    """
    rng = np.random.default_rng([int(seed), zlib.crc32(name.encode("utf-8"))])
    return rng.random(int(n))


@dataclass(frozen=True)
class Draws:
    """The parameter values of ``n`` paired draws.

    Attributes
    ----------
    n, seed : int
        Number of draws and the seed they came from.
    cooling : dict of numpy.ndarray
        Cooling parameter -> (n,) values (CoolingTechnology fields, envelope set
        points and ``chiller_cop_error``); unlisted parameters keep the preset.
    route_factor, fixed_ms : numpy.ndarray
        Fibre route parameters [1] and [ms], shape (n,).
    heat_usd_per_mwh : numpy.ndarray
        Heat price [USD/MWh_heat], shape (n,).
    sources : dict of str
        Citation of each range family.
    """

    n: int
    seed: int
    cooling: dict[str, np.ndarray]
    route_factor: np.ndarray
    fixed_ms: np.ndarray
    heat_usd_per_mwh: np.ndarray
    sources: dict[str, str] = field(default_factory=dict)

    def parameters(self) -> pd.DataFrame:
        """Return the varied global parameters as a table (one row per draw, one column each)."""
        cols = {f"cooling.{k}": v for k, v in self.cooling.items()}
        for name in ("route_factor", "fixed_ms", "heat_usd_per_mwh"):
            values = getattr(self, name)
            if np.ptp(values) > 0:
                cols[name] = values
        return pd.DataFrame(cols)


def _draw(seed: int, name: str, lo_hi: Any, n: int) -> np.ndarray:
    lo, hi = (float(v) for v in lo_hi)
    return lo + (hi - lo) * uniform_stream(seed, name, n)


def _cooling_draws(
    tech: CoolingTechnology, env: AshraeClass, n: int, seed: int
) -> tuple[dict[str, np.ndarray], str]:
    spec = dict(uncertainty_table("cooling").get(tech.name, {}))
    source = str(spec.pop("source", ""))
    out = {}
    for key, lo_hi in spec.items():
        lo, hi = (float(v) for v in lo_hi)
        if key in ENVELOPE_KEYS:  # set points inside the class the user chose
            limit = getattr(env, key)
            lo, hi = (
                (max(lo, limit), max(hi, limit))
                if key == "dp_min_c"
                else (
                    min(lo, limit),
                    min(hi, limit),
                )
            )
        out[key] = _draw(seed, f"cooling.{key}", (lo, hi), n)
    return out, source


def sample(
    technology: CoolingTechnology,
    envelope: AshraeClass,
    route: Route,
    heat_price: HeatPrice,
    *,
    n: int,
    seed: int,
) -> Draws:
    """Draw ``n`` paired parameter sets for one scenario.

    Parameters
    ----------
    technology : CoolingTechnology
        Cooling preset; its ranges are ``[cooling.<name>]`` of
        ``presets/uncertainty.toml`` (none for a user-built technology).
    envelope : AshraeClass
        The envelope in force: drawn set points never leave it.
    route : Route
        Fibre route; ranges under ``[route.<name>]`` (a route without one is fixed).
    heat_price : HeatPrice
        Heat-price scenario; ranges under ``[heat_price.<name>]`` [EUR/MWh_heat],
        converted at the preset's exchange rate; a user price is fixed.
    n : int
        Number of draws, >= 1.
    seed : int
        Seed of every stream.

    Returns
    -------
    Draws
    """
    if n < 1:
        raise InputError(f"draws must be >= 1, got {n}")
    cooling, c_src = _cooling_draws(technology, envelope, n, seed)
    routes = uncertainty_table("route").get(route.name, {})
    rf = _draw(seed, "route_factor", routes.get("route_factor", [route.route_factor] * 2), n)
    fx = _draw(seed, "fixed_ms", routes.get("fixed_ms", [route.fixed_ms] * 2), n)
    heats = uncertainty_table("heat_price").get(heat_price.name)
    if heats is None:
        heat = np.full(n, heat_price.usd_per_mwh_heat)
    else:
        heat = _draw(seed, "heat_price", heats["usd_per_mwh_heat"], n)
    sources = {"cooling": c_src, "route": str(routes.get("source", "")), "heat": ""}
    if heats is not None:
        sources["heat"] = str(heats.get("source", ""))
    return Draws(n, int(seed), cooling, rf, fx, heat, sources)


def price_range(basis: str, flags: str, source: str) -> tuple[float, float]:
    """Relative range [low, high] of a price row's factor (``[price.*]`` of the presets).

    Parameters
    ----------
    basis : str
        The row's ``price_basis`` (``median_of_rows`` for a fallback median).
    flags : str
        Its ``price_flags`` (``;``-separated).
    source : str
        Its ``price_source`` (``fallback:...`` for a median of other rows).

    Returns
    -------
    (float, float)
        The factor is uniform on ``[1 + low, 1 + high]``.
    """
    spec = uncertainty_table("price")
    lo, hi = spec["basis"].get(basis, spec["basis"]["unknown"])
    if source.startswith("fallback"):
        lo, hi = spec["fallback"]["fallback"]
    for flag in filter(None, flags.split(";")):
        d_lo, d_hi = spec["flags"].get(flag, (0.0, 0.0))
        lo, hi = lo + d_lo, hi + d_hi
    return float(max(lo, -0.9)), float(hi)


def price_factors(table: pd.DataFrame, *, n: int, seed: int) -> np.ndarray:
    """Multiplicative price factor of every row of a resolved price table, per draw.

    Parameters
    ----------
    table : pandas.DataFrame
        Rows with ``price_region_code``, ``price_basis``, ``price_flags`` and
        ``price_source`` (:class:`computeatlas.regions.Resolved` tables).
    n, seed : int
        Number of draws and seed.

    Returns
    -------
    numpy.ndarray
        Shape (rows, n) [1]; rows using the same price row share their factors.
    """
    out = np.ones((len(table), int(n)))
    keys = table["price_region_code"].fillna("").astype(str).to_numpy()
    basis = table["price_basis"].fillna("").astype(str).to_numpy()
    flags = table["price_flags"].fillna("").astype(str).to_numpy()
    source = table["price_source"].fillna("").astype(str).to_numpy()
    cache: dict[tuple[str, str, str, str], np.ndarray] = {}
    for i in range(len(table)):
        if not keys[i] or source[i].startswith("none"):
            continue
        k = (keys[i], basis[i], flags[i], source[i])
        if k not in cache:
            lo, hi = price_range(basis[i], flags[i], source[i])
            cache[k] = 1.0 + lo + (hi - lo) * uniform_stream(seed, f"price:{keys[i]}", n)
        out[i] = cache[k]
    return out


def band(values: np.ndarray, axis: int = -1) -> dict[str, np.ndarray]:
    """5th, 50th and 95th percentiles over the draws.

    Parameters
    ----------
    values : numpy.ndarray
        Draws along ``axis``; NaN draws propagate (a sample NaN in any draw is NaN).
    axis : int, default -1

    Returns
    -------
    dict of numpy.ndarray
        ``p05``, ``p50``, ``p95`` (linear interpolation between order statistics).
    """
    q = np.percentile(values, PERCENTILES, axis=axis)
    return {f"p{int(p):02d}": q[k] for k, p in enumerate(PERCENTILES)}


def first_order_indices(x: np.ndarray, y: np.ndarray, *, bins: int | None = None) -> np.ndarray:
    r"""First-order (main-effect) sensitivity indices from given draws.

    Parameters
    ----------
    x : numpy.ndarray
        Inputs, shape (n, k): one column per parameter, drawn independently.
    y : numpy.ndarray
        Output, shape (n,).
    bins : int, optional
        Classes per input; default :math:`\lceil \sqrt{n} \rceil / 2`, at least 2.

    Returns
    -------
    numpy.ndarray
        :math:`S_i = \mathrm{Var}(E[y \mid x_i]) / \mathrm{Var}(y)`, shape (k,),
        in [0, 1]; 0 for a constant input; NaN if ``y`` is constant.

    Notes
    -----
    The given-data estimator of Plischke, Borgonovo & Smith (2013): sort the
    draws by :math:`x_i`, cut them into equally populated classes, and take the
    variance of the class means of :math:`y` over the variance of :math:`y`. Its
    upward bias, about :math:`(M-1)/n` for :math:`M` classes, is subtracted.
    Checked against the Ishigami function's analytic indices (Saltelli et al. 2008).
    """
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    if x.ndim != 2 or y.shape != (x.shape[0],):
        raise InputError("first_order_indices needs x of shape (n, k) and y of shape (n,)")
    n = y.size
    var = float(np.var(y))
    if not var > 0:
        return np.full(x.shape[1], np.nan)
    m = max(2, int(np.ceil(np.sqrt(n) / 2))) if bins is None else int(bins)
    out = np.zeros(x.shape[1])
    for j in range(x.shape[1]):
        if np.ptp(x[:, j]) == 0:
            continue
        classes = np.array_split(np.argsort(x[:, j], kind="stable"), m)
        means = np.array([y[c].mean() for c in classes])
        sizes = np.array([c.size for c in classes])
        s = float(np.sum(sizes * (means - y.mean()) ** 2) / n / var)
        out[j] = min(1.0, max(0.0, s - (m - 1) / n))
    return out


def top_shares(
    score: np.ndarray,
    eligible: np.ndarray | None,
    *,
    top: int,
    tiebreak: np.ndarray,
    step: float = 0.01,
) -> tuple[np.ndarray, np.ndarray]:
    """How often each sample is among the ``top`` cheapest, and the cheapest of each draw.

    Parameters
    ----------
    score : numpy.ndarray
        Score of each sample in each draw [USD/MWh_IT], shape (m, n); NaN is never ranked.
    eligible : numpy.ndarray of bool or None
        Within reach in each draw, shape (m, n); None: all.
    top : int
        Size of the top set.
    tiebreak : numpy.ndarray
        Order among scores equal to ``step`` (lower first), shape (m,): a deterministic
        key such as the point-estimate rank.
    step : float, default 0.01
        Scores equal to this step are ties [USD/MWh_IT] (as the point ranking).

    Returns
    -------
    p_top : numpy.ndarray
        Share of the draws in which each sample is in the top set [1], shape (m,).
    best : numpy.ndarray of int
        The cheapest sample of each draw (index into m; -1 when none is eligible),
        shape (n,).
    """
    m, n = score.shape
    counts = np.zeros(m)
    best = np.full(n, -1, dtype=np.int64)
    for d in range(n):
        ok = np.isfinite(score[:, d])
        if eligible is not None:
            ok &= eligible[:, d]
        idx = np.flatnonzero(ok)
        if not idx.size:
            continue
        cents = np.round(score[idx, d] / step)
        if idx.size > top:  # candidates: every sample tied with the top-th
            kth = np.partition(cents, top - 1)[top - 1]
            keep = cents <= kth
            idx, cents = idx[keep], cents[keep]
        order = np.lexsort((idx, tiebreak[idx], cents))[:top]
        counts[idx[order]] += 1.0
        best[d] = idx[order[0]]
    return counts / n, best
