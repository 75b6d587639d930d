"""``rank_sites`` and ``latency_field``: the ranking engine (no physics of its own).

The engine composes the models on one grid: it cuts the bbox out of the
default 0.25 deg layers (or takes your climate), runs the cooling model,
joins prices, carbon intensity and district heating through cached
cell-to-region labels, computes fibre latency to the demand metros in cosine
space, and ranks the eligible cells by the all-in cost of IT energy.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import xarray as xr

from computeatlas.errors import InputError
from computeatlas.grid import DEFAULT_GRID, EARTH_RADIUS_KM, GridSpec, cell_area_km2

__all__ = ["SiteRanking", "latency_field", "parse_bbox", "rank_sites"]

#: Population reach radii reported on every ranking grid [ms of RTT].
REACH_THRESHOLDS_MS = (30.0, 50.0)


@dataclass(frozen=True)
class _Window:
    """Rows and columns of a global grid covered by a bbox."""

    grid: GridSpec
    rows: np.ndarray
    cols: np.ndarray

    @property
    def lat(self) -> np.ndarray:
        return self.grid.lat[self.rows]

    @property
    def lon(self) -> np.ndarray:
        return self.grid.lon[self.cols]


def parse_bbox(bbox: Any) -> tuple[float, float, float, float] | None:
    """Validate a bbox ``(west, south, east, north)`` in degrees; None for the globe.

    ``west > east`` means the box crosses the antimeridian. Longitudes may be
    given in -180..180 or 0..360.
    """
    if bbox is None or (isinstance(bbox, str) and bbox.lower() in ("world", "global")):
        return None
    if isinstance(bbox, str):
        raise InputError(f"bbox must be (west, south, east, north) or 'world', got {bbox!r}")
    try:
        values = [float(v) for v in bbox]
    except (TypeError, ValueError) as err:
        raise InputError(
            f"bbox must be four numbers (west, south, east, north), got {bbox!r}"
        ) from err
    if len(values) != 4:
        raise InputError(f"bbox needs four numbers (west, south, east, north), got {len(values)}")
    west, south, east, north = values
    if any(math.isnan(v) for v in values):
        raise InputError("bbox contains NaN")
    if not (-90.0 <= south <= 90.0 and -90.0 <= north <= 90.0):
        raise InputError(
            f"bbox latitudes must be within [-90, 90]; got south={south}, north={north}"
        )
    if south > north:
        raise InputError(
            f"bbox is inverted: south ({south}) > north ({north}); "
            "the order is (west, south, east, north)"
        )
    for name, v in (("west", west), ("east", east)):
        if not -180.0 <= v <= 360.0:
            raise InputError(f"bbox {name} longitude {v} is outside [-180, 360]")
    west = ((west + 180.0) % 360.0) - 180.0 if west != 180.0 else 180.0
    east = ((east + 180.0) % 360.0) - 180.0 if east not in (180.0,) else 180.0
    return west, south, east, north


def available_memory_bytes() -> int:
    """Memory the request may use: ``$COMPUTEATLAS_MAX_MEMORY`` bytes, else 80 % of physical RAM."""
    import os

    env = os.environ.get("COMPUTEATLAS_MAX_MEMORY")
    if env:
        try:
            return int(float(env))
        except ValueError as err:
            raise InputError(
                f"COMPUTEATLAS_MAX_MEMORY must be a number of bytes, got {env!r}"
            ) from err
    try:
        return int(0.8 * os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES"))
    except (ValueError, OSError, AttributeError):  # pragma: no cover - non-POSIX
        return 16 * 2**30


def _check_memory(
    cells: int, metros: int, per_cell_floats: int, what: str, per_metro_floats: int = 0
) -> None:
    """Refuse a request whose arrays would not fit in memory, before any work."""
    need = 8 * cells * (per_cell_floats + per_metro_floats * metros)
    have = available_memory_bytes()
    if need > have:
        from computeatlas.errors import ResourceError

        raise ResourceError(
            f"{what} needs about {need / 2**30:.1f} GiB for {cells:,} cells x {metros:,} "
            f"metros, more than the {have / 2**30:.1f} GiB available; use a coarser "
            "resolution, a smaller bbox, fewer metros, or a dask-backed climate"
        )


def _window(grid: GridSpec, bbox: tuple[float, float, float, float] | None) -> _Window:
    if bbox is None:
        return _Window(grid, np.arange(grid.nlat), np.arange(grid.nlon))
    west, south, east, north = bbox
    lat, lon = grid.lat, grid.lon
    rows = np.flatnonzero((lat >= south - 1e-9) & (lat <= north + 1e-9))
    if west <= east:
        cols = np.flatnonzero((lon >= west - 1e-9) & (lon <= east + 1e-9))
    else:  # crosses the antimeridian: keep ascending longitudes (two runs)
        cols = np.flatnonzero((lon >= west - 1e-9) | (lon <= east + 1e-9))
    if rows.size == 0 or cols.size == 0:
        # A box narrower than a cell still gets the nearest cell.
        cy = np.array([int(np.argmin(np.abs(lat - 0.5 * (south + north))))])
        mid = 0.5 * (west + east) if west <= east else 0.5 * (west + east + 360.0)
        cx_lon = ((mid + 180.0) % 360.0) - 180.0
        cx = np.array([int(np.argmin(np.abs(((lon - cx_lon) + 180) % 360 - 180)))])
        rows = rows if rows.size else cy
        cols = cols if cols.size else cx
    return _Window(grid, rows, cols)


def _reach(
    window: _Window,
    metros: pd.DataFrame,
    weights: np.ndarray,
    thresholds_ms: tuple[float, ...],
    route,
) -> np.ndarray:
    from computeatlas._kernels.latency import reach_weights
    from computeatlas.models.latency import FIBRE_SPEED_KM_PER_MS

    theta = []
    for t in thresholds_ms:
        radius = max(t - route.fixed_ms, 0.0) * FIBRE_SPEED_KM_PER_MS / (2.0 * route.route_factor)
        theta.append(min(radius / EARTH_RADIUS_KM, math.pi))
    grid = window.grid
    full = reach_weights(
        window.lat,
        float(grid.lon[0]),
        float(grid.resolution),
        grid.nlon,
        metros["lat"].to_numpy(float),
        metros["lon"].to_numpy(float),
        np.asarray(weights, dtype=float),
        np.cos(np.array(theta)),
        True,
    )
    return full[:, :, window.cols]


def _rtt_from_angle(angle: np.ndarray, route) -> np.ndarray:
    from computeatlas.models.latency import FIBRE_SPEED_KM_PER_MS

    return (
        route.fixed_ms + 2.0 * angle * EARTH_RADIUS_KM * route.route_factor / FIBRE_SPEED_KM_PER_MS
    )


def latency_field(
    demand_metros: Any,
    *,
    resolution: float = 0.25,
    bbox: Any = None,
    thresholds_ms: tuple[float, ...] = REACH_THRESHOLDS_MS,
    route: Any = "cloud_backbone",
) -> xr.Dataset:
    """Minimum round-trip time to the demand metros and the demand reachable within thresholds.

    Parameters
    ----------
    demand_metros : names, tuples or table
        See :func:`computeatlas.demand.resolve_metros`. Weights default to the
        metro population where known, else 1.
    resolution : float, default 0.25
        Grid resolution [deg] (cell centres at multiples of it).
    bbox : (west, south, east, north), "world" or None
        Area [deg]; west > east crosses the antimeridian.
    thresholds_ms : tuple of float, default (30, 50)
        Round-trip budgets [ms].
    route : str or Route, default "cloud_backbone"

    Returns
    -------
    xarray.Dataset
        ``min_rtt_ms`` [ms] and one ``reachable_population_<t>ms`` per
        threshold (summed weight of the metros within reach), on (lat, lon).
    """
    from computeatlas.demand import resolve_metros
    from computeatlas.presets import route as get_route

    rt = get_route(route)
    thresholds = tuple(float(t) for t in thresholds_ms)
    if not thresholds or any(not (t > 0) for t in thresholds):
        raise InputError(f"thresholds_ms must be positive numbers, got {thresholds_ms!r}")
    metros = resolve_metros(demand_metros)
    weights = _metro_weights(metros)
    window = _window(GridSpec(resolution), parse_bbox(bbox))
    _check_memory(
        window.rows.size * window.cols.size, len(metros), 3 + len(thresholds), "latency_field"
    )
    angle = _nearest_angle(window, metros)
    reach = _reach(window, metros, weights, thresholds, rt)
    ds = xr.Dataset(coords=_coords(window))
    ds["min_rtt_ms"] = (
        ("lat", "lon"),
        _rtt_from_angle(angle, rt),
        {"long_name": "round-trip time to the nearest demand metro", "units": "ms"},
    )
    for k, t in enumerate(thresholds):
        ds[f"reachable_population_{t:g}ms"] = (
            ("lat", "lon"),
            reach[k],
            {"long_name": f"demand weight within {t:g} ms round trip", "units": "1"},
        )
    ds.attrs = {
        "route": rt.name,
        "route_factor": rt.route_factor,
        "fixed_ms": rt.fixed_ms,
        "n_metros": len(metros),
    }
    return ds


#: Above this many metros the banded nearest-metro search (latitude bands, longitude
#: windows) beats the latitude-only one; measured on 2 cores (0.1 deg: 2.4 s against
#: 5.4 s with 5000 metros; 0.25 deg: 0.44 s against 0.18 s with 500).
BANDED_SEARCH_MIN_METROS = 1000


def _nearest_angle(window: _Window, metros: pd.DataFrame) -> np.ndarray:
    from computeatlas._kernels.latency import build_bands, min_angle, min_angle_banded

    mlat = metros["lat"].to_numpy(float)
    mlon = metros["lon"].to_numpy(float)
    if len(metros) > BANDED_SEARCH_MIN_METROS:
        order, offsets = build_bands(mlat, mlon)
        return min_angle_banded(window.lat, window.lon, mlat[order], mlon[order], offsets)
    order = np.argsort(mlat, kind="stable")
    return min_angle(window.lat, window.lon, mlat[order], mlon[order])


def _metro_weights(metros: pd.DataFrame) -> np.ndarray:
    w = metros["weight"].to_numpy(float)
    pop = metros["population"].to_numpy(float)
    return np.where(np.isfinite(w), w, np.where(np.isfinite(pop), pop, 1.0))


def _coords(window: _Window) -> dict[str, xr.DataArray]:
    return {
        "lat": xr.DataArray(
            window.lat, dims="lat", attrs={"standard_name": "latitude", "units": "degrees_north"}
        ),
        "lon": xr.DataArray(
            window.lon, dims="lon", attrs={"standard_name": "longitude", "units": "degrees_east"}
        ),
    }


@dataclass
class SiteRanking:
    """The result of :func:`rank_sites`.

    Attributes
    ----------
    grid : xarray.Dataset
        Every scored variable on (lat, lon) (``rtt_ms`` also on ``metro``),
        with CF attributes and the call's parameters in ``attrs``.
    metros : pandas.DataFrame
        The demand metros used.
    top : int
        How many cells :attr:`sites` holds.
    """

    grid: xr.Dataset
    metros: pd.DataFrame
    top: int = 100
    _sites: Any = field(default=None, repr=False)

    @property
    def sites(self):
        """GeoDataFrame of the best eligible cells, cheapest first (deterministic ties)."""
        if self._sites is None:
            self._sites = _best_sites(self.grid, self.top)
        return self._sites.copy()

    def regions(self, level: str = "admin0"):
        """Aggregate the ranking per country (``admin0``) or province/state (``admin1``).

        Returns
        -------
        geopandas.GeoDataFrame
            One row per region with eligible cells: ``best_cost_usd_per_mwh_it``,
            ``mean_cost_usd_per_mwh_it`` (area-weighted over eligible cells),
            ``eligible_area_km2``, ``best_lat``/``best_lon``, region names and geometry;
            sorted by best cost.
        """
        return _region_table(self.grid, level)

    def to_geojson(self, path, *, what: str = "sites"):
        """Write the sites (or ``regions_admin0``/``regions_admin1``) as GeoJSON + QGIS style."""
        from computeatlas import export

        gdf = self._table(what)
        return export.to_geojson(
            gdf,
            path,
            style_column=_style_column(what),
            style_label="cost of IT energy [USD/MWh_IT]",
        )

    def to_gpkg(self, path, *, what: str = "sites"):
        """Write the sites (or a region table) as a GeoPackage layer."""
        from computeatlas import export

        return export.to_gpkg(self._table(what), path, layer=what)

    def to_parquet(self, path, *, what: str = "sites"):
        """Write the sites (or a region table) as GeoParquet."""
        from computeatlas import export

        return export.to_parquet(self._table(what), path)

    def to_geotiff(self, path, variables=("score", "pue", "cost_usd_per_mwh_it")):
        """Write grid variables (a name or a sequence of names) as a multi-band GeoTIFF."""
        from computeatlas import export

        return export.to_geotiff(self.grid, path, variables)  # a str is one variable

    def _table(self, what: str):
        if what == "sites":
            return self.sites
        if what in ("regions_admin0", "regions_admin1"):
            return self.regions(what.split("_")[1])
        raise InputError(
            f"what must be 'sites', 'regions_admin0' or 'regions_admin1', got {what!r}"
        )

    def explore(self, what: str = "sites", **kwargs):
        """Interactive web map of the sites or a region table (needs folium).

        Uses :meth:`geopandas.GeoDataFrame.explore`, coloured by cost with the
        perceptually uniform viridis map; extra keyword arguments go to it.
        """
        gdf = self._table(what)
        column = _style_column(what)
        kwargs.setdefault("cmap", "viridis")
        kwargs.setdefault("legend", True)
        kwargs.setdefault("legend_kwds", {"caption": "cost of IT energy [USD/MWh_IT]"})
        return gdf.explore(column=column, **kwargs)

    def plot(self, variable: str = "score", ax=None, **kwargs):
        """Draw a static map of a grid variable with country borders (needs matplotlib)."""
        import matplotlib.pyplot as plt

        from computeatlas.datasets import countries

        if variable not in self.grid:
            raise InputError(f"unknown variable {variable!r}; choose from {list(self.grid)}")
        if ax is None:
            _, ax = plt.subplots(figsize=(10, 5))
        da = self.grid[variable]
        mesh = ax.pcolormesh(
            da["lon"],
            da["lat"],
            da.values,
            cmap=kwargs.pop("cmap", "viridis"),
            shading="nearest",
            **kwargs,
        )
        west, east = float(da["lon"].min()), float(da["lon"].max())
        south, north = float(da["lat"].min()), float(da["lat"].max())
        countries().boundary.plot(ax=ax, color="0.3", linewidth=0.4)
        ax.set_xlim(west, east)
        ax.set_ylim(south, north)
        ax.set_xlabel("longitude [deg]")
        ax.set_ylabel("latitude [deg]")
        units = da.attrs.get("units", "")
        ax.figure.colorbar(mesh, ax=ax, label=f"{da.attrs.get('long_name', variable)} [{units}]")
        return ax


def _style_column(what: str) -> str:
    return "cost_usd_per_mwh_it" if what == "sites" else "best_cost_usd_per_mwh_it"


def rank_sites(
    bbox: Any,
    demand_metros: Any,
    *,
    max_rtt_ms: float = 50.0,
    mode: str = "all",
    min_share: float = 1.0,
    technology: Any = "hyperscale_air_economiser",
    ashrae_class: str = "A1",
    heat_price: Any = "donated",
    route: Any = "cloud_backbone",
    energy_per_token: Any = "h100_8b_batch64",
    carbon_price_usd_per_t: float = 0.0,
    prices: pd.DataFrame | None = None,
    climate: xr.Dataset | None = None,
    resolution: float | None = None,
    top: int = 100,
    it_mw: float = 100.0,
) -> SiteRanking:
    """Rank grid cells by the all-in cost of IT energy, within reach of the demand metros.

    Parameters
    ----------
    bbox : (west, south, east, north), "world" or None
        Search area [deg]; west > east crosses the antimeridian.
    demand_metros : names, tuples or table
        ``"Tokyo"``, ``"Beijing, CN"``, ``(lat, lon)``, ``(lat, lon, weight)``
        or a DataFrame/GeoDataFrame (see :func:`computeatlas.demand.resolve_metros`).
    max_rtt_ms : float, default 50
        Round-trip budget [ms].
    mode : {"all", "share"}, default "all"
        ``all``: a cell is eligible when every metro is within ``max_rtt_ms``;
        ``share``: when the metros within reach hold at least ``min_share`` of
        the demand weight.
    min_share : float, default 1.0
        Required share of demand weight in ``share`` mode, in (0, 1].
    technology, ashrae_class, heat_price, route, energy_per_token
        Presets (see :mod:`computeatlas.presets`) or values.
    carbon_price_usd_per_t : float, default 0
        Carbon price [USD/tCO2] added to the score via grid carbon intensity.
    prices : DataFrame, optional
        Your price table (:func:`computeatlas.datasets.read_price_table`).
        Prices in another currency are converted with the shipped
        annual-average rate of their year (:func:`computeatlas.datasets.exchange_rates`).
    climate : xarray.Dataset, optional
        Hourly ERA5 (``t2m``, ``d2m``) or a monthly climatology on the
        default grid; default: the shipped ERA5 climatology.
    resolution : float, optional
        Grid resolution [deg]; default the 0.25 deg of the shipped layers. A finer
        grid refines latency circles and region borders; climate, humidity and
        elevation then take the nearest 0.25 deg value.
    top : int, default 100
        Number of best cells in :attr:`SiteRanking.sites`.
    it_mw : float, default 100
        IT load [MW] used to size the heat offered to district heating.

    Returns
    -------
    SiteRanking

    Notes
    -----
    ``score = price x PUE - heat_credit + carbon_price x intensity x PUE / 1000``
    [USD/MWh_IT]; ``rank`` 1 is the cheapest eligible cell, ties broken by
    latitude then longitude. Cells without land or without a price are not
    ranked.
    """
    from computeatlas import datasets, presets
    from computeatlas._kernels.latency import angles_to
    from computeatlas.demand import resolve_metros
    from computeatlas.models import cooling, energy, heat
    from computeatlas.regions import labels

    rt = presets.route(route)
    tech = presets.cooling(technology)
    env = presets.ashrae_class(ashrae_class)
    hp = presets.heat_price(heat_price)
    tok = presets.token_energy(energy_per_token)
    if (
        not isinstance(max_rtt_ms, (int, float))
        or isinstance(max_rtt_ms, bool)
        or not math.isfinite(max_rtt_ms)
        or max_rtt_ms <= 0
    ):
        raise InputError(
            f"max_rtt_ms must be a positive number of milliseconds, got {max_rtt_ms!r}"
        )
    if mode not in ("all", "share"):
        raise InputError(f"mode must be 'all' or 'share', got {mode!r}")
    if not (0.0 < float(min_share) <= 1.0):
        raise InputError(f"min_share must be in (0, 1], got {min_share!r}")
    if not (isinstance(top, int) and top > 0):
        raise InputError(f"top must be a positive integer, got {top!r}")
    if carbon_price_usd_per_t < 0:
        raise InputError("carbon_price_usd_per_t must not be negative")
    box = parse_bbox(bbox)
    metros = resolve_metros(demand_metros)
    weights = _metro_weights(metros)
    grid = DEFAULT_GRID if resolution is None else GridSpec(float(resolution))
    window = _window(grid, box)
    rows, cols = window.rows, window.cols
    lat, lon = window.lat, window.lon
    shape = (lat.size, lon.size)
    # About 60 float64 arrays per cell (12 months, 15 humidity levels, intermediates and
    # outputs) plus two (angle and rtt) per metro.
    _check_memory(lat.size * lon.size, len(metros), 60, "rank_sites", per_metro_floats=2)
    # The shipped layers are 0.25 deg: another resolution takes each cell's nearest
    # 0.25 deg value (no averaging); latency, regions and ranks use the finer grid.
    res0 = DEFAULT_GRID.resolution
    i0, j0 = DEFAULT_GRID.nearest_index(lat, lon)

    def on_window(ds: xr.Dataset) -> xr.Dataset:
        out = ds.isel(lat=i0, lon=j0)
        return out.assign_coords(
            lat=("lat", lat, ds["lat"].attrs), lon=("lon", lon, ds["lon"].attrs)
        )

    # Climate and cooling on the window only.
    elev = on_window(datasets.elevation())
    if climate is None:
        clim = on_window(datasets.climate())
        hum = on_window(datasets.humidity())
        cool = cooling.annual_cooling(clim, hum, elev, technology=tech, ashrae=env)
        monthly = clim["t2m"].transpose("lat", "lon", "month").values
    else:
        from computeatlas.grid import normalize_grid

        if resolution is not None and float(resolution) != res0:
            raise InputError(
                "a user climate is used on its own 0.25 deg grid; leave resolution=None"
            )
        clim = normalize_grid(climate)
        try:
            clim = clim.sel(lat=lat, lon=lon, method="nearest", tolerance=1e-6)
        except KeyError as err:
            raise InputError(
                "climate must be on the default 0.25 deg grid and cover the bbox; "
                "regrid it first (see docs/grid-conventions.md)"
            ) from err
        hum = None
        if "time" not in clim["t2m"].dims:
            hum = on_window(datasets.humidity())
        cool = cooling.annual_cooling(clim, hum, elev, technology=tech, ashrae=env)
        if "time" in clim["t2m"].dims:
            monthly = (
                clim["t2m"].groupby("time.month").mean().transpose("lat", "lon", "month").values
            )
        else:
            monthly = clim["t2m"].transpose("lat", "lon", "month").values
    land = np.nan_to_num(elev["land_fraction"].values, nan=0.0) > 0

    # Regions, prices, carbon.
    lab1 = labels(grid, "admin1", rows, cols)
    lab0 = labels(grid, "admin0", rows, cols)
    priced = datasets.resolve_prices(prices)
    carbon = datasets.resolve_carbon()
    countries = datasets.countries()
    # The two layers come from different sources and disagree along some borders: a cell
    # keeps its province only when the province belongs to the cell's country.
    iso1 = priced["iso_a2"].to_numpy(str)
    iso0 = countries["iso_a2"].to_numpy(str)
    clash = (lab1 >= 0) & (lab0 >= 0)
    clash[clash] = iso1[lab1[clash]] != iso0[lab0[clash]]
    lab1 = np.where(clash, -1, lab1)
    price = _lookup(lab1, priced["price_usd_per_mwh"].to_numpy(float))
    if (lab1 < 0).any():  # cells in a country but outside the admin-1 polygons
        by_country = datasets.resolve_prices(prices, level="admin0")
        price = np.where(
            lab1 >= 0, price, _lookup(lab0, by_country["price_usd_per_mwh"].to_numpy(float))
        )
    ci = _lookup(lab1, carbon["carbon_kg_per_mwh"].to_numpy(float))

    # Latency.
    angle = angles_to(lat, lon, metros["lat"].to_numpy(float), metros["lon"].to_numpy(float))
    rtt = _rtt_from_angle(angle, rt)
    within = rtt <= max_rtt_ms
    if mode == "all":
        eligible_rtt = within.all(axis=0)
    else:
        share = (within * weights[:, None, None]).sum(axis=0) / weights.sum()
        eligible_rtt = share >= float(min_share) - 1e-12
    reach = _reach(window, metros, weights, REACH_THRESHOLDS_MS, rt)

    # Heat credit.
    credit = np.zeros(shape)
    if tech.heat_recovery_fraction > 0 and hp.usd_per_mwh_heat > 0:
        dh = datasets.district_heating().set_index("country_iso2")["dh_share_pct"]
        iso = countries["iso_a2"].to_numpy()
        share_dh = np.array([float(dh.get(c, np.nan)) for c in iso]) / 100.0
        dh_cell = np.nan_to_num(_lookup(lab0, share_dh), nan=0.0)
        pop = datasets.metros()
        from computeatlas.site import HEAT_DEMAND_MWH_PER_CAPITA, HEAT_REACH_KM, heat_credit_for

        near = _reach(
            window,
            pop,
            pop["population"].to_numpy(float),
            (2.0 * HEAT_REACH_KM / 204.2,),
            presets.Route("reach", 1.0, 0.0),
        )[0]
        offered = it_mw * 8760.0 * tech.heat_recovery_fraction
        avail = np.minimum(1.0, near * dh_cell * HEAT_DEMAND_MWH_PER_CAPITA / offered)
        season = heat.heating_season_fraction(monthly)
        with np.errstate(invalid="ignore"):
            credit = heat_credit_for(tech, hp, season, avail, price)

    pue = cool["pue"].values
    cost = energy.cost_usd_per_mwh_it(price, pue, credit)
    carbon_it = ci * pue
    score = cost + carbon_price_usd_per_t * np.nan_to_num(carbon_it, nan=0.0) / 1000.0
    valid = land & np.isfinite(score)
    eligible = eligible_rtt & valid
    rank = _rank(score, eligible, lat, lon)

    ds = xr.Dataset(coords=_coords(window))
    ds = ds.assign_coords(
        metro=("metro", metros["label"].to_numpy(str)),
        metro_name=("metro", metros["name"].to_numpy(str)),
    )
    var = _var
    ds["pue"] = var(pue, "annual power usage effectiveness", "1")
    ds["free_cooling_hours"] = var(
        cool["free_cooling_hours"].values, "hours per year without compressor cooling", "h yr-1"
    )
    ds["water_l_per_kwh_it"] = var(
        cool["water_l_per_kwh_it"].values, "water evaporated per kWh of IT energy", "L kWh-1"
    )
    ds["price_usd_per_mwh"] = var(price, "electricity price", "USD MWh-1")
    ds["heat_credit_usd_per_mwh_it"] = var(credit, "waste-heat credit", "USD MWh-1")
    ds["cost_usd_per_mwh_it"] = var(
        cost, "cost of IT energy (price x PUE - heat credit)", "USD MWh-1"
    )
    ds["cost_usd_per_mtoken"] = var(
        energy.cost_usd_per_mtoken(cost, tok), "electricity cost per million tokens", "USD Mtoken-1"
    )
    ds["carbon_kg_per_mwh_it"] = var(carbon_it, "grid CO2 per MWh of IT energy", "kg MWh-1")
    ds["rtt_ms"] = (
        ("metro", "lat", "lon"),
        rtt,
        {"long_name": "fibre round-trip time to each demand metro", "units": "ms"},
    )
    for k, t in enumerate(REACH_THRESHOLDS_MS):
        ds[f"reachable_population_{t:g}ms"] = var(
            reach[k], f"demand weight within {t:g} ms round trip", "1"
        )
    ds["eligible"] = (
        ("lat", "lon"),
        eligible,
        {"long_name": f"within {max_rtt_ms:g} ms ({mode}) and priced land"},
    )
    ds["score"] = var(
        np.where(valid, score, np.nan), "all-in cost of IT energy (lower is better)", "USD MWh-1"
    )
    ds["rank"] = (
        ("lat", "lon"),
        rank,
        {"long_name": "rank among eligible cells (1 = best)", "units": "1", "_FillValue": 0},
    )
    ds["admin0_index"] = (("lat", "lon"), lab0)
    ds["admin1_index"] = (("lat", "lon"), lab1)
    ds.attrs = {
        "title": "computeatlas site ranking",
        "bbox": "world" if box is None else ",".join(f"{v:g}" for v in box),
        "resolution_deg": float(grid.resolution),
        "max_rtt_ms": float(max_rtt_ms),
        "mode": mode,
        "min_share": float(min_share),
        "technology": tech.name,
        "ashrae_class": env.name,
        "heat_price": hp.name,
        "heat_price_usd_per_mwh": hp.usd_per_mwh_heat,
        "route": rt.name,
        "route_factor": rt.route_factor,
        "energy_per_token": tok.name,
        "energy_per_token_mwh_per_mtoken": tok.mwh_per_mtoken,
        "carbon_price_usd_per_t": float(carbon_price_usd_per_t),
        "it_mw": float(it_mw),
        "prices": "user table" if prices is not None else "computeatlas default",
        "climate": "user input" if climate is not None else "ERA5 2000-2025 climatology",
        "cooling_input_path": cool.attrs.get("input_path", ""),
        "metros": "; ".join(metros["name"]),
        "Conventions": "CF-1.8",
    }
    return SiteRanking(grid=ds, metros=metros, top=top)


def _var(values, long_name: str, units: str):
    return (("lat", "lon"), values, {"long_name": long_name, "units": units})


def _lookup(label: np.ndarray, table: np.ndarray) -> np.ndarray:
    out = np.full(label.shape, np.nan)
    ok = label >= 0
    out[ok] = table[label[ok]]
    return out


def _rank(score: np.ndarray, eligible: np.ndarray, lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
    rank = np.zeros(score.shape, dtype=np.int32)
    r, c = np.nonzero(eligible)
    if r.size:
        order = np.lexsort((lon[c], lat[r], score[r, c]))
        rank[r[order], c[order]] = np.arange(1, r.size + 1, dtype=np.int32)
    return rank


_SITE_VARS = [
    "pue",
    "free_cooling_hours",
    "water_l_per_kwh_it",
    "price_usd_per_mwh",
    "heat_credit_usd_per_mwh_it",
    "cost_usd_per_mwh_it",
    "cost_usd_per_mtoken",
    "carbon_kg_per_mwh_it",
    "reachable_population_30ms",
    "reachable_population_50ms",
]


def _best_sites(ds: xr.Dataset, top: int):
    import geopandas as gpd

    from computeatlas import datasets

    rank = ds["rank"].values
    r, c = np.nonzero((rank > 0) & (rank <= top))
    order = np.argsort(rank[r, c], kind="stable")
    r, c = r[order], c[order]
    lat = ds["lat"].values[r]
    lon = ds["lon"].values[c]
    data: dict[str, Any] = {"rank": rank[r, c], "lat": lat, "lon": lon}
    countries = datasets.countries()
    admin1 = datasets.admin1()
    l0 = ds["admin0_index"].values[r, c]
    l1 = ds["admin1_index"].values[r, c]
    data["country"] = np.where(l0 >= 0, countries["name"].to_numpy()[np.maximum(l0, 0)], "")
    data["iso_a2"] = np.where(l0 >= 0, countries["iso_a2"].to_numpy()[np.maximum(l0, 0)], "")
    data["admin1"] = np.where(l1 >= 0, admin1["name"].to_numpy()[np.maximum(l1, 0)], "")
    data["admin1_iso"] = np.where(l1 >= 0, admin1["iso_3166_2"].to_numpy()[np.maximum(l1, 0)], "")
    data["score_usd_per_mwh_it"] = ds["score"].values[r, c]
    for v in _SITE_VARS:
        data[v] = ds[v].values[r, c]
    for k, label in enumerate(ds["metro"].values):
        data[f"rtt_ms_{label}"] = ds["rtt_ms"].values[k, r, c]
    df = pd.DataFrame(data)
    return gpd.GeoDataFrame(df, geometry=gpd.points_from_xy(df["lon"], df["lat"]), crs="EPSG:4326")


def _region_table(ds: xr.Dataset, level: str):
    import geopandas as gpd

    from computeatlas.regions import group_stats, layer

    if level not in ("admin0", "admin1"):
        raise InputError(f"level must be 'admin0' or 'admin1', got {level!r}")
    regions = layer(level)
    lab = ds[f"{level}_index"].values
    score = np.where(ds["eligible"].values, ds["cost_usd_per_mwh_it"].values, np.nan)
    res = float(abs(ds["lon"].values[1] - ds["lon"].values[0])) if ds.sizes["lon"] > 1 else 0.25
    area = np.broadcast_to(cell_area_km2(ds["lat"].values, res)[:, None], score.shape)
    stats = group_stats(lab, score, area, len(regions))
    has = np.flatnonzero(np.isfinite(stats["min"]))
    if has.size == 0:
        return gpd.GeoDataFrame({"best_cost_usd_per_mwh_it": []}, geometry=[], crs="EPSG:4326")
    flat = stats["argmin"][has]
    r, c = np.unravel_index(flat, score.shape)
    out = regions.iloc[has].copy()
    out["best_cost_usd_per_mwh_it"] = stats["min"][has]
    out["mean_cost_usd_per_mwh_it"] = stats["mean"][has]
    out["eligible_area_km2"] = stats["weight"][has]
    out["best_lat"] = ds["lat"].values[r]
    out["best_lon"] = ds["lon"].values[c]
    out["best_pue"] = ds["pue"].values[r, c]
    out = out.sort_values(["best_cost_usd_per_mwh_it", "best_lat", "best_lon"], kind="stable")
    return gpd.GeoDataFrame(out.reset_index(drop=True), geometry="geometry", crs="EPSG:4326")
