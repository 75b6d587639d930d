"""Static maps and supply curves of a :class:`~computeatlas.ranking.SiteRanking` (matplotlib).

:func:`plot_ranking` draws one grid variable with its context: a title with the
variable's long name, units and the scenario; the variable over the eligible
cells; ineligible land in grey (land is where ``pue`` is finite); country
borders; the demand metros; the best sites; and each metro's max-RTT boundary
(its service circle, :func:`computeatlas.export.geometry.service_circle`).
Categorical variables (``eligible``, ``rank``, ``priced_by``) are drawn as
classes with a legend. :func:`supply_curve` tabulates the eligible area (and
capacity) against the cost of IT energy and :func:`plot_supply_curve` draws it.
"""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np
import pandas as pd

from computeatlas.errors import InputError

__all__ = ["plot_ranking", "plot_supply_curve", "supply_curve"]

#: Colour of ineligible land (land outside the budget, or without a price).
LAND_GREY = "0.85"
#: Colour of the demand metros and their service circles (off the viridis ramp).
METRO_COLOUR = "#d62728"
#: Colours of categorical classes, in class order.
CLASS_COLOURS = ("#1a9850", "#91cf60", "#d9ef8b", "#fee08b", "#fc8d59")
#: Index variables that are not drawn as a field (a message says how to map them).
_INDEX_HINTS = {
    "admin0_index": "ranking.regions('admin0').plot(column='best_cost_usd_per_mwh_it')",
    "admin1_index": "ranking.regions('admin1').plot(column='best_cost_usd_per_mwh_it')",
}


def plot_ranking(
    ranking: Any,
    variable: str = "score_usd_per_mwh_it",
    *,
    ax: Any = None,
    metro: str | int | None = None,
    where: str = "eligible",
    sites: int = 10,
    boundary: bool = True,
    **kwargs: Any,
) -> Any:
    """Draw a map of one grid variable of a ranking with its context.

    Parameters
    ----------
    ranking : SiteRanking
        The result of :func:`computeatlas.rank_sites`.
    variable : str, default "score_usd_per_mwh_it"
        A variable of ``ranking.grid`` on (lat, lon), or ``rtt_ms`` with ``metro``.
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; a new figure when omitted.
    metro : str or int, optional
        For ``rtt_ms``: the metro's label, name or position in ``ranking.metros``.
    where : {"eligible", "land"}, default "eligible"
        Draw a continuous variable over the eligible cells only (other land
        grey) or over all land.
    sites : int, default 10
        Mark the best ``sites`` cells (0: none).
    boundary : bool, default True
        Outline each metro's max-RTT service circle.
    **kwargs
        Passed to :meth:`matplotlib.axes.Axes.pcolormesh` (continuous variables).

    Returns
    -------
    matplotlib.axes.Axes

    Raises
    ------
    InputError
        Unknown variable, ``rtt_ms`` without a known ``metro``, a region
        index (map regions with :meth:`SiteRanking.regions` instead), or a
        bad ``where``/``sites``.
    """
    import matplotlib.pyplot as plt

    grid = ranking.grid
    da, title = _field(ranking, variable, metro)
    if where not in ("eligible", "land"):
        raise InputError(f"where must be 'eligible' or 'land', got {where!r}")
    if isinstance(sites, bool) or not isinstance(sites, (int, np.integer)) or sites < 0:
        raise InputError(f"sites must be an integer >= 0 (best cells to mark), got {sites!r}")
    if ax is None:
        _, ax = plt.subplots(figsize=(10, 6))
    from computeatlas.ranking import _grid_resolution, _plot_longitudes

    lon, order = _plot_longitudes(grid["lon"].values, _grid_resolution(grid))
    lat = grid["lat"].values
    land = np.isfinite(grid["pue"].values)[:, order]
    eligible = grid["eligible"].values.astype(bool)[:, order]
    values = np.asarray(da.values)[:, order]
    classes = _classes(variable, da, values, land, eligible, sites)
    shown = eligible if (where == "eligible" or classes is not None) else land
    if classes is not None and variable == "priced_by":
        shown = land
    handles = _grey(ax, lon, lat, land & ~shown)
    handles += _draw_values(ax, lon, lat, values, shown, da, variable, classes, kwargs)
    _borders(ax, lon, lat)
    handles += _context(ax, ranking, lon, sites, boundary)
    ax.set_xlim(float(lon[0]), float(lon[-1]))
    ax.set_ylim(float(lat.min()), float(lat.max()))
    ax.set_xlabel("longitude [deg]")
    ax.set_ylabel("latitude [deg]")
    ax.set_title(title + "\n" + _scenario_line(grid), fontsize=10)
    ax.legend(handles=handles, loc="lower left", fontsize=8, framealpha=0.9)
    return ax


def _field(ranking: Any, variable: Any, metro: Any) -> tuple[Any, str]:
    """Return the (lat, lon) field to draw and its title line, or say how to get one."""
    grid = ranking.grid
    if not isinstance(variable, str) or variable not in grid:
        drawable = [v for v in grid.data_vars if grid[v].dims == ("lat", "lon")]
        raise InputError(f"unknown variable {variable!r}; choose from {[*drawable, 'rtt_ms']}")
    if variable in _INDEX_HINTS:
        raise InputError(
            f"{variable} is a region index, not a quantity; map regions with "
            f"{_INDEX_HINTS[variable]}"
        )
    da = grid[variable]
    label = f"{da.attrs.get('long_name', variable)}"
    units = da.attrs.get("units")
    if units and units != "1":
        label += f" [{units}]"
    if da.dims == ("metro", "lat", "lon"):
        k = _metro_index(grid, variable, metro)
        name = str(grid["metro_name"].values[k])
        return da.isel(metro=k), f"{label}: {name}"
    if metro is not None:
        raise InputError(f"metro= applies to per-metro variables (rtt_ms), not {variable!r}")
    if da.dims != ("lat", "lon"):
        raise InputError(f"{variable!r} has dims {da.dims}; plot() draws (lat, lon) fields")
    return da, label


def _metro_index(grid: Any, variable: str, metro: Any) -> int:
    labels = [str(v) for v in grid["metro"].values]
    names = [str(v) for v in grid["metro_name"].values]
    if isinstance(metro, (int, np.integer)) and not isinstance(metro, bool):
        if 0 <= int(metro) < len(labels):
            return int(metro)
    elif isinstance(metro, str):
        short = [n.split(",")[0].strip().lower() for n in names]
        for options, key in (
            (labels, metro),
            (names, metro),
            ([n.lower() for n in names], metro.lower()),
            (short, metro.strip().lower()),
        ):
            if options.count(key) == 1:
                return options.index(key)
    raise InputError(
        f"{variable} has one map per demand metro; pass metro= one of {names} "
        f"(or a label {labels}, or a position 0..{len(labels) - 1}), got {metro!r}"
    )


def _classes(
    variable: str,
    da: Any,
    values: np.ndarray,
    land: np.ndarray,
    eligible: np.ndarray,
    sites: int,
) -> tuple[np.ndarray, list[str]] | None:
    """Return (class code per cell, -1 outside; class labels) for a categorical variable."""
    if variable == "eligible" or values.dtype == bool:
        return np.where(values.astype(bool), 0, -1), ["eligible"]
    if variable == "rank":
        top = max(int(sites), 1)
        bounds = [*sorted({1, top + 1, 101, 1001}), np.iinfo(np.int64).max]
        codes = np.full(values.shape, -1)
        labels = []
        for k, (lo, hi) in enumerate(itertools.pairwise(bounds)):
            codes[(values >= lo) & (values < hi) & eligible] = k
            labels.append(f"rank {lo}-{hi - 1}" if hi < bounds[-1] else f"rank >= {lo}")
        return codes, labels
    if "flag_meanings" in da.attrs:
        flags = np.asarray(da.attrs.get("flag_values", []))
        meanings = str(da.attrs["flag_meanings"]).split()
        codes = np.full(values.shape, -1)
        for k, flag in enumerate(flags):
            codes[(values == flag) & land] = k
        return codes, [f"{variable}: {m}" for m in meanings]
    return None


def _grey(ax: Any, lon: np.ndarray, lat: np.ndarray, mask: np.ndarray) -> list[Any]:
    """Grey the land cells of ``mask``; return the legend handle (none when nothing is grey)."""
    from matplotlib.colors import ListedColormap
    from matplotlib.patches import Patch

    if not mask.any():
        return []
    grey = np.ma.masked_where(~mask, np.ones(mask.shape))
    ax.pcolormesh(lon, lat, grey, cmap=ListedColormap([LAND_GREY]), shading="nearest")
    return [Patch(color=LAND_GREY, label="ineligible land")]


def _draw_values(
    ax: Any,
    lon: np.ndarray,
    lat: np.ndarray,
    values: np.ndarray,
    shown: np.ndarray,
    da: Any,
    variable: str,
    classes: tuple[np.ndarray, list[str]] | None,
    kwargs: dict[str, Any],
) -> list[Any]:
    """Draw the field (continuous with a colour bar, or classes); return legend handles."""
    from matplotlib.colors import BoundaryNorm, ListedColormap
    from matplotlib.patches import Patch

    handles: list[Any] = []
    if classes is None:
        data = np.ma.masked_where(~shown | ~np.isfinite(values), values.astype(float))
        mesh = ax.pcolormesh(
            lon, lat, data, cmap=kwargs.pop("cmap", "viridis"), shading="nearest", **kwargs
        )
        units = da.attrs.get("units", "")
        ax.figure.colorbar(mesh, ax=ax, label=f"{da.attrs.get('long_name', variable)} [{units}]")
        return handles
    codes, labels = classes
    colours = [CLASS_COLOURS[k % len(CLASS_COLOURS)] for k in range(len(labels))]
    cmap = ListedColormap(colours)
    norm = BoundaryNorm(np.arange(len(labels) + 1) - 0.5, len(labels))
    data = np.ma.masked_where(codes < 0, codes)
    if (codes >= 0).any():
        ax.pcolormesh(lon, lat, data, cmap=cmap, norm=norm, shading="nearest")
    present = [k for k in range(len(labels)) if (codes == k).any()]
    handles += [Patch(color=colours[k], label=labels[k]) for k in present]
    return handles


def _borders(ax: Any, lon: np.ndarray, lat: np.ndarray) -> None:
    """Country borders that touch the window (east of the antimeridian shifted by 360)."""
    from computeatlas.datasets import countries

    geom = countries().geometry
    pad = 1.0
    y0, y1 = float(lat.min()) - pad, float(lat.max()) + pad
    x0, x1 = float(lon[0]) - pad, float(lon[-1]) + pad
    style = {"color": "0.3", "linewidth": 0.4}
    near = geom.cx[x0 : min(x1, 180.0), y0:y1]
    if len(near):
        near.boundary.plot(ax=ax, **style)
    if x1 > 180.0:  # across the antimeridian: draw the borders east of it too
        east = geom.cx[-180.0 : x1 - 360.0, y0:y1]
        if len(east):
            east.boundary.translate(xoff=360.0).plot(ax=ax, **style)


def _shown_lon(values: np.ndarray, lon: np.ndarray) -> np.ndarray:
    """Move longitudes east of the antimeridian onto the drawn axis (``west..east + 360``)."""
    values = np.asarray(values, dtype=float)
    if lon[-1] <= 180.0:
        return values
    return np.where(values < lon[0] - 1e-9, values + 360.0, values)


def _context(ax: Any, ranking: Any, lon: np.ndarray, sites: int, boundary: bool) -> list[Any]:
    """Draw service circles, demand metros and best sites; return their legend handles."""
    from matplotlib.lines import Line2D

    metros = ranking.metros
    handles: list[Any] = []
    if boundary and len(metros):
        _service_circles(ax, ranking, lon)
        handles.append(Line2D([], [], color=METRO_COLOUR, linestyle="--", label="max-RTT boundary"))
    mlon = _shown_lon(metros["lon"].to_numpy(float), lon)
    mlat = metros["lat"].to_numpy(float)
    ax.scatter(mlon, mlat, s=36, c=METRO_COLOUR, edgecolors="white", zorder=5, label="demand metro")
    for x, y, name in zip(mlon, mlat, metros["name"], strict=True):
        ax.annotate(str(name), (x, y), xytext=(4, 4), textcoords="offset points", fontsize=8)
    handles.append(
        Line2D([], [], marker="o", color="none", markerfacecolor=METRO_COLOUR, label="demand metro")
    )
    best = ranking.sites.head(sites) if sites else ranking.sites.head(0)
    if len(best):
        ax.scatter(
            _shown_lon(best["lon"].to_numpy(float), lon),
            best["lat"].to_numpy(float),
            marker="*",
            s=90,
            c="black",
            edgecolors="white",
            zorder=6,
            label=f"best {len(best)} sites",
        )
        handles.append(
            Line2D(
                [],
                [],
                marker="*",
                color="none",
                markerfacecolor="black",
                markersize=10,
                label=f"best {len(best)} sites",
            )
        )
    return handles


def _service_circles(ax: Any, ranking: Any, lon: np.ndarray) -> None:
    import geopandas as gpd

    from computeatlas.export.atlas import service_areas_frame

    attrs = ranking.grid.attrs
    route = attrs.get("route", "geographic")
    try:
        from computeatlas import presets

        rt = presets.route_from_attrs(attrs)
    except (KeyError, TypeError, ValueError, InputError):
        rt = route
    frame = service_areas_frame(ranking.metros, float(attrs.get("max_rtt_ms", 50.0)), rt)
    outlines = gpd.GeoSeries(frame.geometry.dropna(), crs="EPSG:4326").boundary
    style = {"color": METRO_COLOUR, "linewidth": 0.9, "linestyle": "--"}
    outlines.plot(ax=ax, **style)
    if lon[-1] > 180.0:
        outlines.translate(xoff=360.0).plot(ax=ax, **style)


def _scenario_line(grid: Any) -> str:
    a = grid.attrs
    metros = str(a.get("metros", ""))
    if len(metros) > 60:
        metros = metros[:57] + "..."
    return (
        f"within {a.get('max_rtt_ms', '?'):g} ms ({a.get('mode', 'all')}) of {metros}\n"
        f"{a.get('technology', '?')}, {a.get('ashrae_class', '?')}, route {a.get('route', '?')}, "
        f"heat {a.get('heat_price', '?')}, carbon {a.get('carbon_price_usd_per_t', 0):g} USD/t"
    )


def supply_curve(
    ranking: Any,
    *,
    mw_per_km2: float | None = None,
    capacity_mw: Any = None,
    cost: str = "cost_usd_per_mwh_it",
) -> pd.DataFrame:
    """Eligible area (and capacity) against the cost of IT energy, cheapest first.

    Parameters
    ----------
    ranking : SiteRanking
        The result of :func:`computeatlas.rank_sites`.
    mw_per_km2 : float, optional
        Buildable IT capacity per km^2 of eligible land [MW/km^2], your
        assumption; adds ``capacity_mw`` = area x density.
    capacity_mw : xarray.DataArray or array_like, optional
        Your capacity table [MW] on the ranking grid (lat, lon); adds
        ``capacity_mw`` from it instead (NaN counts as 0).
    cost : str, default "cost_usd_per_mwh_it"
        The cost variable to sort by (e.g. ``score_usd_per_mwh_it``).

    Returns
    -------
    pandas.DataFrame
        One row per eligible cell sorted by cost (ties in ranking order):
        ``lat``, ``lon`` [deg], ``rank``, the cost [USD/MWh_IT], ``area_km2``
        (the whole cell, :func:`computeatlas.grid.cell_area_km2`: coastal cells
        are not reduced to their land part), ``cumulative_area_km2``, and with
        a density or table ``capacity_mw`` and ``cumulative_capacity_mw``.

    Raises
    ------
    InputError
        Unknown cost variable, both or bad capacity options.
    """
    from computeatlas.grid import cell_area_km2
    from computeatlas.ranking import _grid_resolution
    from computeatlas.scenario import check_number

    grid = ranking.grid
    if not isinstance(cost, str) or cost not in grid or grid[cost].dims != ("lat", "lon"):
        raise InputError(f"cost must be a (lat, lon) cost variable of the grid, got {cost!r}")
    if mw_per_km2 is not None and capacity_mw is not None:
        raise InputError("give mw_per_km2 or capacity_mw, not both")
    r, c = np.nonzero(grid["eligible"].values.astype(bool))
    area = cell_area_km2(grid["lat"].values, _grid_resolution(grid))[r]
    df = pd.DataFrame(
        {
            "lat": grid["lat"].values[r],
            "lon": grid["lon"].values[c],
            "rank": grid["rank"].values[r, c],
            cost: grid[cost].values[r, c],
            "area_km2": area,
        }
    )
    if mw_per_km2 is not None:
        density = check_number("mw_per_km2", mw_per_km2, minimum=0.0, unit="MW/km^2")
        df["capacity_mw"] = df["area_km2"] * density
    elif capacity_mw is not None:
        df["capacity_mw"] = _capacity_cells(grid, capacity_mw)[r, c]
    df = df.sort_values([cost, "rank"], kind="stable").reset_index(drop=True)
    df["cumulative_area_km2"] = df["area_km2"].cumsum()
    if "capacity_mw" in df:
        df["cumulative_capacity_mw"] = df["capacity_mw"].cumsum()
    df.attrs = {"cost_units": "USD/MWh_IT", "area_units": "km^2", "capacity_units": "MW"}
    return df


def _capacity_cells(grid: Any, capacity_mw: Any) -> np.ndarray:
    values = np.asarray(getattr(capacity_mw, "values", capacity_mw), dtype=float)
    shape = (grid.sizes["lat"], grid.sizes["lon"])
    if values.shape != shape:
        raise InputError(
            f"capacity_mw must be [MW] on the ranking grid (lat, lon) {shape}, got {values.shape}"
        )
    if (values[np.isfinite(values)] < 0).any() or np.isinf(values).any():
        raise InputError("capacity_mw must be finite and >= 0 [MW] (NaN counts as none)")
    return np.nan_to_num(values, nan=0.0)


def plot_supply_curve(curve: pd.DataFrame, *, ax: Any = None, x: str | None = None) -> Any:
    """Draw a supply curve from :func:`supply_curve` as a step line.

    Parameters
    ----------
    curve : pandas.DataFrame
        The table of :func:`supply_curve`.
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; a new figure when omitted.
    x : {"area", "capacity"}, optional
        Cumulative area [km^2] or capacity [MW] on the x axis; default
        capacity when the table has it.

    Returns
    -------
    matplotlib.axes.Axes
    """
    import matplotlib.pyplot as plt

    cost = [c for c in curve.columns if c.endswith("_usd_per_mwh_it")]
    if not cost or "cumulative_area_km2" not in curve:
        raise InputError("curve must be a table from supply_curve()")
    if x is None:
        x = "capacity" if "cumulative_capacity_mw" in curve else "area"
    if x not in ("area", "capacity") or (x == "capacity" and "capacity_mw" not in curve):
        raise InputError(f"x must be 'area' or 'capacity' (with capacity in the table), got {x!r}")
    col, label = (
        ("cumulative_capacity_mw", "cumulative IT capacity [MW]")
        if x == "capacity"
        else ("cumulative_area_km2", "cumulative eligible area [km^2]")
    )
    if ax is None:
        _, ax = plt.subplots(figsize=(8, 4.5))
    xs = np.concatenate([[0.0], curve[col].to_numpy(float)])
    ys = curve[cost[0]].to_numpy(float)
    if len(ys):
        ax.step(xs, np.concatenate([ys[:1], ys]), where="pre", color="#31688e")
    ax.set_xlabel(label)
    ax.set_ylabel("cost of IT energy [USD/MWh_IT]")
    ax.set_title("supply curve: eligible cells, cheapest first", fontsize=10)
    ax.grid(alpha=0.3)
    return ax
