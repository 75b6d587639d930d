"""Checks shared by the vector writers (GeoJSON, GeoPackage, Parquet)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from computeatlas.errors import CRSError, InputError

if TYPE_CHECKING:  # pragma: no cover - typing only
    import geopandas as gpd


def check_gdf(gdf: Any, what: str = "gdf") -> gpd.GeoDataFrame:
    """Return ``gdf`` if it is a GeoDataFrame with unique columns, a geometry and a CRS."""
    import geopandas as gpd

    if not isinstance(gdf, gpd.GeoDataFrame):
        raise InputError(f"{what} must be a geopandas GeoDataFrame; got {type(gdf).__name__}")
    if gdf.columns.duplicated().any():
        dup = sorted({str(c) for c in gdf.columns[gdf.columns.duplicated()]})
        raise InputError(f"{what} has duplicate column names: {dup}")
    try:
        crs = gdf.crs
    except AttributeError:  # no active geometry column
        raise InputError(f"{what} has no active geometry column; use set_geometry()") from None
    if crs is None:
        raise CRSError(
            f"{what} has no CRS; set one first, e.g. gdf.set_crs('EPSG:4326') for lon/lat degrees"
        )
    return gdf


def to_wgs84(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Reproject to EPSG:4326 (lon/lat order: geopandas always uses x=lon, y=lat)."""
    if gdf.crs.to_epsg() == 4326:
        return gdf
    return gdf.to_crs("EPSG:4326")
