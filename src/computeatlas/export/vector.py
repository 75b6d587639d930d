"""GeoPackage and (Geo)Parquet writers."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from computeatlas._io import PathLike, atomic_write, check_target
from computeatlas.errors import InputError
from computeatlas.export._frames import check_gdf, to_wgs84

if TYPE_CHECKING:  # pragma: no cover - typing only
    import geopandas as gpd

__all__ = ["to_gpkg", "to_parquet"]


def to_gpkg(gdf: gpd.GeoDataFrame, path: PathLike, *, layer: str = "sites") -> Path:
    """Write a GeoDataFrame as one layer of a new GeoPackage, in EPSG:4326.

    Parameters
    ----------
    gdf : geopandas.GeoDataFrame
        Features with a CRS; reprojected to WGS84 lon/lat (EPSG:4326).
    path : str or os.PathLike
        Output file, e.g. ``"sites.gpkg"``; its folder must exist. An existing
        file is replaced as a whole (other layers in it are not kept).
    layer : str, default "sites"
        Layer name inside the GeoPackage.

    Returns
    -------
    pathlib.Path
        The GeoPackage written.

    Raises
    ------
    CRSError
        ``gdf`` has no CRS.
    InputError
        ``path`` is empty, a folder or in a missing or read-only folder, or
        ``layer`` is empty.
    OSError
        Writing failed (disk full, permission denied); a previous ``path`` is
        then unchanged and no temporary file remains.
    """
    gdf = check_gdf(gdf)
    if not isinstance(layer, str) or not layer.strip():
        raise InputError(f"layer must be a non-empty string; got {layer!r}")
    out = check_target(path)
    gdf = to_wgs84(gdf)
    with atomic_write(out) as (tmp,):
        gdf.to_file(tmp, driver="GPKG", engine="pyogrio", layer=layer)
        _check_rows(tmp, len(gdf), _gpkg_rows(tmp, layer))
    return out


def to_parquet(gdf_or_df: pd.DataFrame, path: PathLike) -> Path:
    """Write GeoParquet for a GeoDataFrame, or plain Parquet for a DataFrame.

    A GeoDataFrame keeps its CRS (stored in the GeoParquet metadata), so it must
    have one; it is not reprojected.

    Parameters
    ----------
    gdf_or_df : geopandas.GeoDataFrame or pandas.DataFrame
        The table to write.
    path : str or os.PathLike
        Output file, e.g. ``"sites.parquet"``; its folder must exist. An existing
        file is replaced.

    Returns
    -------
    pathlib.Path
        The Parquet file written.

    Raises
    ------
    CRSError
        A GeoDataFrame has no CRS.
    InputError
        The input is not a DataFrame, or ``path`` is empty, a folder or in a
        missing or read-only folder.
    OSError
        Writing failed (disk full, permission denied); a previous ``path`` is
        then unchanged and no temporary file remains.
    """
    import geopandas as gpd

    if isinstance(gdf_or_df, gpd.GeoDataFrame):
        frame: pd.DataFrame = check_gdf(gdf_or_df, "gdf_or_df")
    elif isinstance(gdf_or_df, pd.DataFrame):
        frame = gdf_or_df
    else:
        raise InputError(
            "gdf_or_df must be a pandas DataFrame or geopandas GeoDataFrame; "
            f"got {type(gdf_or_df).__name__}"
        )
    out = check_target(path)
    with atomic_write(out) as (tmp,):
        frame.to_parquet(tmp)
        _check_rows(tmp, len(frame), _parquet_rows(tmp))
    return out


def _gpkg_rows(path: Path, layer: str) -> int:
    """Return the feature count of ``layer`` as recorded in the written GeoPackage."""
    import pyogrio

    return int(pyogrio.read_info(path, layer=layer)["features"])


def _parquet_rows(path: Path) -> int:
    """Return the row count recorded in the footer of the written Parquet file."""
    import pyarrow.parquet as pq

    return int(pq.read_metadata(path).num_rows)


def _check_rows(path: Path, expected: int, found: int) -> None:
    """Raise OSError unless the file just written holds every row (a cheap read-back)."""
    if found != expected:
        raise OSError(
            f"the file written holds {found} of {expected} rows ({path.name}); disk full?"
        )
