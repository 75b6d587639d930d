"""The QGIS GeoPackage of a ranking: its layers and their default styles.

:func:`ranking_layers` turns a :class:`~computeatlas.ranking.SiteRanking` into
the layers of :data:`LAYERS` and :func:`default_styles` gives each its QGIS
style; :meth:`SiteRanking.to_gpkg <computeatlas.ranking.SiteRanking.to_gpkg>`
writes them with :func:`computeatlas.export.to_qgis_gpkg`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from computeatlas.constants import EARTH_RADIUS_KM
from computeatlas.errors import InputError
from computeatlas.export.geometry import cell_polygons, service_circle
from computeatlas.export.qgis import display_units, graduated_style, single_style

if TYPE_CHECKING:  # pragma: no cover - typing only
    import geopandas as gpd
    import xarray as xr

__all__ = [
    "GEOMETRY_TYPES",
    "LAYERS",
    "cells_frame",
    "default_styles",
    "metros_frame",
    "ranking_layers",
    "service_areas_frame",
]

#: Layers of the QGIS GeoPackage, in drawing order from the top.
LAYERS: tuple[str, ...] = (
    "sites",
    "metros",
    "service_areas",
    "cells",
    "regions_admin1",
    "regions_admin0",
)

#: OGR geometry type of each layer (also when it is empty).
GEOMETRY_TYPES: dict[str, str] = {
    "sites": "Point",
    "metros": "Point",
    "service_areas": "MultiPolygon",
    "cells": "MultiPolygon",
    "regions_admin1": "MultiPolygon",
    "regions_admin0": "MultiPolygon",
}

#: Colour of the demand metros and their service areas (not on the viridis ramp).
METRO_COLOUR = "#d62728"

_SCORE = "score_usd_per_mwh_it"
_BEST = "best_cost_usd_per_mwh_it"


def _frame(data: dict[str, Any], geometry: Any) -> gpd.GeoDataFrame:
    import geopandas as gpd

    return gpd.GeoDataFrame(pd.DataFrame(data), geometry=list(geometry), crs="EPSG:4326")


def cells_frame(grid: xr.Dataset, regions: Any = None) -> gpd.GeoDataFrame:
    """Return every eligible cell of a ranking grid as a polygon with its variables, best first.

    Parameters
    ----------
    grid : xarray.Dataset
        :attr:`SiteRanking.grid <computeatlas.ranking.SiteRanking.grid>`, with
        ``eligible``, ``rank`` and ``attrs["resolution_deg"]`` [deg].
    regions : computeatlas.regions.Resolved, optional
        The ranking's resolved regions: adds the region names and price
        provenance as text (``priced_by`` then replaces the grid's flag).

    Returns
    -------
    geopandas.GeoDataFrame
        One row per eligible cell: ``lat``, ``lon`` (centre [deg]), the region
        columns, every (lat, lon) variable of ``grid`` and ``rtt_ms_<label>``
        per metro when ``grid`` has ``rtt_ms``; the cell's bounds as geometry
        (antimeridian-safe, see :func:`computeatlas.export.geometry.cell_polygons`).

    Raises
    ------
    InputError
        ``grid`` lacks ``eligible`` or ``resolution_deg``.
    """
    if "eligible" not in grid or "resolution_deg" not in grid.attrs:
        raise InputError("grid must be a SiteRanking.grid (eligible, attrs['resolution_deg'])")
    eligible = np.asarray(grid["eligible"].values, dtype=bool)
    r, c = np.nonzero(eligible)
    if "rank" in grid:
        order = np.argsort(np.asarray(grid["rank"].values)[r, c], kind="stable")
        r, c = r[order], c[order]
    lat, lon = grid["lat"].values[r], grid["lon"].values[c]
    data: dict[str, Any] = {"lat": lat, "lon": lon}
    if regions is not None:
        data.update(regions.columns((r, c)))
    for name, da in grid.data_vars.items():
        if da.dims == ("lat", "lon") and name not in data:
            data[str(name)] = da.values[r, c]
    if "rtt_ms" in grid:
        for k, label in enumerate(grid["metro"].values):
            data[f"rtt_ms_{label}"] = grid["rtt_ms"].values[k, r, c]
    return _frame(data, cell_polygons(lat, lon, float(grid.attrs["resolution_deg"])))


def metros_frame(metros: pd.DataFrame) -> gpd.GeoDataFrame:
    """Return the demand metros as points (without any geometry column of their own).

    Parameters
    ----------
    metros : pandas.DataFrame
        :attr:`SiteRanking.metros <computeatlas.ranking.SiteRanking.metros>`
        (``label``, ``name``, ``lat``, ``lon``, ...).

    Returns
    -------
    geopandas.GeoDataFrame
        One point per metro.
    """
    import geopandas as gpd

    table = pd.DataFrame(metros).drop(columns=["geometry"], errors="ignore").reset_index(drop=True)
    points = gpd.points_from_xy(table["lon"].to_numpy(float), table["lat"].to_numpy(float))
    return gpd.GeoDataFrame(table, geometry=points, crs="EPSG:4326")


def service_areas_frame(metros: pd.DataFrame, max_rtt_ms: float, route: Any) -> gpd.GeoDataFrame:
    """Return each metro's round-trip budget as a great-circle disc.

    Parameters
    ----------
    metros : pandas.DataFrame
        The demand metros (``label``, ``name``, ``lat``, ``lon``).
    max_rtt_ms : float
        Round-trip budget [ms].
    route : str or computeatlas.presets.Route
        Fibre route (route factor, fixed overhead) of the ranking.

    Returns
    -------
    geopandas.GeoDataFrame
        ``label``, ``name``, ``max_rtt_ms`` [ms], ``radius_km`` [km] (from
        :func:`computeatlas.models.service_radius_km`), ``route``; the disc as
        a (multi)polygon, split at the antimeridian and closed over a pole
        (:func:`computeatlas.export.geometry.service_circle`); no geometry when
        the budget does not cover the route's fixed overhead.
    """
    from computeatlas.models import service_radius_km
    from computeatlas.presets import route as route_preset

    rt = route_preset(route)
    radius = float(service_radius_km(max_rtt_ms, route=rt))
    # A corridor-path radius may pass half the circumference; the disc cannot.
    disc_km = min(radius, float(np.pi * EARTH_RADIUS_KM))
    lat, lon = metros["lat"].to_numpy(float), metros["lon"].to_numpy(float)
    discs = [service_circle(a, o, disc_km) for a, o in zip(lat, lon, strict=True)]
    data = {
        "label": metros["label"].to_numpy(str),
        "name": metros["name"].to_numpy(str),
        "max_rtt_ms": np.full(lat.size, float(max_rtt_ms)),
        "radius_km": np.full(lat.size, radius),
        "route": np.full(lat.size, rt.name),
    }
    return _frame(data, [None if d.is_empty else d for d in discs])


def _route(attrs: dict[str, Any]) -> Any:
    from computeatlas.presets import route_from_attrs

    try:
        return route_from_attrs(attrs)
    except KeyError as err:
        raise InputError(f"grid.attrs lacks {err.args[0]!r}: not a SiteRanking.grid") from None


def ranking_layers(
    ranking: Any, names: Sequence[str] = LAYERS, *, cell_regions: Any = None
) -> dict[str, gpd.GeoDataFrame]:
    """Build the layers ``names`` of a ranking's QGIS GeoPackage.

    Parameters
    ----------
    ranking : computeatlas.ranking.SiteRanking
        The ranking.
    names : sequence of str, default LAYERS
        Which layers, from :data:`LAYERS`.
    cell_regions : computeatlas.regions.Resolved, optional
        Region names for the ``cells`` layer (see :func:`cells_frame`).

    Returns
    -------
    dict of str to geopandas.GeoDataFrame
        In the order of :data:`LAYERS`.

    Raises
    ------
    InputError
        An unknown layer name.
    """
    unknown = [n for n in names if n not in LAYERS]
    if unknown or not names:
        raise InputError(f"layers must be among {list(LAYERS)}; got {list(names)!r}")
    attrs = ranking.grid.attrs
    build = {
        "sites": lambda: ranking.sites,
        "metros": lambda: metros_frame(ranking.metros),
        "service_areas": lambda: service_areas_frame(
            ranking.metros, float(attrs["max_rtt_ms"]), _route(attrs)
        ),
        "cells": lambda: cells_frame(ranking.grid, cell_regions),
        "regions_admin1": lambda: ranking.regions("admin1"),
        "regions_admin0": lambda: ranking.regions("admin0"),
    }
    return {n: build[n]() for n in LAYERS if n in names}


def default_styles(layers: dict[str, gpd.GeoDataFrame]) -> dict[str, str]:
    """Return the QGIS default style of each layer of :data:`LAYERS` in ``layers``.

    Parameters
    ----------
    layers : dict of str to geopandas.GeoDataFrame
        From :func:`ranking_layers`.

    Returns
    -------
    dict of str to str
        Layer name -> ``.qml`` text: ``sites`` (points) and ``cells`` (fills
        without edges) graduated on ``score_usd_per_mwh_it``, the regions on
        ``best_cost_usd_per_mwh_it`` (7 quantile classes of the distinct
        values in cents, labels in USD/MWh_IT); ``metros`` red stars;
        ``service_areas`` dashed red outlines.
    """
    units = display_units("USD MWh-1") + "_IT"
    styles: dict[str, str] = {}
    for name, gdf in layers.items():
        kind = "marker" if GEOMETRY_TYPES.get(name) == "Point" else "fill"
        if name in ("sites", "cells") and _SCORE in gdf:
            styles[name] = graduated_style(
                gdf, _SCORE, "", units=units, outline=name != "cells", kind=kind
            )
        elif name.startswith("regions_") and _BEST in gdf:
            styles[name] = graduated_style(gdf, _BEST, "", units=units, opacity=0.85, kind=kind)
        elif name == "metros":
            styles[name] = single_style(
                "marker",
                METRO_COLOUR,
                overrides={"name": "star", "size": "4.5", "outline_color": "0,0,0,255"},
            )
        elif name == "service_areas":
            styles[name] = single_style(
                "fill",
                METRO_COLOUR,
                overrides={
                    "style": "no",
                    "outline_color": "214,39,40,255",  # METRO_COLOUR
                    "outline_style": "dash",
                    "outline_width": "0.5",
                },
            )
    return styles
