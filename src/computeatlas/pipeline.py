"""The one composition of computeatlas: layers -> models -> output variables.

:func:`evaluate` runs every model on a :class:`~computeatlas.grid.Window`
(grid cells or points) and returns the variables of :mod:`computeatlas.schema`
as arrays of ``window.shape``. ``rank_sites`` and ``site_report`` are two
samplers of it; neither computes a number of its own.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import xarray as xr

from computeatlas import datasets
from computeatlas.inputs import Layers, layers
from computeatlas.models import cooling, energy, heat, latency
from computeatlas.scenario import Scenario
from computeatlas.schema import REACH_THRESHOLDS_MS, reach_name

__all__ = ["Evaluation", "evaluate"]


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
        RTT to each demand metro [ms], shape (metros, *window.shape).
    cooling_path : str
        Which input path the cooling model took.
    """

    layers: Layers
    values: dict[str, np.ndarray]
    rtt_ms: np.ndarray | None
    cooling_path: str


def evaluate(
    window: Any,
    scenario: Scenario,
    *,
    metros: pd.DataFrame | None = None,
    weights: np.ndarray | None = None,
    climate: xr.Dataset | None = None,
    prices: pd.DataFrame | None = None,
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

    Returns
    -------
    Evaluation
    """
    lay = layers(window, climate=climate, prices=prices)
    cool, path = _cooling(lay, scenario)
    price = lay.regions.price_usd_per_mwh
    credit = _heat_credit(lay, scenario, price)
    pue = cool["pue"]
    cost = energy.cost_usd_per_mwh_it(price, pue, credit)
    score = energy.cost_usd_per_mwh_it(
        price,
        pue,
        credit,
        carbon_price_usd_per_t=scenario.carbon_price_usd_per_t,
        carbon_kg_per_mwh=lay.regions.carbon_kg_per_mwh,
    )
    values = {
        "temperature_mean_c": lay.t_monthly.mean(axis=-1),
        "dew_point_mean_c": lay.dew_point_q[..., int(np.argmin(np.abs(lay.exceedance - 50.0)))],
        **cool,
        "price_usd_per_mwh": price,
        "heat_credit_usd_per_mwh_it": credit,
        "cost_usd_per_mwh_it": cost,
        "cost_usd_per_mtoken": energy.cost_usd_per_mtoken(cost, scenario.energy_per_token),
        "carbon_kg_per_mwh_it": lay.regions.carbon_kg_per_mwh * pue,
        "score_usd_per_mwh_it": np.where(lay.land, score, np.nan),
    }
    rtt = None
    if metros is not None and len(metros):
        w = np.ones(len(metros)) if weights is None else np.asarray(weights, float)
        rtt, reach = _latency(window, metros, w, scenario)
        values.update({reach_name(t): reach[k] for k, t in enumerate(REACH_THRESHOLDS_MS)})
    return Evaluation(lay, values, rtt, path)


def _cooling(lay: Layers, scenario: Scenario) -> tuple[dict[str, np.ndarray], str]:
    """PUE, free-cooling hours and water use from the climatology arrays or a user climate."""
    if lay.climate is None:
        out = cooling.climatology_cooling(
            lay.t_monthly,
            lay.dew_point_q,
            lay.exceedance,
            land_fraction=lay.land_fraction,
            elevation_m=lay.elevation_m,
            technology=scenario.technology,
            ashrae=scenario.ashrae,
            todo=lay.land,
        )
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


def _heat_credit(lay: Layers, scenario: Scenario, price: np.ndarray) -> np.ndarray:
    """Waste-heat credit [USD/MWh_IT] (0 where no heat is sold, NaN where unpriced)."""
    tech = scenario.technology
    avail = np.zeros(lay.window.shape)
    if scenario.sells_heat:
        towns = datasets.metros()
        pop = _weight_within(
            lay.window, towns, towns["population"].to_numpy(float), (heat.HEAT_REACH_KM,)
        )[0]
        avail = heat.sink_availability(
            pop,
            lay.district_heating_share,
            it_mw=scenario.it_mw,
            recoverable_fraction=tech.heat_recovery_fraction,
        )
    with np.errstate(invalid="ignore"):
        return heat.site_heat_credit(
            recoverable_fraction=tech.heat_recovery_fraction,
            source_c=tech.heat_source_c,
            heat_price_usd_per_mwh=scenario.heat_price.usd_per_mwh_heat,
            heating_season=heat.heating_season_fraction(lay.t_monthly),
            sink_availability=avail,
            electricity_price_usd_per_mwh=price,
        )


def _weight_within(
    window: Any, sources: pd.DataFrame, weights: np.ndarray, radii_km: tuple[float, ...]
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
    )


def _latency(
    window: Any, metros: pd.DataFrame, weights: np.ndarray, scenario: Scenario
) -> tuple[np.ndarray, np.ndarray]:
    """RTT to each metro and the demand weight within each reporting budget."""
    rtt = latency.rtt_field_ms(
        window.lat,
        window.lon,
        metros["lat"].to_numpy(float),
        metros["lon"].to_numpy(float),
        route=scenario.route,
        grid=window.is_grid,
    )
    radii = tuple(
        float(latency.service_radius_km(t, route=scenario.route)) for t in REACH_THRESHOLDS_MS
    )
    return rtt, _weight_within(window, metros, weights, radii)
