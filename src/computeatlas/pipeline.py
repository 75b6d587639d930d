"""The one composition of computeatlas: layers -> models -> output variables.

:func:`evaluate` runs every model on a :class:`~computeatlas.grid.Window`
(grid cells or points) and returns the variables of :mod:`computeatlas.schema`
as arrays of ``window.shape``. ``rank_sites`` and ``site_report`` are two
samplers of it; neither computes a number of its own.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import xarray as xr

from computeatlas import _cache, datasets, presets
from computeatlas.constants import GJ_PER_MWH, TIE_STEP_USD_PER_MWH
from computeatlas.errors import ComputeAtlasWarning, InputError
from computeatlas.inputs import Layers, layers, shipped_sources
from computeatlas.models import cooling, energy, heat, latency, serialised_kernels
from computeatlas.scenario import Scenario
from computeatlas.schema import REACH_THRESHOLDS_MS, reach_name

__all__ = ["Evaluation", "evaluate", "evaluate_bands"]


@dataclass(frozen=True, eq=False)
class Evaluation:
    """The pipeline's answer on one window.

    Attributes
    ----------
    layers : Layers
        The inputs it read (regions and provenance included).
    values : dict of numpy.ndarray
        Output variables of :mod:`computeatlas.schema`, each of ``window.shape``.
    rtt_ms : numpy.ndarray or None
        RTT to each demand metro [ms], shape (metros, *window.shape); on a grid
        only for up to :data:`MAX_METRO_FIELDS` metros (None beyond: the
        eligibility and reach need no per-metro arrays).
    cooling_path : str
        Which input path the cooling model took.
    within_count, within_weight : numpy.ndarray or None
        Number and demand weight of the metros within the round-trip budget
        ``budget_ms`` (when one is given).
    tie_key : numpy.ndarray or None
        The score in whole steps of :data:`~computeatlas.constants.TIE_STEP_USD_PER_MWH`
        (equal keys are cost ties, ordered by the ranking's tie-breaks).
    """

    layers: Layers
    values: dict[str, np.ndarray]
    rtt_ms: np.ndarray | None
    cooling_path: str
    within_count: np.ndarray | None = None
    within_weight: np.ndarray | None = None
    tie_key: np.ndarray | None = None


#: Largest number of metros for which a grid carries one RTT field per metro
#: (``rtt_ms`` on ``metro, lat, lon``); above it only the nearest-metro RTT is kept.
MAX_METRO_FIELDS = 16


def evaluate(
    window: Any,
    scenario: Scenario,
    *,
    metros: pd.DataFrame | None = None,
    weights: np.ndarray | None = None,
    climate: xr.Dataset | None = None,
    prices: pd.DataFrame | None = None,
    budget_ms: float | None = None,
    cache: bool = True,
    count_within: bool = True,
) -> Evaluation:
    """Run every model on a window.

    Parameters
    ----------
    window : Window
        Grid cells or points.
    scenario : Scenario
        Technology, prices and fibre assumptions.
    metros : pandas.DataFrame, optional
        Demand metros (:func:`computeatlas.demand.resolve_metros`).
    weights : numpy.ndarray, optional
        Demand weight of each metro [1].
    climate : xarray.Dataset, optional
        A user climate (grid windows only).
    prices : pandas.DataFrame, optional
        A user price table.
    budget_ms : float, optional
        Round-trip budget [ms] for ``within_count``/``within_weight``.
    cache : bool, default True
        Reuse and keep the climate-only results (cooling, heating season) of a large
        window with the shipped climate (:mod:`computeatlas._cache`);
        :func:`evaluate_bands` turns it off for its bands.
    count_within : bool, default True
        Whether to count the metros within the budget (``within_count``, what mode
        ``"all"`` needs); a ``"share"`` ranking needs only ``within_weight`` and
        skips the second reach pass.

    Returns
    -------
    Evaluation

    Notes
    -----
    Safe to call from several threads: under numba's ``workqueue`` threading
    layer the calls take turns (:func:`computeatlas.models.serialised_kernels`).
    """
    with serialised_kernels():
        return _evaluate(
            window, scenario, metros, weights, climate, prices, budget_ms, count_within, cache
        )


def _evaluate(
    window: Any,
    scenario: Scenario,
    metros: pd.DataFrame | None,
    weights: np.ndarray | None,
    climate: xr.Dataset | None,
    prices: pd.DataFrame | None,
    budget_ms: float | None,
    count_within: bool,
    cache: bool,
) -> Evaluation:
    lay = layers(window, climate=climate, prices=prices)
    cool, path = _cooling(lay, scenario, cache)
    price = lay.regions.price_usd_per_mwh
    heat_out = _heat(lay, scenario, price, cache)
    pue = cool["pue"]
    fused = energy.site_scores(
        price,
        pue,
        heat_out["heat_credit_usd_per_mwh_it"],
        carbon_kg_per_mwh=lay.regions.carbon_kg_per_mwh,
        land=lay.land,
        carbon_price_usd_per_t=scenario.carbon_price_usd_per_t,
        energy_per_token=scenario.energy_per_token,
        tie_step_usd_per_mwh=TIE_STEP_USD_PER_MWH,
    )
    _check_overflow(fused.overflow)
    values = {
        "temperature_mean_c": lay.t_monthly.mean(axis=-1),
        "dew_point_mean_c": lay.dew_point_q[..., int(np.argmin(np.abs(lay.exceedance - 50.0)))],
        **cool,
        "price_usd_per_mwh": price,
        **heat_out,
        **fused.values,
    }
    if metros is None or not len(metros):
        return Evaluation(lay, values, None, path, tie_key=fused.tie_key)
    w = np.ones(len(metros)) if weights is None else np.asarray(weights, float)
    lat = _latency(window, metros, w, scenario, budget_ms, count_within)
    values.update({reach_name(t): lat["reach"][k] for k, t in enumerate(REACH_THRESHOLDS_MS)})
    values["min_rtt_ms"] = lat["min_rtt"]
    values["rtt_mean_ms"] = np.full(window.shape, np.nan)
    if not window.is_grid:  # on a grid the ranking fills it for the ranked cells
        values["rtt_mean_ms"] = latency.mean_rtt_ms(
            window.lat, window.lon, metros["lat"], metros["lon"], w, route=scenario.route
        )
    return Evaluation(
        lay, values, lat["rtt"], path, lat["count"], lat["weight"], tie_key=fused.tie_key
    )


#: Output variable -> the option whose absurd size can make it overflow.
_OVERFLOW = (
    ("heat_credit_usd_per_mwh_it", "heat_price"),
    ("score_usd_per_mwh_it", "carbon_price_usd_per_t"),
    ("cost_usd_per_mtoken", "energy_per_token"),
)


def _check_overflow(overflow: tuple[str, ...]) -> None:
    """Refuse options so large that a result is infinite (or clipped to the float maximum).

    Every option is finite when it gets here (:class:`Scenario`), but a finite
    ``heat_price=1e308`` still overflows the heat credit, which would then rank
    every heat-selling cell first at about -1.8e308 USD/MWh_IT. ``overflow`` names
    the variables that overflow (:attr:`computeatlas.models.energy.SiteScores.overflow`).
    """
    for var, option in _OVERFLOW:
        if var in overflow:
            raise InputError(
                f"{option} is too large: {var} overflows double precision; give a realistic value"
            )


def _cooling(
    lay: Layers, scenario: Scenario, cache: bool = True
) -> tuple[dict[str, np.ndarray], str]:
    """PUE, free-cooling hours and water use from the climatology arrays or a user climate."""
    if lay.climate is None:
        out = _climatology_cooling(lay, scenario, cache)
        path = (
            f"monthly climatology, diurnal range land {cooling.DIURNAL_RANGE_LAND_K:g} K / "
            f"sea {cooling.DIURNAL_RANGE_SEA_K:g} K, synoptic sd {cooling.SYNOPTIC_SD_K:g} K"
        )
        return out, path
    coords = lay.window.coords()
    hum = None
    if "time" not in lay.climate["t2m"].dims:
        hum = xr.Dataset(
            {"dew_point": (("lat", "lon", "exceedance"), lay.dew_point_q, {"units": "degC"})},
            coords={**coords, "exceedance": lay.exceedance},
        )
    elev = xr.Dataset(
        {
            "elevation": (("lat", "lon"), lay.elevation_m),
            "land_fraction": (("lat", "lon"), lay.land_fraction),
        },
        coords=coords,
    )
    ds = cooling.annual_cooling(
        lay.climate, hum, elev, technology=scenario.technology, ashrae=scenario.ashrae
    )
    out = {str(k): np.asarray(ds[k].values) for k in ds.data_vars}
    return out, str(ds.attrs.get("input_path", ""))


def _cache_key(
    lay: Layers, cache: bool, *key: Any
) -> tuple[tuple[object, ...], tuple[Any, ...]] | None:
    """Return (sources, key) of a climate-only result of a large grid window (None: not cached)."""
    sources = shipped_sources(lay.window) if cache and lay.climate is None else None
    if sources is None:
        return None
    return sources, (*key, lay.window.lat.tobytes(), lay.window.lon.tobytes())


def _through_cache(
    lay: Layers, cache: bool, key: tuple[Any, ...], compute: Callable[[], dict[str, np.ndarray]]
) -> dict[str, np.ndarray]:
    """Return ``compute()``, from the climate-only cache when a large window has it."""
    cached = _cache_key(lay, cache, *key)
    out = None if cached is None else _cache.get(*cached)
    if out is None:
        out = compute()
        if cached is not None:
            _cache.put(*cached, out)
    return out


def _climatology_cooling(lay: Layers, scenario: Scenario, cache: bool) -> dict[str, np.ndarray]:
    """Run the cooling model on the shipped climatology through the climate-only cache."""
    P = cooling.pack_parameters(scenario.technology, scenario.ashrae)
    consts = (cooling.DIURNAL_RANGE_LAND_K, cooling.DIURNAL_RANGE_SEA_K, cooling.SYNOPTIC_SD_K)
    return _through_cache(
        lay,
        cache,
        ("cooling", P.tobytes(), consts),
        lambda: cooling.climatology_cooling(
            lay.t_monthly,
            lay.dew_point_q,
            lay.exceedance,
            land_fraction=lay.land_fraction,
            elevation_m=lay.elevation_m,
            technology=scenario.technology,
            ashrae=scenario.ashrae,
            todo=lay.land,
        ),
    )


def _heat(
    lay: Layers, scenario: Scenario, price: np.ndarray, cache: bool = True
) -> dict[str, np.ndarray]:
    """Waste-heat outputs: credit, delivered heat and the share of the year it is taken.

    Credit [USD/MWh_IT] (0 where no heat is sold, NaN where unpriced), delivered heat
    [MWh/yr and GJ/yr per MW_IT] (sold or donated) and the heating-season share.
    """
    tech = scenario.technology
    season, avail = heat_inputs(lay, scenario, cache=cache)
    with np.errstate(invalid="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", ComputeAtlasWarning)  # outside the model: no sale
        credit = heat.site_heat_credit(
            recoverable_fraction=tech.heat_recovery_fraction,
            source_c=tech.heat_source_c,
            heat_price_usd_per_mwh=_heat_price(lay, scenario),
            heating_season=season,
            sink_availability=avail,
            electricity_price_usd_per_mwh=price,
            kind=scenario.heat_pump,
        )
        cop = heat.heat_pump_cop(tech.heat_source_c, heat.DH_SUPPLY_C, kind=scenario.heat_pump)
    mwh = heat.delivered_heat_mwh_per_mw_it(
        recoverable_fraction=tech.heat_recovery_fraction,
        heating_season=season,
        sink_availability=avail,
        cop=cop,
    )
    mwh = np.broadcast_to(mwh, lay.window.shape).astype(float)
    return {
        "heat_credit_usd_per_mwh_it": credit,
        "heat_delivered_mwh_per_mw_it": mwh,
        "heat_delivered_gj_per_mw_it": mwh * GJ_PER_MWH,
        "heat_season_share": np.where(mwh > 0, season, 0.0),
    }


def heat_inputs(
    lay: Layers, scenario: Scenario, *, cache: bool = True
) -> tuple[np.ndarray, np.ndarray]:
    """Heating-season share and sink availability of every sample [1, 1].

    Parameters
    ----------
    lay : Layers
        The window's layers.
    scenario : Scenario
        Technology (what it recovers) and IT load.
    cache : bool, default True
        Reuse and keep the heating season of a large window (:func:`evaluate`).

    Returns
    -------
    (numpy.ndarray, numpy.ndarray)
        Share of the year heat is taken and the share of the offered heat the
        networks within reach take (0 when the technology recovers nothing).
    """
    return _heating_season(lay, cache), _sink_availability(lay, scenario)


def _heat_price(lay: Layers, scenario: Scenario) -> float | np.ndarray:
    """Heat price of each sample [USD/MWh_heat]: one number, or by country (``market``)."""
    hp = scenario.heat_price
    if not hp.by_country:
        return hp.usd_per_mwh_heat
    iso = lay.regions.admin0_prices["iso_a2"].to_numpy(object)
    lab = lay.regions.admin0
    return hp.for_countries(np.where(lab >= 0, iso[np.maximum(lab, 0)], ""))


def _heating_season(lay: Layers, cache: bool = True) -> np.ndarray:
    """Share of the year heat is sold [1]: published dates where a province has them.

    The 15 degC degree-day rule (:func:`~computeatlas.models.heat.heating_season_fraction`)
    everywhere else (``presets/heating_seasons.toml``).
    """
    season = _through_cache(
        lay,
        cache,
        ("heating_season",),
        lambda: {"season": np.asarray(heat.heating_season_fraction(lay.t_monthly), dtype=float)},
    )["season"]
    seasons = presets.heating_seasons()
    if not seasons:
        return season
    codes = datasets.region_attributes("admin1")["iso_3166_2"].to_numpy(str)
    row = lay.regions.admin1
    sample_code = np.where(row >= 0, codes[np.clip(row, 0, None)], "")
    season = np.broadcast_to(season, row.shape).copy()
    for code, s in seasons.items():
        season[sample_code == code] = heat.administrative_season_fraction(s.start, s.end)
    return season


def _sink_demand_weights() -> tuple[pd.DataFrame, np.ndarray]:
    """Heat-sink places (>= 15 000 people) and each one's network demand [MWh/yr].

    A place's network demand uses its own country's district-heating share
    (:func:`computeatlas.models.heat.network_heat_demand_mwh`).
    """
    sinks = datasets.heat_sinks()
    dh = datasets.district_heating().set_index("country_iso2")["dh_share_pct"] / 100.0
    share = sinks["country"].map(dh).to_numpy(float)
    return sinks, heat.network_heat_demand_mwh(sinks["population"].to_numpy(float), share)


def _sink_availability(lay: Layers, scenario: Scenario) -> np.ndarray:
    """Share of the offered heat the networks within reach take [1] (sold or donated).

    0 when the technology recovers nothing.
    """
    if not scenario.technology.heat_recovery_fraction > 0:
        return np.zeros(lay.window.shape)
    sinks, demand = _sink_demand_weights()
    within = _weight_within(lay.window, sinks, demand, (heat.HEAT_REACH_KM,))[0]
    return heat.sink_availability_from_demand(
        within,
        it_mw=scenario.it_mw,
        recoverable_fraction=scenario.technology.heat_recovery_fraction,
    )


def _weight_within(
    window: Any,
    sources: pd.DataFrame,
    weights: np.ndarray,
    radii_km: tuple[float, ...],
    geographic: bool = False,
) -> np.ndarray:
    grid = (
        (float(window.grid.lon[0]), float(window.grid.resolution), window.grid.nlon, window.cols)
        if window.is_grid
        else None
    )
    return latency.weight_within_km(
        window.lat,
        window.lon,
        sources["lat"].to_numpy(float),
        sources["lon"].to_numpy(float),
        weights,
        radii_km,
        grid=grid,
        geographic=geographic,
    )


def _latency(
    window: Any,
    metros: pd.DataFrame,
    weights: np.ndarray,
    scenario: Scenario,
    budget_ms: float | None,
    count_within: bool = True,
) -> dict[str, Any]:
    """RTTs, nearest-metro RTT, reach within the reporting budgets and within the budget.

    On a grid the reach and the count within the budget come from the row-interval
    kernel (memory O(cells), not O(cells x metros)); per-metro RTT fields are built
    only for up to :data:`MAX_METRO_FIELDS` metros.
    """
    mlat = metros["lat"].to_numpy(float)
    mlon = metros["lon"].to_numpy(float)
    route = scenario.route
    rtt = None
    if not window.is_grid or len(metros) <= MAX_METRO_FIELDS:
        rtt = latency.rtt_field_ms(
            window.lat, window.lon, mlat, mlon, route=route, grid=window.is_grid
        )
        min_rtt = rtt.min(axis=0)
    else:
        min_rtt = latency.nearest_rtt_ms(window.lat, window.lon, mlat, mlon, route=route)
    radii = [float(latency.service_radius_km(t, route=route)) for t in REACH_THRESHOLDS_MS]
    out: dict[str, Any] = {"rtt": rtt, "min_rtt": min_rtt, "count": None, "weight": None}
    if budget_ms is None:
        out["reach"] = _weight_within(window, metros, weights, tuple(radii), route.geographic)
        return out
    # Within the budget: a metro counts when its RTT <= budget, i.e. its distance is
    # within the service radius; a budget at or below the zero-distance round trip
    # reaches none.
    reachable = budget_ms > route.floor_ms
    r_budget = float(latency.service_radius_km(budget_ms, route=route)) if reachable else 0.0
    geo = route.geographic
    both = _weight_within(window, metros, weights, (*radii, r_budget), geo)
    out["reach"] = both[:-1]
    out["weight"] = both[-1] if reachable else np.zeros(window.shape)
    if count_within:
        count = _weight_within(window, metros, np.ones(len(metros)), (r_budget,), geo)[0]
        out["count"] = count if reachable else np.zeros(window.shape)
    return out


def evaluate_bands(
    window: Any, scenario: Scenario, *, band_rows: int, keep_climate: bool = False, **kwargs: Any
) -> Evaluation:
    """Run :func:`evaluate` on row bands of a grid window as dask tasks and join them.

    Parameters
    ----------
    window : Window
        A grid window.
    scenario : Scenario
        Technology, prices and fibre assumptions.
    band_rows : int
        Rows per task.
    keep_climate : bool, default False
        Keep the climate arrays (``layers.t_monthly``, ``layers.dew_point_q``: 27
        floats per cell) in the joined result; by default they are dropped (empty
        arrays) once the bands have used them, as nothing after the evaluation reads
        them but the Monte Carlo draws.
    **kwargs
        Passed to :func:`evaluate` (metros, weights, prices, budget_ms).

    Returns
    -------
    Evaluation
        Identical to ``evaluate(window, ...)``: every step is per cell or per row.

    Notes
    -----
    The tasks run on dask's current scheduler: a ``dask.distributed`` client if the
    caller created one (the library never starts one), else the local threads. They
    are computed in batches of about two per worker thread, and each batch is copied
    into the joined arrays and released before the next, so the caller holds the
    joined result plus one batch, and each worker one band and its result.
    """
    import dask

    if kwargs.get("climate") is not None:
        from computeatlas.errors import InputError

        raise InputError("band_rows needs the shipped climate; pass climate=None")
    n = window.lat.size
    starts = list(range(0, n, band_rows))
    batch = 2 * _scheduler_threads()
    joined: _Joined | None = None
    for b in range(0, len(starts), batch):
        tasks = [
            dask.delayed(evaluate)(
                window.row_band(i, min(i + band_rows, n)), scenario, cache=False, **kwargs
            )
            for i in starts[b : b + batch]
        ]
        parts = list(dask.compute(*tasks))
        if joined is None:
            joined = _Joined(window, parts[0], keep_climate)
        for i, part in zip(starts[b : b + batch], parts, strict=True):
            joined.put(i, part)
        parts.clear()
    assert joined is not None  # a window has at least one row
    return joined.evaluation()


def dask_client() -> Any:
    """Return the caller's current ``dask.distributed`` client, or None (never starts one).

    Returns
    -------
    distributed.Client or None
        None when ``distributed`` was never imported or no client is running.
    """
    import sys

    if "distributed" not in sys.modules:
        return None
    import distributed

    try:
        return distributed.default_client()
    except ValueError:  # no client
        return None


def _scheduler_threads() -> int:
    """Worker threads of the current ``dask.distributed`` client, else this machine's cores."""
    import os

    client = dask_client()
    if client is not None:
        return max(1, sum(client.nthreads().values()))
    return os.cpu_count() or 1


#: Layers arrays of a band (axis 0 = rows); the first two are the climate.
_LAYER_NAMES = ("t_monthly", "dew_point_q", "elevation_m", "land_fraction")


class _Joined:
    """Arrays of a banded evaluation, allocated from the first band and filled band by band."""

    def __init__(self, window: Any, first: Evaluation, keep_climate: bool) -> None:
        from dataclasses import fields

        from computeatlas.regions import Resolved

        n = window.lat.size
        self.window, self.first = window, first
        reg = first.layers.regions
        self.region_names = [
            f.name for f in fields(Resolved) if isinstance(getattr(reg, f.name), np.ndarray)
        ]
        self.layer_names = _LAYER_NAMES if keep_climate else _LAYER_NAMES[2:]

        def alloc(a: Any, axis: int = 0) -> Any:
            if a is None:
                return None
            shape = list(a.shape)
            shape[axis] = n
            return np.empty(shape, dtype=a.dtype)

        self.regions = {k: alloc(getattr(reg, k)) for k in self.region_names}
        self.layers = {k: alloc(getattr(first.layers, k)) for k in self.layer_names}
        self.values = {k: alloc(v) for k, v in first.values.items()}
        self.rtt = alloc(first.rtt_ms, axis=1)
        self.count = alloc(first.within_count)
        self.weight = alloc(first.within_weight)
        self.tie_key = alloc(first.tie_key)

    def put(self, row: int, part: Evaluation) -> None:
        """Copy one band (starting at window row ``row``) into the joined arrays."""
        rows = slice(row, row + part.layers.window.lat.size)
        for k, a in self.regions.items():
            a[rows] = getattr(part.layers.regions, k)
        for k, a in self.layers.items():
            a[rows] = getattr(part.layers, k)
        for k, a in self.values.items():
            a[rows] = part.values[k]
        if self.rtt is not None:
            self.rtt[:, rows] = part.rtt_ms
        pairs = (
            (self.count, part.within_count),
            (self.weight, part.within_weight),
            (self.tie_key, part.tie_key),
        )
        for a, b in pairs:
            if a is not None:
                a[rows] = b

    def evaluation(self) -> Evaluation:
        """Return the joined :class:`Evaluation` (climate arrays empty unless kept)."""
        from dataclasses import replace

        lay0 = self.first.layers
        dropped: dict[str, Any] = {k: np.empty((0,)) for k in _LAYER_NAMES if k not in self.layers}
        arrays: dict[str, Any] = {**self.layers, **dropped}
        layers = replace(
            lay0, window=self.window, regions=replace(lay0.regions, **self.regions), **arrays
        )
        return Evaluation(
            layers,
            self.values,
            self.rtt,
            self.first.cooling_path,
            self.count,
            self.weight,
            tie_key=self.tie_key,
        )
