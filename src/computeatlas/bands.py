"""The pipeline under parameter uncertainty: paired Monte Carlo draws on any window.

:func:`evaluate_draws` takes the point evaluation of :func:`computeatlas.pipeline.evaluate`
(its layers, regions and prices) and recomputes, for each of ``n`` paired draws
(:mod:`computeatlas.models.uncertainty`), the PUE, the electricity price, the heat
credit, the cost and the score of every sample, and (with a round-trip budget)
whether each sample is within reach. ``rank_sites`` and ``site_report`` both call
it, so their bands agree at cell centres, draw by draw. The point estimate is
untouched: the bands sit beside it.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import pandas as pd

from computeatlas.errors import ComputeAtlasWarning, InputError
from computeatlas.models import cooling, energy, heat, latency, serialised_kernels, uncertainty
from computeatlas.presets import Route
from computeatlas.scenario import Scenario, check_number
from computeatlas.schema import BANDED

__all__ = ["BANDED", "DrawEvaluation", "check_draws", "evaluate_draws"]


#: Largest number of draws accepted (memory grows with samples x draws).
MAX_DRAWS = 10_000


def check_draws(draws: Any, seed: Any, *, climate: Any = None) -> tuple[int, int]:
    """Validate ``draws`` (>= 0, whole) and ``seed`` (whole, >= 0), before any work.

    Parameters
    ----------
    draws, seed : int
        As passed by the user.
    climate : xarray.Dataset, optional
        A user climate: draws need a monthly one.

    Returns
    -------
    (int, int)
    """
    import xarray as xr

    n = int(check_number("draws", draws, minimum=0.0, maximum=MAX_DRAWS, integer=True))
    s = int(check_number("seed", seed, minimum=0.0, maximum=2.0**63 - 1, integer=True))
    if n and isinstance(climate, xr.Dataset):
        _check_monthly(climate)
    return n, s


def _check_monthly(climate: Any) -> None:
    """Refuse an hourly climate for draws (they run the climatology path)."""
    import xarray as xr

    if "time" in climate.get("t2m", xr.DataArray()).dims:
        raise InputError(
            "draws need a monthly climatology: an hourly climate is not supported with "
            "draws > 0; pass a monthly climate, climate=None or draws=0"
        )


@dataclass(frozen=True, eq=False)
class DrawEvaluation:
    """Paired draws of the pipeline on the valid samples of a window.

    Attributes
    ----------
    draws : Draws
        The parameter values of every draw.
    index : numpy.ndarray
        Flat indices (into the window) of the samples that were drawn: land with a
        price and a PUE; every other sample is NaN in the bands.
    values : dict of numpy.ndarray
        ``pue``, ``price_usd_per_mwh``, ``heat_credit_usd_per_mwh_it``,
        ``cost_usd_per_mwh_it``, ``cost_usd_per_mtoken``, ``score_usd_per_mwh_it``,
        each of shape (len(index), n).
    price_factor : numpy.ndarray
        Electricity-price factor of each drawn sample, shape (len(index), n).
    eligible : numpy.ndarray or None
        Within the round-trip budget in each draw, shape (len(index), n).
    shape : tuple of int
        The window's shape.
    """

    draws: uncertainty.Draws
    index: np.ndarray
    values: dict[str, np.ndarray]
    price_factor: np.ndarray
    eligible: np.ndarray | None
    shape: tuple[int, ...]

    def bands(self) -> dict[str, np.ndarray]:
        """``<var>_p05``, ``<var>_p50``, ``<var>_p95`` of :data:`BANDED`, on the window."""
        out = {}
        for var in BANDED:
            for key, q in uncertainty.band(self.values[var], axis=1).items():
                full = np.full(int(np.prod(self.shape)), np.nan)
                full[self.index] = q
                out[f"{var}_{key}"] = full.reshape(self.shape)
        return out

    def table(self, k: int) -> pd.DataFrame:
        """Parameters and outputs of every draw for the ``k``-th drawn sample (one row per draw)."""
        out = self.draws.parameters()
        out["price_factor"] = self.price_factor[k]
        for var in BANDED:
            out[var] = self.values[var][k]
        return out


def evaluate_draws(
    ev: Any,
    scenario: Scenario,
    *,
    n: int,
    seed: int,
    metros: pd.DataFrame | None = None,
    weights: np.ndarray | None = None,
    budget_ms: float | None = None,
    mode: str = "all",
    min_share: float = 1.0,
) -> DrawEvaluation:
    """Run ``n`` paired draws of the pipeline beside a point evaluation.

    Parameters
    ----------
    ev : Evaluation
        :func:`computeatlas.pipeline.evaluate` of the window (layers and regions).
    scenario : Scenario
        The scenario the draws perturb.
    n, seed : int
        Number of draws (>= 1) and seed.
    metros, weights, budget_ms
        Demand metros, their weights and the round-trip budget [ms]: with all three,
        eligibility is recomputed in every draw with that draw's route.
    mode, min_share
        Eligibility rule (:func:`computeatlas.models.latency.eligible_by_reach`).

    Returns
    -------
    DrawEvaluation
    """
    lay = ev.layers
    dr = uncertainty.sample(
        scenario.technology, scenario.ashrae, scenario.route, scenario.heat_price, n=n, seed=seed
    )
    price = np.asarray(lay.regions.price_usd_per_mwh, dtype=float)
    index = np.flatnonzero(np.isfinite(price) & np.isfinite(ev.values["pue"]) & lay.land)
    with serialised_kernels():
        pue = _pue_draws(lay, scenario, dr, index)
    factor = _price_factors(lay.regions, index, n=n, seed=seed)
    price_d = price.reshape(-1)[index, None] * factor
    credit = _credit_draws(lay, scenario, dr, index, price_d)
    cost = energy.cost_usd_per_mwh_it(price_d, pue, credit)
    carbon = np.asarray(lay.regions.carbon_kg_per_mwh, dtype=float).reshape(-1)[index, None]
    score = energy.cost_usd_per_mwh_it(
        price_d,
        pue,
        credit,
        carbon_price_usd_per_t=scenario.carbon_price_usd_per_t,
        carbon_kg_per_mwh=carbon,
    )
    values = {
        "pue": pue,
        "price_usd_per_mwh": price_d,
        "heat_credit_usd_per_mwh_it": credit,
        "cost_usd_per_mwh_it": cost,
        "cost_usd_per_mtoken": energy.cost_usd_per_mtoken(cost, scenario.energy_per_token),
        "score_usd_per_mwh_it": score,
    }
    eligible = None
    if metros is not None and len(metros) and budget_ms is not None:
        w = np.ones(len(metros)) if weights is None else np.asarray(weights, dtype=float)
        eligible = _eligible_draws(
            lay.window, index, metros, w, dr, budget_ms, mode, min_share, scenario.route
        )
    return DrawEvaluation(dr, index, values, factor, eligible, tuple(lay.window.shape))


def _pue_draws(lay: Any, scenario: Scenario, dr: Any, index: np.ndarray) -> np.ndarray:
    """PUE of the drawn samples under every draw (the climatology path)."""
    tm, dq, exc = lay.t_monthly, lay.dew_point_q, lay.exceedance
    if lay.climate is not None:
        _check_monthly(lay.climate)
        tm = np.asarray(lay.climate["t2m"].transpose("lat", "lon", "month").values, dtype=float)
    PD = cooling.pack_draws(scenario.technology, scenario.ashrae, dr.cooling, dr.n)
    n_samples = int(np.prod(lay.window.shape))
    return cooling.climatology_pue_draws(
        np.asarray(tm).reshape(n_samples, -1)[index],
        np.asarray(dq).reshape(n_samples, -1)[index],
        exc,
        PD,
        land_fraction=np.asarray(lay.land_fraction).reshape(-1)[index],
        elevation_m=np.asarray(lay.elevation_m).reshape(-1)[index],
    )


def _price_factors(regions: Any, index: np.ndarray, *, n: int, seed: int) -> np.ndarray:
    """Price factor per drawn sample: that of its price row (province or country)."""
    f1 = uncertainty.price_factors(regions.admin1_prices, n=n, seed=seed)
    f0 = uncertainty.price_factors(regions.admin0_prices, n=n, seed=seed)
    lab1 = np.asarray(regions.admin1).reshape(-1)[index]
    lab0 = np.asarray(regions.admin0).reshape(-1)[index]
    by = np.asarray(regions.priced_by).reshape(-1)[index]
    out = np.ones((index.size, n))
    one = by == 1
    out[one] = f1[lab1[one]]
    two = (by == 2) & (lab0 >= 0)
    out[two] = f0[lab0[two]]
    return out


def _credit_draws(
    lay: Any, scenario: Scenario, dr: Any, index: np.ndarray, price_d: np.ndarray
) -> np.ndarray:
    """Heat credit [USD/MWh_IT] of the drawn samples under every draw's heat and power prices."""
    from computeatlas.pipeline import _heat_price, heat_inputs
    from computeatlas.presets import uncertainty_table

    tech = scenario.technology
    season, avail = heat_inputs(lay, scenario)
    season = np.broadcast_to(season, lay.window.shape).reshape(-1)[index]
    avail = np.broadcast_to(avail, lay.window.shape).reshape(-1)[index]
    # a scenario with a range is drawn; one without (a user value, ``market`` by country)
    # keeps the point evaluation's price of each sample
    drawn = scenario.heat_price.name in uncertainty_table("heat_price")
    fixed = np.broadcast_to(_heat_price(lay, scenario), lay.window.shape).reshape(-1)[index]
    out = np.empty_like(price_d)
    with np.errstate(invalid="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", ComputeAtlasWarning)  # as the point path reports it
        for d in range(price_d.shape[1]):
            out[:, d] = heat.site_heat_credit(
                recoverable_fraction=tech.heat_recovery_fraction,
                source_c=tech.heat_source_c,
                heat_price_usd_per_mwh=float(dr.heat_usd_per_mwh[d]) if drawn else fixed,
                heating_season=season,
                sink_availability=avail,
                electricity_price_usd_per_mwh=price_d[:, d],
                kind=scenario.heat_pump,
            )
    return out


#: Draws whose reach is computed in one kernel call (memory: draws x samples).
_REACH_CHUNK = 16


def _eligible_draws(
    window: Any,
    index: np.ndarray,
    metros: pd.DataFrame,
    weights: np.ndarray,
    dr: Any,
    budget_ms: float,
    mode: str,
    min_share: float,
    scenario_route: Route,
) -> np.ndarray:
    """Within-budget flags of the drawn samples, per draw (each draw's own route)."""
    from computeatlas.pipeline import _weight_within

    radii = np.zeros(dr.n)
    base = scenario_route
    for d in range(dr.n):
        k, fixed = float(dr.route_factor[d]), float(dr.fixed_ms[d])
        route = replace(base, route_factor=k, fixed_ms=fixed)
        if budget_ms > route.floor_ms:
            radii[d] = float(latency.service_radius_km(budget_ms, route=route))
    out = np.zeros((index.size, dr.n), dtype=bool)
    counted = mode == "all"  # mode "all" reads the count, "share" the weight
    per_metro = np.ones(len(metros)) if counted else weights
    for start in range(0, dr.n, _REACH_CHUNK):
        chunk = tuple(float(r) for r in radii[start : start + _REACH_CHUNK])
        with serialised_kernels():
            geo = base.geographic  # the same paths as the point evaluation
            sums = _weight_within(window, metros, per_metro, chunk, geo)
        for k in range(len(chunk)):
            within = sums[k].reshape(-1)[index]
            ok = latency.eligible_by_reach(
                within if counted else None,
                None if counted else within,
                weights,
                mode=mode,
                min_share=min_share,
            )
            out[:, start + k] = ok & (radii[start + k] > 0)
    return out
