"""``site_report``: what computeatlas says about a list of places."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from computeatlas.errors import InputError
from computeatlas.presets import CoolingTechnology, HeatPrice, Route, TokenEnergy

__all__ = ["site_report"]

#: District-heating supply temperature assumed for the heat pump [degC].
DH_SUPPLY_C = 70.0
#: Pipe reach from a site to a heating network [km] (assumption).
HEAT_REACH_KM = 30.0
#: Heat demand per inhabitant served by district heating [MWh/yr] (assumption, see notes).
HEAT_DEMAND_MWH_PER_CAPITA = 5.0
#: IT load of the site used to size the heat offered [MW].
DEFAULT_IT_MW = 100.0


def heat_credit_for(
    tech: CoolingTechnology, hp: HeatPrice, season: Any, availability: Any, price: Any
) -> np.ndarray:
    """Heat credit [USD/MWh_IT] of a technology and heat price (0 when nothing is sold).

    Composes :func:`computeatlas.models.heat_credit` with the technology's recoverable
    fraction and source temperature and a 70 degC network supply; NaN (an invalid
    heat-pump lift) counts as no credit.
    """
    from computeatlas.models import heat

    shape = np.broadcast(np.asarray(season), np.asarray(price)).shape
    if not (tech.heat_recovery_fraction > 0 and hp.usd_per_mwh_heat > 0):
        return np.zeros(shape)
    credit = heat.heat_credit(
        recoverable_fraction=tech.heat_recovery_fraction,
        heating_season=season,
        sink_availability=availability,
        heat_price_usd_per_mwh=hp.usd_per_mwh_heat,
        electricity_price_usd_per_mwh=np.nan_to_num(np.asarray(price, dtype=float), nan=0.0),
        source_c=tech.heat_source_c,
        supply_c=DH_SUPPLY_C,
    )
    return np.nan_to_num(np.broadcast_to(credit, shape).astype(float), nan=0.0)


def _points(points: Any) -> pd.DataFrame:
    if isinstance(points, pd.DataFrame):
        df: Any = points
        if "geometry" in df.columns and hasattr(df, "crs"):
            from computeatlas.demand import to_wgs84

            df = to_wgs84(df, "points")
            if not set(df.geometry.geom_type) <= {"Point"}:
                raise InputError("points GeoDataFrame must hold Point geometries")
            df = pd.DataFrame({"lat": df.geometry.y.values, "lon": df.geometry.x.values})
        else:
            rename = {"latitude": "lat", "longitude": "lon", "y": "lat", "x": "lon"}
            df = df.rename(columns={k: v for k, v in rename.items() if k in df.columns})
            if not {"lat", "lon"} <= set(df.columns):
                raise InputError("points DataFrame needs 'lat' and 'lon' columns")
            df = df[["lat", "lon"]]
    else:
        arr = np.asarray(points, dtype=float) if not isinstance(points, str) else None
        if arr is not None and arr.size == 0:
            raise InputError("points is empty")
        if arr is None or arr.ndim == 0:
            raise InputError("points must be (lat, lon) pairs, a DataFrame or a GeoDataFrame")
        arr = arr.reshape(-1, 2) if arr.ndim == 1 and arr.size == 2 else arr
        if arr.ndim != 2 or arr.shape[1] != 2:
            raise InputError(f"points must be (lat, lon) pairs; got an array of shape {arr.shape}")
        df = pd.DataFrame({"lat": arr[:, 0], "lon": arr[:, 1]})
    if len(df) == 0:
        raise InputError("points is empty")
    lat = df["lat"].to_numpy(dtype=float)
    lon = df["lon"].to_numpy(dtype=float)
    if np.isnan(lat).any() or np.isnan(lon).any():
        raise InputError("points contain NaN coordinates")
    if np.any(np.abs(lat) > 90):
        raise InputError("point latitudes must be within [-90, 90] deg (is it (lat, lon)?)")
    if np.any((lon < -180) | (lon > 360)):
        raise InputError("point longitudes must be within [-180, 360] deg")
    return pd.DataFrame({"lat": lat, "lon": ((lon + 180.0) % 360.0) - 180.0})


def _regions(pts: pd.DataFrame, prices: pd.DataFrame | None):
    import geopandas as gpd

    from computeatlas.datasets import countries, resolve_prices

    gdf = gpd.GeoDataFrame(pts, geometry=gpd.points_from_xy(pts.lon, pts.lat), crs="EPSG:4326")
    regions = resolve_prices(prices)
    cols = [
        "iso_a2",
        "country_name",
        "iso_3166_2",
        "name",
        "price_usd_per_mwh",
        "price_source",
        "price_region_code",
        "geometry",
    ]
    joined = gpd.sjoin(gdf, regions[cols], how="left", predicate="within")
    joined = joined[~joined.index.duplicated(keep="first")]
    miss = joined["name"].isna()
    if miss.any():  # coastal points just outside simplified polygons
        near = gpd.sjoin_nearest(
            gdf[miss.values].to_crs(3857),
            regions[cols].to_crs(3857),
            how="left",
            max_distance=25_000,
        )
        near = near[~near.index.duplicated(keep="first")]
        for c in cols[:-1]:
            joined.loc[near.index, c] = near[c]
    ctry = countries()[["iso_a2", "name", "geometry"]].rename(columns={"name": "country"})
    cj = gpd.sjoin(gdf, ctry, how="left", predicate="within")
    cj = cj[~cj.index.duplicated(keep="first")]
    return joined, cj


def site_report(
    points: Any,
    *,
    technology: str | CoolingTechnology = "hyperscale_air_economiser",
    ashrae_class: str = "A1",
    heat_price: str | float | HeatPrice = "donated",
    demand_metros: Any = None,
    route: str | Route = "cloud_backbone",
    energy_per_token: str | float | TokenEnergy = "h100_8b_batch64",
    prices: pd.DataFrame | None = None,
    it_mw: float = DEFAULT_IT_MW,
) -> pd.DataFrame:
    """Report what computeatlas says about a list of places, one row per point.

    Parameters
    ----------
    points : sequence of (lat, lon), DataFrame or GeoDataFrame
        Sites [deg]. A DataFrame needs ``lat``/``lon`` (or
        ``latitude``/``longitude``); a GeoDataFrame needs points and a CRS.
    technology : str or CoolingTechnology, default "hyperscale_air_economiser"
        Cooling preset (:func:`computeatlas.presets.cooling`).
    ashrae_class : str, default "A1"
        ASHRAE envelope: ``recommended``, ``A1`` .. ``A4``.
    heat_price : str, float or HeatPrice, default "donated"
        Heat-price scenario or USD per MWh of heat.
    demand_metros : optional
        Metros to report round-trip times to (see :func:`computeatlas.demand.resolve_metros`).
    route : str or Route, default "cloud_backbone"
        Fibre route preset.
    energy_per_token : str, float or TokenEnergy, default "h100_8b_batch64"
        IT energy per million tokens preset or value [MWh_IT/Mtoken].
    prices : DataFrame, optional
        Your own price table (:func:`computeatlas.datasets.read_price_table`).
        Prices in another currency are converted with the shipped
        annual-average rate of their year (:func:`computeatlas.datasets.exchange_rates`).
    it_mw : float, default 100
        IT load of the site [MW], used to compare the heat offered with the
        heat demand within reach.

    Returns
    -------
    pandas.DataFrame
        ``lat``, ``lon``, ``country``, ``admin1``, ``temperature_mean_c``,
        ``dew_point_mean_c``, ``pue``, ``free_cooling_hours``,
        ``water_l_per_kwh_it``, ``price_usd_per_mwh``, ``price_source``,
        ``heat_credit_usd_per_mwh_it``, ``cost_usd_per_mwh_it``,
        ``cost_usd_per_mtoken`` and one ``rtt_ms_<metro>`` per demand metro.

    Notes
    -----
    Climate comes from the nearest cell of the shipped 0.25 deg layers and
    goes through the monthly-climatology path of
    :func:`computeatlas.models.annual_cooling`. The heat credit
    (:func:`computeatlas.models.heat_credit`) uses the technology's recoverable
    fraction and source temperature, a 70 degC network supply, the heating
    season from the monthly temperatures, and a sink availability equal to
    the district-heating demand within 30 km (population of the metros there
    x the country's district-heating share x 5 MWh per person a year, an
    order-of-magnitude assumption for space and water heating) over the heat
    the site offers, capped at 1. Countries without district-heating data
    get no heat credit.
    """
    from computeatlas import datasets
    from computeatlas._kernels import cooling as _k
    from computeatlas.demand import resolve_metros
    from computeatlas.grid import DEFAULT_GRID
    from computeatlas.models import air_pressure, cooling, energy, heat, latency
    from computeatlas.presets import ashrae_class as get_class
    from computeatlas.presets import cooling as get_cooling
    from computeatlas.presets import heat_price as get_heat_price
    from computeatlas.presets import route as get_route
    from computeatlas.presets import token_energy as get_token_energy

    tech = get_cooling(technology)
    env = get_class(ashrae_class)
    hp = get_heat_price(heat_price)
    rt = get_route(route)
    tok = get_token_energy(energy_per_token)
    if not (it_mw > 0):
        raise InputError(f"it_mw must be positive, got {it_mw}")
    pts = _points(points)
    metros = resolve_metros(demand_metros) if demand_metros is not None else None

    i, j = DEFAULT_GRID.nearest_index(pts["lat"].to_numpy(), pts["lon"].to_numpy())
    clim = datasets.climate()["t2m"].transpose("lat", "lon", "month").values[i, j, :]
    hum = datasets.humidity()
    exc = hum["exceedance"].values.astype(float)
    dq = hum["dew_point"].transpose("lat", "lon", "exceedance").values[i, j, :].astype(float)
    elev = datasets.elevation()
    z = np.nan_to_num(elev["elevation"].values[i, j], nan=0.0)
    lf = elev["land_fraction"].values[i, j]
    p_kpa = air_pressure(np.clip(z, -500.0, 8000.0))
    dtr = lf * cooling.DIURNAL_RANGE_LAND_K + (1 - lf) * cooling.DIURNAL_RANGE_SEA_K
    P = cooling.pack_parameters(tech, env)
    pue, free, wue = _k.annual_from_monthly(
        np.ascontiguousarray(clim, dtype=float),
        np.ascontiguousarray(dq),
        exc,
        dtr,
        np.full(len(pts), cooling.SYNOPTIC_SD_K),
        p_kpa,
        P,
    )

    joined, cj = _regions(pts, prices)
    price = joined["price_usd_per_mwh"].to_numpy(dtype=float)
    iso2 = joined["iso_a2"].fillna(cj["iso_a2"]).fillna("").to_numpy()

    dh = datasets.district_heating().set_index("country_iso2")["dh_share_pct"]
    share = np.array([float(dh.get(c, np.nan)) / 100.0 for c in iso2])
    metro_table = datasets.metros()
    pop_near = np.zeros(len(pts))
    for k in range(len(pts)):
        d = latency.great_circle_km(
            pts["lat"].iloc[k],
            pts["lon"].iloc[k],
            metro_table["lat"].to_numpy(),
            metro_table["lon"].to_numpy(),
        )
        pop_near[k] = metro_table["population"].to_numpy()[d <= HEAT_REACH_KM].sum()
    offered = it_mw * 8760.0 * tech.heat_recovery_fraction  # MWh/yr
    demand = pop_near * np.nan_to_num(share, nan=0.0) * HEAT_DEMAND_MWH_PER_CAPITA
    avail = np.where(offered > 0, np.minimum(1.0, demand / max(offered, 1e-9)), 0.0)
    season = heat.heating_season_fraction(clim)
    credit = heat_credit_for(tech, hp, season, avail, price)
    cost = energy.cost_usd_per_mwh_it(price, pue, credit)
    out = pd.DataFrame(
        {
            "lat": pts["lat"],
            "lon": pts["lon"],
            "country": cj["country"].fillna(joined["country_name"]).to_numpy(),
            "admin1": joined["name"].to_numpy(),
            "temperature_mean_c": clim.mean(axis=1),
            "dew_point_mean_c": dq[:, np.argmin(np.abs(exc - 50.0))],
            "pue": pue,
            "free_cooling_hours": free,
            "water_l_per_kwh_it": wue,
            "price_usd_per_mwh": price,
            "price_source": joined["price_source"].to_numpy(),
            "heat_credit_usd_per_mwh_it": credit,
            "cost_usd_per_mwh_it": cost,
            "cost_usd_per_mtoken": energy.cost_usd_per_mtoken(cost, tok),
        }
    )
    if metros is not None:
        for _, m in metros.iterrows():
            out[f"rtt_ms_{m['label']}"] = latency.rtt_ms(
                out["lat"], out["lon"], m["lat"], m["lon"], route=rt
            )
    out.attrs = {
        "technology": tech.name,
        "ashrae_class": env.name,
        "heat_price": hp.name,
        "route": rt.name,
        "energy_per_token": tok.name,
        "climate": "ERA5 2000-2025 monthly climatology, nearest 0.25 deg cell",
    }
    return out
