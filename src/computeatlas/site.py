"""``site_report``: what computeatlas says about a list of places (the point sampler)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from computeatlas import schema
from computeatlas.grid import Window, parse_points
from computeatlas.presets import CoolingTechnology, HeatPrice, Route, TokenEnergy
from computeatlas.scenario import Scenario

__all__ = ["sensitivity", "site_report"]


def site_report(
    points: Any,
    *,
    technology: str | CoolingTechnology = "air_side_fleet",
    ashrae_class: Any = "A1",
    heat_price: str | float | HeatPrice = "donated",
    demand_metros: Any = None,
    route: str | Route = "geographic",
    energy_per_token: str | float | TokenEnergy = "h100_8b_batch64",
    prices: pd.DataFrame | None = None,
    prices_mode: str = "overlay",
    it_mw: float = 100.0,
    carbon_price_usd_per_t: float = 0.0,
    weight: Any = "population",
    heat_pump: str = "industrial",
    draws: int = 200,
    seed: int = 0,
) -> pd.DataFrame:
    """Report what computeatlas says about a list of places, one row per point.

    Parameters
    ----------
    points : sequence of (lat, lon), DataFrame or GeoDataFrame
        Sites [deg]. A DataFrame needs ``lat``/``lon`` (or
        ``latitude``/``longitude``); a GeoDataFrame needs points and a CRS.
    technology : str or CoolingTechnology, default "air_side_fleet"
        Cooling preset (:func:`computeatlas.presets.cooling`).
    ashrae_class : str, default "A1"
        ASHRAE envelope: ``recommended``, ``A1`` .. ``A4``.
    heat_price : str, float or HeatPrice, default "donated"
        Heat-price scenario or USD per MWh of heat.
    demand_metros : optional
        Metros to report round-trip times to (see :func:`computeatlas.demand.resolve_metros`).
    route : str or Route, default "geographic"
        Fibre route preset.
    energy_per_token : str, float or TokenEnergy, default "h100_8b_batch64"
        IT energy per million tokens preset or value [MWh_IT/Mtoken].
    prices : DataFrame, optional
        Your own price table (:func:`computeatlas.datasets.read_price_table`).
        Prices in another currency are converted with the shipped
        annual-average rate of their year (:func:`computeatlas.datasets.exchange_rates`).
    prices_mode : {"overlay", "replace"}, default "overlay"
        ``overlay``: your rows replace the shipped rows of the same regions;
        ``replace``: your table alone (:func:`computeatlas.datasets.price_table`).
    it_mw : float, default 100
        IT load of the site [MW], used to compare the heat offered with the
        heat demand within reach.
    carbon_price_usd_per_t : float, default 0
        Carbon price [USD/tCO2] added to ``score_usd_per_mwh_it``.
    weight : str or callable, default "population"
        Demand weight of each metro: ``"population"`` (its own weight where
        given, else its metro-area population, else 1), ``"equal"``, a column
        of your ``demand_metros`` table, or ``f(table) -> weights`` (see
        :func:`computeatlas.demand.resolve_metros`).
    heat_pump : {"industrial", "ground", "air"}, default "industrial"
        Heat-pump COP model of the heat credit (:func:`computeatlas.models.heat_pump_cop`).
    draws, seed : int, default 200 and 0
        Paired Monte Carlo draws and their seed (docs/uncertainty.md): adds
        ``_p05``/``_p50``/``_p95`` bands; the draws of :func:`computeatlas.rank_sites`
        with the same seed. ``draws=0``: the point estimate alone.

    Returns
    -------
    pandas.DataFrame
        ``lat``, ``lon``, the region columns (``country``, ``iso_a2``,
        ``admin1``, ``admin1_iso``, ``priced_by``, ``price_source``,
        ``price_region_code``, ``price_year``, ``price_basis``, ``price_flags``,
        ``price_citation``; see :meth:`computeatlas.regions.Resolved.columns`),
        the ``report`` variables of :mod:`computeatlas.schema` (docs/pipeline.md
        lists them: climate, PUE, hours by mode, water, price, heat, cost, carbon,
        score, the bands with ``draws``, and with demand metros the reachable
        demand within 30 and 50 ms), one ``rtt_ms_<metro>`` per demand metro and
        ``china_border_metros``: how many of the metros lie across mainland
        China's border from the site (their round trips are lower bounds, and a
        :class:`~computeatlas.errors.ComputeAtlasWarning` says so).

    Notes
    -----
    :func:`computeatlas.pipeline.evaluate` on the points: the same
    layers, region rules (:mod:`computeatlas.regions`), models and score as
    :func:`computeatlas.rank_sites`, so both agree at cell centres. Climate
    comes from the nearest cell of the shipped 0.25 deg layers and goes
    through the monthly-climatology path of the cooling model; points whose
    nearest 0.25 deg cell has no land get NaN. The heat credit is
    :func:`computeatlas.models.site_heat_credit` with the sink availability of
    :func:`computeatlas.models.heat.sink_availability` (district-heating demand
    within 30 km over the heat offered, capped at 1).
    """
    from computeatlas.bands import check_draws

    scenario = Scenario.build(**{k: v for k, v in locals().items() if k in Scenario.OPTIONS})
    n_draws, seed = check_draws(draws, seed)
    lat, lon, ev, metros = _evaluate_points(
        points, scenario, demand_metros, weight, prices, prices_mode, n_draws
    )
    return _with_bands(_report_table(lat, lon, ev, metros, scenario), ev, scenario, n_draws, seed)


def _with_bands(out: pd.DataFrame, ev: Any, scenario: Scenario, n: int, seed: int) -> pd.DataFrame:
    """Add the ``_p05``/``_p50``/``_p95`` bands of ``n`` paired draws (none for ``n = 0``)."""
    from computeatlas.bands import evaluate_draws

    if not n:
        return out
    attrs = {**out.attrs, "draws": n, "seed": seed}
    out = out.assign(**evaluate_draws(ev, scenario, n=n, seed=seed).bands())
    out.attrs.update(attrs)
    return out


def _evaluate_points(
    points: Any,
    scenario: Scenario,
    demand_metros: Any,
    weight: Any,
    prices: Any,
    prices_mode: str,
    draws: int = 0,
) -> tuple[np.ndarray, np.ndarray, Any, Any]:
    """Parse the points and metros, check the draws fit in memory, run the pipeline."""
    from computeatlas.datasets import price_table
    from computeatlas.demand import check_weight, resolve_metros
    from computeatlas.pipeline import evaluate
    from computeatlas.ranking import DRAW_FLOATS_PER_CELL, _check_memory, _metro_weights

    table = price_table(prices, prices_mode)
    lat, lon = parse_points(points)
    if draws:  # (points x draws) arrays, before any work
        hint = "pass fewer draws (draws=0 for the point estimate) or fewer points per call"
        _check_memory(lat.size, 0, DRAW_FLOATS_PER_CELL * draws, f"site_report with {draws} draws",
                      hint=hint)  # fmt: skip
    check_weight(weight)
    metros = None if demand_metros is None else resolve_metros(demand_metros, weight=weight)
    weights = None if metros is None else _metro_weights(metros)
    ev = evaluate(
        Window.at_points(lat, lon), scenario, metros=metros, weights=weights, prices=table
    )
    return lat, lon, ev, metros


#: Dummy inputs drawn beside the parameters to measure the estimator's noise.
_DUMMIES = 4


def sensitivity(
    points: Any,
    *,
    variable: str = "cost_usd_per_mwh_it",
    draws: int = 512,
    seed: int = 0,
    technology: str | CoolingTechnology = "air_side_fleet",
    ashrae_class: Any = "A1",
    heat_price: str | float | HeatPrice = "donated",
    energy_per_token: str | float | TokenEnergy = "h100_8b_batch64",
    prices: pd.DataFrame | None = None,
    prices_mode: str = "overlay",
    it_mw: float = 100.0,
    heat_pump: str = "industrial",
) -> pd.DataFrame:
    """Which parameters drive the spread of a site's PUE or cost: first-order indices.

    Parameters
    ----------
    points : sequence of (lat, lon), DataFrame or GeoDataFrame
        Sites [deg] (as :func:`site_report`).
    variable : {"cost_usd_per_mwh_it", "pue", "cost_usd_per_mtoken"}
        Output whose spread is explained.
    draws : int, default 512
        Paired draws (those of :func:`site_report` with the same ``seed``); the
        estimator needs a few hundred.
    seed : int, default 0
        Seed of the draws.
    technology, ashrae_class, heat_price, energy_per_token, prices, prices_mode, it_mw, heat_pump
        As :func:`site_report`.

    Returns
    -------
    pandas.DataFrame
        One row per site and varied parameter: ``site`` (position in ``points``),
        ``parameter`` (``cooling.<name>``, ``heat_usd_per_mwh``, ``price_factor``),
        ``first_order`` [1] (share of the variance explained by that parameter alone,
        :func:`computeatlas.models.uncertainty.first_order_indices`), ``noise_floor``
        (the largest index of independent dummy inputs drawn alongside: an index below
        it cannot be told from sampling noise), ``lat``, ``lon``; largest first within
        each site. Route parameters are left out: they move eligibility, not a
        site's PUE or cost.
    """
    from computeatlas.bands import BANDED, check_draws, evaluate_draws
    from computeatlas.errors import InputError
    from computeatlas.models.uncertainty import first_order_indices
    from computeatlas.models.uncertainty import uniform_stream as uncertainty_stream

    if variable not in BANDED:
        raise InputError(f"variable must be one of {list(BANDED)}, got {variable!r}")
    options = {k: v for k, v in locals().items() if k in Scenario.OPTIONS}
    scenario = Scenario.build(**options)
    n_draws, seed = check_draws(draws, seed)
    if n_draws < 16:
        raise InputError(f"draws must be >= 16 for sensitivity indices, got {draws!r}")
    lat, lon, ev, _ = _evaluate_points(
        points, scenario, None, "population", prices, prices_mode, n_draws
    )
    de = evaluate_draws(ev, scenario, n=n_draws, seed=seed)
    # Route parameters move eligibility only, never a site's PUE or cost. Dummy inputs
    # (independent of everything) give the estimator's noise floor for these draws.
    dummies = np.column_stack(
        [uncertainty_stream(seed, f"dummy:{i}", n_draws) for i in range(_DUMMIES)]
    )
    rows = []
    for k, flat in enumerate(de.index):
        table = de.table(k)
        inputs = table.drop(columns=[*BANDED, "route_factor", "fixed_ms"], errors="ignore")
        y = table[variable].to_numpy(float)
        s = first_order_indices(np.column_stack([inputs.to_numpy(float), dummies]), y)
        floor = float(np.max(s[-_DUMMIES:]))
        for name, value in zip(inputs.columns, s[:-_DUMMIES], strict=True):
            rows.append((int(flat), name, float(value), floor, float(lat[flat]), float(lon[flat])))
    columns = ["site", "parameter", "first_order", "noise_floor", "lat", "lon"]
    out = pd.DataFrame(rows, columns=columns)
    out = out.sort_values(["site", "first_order"], ascending=[True, False], kind="stable")
    return out.reset_index(drop=True)


def _report_table(
    lat: np.ndarray, lon: np.ndarray, ev: Any, metros: Any, scenario: Scenario
) -> pd.DataFrame:
    """One row per point: regions and provenance, the report variables, RTT per metro."""
    out = pd.DataFrame({"lat": lat, "lon": lon, **ev.layers.regions.columns()})
    out = out.assign(
        **{v.name: ev.values[v.name] for v in schema.for_output("report") if v.name in ev.values}
    )
    if metros is not None and ev.rtt_ms is not None:
        for k, label in enumerate(metros["label"]):
            out[f"rtt_ms_{label}"] = ev.rtt_ms[k]
        out["china_border_metros"] = _china_border_metros(out["iso_a2"].to_numpy(str), metros)
    out.attrs.update(scenario.attrs())
    out.attrs["cooling_input_path"] = ev.cooling_path
    return out


def _china_border_metros(
    site_iso: np.ndarray, metros: pd.DataFrame, *, warn: bool = True
) -> np.ndarray:
    """Count, per site, the demand metros on the other side of mainland China's border.

    Their round trips are lower bounds (no penalty is modelled; see
    :func:`computeatlas.models.latency.crosses_mainland_china_border`); a
    :class:`~computeatlas.errors.ComputeAtlasWarning` says so when any is found.
    """
    import warnings

    from computeatlas import datasets, regions
    from computeatlas.errors import ComputeAtlasWarning
    from computeatlas.models.latency import crosses_mainland_china_border

    lab = regions.point_labels(
        "admin0", metros["lat"].to_numpy(float), metros["lon"].to_numpy(float)
    )
    iso = np.where(lab >= 0, datasets.region_attributes("admin0")["iso_a2"].to_numpy(str)[lab], "")
    count = crosses_mainland_china_border(site_iso[:, None], iso[None, :]).sum(axis=1)
    if warn and count.any():
        warnings.warn(
            f"{int((count > 0).sum())} site(s) have demand metros across mainland China's "
            "border: their rtt_ms_<metro> values are lower bounds (border gateways and "
            "filtering add delay the fibre model does not include); see column "
            "china_border_metros",
            ComputeAtlasWarning,
            stacklevel=4,
        )
    return np.asarray(count, dtype=np.int64)
