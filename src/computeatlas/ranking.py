"""``rank_sites`` and ``latency_field``: the grid sampler of the pipeline (no physics of its own).

``rank_sites`` cuts a :class:`~computeatlas.grid.Window` out of the global grid,
runs :func:`computeatlas.pipeline.evaluate` on it, keeps the cells within the
round-trip budget of the demand metros and ranks them by the all-in cost of IT
energy. ``site_report`` runs the same pipeline on points.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import xarray as xr

from computeatlas import constants, schema
from computeatlas.bands import check_draws
from computeatlas.errors import InputError, ResourceError
from computeatlas.grid import Window, cell_area_km2, parse_bbox
from computeatlas.scenario import Scenario, check_number
from computeatlas.schema import REACH_THRESHOLDS_MS

__all__ = ["SiteRanking", "latency_field", "parse_bbox", "rank_sites"]


def available_memory_bytes() -> int:
    """Memory the request may use: ``$COMPUTEATLAS_MAX_MEMORY`` bytes, else 80 % of RAM."""
    env = os.environ.get("COMPUTEATLAS_MAX_MEMORY")
    if env:
        try:
            value = float(env)
        except ValueError as err:
            raise InputError(
                f"COMPUTEATLAS_MAX_MEMORY must be a number of bytes, got {env!r}"
            ) from err
        if not (np.isfinite(value) and value > 0):
            raise InputError(f"COMPUTEATLAS_MAX_MEMORY must be a positive number, got {env!r}")
        return int(value)
    try:
        return int(0.8 * os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES"))
    except (ValueError, OSError, AttributeError):  # pragma: no cover - non-POSIX
        return 16 * 2**30


def _check_memory(
    cells: int,
    metros: int,
    per_cell_floats: int,
    what: str,
    per_metro_floats: int = 0,
    extra_bytes: float = 0.0,
    hint: str = "use a coarser resolution, a smaller bbox, fewer metros, or a dask-backed climate",
) -> None:
    """Refuse a request whose arrays would not fit in memory, before any work."""
    need = 8 * cells * (per_cell_floats + per_metro_floats * metros) + extra_bytes
    have = available_memory_bytes()
    if need > have:
        raise ResourceError(
            f"{what} needs about {need / 2**30:.1f} GiB for {cells:,} cells x {metros:,} "
            f"metros, more than the {have / 2**30:.1f} GiB available; {hint}"
        )


def _resolution(resolution: Any) -> float | None:
    if resolution is None:
        return None
    return check_number("resolution", resolution, minimum=0.0, strict_minimum=True, unit="deg")


def _metro_weights(metros: pd.DataFrame) -> np.ndarray:
    w = metros["weight"].to_numpy(float)
    pop = metros["population"].to_numpy(float)
    out = np.where(np.isfinite(w), w, np.where(np.isfinite(pop), pop, 1.0))
    if not out.sum() > 0:
        raise InputError(
            "demand_metros weights sum to zero; give at least one metro a positive weight"
        )
    return out


def latency_field(
    demand_metros: Any,
    *,
    resolution: float = 0.25,
    bbox: Any = None,
    thresholds_ms: tuple[float, ...] = REACH_THRESHOLDS_MS,
    route: Any = "geographic",
    weight: Any = "population",
    draws: int = 0,
    seed: int = 0,
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
    route : str or Route, default "geographic"
        Fibre route preset.
    weight : str or callable, default "population"
        Demand weight of each metro: ``"population"`` (its own weight where
        given, else its metro-area population, else 1), ``"equal"``, a column
        of your ``demand_metros`` table, or ``f(table) -> weights`` (see
        :func:`computeatlas.demand.resolve_metros`).
    draws : int, default 0
        Paired draws of the route's ``route_factor`` and ``fixed_ms`` over their
        ranges (``presets/uncertainty.toml``): adds ``min_rtt_ms_p05``,
        ``min_rtt_ms_p50`` and ``min_rtt_ms_p95``. A route without ranges is fixed.
    seed : int, default 0
        Seed of the draws (the same route draws as :func:`rank_sites`).

    Returns
    -------
    xarray.Dataset
        ``min_rtt_ms`` [ms] and one ``reachable_population_<t>ms`` per
        threshold (summed weight of the metros within reach), on (lat, lon).
    """
    from computeatlas.demand import resolve_metros
    from computeatlas.models import latency, serialised_kernels

    scenario = Scenario.build(route=route)
    n_draws, seed = check_draws(draws, seed)
    thresholds = _thresholds(thresholds_ms)
    metros = resolve_metros(demand_metros, weight=weight)
    weights = _metro_weights(metros)
    window = Window.from_bbox(bbox, _resolution(resolution))
    per_cell, kernel = _latency_memory_terms(window, len(thresholds), scenario.route.geographic)
    _check_memory(window.size, len(metros), per_cell, "latency_field", extra_bytes=kernel)
    mlat, mlon = metros["lat"].to_numpy(float), metros["lon"].to_numpy(float)
    radii = [float(latency.service_radius_km(t, route=scenario.route)) for t in thresholds]
    with serialised_kernels():  # thread-safe under numba's workqueue layer too
        reach, nearest = _latency_arrays(window, mlat, mlon, weights, radii, scenario)
    ds = xr.Dataset(coords=window.coords())
    ds["min_rtt_ms"] = (
        ("lat", "lon"),
        nearest,
        {"long_name": "round-trip time to the nearest demand metro", "units": "ms"},
    )
    for k, t in enumerate(thresholds):
        ds[schema.reach_name(t)] = (
            ("lat", "lon"),
            reach[k],
            {"long_name": f"demand weight within {t:g} ms round trip", "units": "1"},
        )
    rt = scenario.route
    ds.attrs = {
        "route": rt.name,
        "route_factor": rt.route_factor,
        "fixed_ms": rt.fixed_ms,
        "access_ms": rt.floor_ms,
        "ramp_km": rt.ramp_km,
        "route_geographic": int(rt.geographic),
        "n_metros": len(metros),
    }
    if n_draws:
        _rtt_bands(ds, scenario, n_draws, seed)
    return ds


def _rtt_bands(ds: xr.Dataset, scenario: Scenario, n: int, seed: int) -> None:
    """``min_rtt_ms`` percentiles over paired route draws, in place (cells in chunks).

    The nearest metro is the same in every draw (the RTT grows with distance for
    any route), so each draw's RTT is that of the nearest metro's distance
    (recovered from ``min_rtt_ms``) under the draw's route factor and fixed part.
    """
    from computeatlas.models import latency, uncertainty

    rt = scenario.route
    dr = uncertainty.sample(
        scenario.technology, scenario.ashrae, rt, scenario.heat_price, n=n, seed=seed
    )
    x = latency.distance_for_rtt_km(ds["min_rtt_ms"].values.reshape(-1), route=rt)
    out = {k: np.empty(x.size) for k in ("p05", "p50", "p95")}
    step = max(1, 2**22 // n)
    for i in range(0, x.size, step):
        rtt = latency.rtt_from_km(
            x[i : i + step, None],
            route=rt,
            route_factor=dr.route_factor[None, :],
            fixed_ms=dr.fixed_ms[None, :],
        )
        for key, q in uncertainty.band(rtt, axis=1).items():
            out[key][i : i + step] = q
    for key, q in out.items():
        ds[f"min_rtt_ms_{key}"] = (
            ("lat", "lon"),
            q.reshape(ds["min_rtt_ms"].shape),
            {
                "long_name": f"round-trip time to the nearest metro, {key} over the draws",
                "units": "ms",
            },
        )
    ds.attrs.update({"draws": n, "seed": seed})


def _latency_arrays(
    window: Window,
    mlat: np.ndarray,
    mlon: np.ndarray,
    weights: np.ndarray,
    radii: list[float],
    scenario: Scenario,
) -> tuple[np.ndarray, np.ndarray]:
    """Demand weight within each radius and RTT to the nearest metro on a grid window."""
    from computeatlas.models import latency

    grid = window.grid
    reach = latency.weight_within_km(
        window.lat,
        window.lon,
        mlat,
        mlon,
        weights,
        radii,
        grid=(float(grid.lon[0]), float(grid.resolution), grid.nlon, window.cols),
        geographic=scenario.route.geographic,
    )
    nearest = latency.nearest_rtt_ms(window.lat, window.lon, mlat, mlon, route=scenario.route)
    return reach, nearest


def _thresholds(thresholds_ms: Any) -> tuple[float, ...]:
    if isinstance(thresholds_ms, (str, bytes)) or not hasattr(thresholds_ms, "__iter__"):
        raise InputError(
            f"thresholds_ms must be a sequence of positive numbers [ms], got {thresholds_ms!r}"
        )
    values = tuple(
        check_number("thresholds_ms", t, minimum=0.0, strict_minimum=True, unit="ms")
        for t in thresholds_ms
    )
    names = [schema.reach_name(t) for t in values]
    if not values or len(set(names)) != len(names):
        raise InputError(
            "thresholds_ms must be non-empty and distinct at the printed precision "
            f"(variables {names}), got {thresholds_ms!r}"
        )
    return values


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
    _regions: Any = field(default=None, repr=False)
    _sites: Any = field(default=None, repr=False)

    @property
    def sites(self) -> Any:
        """GeoDataFrame of the best eligible cells, cheapest first (deterministic ties).

        ``china_border_metros`` counts the demand metros across mainland China's
        border from each site: their round trips are lower bounds
        (:func:`computeatlas.models.latency.crosses_mainland_china_border`).
        """
        if self._sites is None:
            self._sites = _best_sites(self.grid, self.top, self._regions, self.metros)
        return self._sites.copy()

    def regions(self, level: Any = "admin0", *, name: str | None = None) -> Any:
        """Aggregate the ranking per country, province/state or region of your own.

        Parameters
        ----------
        level : {"admin0", "admin1"} or geopandas.GeoDataFrame, default "admin0"
            Region layer: countries, provinces/states, or your polygons (grid-operator
            zones, utility territories, counties; any CRS, reprojected to EPSG:4326;
            :func:`computeatlas.datasets.read_regions` output plugs in). A cell belongs
            to the polygon containing its centre; polygons crossing 180 deg are split.
        name : str, optional
            Column of your layer holding the region names (default ``name``); the
            output's ``name`` column holds them. Only with a GeoDataFrame.

        Returns
        -------
        geopandas.GeoDataFrame
            One row per region with eligible cells: ``best_cost_usd_per_mwh_it``,
            ``mean_cost_usd_per_mwh_it`` (area-weighted over eligible cells),
            ``eligible_area_km2``, ``best_lat``/``best_lon``, region names and geometry,
            and the price provenance of the best cell (``priced_by``,
            ``price_source``, ``price_region_code``, ``price_year``,
            ``price_basis``, ``price_flags``, ``price_citation``); sorted by best cost.
        """
        return _region_table(self.grid, level, self._regions, name)

    def to_geojson(self, path: str | os.PathLike[str], *, what: str = "sites") -> Any:
        """Write the sites (or ``regions_admin0``/``regions_admin1``) as GeoJSON + QGIS style."""
        from computeatlas import export

        gdf = self._table(what)
        return export.to_geojson(
            gdf,
            path,
            style_column=_style_column(what),
            style_label="cost of IT energy [USD/MWh_IT]",
        )

    def to_gpkg(
        self, path: str | os.PathLike[str], *, what: str | tuple[str, ...] | None = None
    ) -> Any:
        """Write the QGIS GeoPackage: every layer with its default style embedded.

        Parameters
        ----------
        path : str or os.PathLike
            Output file, e.g. ``"atlas.gpkg"``; replaced as a whole.
        what : str or tuple of str, optional
            Only these layers (e.g. ``"sites"``); default all of
            :data:`computeatlas.export.atlas.LAYERS`: ``sites`` (best ``top``),
            ``metros``, ``service_areas`` (each metro's max-RTT disc),
            ``cells`` (every eligible cell as a polygon with all grid
            variables), ``regions_admin1`` and ``regions_admin0``.

        Returns
        -------
        pathlib.Path
            The GeoPackage written (see :func:`computeatlas.export.to_qgis_gpkg`).
        """
        from computeatlas import export
        from computeatlas.export import atlas

        names = atlas.LAYERS if what is None else ((what,) if isinstance(what, str) else what)
        layers = atlas.ranking_layers(self, tuple(names), cell_regions=self._regions)
        return export.to_qgis_gpkg(
            layers, path, atlas.default_styles(layers), geometry_types=atlas.GEOMETRY_TYPES
        )

    def to_parquet(self, path: str | os.PathLike[str], *, what: str = "sites") -> Any:
        """Write the sites (or a region table) as GeoParquet."""
        from computeatlas import export

        return export.to_parquet(self._table(what), path)

    def to_geotiff(
        self,
        path: str | os.PathLike[str],
        variables: str | tuple[str, ...] = ("score_usd_per_mwh_it", "pue", "cost_usd_per_mwh_it"),
    ) -> Any:
        """Write grid variables (a name or a sequence of names) as a multi-band GeoTIFF."""
        from computeatlas import export

        return export.to_geotiff(self.grid, path, variables)  # a str is one variable

    def _table(self, what: str) -> Any:
        if what == "sites":
            return self.sites
        if what in ("regions_admin0", "regions_admin1"):
            return self.regions(what.split("_")[1])
        raise InputError(
            f"what must be 'sites', 'regions_admin0' or 'regions_admin1', got {what!r}"
        )

    def explore(self, what: str = "sites", **kwargs: Any) -> Any:
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

    def plot(self, variable: str = "score_usd_per_mwh_it", ax: Any = None, **kwargs: Any) -> Any:
        """Draw a map of a grid variable with its context (needs matplotlib).

        Title (long name, units, scenario), the variable over eligible cells,
        ineligible land grey, demand metros, best sites, max-RTT boundaries;
        ``eligible``, ``rank`` and ``priced_by`` as classes with a legend;
        ``rtt_ms`` needs ``metro=``.

        Parameters
        ----------
        variable : str, default "score_usd_per_mwh_it"
            A (lat, lon) variable of :attr:`grid`, or ``rtt_ms`` with ``metro=``.
        ax : matplotlib.axes.Axes, optional
            Axes to draw on; a new figure when omitted.
        **kwargs
            ``metro``, ``where``, ``sites``, ``boundary`` and pcolormesh options
            (see :func:`computeatlas.plot.plot_ranking`).

        Returns
        -------
        matplotlib.axes.Axes
        """
        from computeatlas.plot import plot_ranking

        return plot_ranking(self, variable, ax=ax, **kwargs)

    def supply_curve(self, **kwargs: Any) -> Any:
        """Eligible area (and MW) against cost, cheapest first.

        Parameters
        ----------
        **kwargs
            ``mw_per_km2``, ``capacity_mw`` or ``cost`` (see
            :func:`computeatlas.plot.supply_curve`).

        Returns
        -------
        pandas.DataFrame
            One row per eligible cell sorted by cost, with cumulative area [km^2]
            (and capacity [MW]).
        """
        from computeatlas.plot import supply_curve

        return supply_curve(self, **kwargs)


def _plot_longitudes(lon: np.ndarray, resolution: float) -> tuple[np.ndarray, np.ndarray]:
    """Longitudes to draw (continuous across the antimeridian) and the column order.

    A window across the antimeridian holds two runs, ``-180..east`` and
    ``west..180``; it is drawn as ``west..east + 360`` so that it is one block.
    """
    lon = np.asarray(lon, dtype=float)
    gaps = np.flatnonzero(np.diff(lon) > 1.5 * resolution)
    if gaps.size == 0 or lon.size < 2:
        return lon, np.arange(lon.size)
    cut = int(gaps[-1]) + 1  # the first column of the western run
    order = np.concatenate([np.arange(cut, lon.size), np.arange(cut)])
    return np.concatenate([lon[cut:], lon[:cut] + 360.0]), order


def _style_column(what: str) -> str:
    return "cost_usd_per_mwh_it" if what == "sites" else "best_cost_usd_per_mwh_it"


def rank_sites(
    bbox: Any,
    demand_metros: Any,
    *,
    max_rtt_ms: float = 50.0,
    mode: str = "all",
    min_share: float = 1.0,
    technology: Any = "air_side_fleet",
    ashrae_class: Any = "A1",
    heat_price: Any = "donated",
    route: Any = "geographic",
    energy_per_token: Any = "h100_8b_batch64",
    carbon_price_usd_per_t: float = 0.0,
    prices: pd.DataFrame | None = None,
    prices_mode: str = "overlay",
    climate: xr.Dataset | None = None,
    resolution: float | None = None,
    top: int = 100,
    it_mw: float = 100.0,
    band_rows: int | None = None,
    weight: Any = "population",
    heat_pump: str = "industrial",
    draws: int = 0,
    seed: int = 0,
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
        Every metro within ``max_rtt_ms``, or (``share``) metros holding at least
        ``min_share`` of the demand weight.
    min_share : float, default 1.0
        Required share of demand weight in ``share`` mode, in (0, 1].
    technology, ashrae_class, heat_price, route, energy_per_token, heat_pump
        Presets (:mod:`computeatlas.presets`) or values; ``heat_pump``: COP model.
    carbon_price_usd_per_t : float, default 0
        Carbon price [USD/tCO2] added to the score via grid carbon intensity.
    prices : DataFrame, optional
        Your price table (:func:`computeatlas.datasets.read_price_table`); other
        currencies are converted at the shipped annual rate of the row's year.
    prices_mode : {"overlay", "replace"}, default "overlay"
        Your rows replace the shipped rows of their regions, or (``replace``) the
        whole table (:func:`computeatlas.datasets.price_table`).
    climate : xarray.Dataset, optional
        Hourly ERA5 (``t2m``, ``d2m``) or a monthly climatology on any regular grid
        (units by their ``units`` attribute), regridded onto the cells by conservative
        means unless on them already (docs/data.md); default the shipped one.
    resolution : float, optional
        Grid resolution [deg], default 0.25; shipped layers take their nearest 0.25 deg cell.
    top : int, default 100
        Number of best cells in :attr:`SiteRanking.sites`.
    it_mw : float, default 100
        IT load [MW] used to size the heat offered to district heating.
    band_rows : int, optional
        Evaluate the grid in bands of this many rows as dask tasks, on dask's
        current scheduler (e.g. a ``dask.distributed`` client you created).
    weight : str or callable, default "population"
        ``"population"`` (metro-area population), ``"equal"``, a column of your
        table or ``f(table) -> weights`` (:func:`computeatlas.demand.resolve_metros`).
    draws, seed : int, default 0
        Paired Monte Carlo draws and their seed (docs/uncertainty.md): adds
        ``_p05``/``_p50``/``_p95`` bands, ``p_top`` and, in :meth:`SiteRanking.regions`,
        ``p_best``; the rank stays that of the point estimate.

    Returns
    -------
    SiteRanking

    Notes
    -----
    ``score = price x PUE - heat_credit + carbon_price x intensity x PUE / 1000`` [USD/MWh_IT]
    (:func:`computeatlas.models.cost_usd_per_mwh_it`); rank 1 is the cheapest eligible cell
    (ties: docs/ranking.md); a cell lacking an input is not ranked; a warning names the
    countries when fallbacks price > 10 % of the eligible area (docs/pipeline.md). Thread-safe.
    """
    from computeatlas.datasets import price_table
    from computeatlas.demand import resolve_metros

    scenario = Scenario.build(**{k: v for k, v in locals().items() if k in Scenario.OPTIONS})
    budget, share, n_top = _ranking_options(max_rtt_ms, mode, min_share, top)
    n_draws, seed = check_draws(draws, seed, climate=climate)
    table = price_table(prices, prices_mode)
    window = Window.from_bbox(bbox, _resolution(resolution))
    metros = resolve_metros(demand_metros, weight=weight)
    weights = _metro_weights(metros)
    _check_rank_memory(window, len(metros), _band_rows(band_rows), n_draws)
    kwargs = dict(metros=metros, weights=weights, prices=table, budget_ms=budget)
    kwargs["count_within"] = mode == "all"  # share mode needs the weight within only
    ev = _evaluate(window, scenario, climate, _band_rows(band_rows), kwargs, n_draws > 0)
    rule = {"budget_ms": budget, "mode": mode, "min_share": share, "top": n_top}
    inputs = _input_attrs(prices, prices_mode, weight, ev.layers.climate)
    return _ranking(window, ev, scenario, metros, weights, rule, inputs, (n_draws, seed))


def _ranking(
    window: Window,
    ev: Any,
    scenario: Scenario,
    metros: pd.DataFrame,
    weights: np.ndarray,
    rule: dict[str, Any],
    inputs: dict[str, str],
    draws: tuple[int, int],
) -> SiteRanking:
    """Eligibility, rank, the grid dataset (with bands when drawn) and its attributes."""
    budget, mode, share = rule["budget_ms"], rule["mode"], rule["min_share"]
    score = ev.values["score_usd_per_mwh_it"]
    eligible = _eligible(ev, weights, mode, share) & np.isfinite(score)
    rank = _rank(window, ev, eligible, metros, weights, scenario)
    ds = _grid_dataset(window, ev, metros, eligible, rank)
    if draws[0]:
        _add_draws(ds, ev, scenario, metros, weights, rank, n=draws[0], seed=draws[1], rule=rule)
    attrs = _ranking_attrs(window, scenario, ev, metros, budget, mode, share)
    ds.attrs = {**attrs, **ds.attrs, **inputs}
    _warn_fallback(window, ev.layers.regions, eligible)
    ds["eligible"].attrs["long_name"] = f"within {budget:g} ms ({mode}) and priced land"
    return SiteRanking(grid=ds, metros=metros, top=rule["top"], _regions=ev.layers.regions)


#: Share of the eligible area priced by a fallback median above which rank_sites warns.
FALLBACK_WARN_SHARE = 0.10


def fallback_message(window: Window, regions: Any, eligible: np.ndarray) -> str | None:
    """Say when fallbacks price too much of the eligible area (None otherwise).

    Parameters
    ----------
    window : Window
        The ranking grid.
    regions : computeatlas.regions.Resolved
        Regions and price provenance of its cells.
    eligible : numpy.ndarray of bool
        Eligible cells (lat, lon).

    Returns
    -------
    str or None
        Share of the eligible area [%] priced by ``fallback:*`` and the countries, by area.
    """
    r, c = np.nonzero(eligible)
    if not r.size:
        return None
    cols = regions.columns((r, c))
    area = cell_area_km2(window.lat[r], window.grid.resolution)
    fallback = cols["priced_by"] == "fallback"
    share = float(area[fallback].sum() / area.sum())
    if share <= FALLBACK_WARN_SHARE:
        return None
    by_country = pd.Series(area[fallback]).groupby(cols["country"][fallback]).sum()
    names = ", ".join(by_country.sort_values(ascending=False, kind="stable").index.astype(str))
    return (
        f"{100 * share:.0f} % of the eligible area is priced by a fallback median "
        f"(no price row for the region or its country): {names}. Pass prices=... "
        "with rows for them, or read the price_source/price_flags columns."
    )


def _warn_fallback(window: Window, regions: Any, eligible: np.ndarray) -> None:
    import warnings

    from computeatlas.errors import ComputeAtlasWarning

    message = fallback_message(window, regions, eligible)
    if message:
        warnings.warn(message, ComputeAtlasWarning, stacklevel=4)


def _band_rows(band_rows: Any) -> int | None:
    if band_rows is None:
        return None
    return int(check_number("band_rows", band_rows, minimum=1.0, integer=True))


def _evaluate(
    window: Window,
    scenario: Scenario,
    climate: Any,
    band_rows: int | None,
    kwargs: Any,
    keep_climate: bool = False,
) -> Any:
    from computeatlas.pipeline import evaluate, evaluate_bands

    if band_rows is None:
        return evaluate(window, scenario, climate=climate, **kwargs)
    return evaluate_bands(  # the draws read the climate after the bands
        window, scenario, band_rows=band_rows, climate=climate, keep_climate=keep_climate, **kwargs
    )


def _eligible(ev: Any, weights: np.ndarray, mode: str, share: float) -> np.ndarray:
    from computeatlas.models import latency

    return latency.eligible_by_reach(
        ev.within_count,  # None in share mode, which reads the weight only
        ev.within_weight,
        weights,
        mode=mode,
        min_share=share,
    )


def _check_rank_memory(
    window: Window, n_metros: int, band_rows: int | None = None, draws: int = 0
) -> None:
    """Refuse a ranking that would not fit, counting what the pipeline allocates.

    With ``draws``, :data:`DRAW_FLOATS_PER_CELL` float64 per cell and draw come on top.
    """
    cells, per_cell, per_metro, extra = _rank_memory_terms(window, n_metros, band_rows)
    extra += 8.0 * DRAW_FLOATS_PER_CELL * window.size * draws
    if draws and band_rows is not None:
        extra += 8.0 * BAND_CLIMATE_FLOATS_PER_CELL * window.size
    kw: dict[str, Any] = {"per_metro_floats": per_metro, "extra_bytes": extra}
    if draws:
        kw["hint"] = "use fewer draws, a coarser resolution or a smaller bbox"
    _check_memory(cells, n_metros, per_cell, "rank_sites", **kw)


def _reach_columns(window: Window) -> int:
    """Columns per row the reach kernel fills for a window (its own run, or the circle)."""
    from computeatlas.models.latency import reach_span

    span = reach_span(window.cols)
    return window.grid.nlon if span is None else span.stop - span.start


def _latency_kernel_bytes(window: Window, n_thresholds: int) -> float:
    """Bytes of the reach kernel's arrays beyond the window's outputs.

    On a window of consecutive columns the kernel's arrays are the reach outputs
    themselves (counted per cell); across the antimeridian it fills the full circle of
    every row, per threshold, on top of the window's cut.
    """
    from computeatlas.models.latency import reach_span

    if reach_span(window.cols) is not None:
        return 0.0  # the kernel's arrays are returned as the outputs, uncopied
    return 8.0 * n_thresholds * window.lat.size * window.grid.nlon


#: Extra float64 per cell of a geographic route's field: the zone grid, the nearest
#: through hubs and the per-block temporaries of the reach (measured 1.0-1.4 in
#: ``benchmarks/bench_ranking.py`` at 0.25 and 0.1 deg with every metro, since the reach
#: through hubs is added in place; 2.2-2.5 before).
GEOGRAPHIC_FLOATS_PER_CELL = 2


def latency_memory_bytes(
    window: Window, n_thresholds: int = len(REACH_THRESHOLDS_MS), geographic: bool = False
) -> float:
    """Memory [bytes] the guard of :func:`latency_field` estimates a field needs.

    Parameters
    ----------
    window : Window
        The field's grid.
    n_thresholds : int, default 2
        Number of round-trip thresholds.
    geographic : bool, default False
        Whether the route follows corridor paths (the default route does).

    Returns
    -------
    float
        ``3 + n_thresholds`` float64 per cell (outputs and the nearest-metro search),
        :data:`GEOGRAPHIC_FLOATS_PER_CELL` more for a geographic route, plus, on a
        window across the antimeridian, the reach kernel's arrays
        (``n_thresholds`` x rows x the full circle of columns); nothing grows with the
        number of metros. Measured within 30 % of the peak RSS increment on the
        benchmark cases (``benchmarks/bench_ranking.py``).
    """
    per_cell, kernel = _latency_memory_terms(window, n_thresholds, geographic)
    return 8.0 * window.size * per_cell + kernel


def _latency_memory_terms(window: Window, n_thresholds: int, geographic: bool) -> tuple[int, float]:
    """Float64 per cell and the reach kernel's extra bytes of a latency field (the guard's)."""
    per_cell = 3 + n_thresholds + (GEOGRAPHIC_FLOATS_PER_CELL if geographic else 0)
    return per_cell, _latency_kernel_bytes(window, n_thresholds)


def rank_memory_bytes(window: Window, n_metros: int, band_rows: int | None = None) -> float:
    """Memory [bytes] the guard of :func:`rank_sites` estimates a ranking needs.

    Parameters
    ----------
    window : Window
        The ranking grid.
    n_metros : int
        Number of demand metros.
    band_rows : int, optional
        Rows per band of the block-wise path (``rank_sites(..., band_rows=)``).

    Returns
    -------
    float
        In memory: :data:`RANK_FLOATS_PER_CELL` float64 per cell, two per cell and
        metro while per-metro fields are kept, the reach kernel's difference arrays,
        the region labels and the whole shipped layers of a large window. In bands:
        the joined result in this process (:data:`BAND_RESULT_FLOATS_PER_CELL` per
        cell, one per cell and metro while per-metro fields are kept), plus, without a
        ``dask.distributed`` client, the in-memory cost of one band for each band that
        may run at once on the local threads (one per CPU core). With a client the
        bands run on its workers; :func:`rank_sites` refuses a band larger than the
        smallest worker's memory limit.
    """
    cells, per_cell, per_metro, extra = _rank_memory_terms(window, n_metros, band_rows)
    return 8.0 * cells * (per_cell + per_metro * n_metros) + extra


def _rank_memory_terms(
    window: Window, n_metros: int, band_rows: int | None
) -> tuple[int, int, int, float]:
    """(cells, floats per cell, floats per cell and metro, extra bytes) of the estimate."""
    from computeatlas.inputs import shipped_bytes
    from computeatlas.pipeline import MAX_METRO_FIELDS
    from computeatlas.regions import label_bytes

    fields = n_metros <= MAX_METRO_FIELDS
    nrow = window.lat.size
    if band_rows is not None and band_rows < nrow and window.is_grid:
        one = rank_memory_bytes(window.row_band(0, band_rows), n_metros)
        limit = _worker_memory_limit()
        if limit is None:  # no dask.distributed client: the bands run in this process
            at_once = min(-(-nrow // band_rows), os.cpu_count() or 1)
            return window.size, BAND_RESULT_FLOATS_PER_CELL, 1 if fields else 0, at_once * one
        if limit and one > limit:
            raise ResourceError(
                f"rank_sites: one band of band_rows={band_rows} rows needs about "
                f"{one / 2**30:.1f} GiB, more than the {limit / 2**30:.1f} GiB memory limit "
                "of the smallest dask worker; use a smaller band_rows"
            )
        return window.size, BAND_RESULT_FLOATS_PER_CELL, 1 if fields else 0, 0.0
    # Per cell (RANK_FLOATS_PER_CELL); two per metro (angle, RTT) when per-metro fields
    # are kept; the reach kernel's (5 radii x rows x its columns) difference arrays; the
    # region labels; the whole shipped layers for a large window.
    kernel = 8.0 * 5 * nrow * _reach_columns(window)
    extra = kernel + label_bytes(window) + shipped_bytes(window) + _cache_bytes(window)
    return window.size, RANK_FLOATS_PER_CELL, 2 if fields else 0, extra


#: float64 per cell that the climate-only cache (computeatlas._cache) keeps of a large
#: window: the 8 cooling outputs and the heating-season share.
CACHE_FLOATS_PER_CELL = 9


def _cache_bytes(window: Window) -> float:
    """Bytes the climate-only cache adds for a window (0 for a window it does not keep)."""
    from computeatlas import _cache
    from computeatlas.inputs import whole_layers

    if not (_cache.enabled() and whole_layers(window)):
        return 0.0
    return 8.0 * CACHE_FLOATS_PER_CELL * window.size


def _worker_memory_limit() -> float | None:
    """Smallest memory limit [bytes] of the current dask.distributed client's workers.

    None without a client (nothing is imported or started here); 0 when the workers
    have no limit.
    """
    from computeatlas.pipeline import dask_client

    client = dask_client()
    if client is None:
        return None
    limits = [w.get("memory_limit") or 0 for w in client.scheduler_info()["workers"].values()]
    limited = [x for x in limits if x > 0]
    return float(min(limited)) if limited else 0.0


#: float64 arrays per cell that a ranking holds at its peak (layers, 216-sample cooling
#: intermediates in blocks, outputs, dataset), measured: world at 0.25 and 0.1 deg peak
#: within 10 % of the estimate (benchmarks/bench_ranking.py prints both).
RANK_FLOATS_PER_CELL = 70

#: float64 arrays per cell that the caller of a banded ranking holds at its peak: the
#: joined evaluation (2 layer, 23 output and 5 region/reach arrays; the 27 climate arrays
#: are dropped after the bands unless draws need them), the grid dataset and the
#: ranking's temporaries; the bands' cooling intermediates stay in the bands.
BAND_RESULT_FLOATS_PER_CELL = 45
#: Climate arrays per cell (12 monthly means, 15 dew-point quantiles) a banded ranking
#: keeps for its draws.
BAND_CLIMATE_FLOATS_PER_CELL = 27

#: float64 (cells x draws) arrays the Monte Carlo path holds at its peak: PUE, price
#: factor, price, heat credit, cost, cost per token, score, reach chunk, percentiles.
DRAW_FLOATS_PER_CELL = 10


def _ranking_options(
    max_rtt_ms: Any, mode: Any, min_share: Any, top: Any
) -> tuple[float, float, int]:
    budget = check_number("max_rtt_ms", max_rtt_ms, minimum=0.0, strict_minimum=True, unit="ms")
    if mode not in ("all", "share"):
        raise InputError(f"mode must be 'all' or 'share', got {mode!r}")
    share = check_number("min_share", min_share, minimum=0.0, strict_minimum=True, maximum=1.0)
    return budget, share, int(check_number("top", top, minimum=1.0, integer=True))


def _input_attrs(prices: Any, prices_mode: str, weight: Any, climate: Any) -> dict[str, str]:
    """Provenance of the user inputs; ``climate`` is the user climate as the cells got it."""
    out = {
        "prices": "computeatlas default" if prices is None else f"user, {prices_mode}",
        "demand_weight": weight if isinstance(weight, str) else "user callable",
        "climate": "user input" if climate is not None else "ERA5 2000-2025 climatology",
    }
    if climate is not None:
        out["climate_regrid"] = climate.attrs.get("regrid", "none (on the cells)")
    return out


def _ranking_attrs(
    window: Window,
    scenario: Scenario,
    ev: Any,
    metros: pd.DataFrame,
    budget: float,
    mode: str,
    share: float,
) -> dict[str, Any]:
    return {
        "title": "computeatlas site ranking",
        "bbox": "world" if window.bbox is None else ",".join(f"{v:g}" for v in window.bbox),
        "resolution_deg": float(window.grid.resolution),
        "max_rtt_ms": budget,
        "mode": mode,
        "min_share": share,
        **scenario.attrs(),
        "cooling_input_path": ev.cooling_path,
        "metros": "; ".join(metros["name"]),
        "Conventions": "CF-1.8",
    }


def _grid_dataset(
    window: Window, ev: Any, metros: pd.DataFrame, eligible: np.ndarray, rank: np.ndarray
) -> xr.Dataset:
    """Build the ranking grid: schema variables, RTTs, eligibility, rank and labels."""
    dims = ("lat", "lon")
    ds = xr.Dataset(coords=window.coords())
    ds = ds.assign_coords(
        metro=("metro", metros["label"].to_numpy(str)),
        metro_name=("metro", metros["name"].to_numpy(str)),
    )
    for var in schema.for_output("grid"):
        ds[var.name] = (dims, ev.values[var.name], schema.attrs(var.name))
    if ev.rtt_ms is not None:
        ds["rtt_ms"] = (
            ("metro", "lat", "lon"),
            ev.rtt_ms,
            {"long_name": "fibre round-trip time to each demand metro", "units": "ms"},
        )
    ds["eligible"] = (dims, eligible, {"long_name": "within the budget and priced land"})
    ds["rank"] = (
        dims,
        rank,
        {"long_name": "rank among eligible cells (1 = best)", "units": "1", "_FillValue": 0},
    )
    reg = ev.layers.regions
    ds["admin0_index"] = (dims, reg.admin0)
    ds["admin1_index"] = (dims, reg.admin1)
    ds["priced_by"] = (
        dims,
        reg.priced_by,
        {
            "long_name": "which region's price row applies",
            "flag_values": np.arange(3, dtype=np.int8),
            "flag_meanings": "none admin1 admin0",
        },
    )
    return ds


#: Costs equal to this step [USD/MWh_IT] are ties, ordered by what else matters.
TIE_STEP_USD_PER_MWH = constants.TIE_STEP_USD_PER_MWH


def _rank(
    window: Window,
    ev: Any,
    eligible: np.ndarray,
    metros: pd.DataFrame,
    weights: np.ndarray,
    scenario: Scenario,
) -> np.ndarray:
    """Rank eligible cells by cost to the cent, then by what else matters.

    Ties on cost are ordered by lower demand-weighted RTT, then larger reachable
    demand within the budget, then latitude and longitude (deterministic). Also
    fills ``rtt_mean_ms`` of the ranked cells in ``ev.values``.
    """
    from computeatlas.models import latency
    from computeatlas.models import serialised_kernels as latency_lock

    score = ev.values["score_usd_per_mwh_it"]
    rank = np.zeros(score.shape, dtype=np.int32)
    r, c = np.nonzero(eligible)
    if not r.size:
        return rank
    with latency_lock():
        mean_rtt = latency.mean_rtt_ms(
            window.lat[r],
            window.lon[c],
            metros["lat"],
            metros["lon"],
            weights,
            route=scenario.route,
        )
    ev.values["rtt_mean_ms"][r, c] = mean_rtt
    # the score in whole tie steps, from the fused scoring kernel (models.energy.site_scores)
    cents = np.asarray(ev.tie_key)[r, c]
    reach = np.asarray(ev.within_weight)[r, c]
    order = np.lexsort((window.lon[c], window.lat[r], -reach, mean_rtt, cents))
    rank[r[order], c[order]] = np.arange(1, r.size + 1, dtype=np.int32)
    return rank


def _add_draws(
    ds: xr.Dataset,
    ev: Any,
    scenario: Scenario,
    metros: pd.DataFrame,
    weights: np.ndarray,
    rank: np.ndarray,
    *,
    n: int,
    seed: int,
    rule: dict[str, Any],
) -> None:
    """Bands, ``p_top`` and the cheapest cell of every draw, added to the ranking grid.

    ``rule`` holds the ranking's ``budget_ms``, ``mode``, ``min_share`` and ``top``.
    """
    from computeatlas.bands import evaluate_draws
    from computeatlas.models.uncertainty import top_shares

    de = evaluate_draws(
        ev,
        scenario,
        n=n,
        seed=seed,
        metros=metros,
        weights=weights,
        budget_ms=rule["budget_ms"],
        mode=rule["mode"],
        min_share=rule["min_share"],
    )
    dims = ("lat", "lon")
    for name, values in de.bands().items():
        ds[name] = (dims, values, schema.attrs(name))
    point_rank = rank.reshape(-1)[de.index].astype(float)
    tiebreak = np.where(point_rank > 0, point_rank, np.inf)
    p_top, best = top_shares(
        de.values["score_usd_per_mwh_it"], de.eligible, top=rule["top"], tiebreak=tiebreak
    )
    full = np.zeros(rank.size)
    full[de.index] = p_top
    ds["p_top"] = (dims, full.reshape(rank.shape), schema.attrs("p_top"))
    flat = np.where(best >= 0, de.index[np.maximum(best, 0)], -1)
    ds["best_cell_by_draw"] = (
        ("draw",),
        flat.astype(np.int64),
        {"long_name": "flat (lat, lon) index of the cheapest eligible cell of each draw; -1 none"},
    )
    ds.attrs.update(
        {"draws": n, "seed": seed, "draws_source": "presets/uncertainty.toml (docs/uncertainty.md)"}
    )


def _best_sites(ds: xr.Dataset, top: int, regions: Any, metros: pd.DataFrame) -> Any:
    import geopandas as gpd

    from computeatlas.site import _china_border_metros

    rank = ds["rank"].values
    r, c = np.nonzero((rank > 0) & (rank <= top))
    order = np.argsort(rank[r, c], kind="stable")
    r, c = r[order], c[order]
    data: dict[str, Any] = {
        "rank": rank[r, c],
        "lat": ds["lat"].values[r],
        "lon": ds["lon"].values[c],
    }
    data.update(regions.columns((r, c)))
    for var in schema.for_output("sites", draws=ds.attrs.get("draws", 0) > 0):
        data[var.name] = ds[var.name].values[r, c]
    if "rtt_ms" in ds:
        for k, label in enumerate(ds["metro"].values):
            data[f"rtt_ms_{label}"] = ds["rtt_ms"].values[k, r, c]
    if metros is not None and len(metros) and r.size:
        data["china_border_metros"] = _china_border_metros(
            np.asarray(data["iso_a2"], dtype=str), metros, warn=False
        )
    df = pd.DataFrame(data)
    return gpd.GeoDataFrame(df, geometry=gpd.points_from_xy(df["lon"], df["lat"]), crs="EPSG:4326")


def _grid_resolution(ds: xr.Dataset) -> float:
    """Return the window's grid spacing [deg], as recorded by :func:`rank_sites`.

    Never guessed from neighbouring longitudes: a window across the antimeridian
    jumps by ~360 deg between its two runs, and a single column has no neighbour.
    """
    res = ds.attrs.get("resolution_deg")
    if res is None:
        raise InputError(
            "the ranking grid has no 'resolution_deg' attribute; regions() needs the grid "
            "spacing (keep SiteRanking.grid.attrs as rank_sites wrote them)"
        )
    return float(res)


#: Price provenance columns carried by region rows (those of ``Resolved.columns``).
_PROVENANCE = (
    "priced_by",
    "price_source",
    "price_region_code",
    "price_year",
    "price_basis",
    "price_flags",
    "price_citation",
)


def _region_labels(ds: xr.Dataset, level: Any, name: str | None) -> tuple[Any, np.ndarray]:
    """Return the region layer and the region index of every cell of the ranking grid."""
    from computeatlas import regions
    from computeatlas.grid import GridSpec

    if isinstance(level, str):
        if level not in ("admin0", "admin1"):
            raise InputError(
                f"level must be 'admin0', 'admin1' or a GeoDataFrame of regions, got {level!r}"
            )
        if name is not None:
            raise InputError("name applies to your own region layer (a GeoDataFrame level)")
        return regions.layer(level), ds[f"{level}_index"].values
    key = regions.user_layer(level, name=name)
    grid = GridSpec(_grid_resolution(ds))
    rows, _ = grid.nearest_index(ds["lat"].values, np.zeros(ds.sizes["lat"]))
    _, cols = grid.nearest_index(np.zeros(ds.sizes["lon"]), ds["lon"].values)
    return regions.layer(key), regions.labels(grid, key, rows, cols)


def _region_table(ds: xr.Dataset, level: Any, resolved: Any = None, name: Any = None) -> Any:
    import geopandas as gpd

    from computeatlas.models.aggregate import group_stats

    regions, lab = _region_labels(ds, level, name)
    score = np.where(ds["eligible"].values, ds["cost_usd_per_mwh_it"].values, np.nan)
    res = _grid_resolution(ds)
    area = np.broadcast_to(cell_area_km2(ds["lat"].values, res)[:, None], score.shape)
    stats = group_stats(lab, score, area, len(regions))
    p_best = _p_best(ds, lab, len(regions))
    has = np.flatnonzero(np.isfinite(stats["min"]) | (p_best > 0))  # may be empty
    flat = np.maximum(stats["argmin"][has], 0)
    r, c = np.unravel_index(flat, score.shape)
    out = regions.iloc[has].copy()
    found = np.isfinite(stats["min"][has])  # False: cheapest only in some draws
    out["best_cost_usd_per_mwh_it"] = np.where(found, stats["min"][has], np.nan)
    out["mean_cost_usd_per_mwh_it"] = np.where(found, stats["mean"][has], np.nan)
    out["eligible_area_km2"] = np.where(found, stats["weight"][has], 0.0)
    out["best_lat"] = np.where(found, ds["lat"].values[r], np.nan)
    out["best_lon"] = np.where(found, ds["lon"].values[c], np.nan)
    out["best_pue"] = np.where(found, ds["pue"].values[r, c], np.nan)
    if resolved is not None:
        provenance = resolved.columns((r, c))
        for col in _PROVENANCE:
            v = np.asarray(provenance[col])
            out[col] = np.where(found, v, "" if v.dtype == object else np.nan)
    if "best_cell_by_draw" in ds:
        _add_draw_columns(out, ds, lab, len(regions), has, p_best)
    out = out.sort_values(["best_cost_usd_per_mwh_it", "best_lat", "best_lon"], kind="stable")
    return gpd.GeoDataFrame(out.reset_index(drop=True), geometry="geometry", crs="EPSG:4326")


def _p_best(ds: xr.Dataset, lab: np.ndarray, n_regions: int) -> np.ndarray:
    """Share of the draws in which each region holds the cheapest eligible cell [1].

    Over all draws: the shares sum to 1 less the share of draws in which no eligible
    cell lies in any region (``grid.attrs`` of the ranking). Zeros without draws.
    """
    if "best_cell_by_draw" not in ds:
        return np.zeros(n_regions)
    best = ds["best_cell_by_draw"].values
    labels = lab.reshape(-1)[best[best >= 0]]
    labels = labels[labels >= 0]
    return np.bincount(labels, minlength=n_regions)[:n_regions] / best.size


def _add_draw_columns(
    out: Any, ds: xr.Dataset, lab: np.ndarray, n_regions: int, has: np.ndarray, p_best: np.ndarray
) -> None:
    """``p_best``, the best median cost and both rankings of regions, in place."""
    from computeatlas.models.aggregate import group_stats

    med = np.where(ds["eligible"].values, ds["cost_usd_per_mwh_it_p50"].values, np.nan)
    stats = group_stats(lab, med, np.ones(med.shape), n_regions)
    out["p_best"] = p_best[has]
    out["best_cost_p50_usd_per_mwh_it"] = stats["min"][has]
    out["rank_by_p_best"] = pd.Series(-out["p_best"].to_numpy()).rank(method="min").to_numpy(int)
    out["rank_by_median_cost"] = (
        pd.Series(out["best_cost_p50_usd_per_mwh_it"].to_numpy())
        .rank(method="min", na_option="bottom")
        .to_numpy(int)
    )
