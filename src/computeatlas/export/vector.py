"""GeoPackage and (Geo)Parquet writers."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from computeatlas._io import PathLike, atomic_write, check_target
from computeatlas.errors import InputError
from computeatlas.export._frames import check_gdf, to_wgs84

if TYPE_CHECKING:  # pragma: no cover - typing only
    import geopandas as gpd

__all__ = ["STYLES_TABLE", "to_gpkg", "to_parquet", "to_qgis_gpkg"]

#: The table QGIS reads layer styles from (and saves them to) in a GeoPackage.
STYLES_TABLE = "layer_styles"


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


def _layer_names(layers: Any, styles: Any) -> list[str]:
    """Check the layer names (non-empty, distinct ignoring case, not reserved) and styles."""
    if not isinstance(layers, Mapping) or not layers:
        raise InputError("layers must be a non-empty mapping of layer name -> GeoDataFrame")
    names = list(layers)
    for name in names:
        if not isinstance(name, str) or not name.strip():
            raise InputError(f"layer names must be non-empty strings; got {name!r}")
        if name.lower() == STYLES_TABLE or name.lower().startswith(("gpkg_", "rtree_")):
            raise InputError(f"layer name {name!r} is reserved in a GeoPackage; choose another")
    lower = [n.lower() for n in names]
    if len(set(lower)) != len(lower):
        raise InputError(f"layer names must differ ignoring case (SQLite tables); got {names}")
    if styles is not None:
        if not isinstance(styles, Mapping):
            raise InputError("styles must be a mapping of layer name -> QML text")
        unknown = sorted(set(styles) - set(names))
        if unknown:
            raise InputError(f"styles for layers that are not written: {unknown}; layers: {names}")
        bad = [k for k, v in styles.items() if not isinstance(v, str) or "<qgis" not in v]
        if bad:
            raise InputError(f"styles must be QGIS .qml text (a <qgis> document); not for {bad}")
    return names


def _geometry_type(gdf: gpd.GeoDataFrame, given: str | None) -> str:
    """OGR geometry type of a layer: ``given``, else Point or MultiPolygon from the data."""
    if given is not None:
        return given
    kinds = set(gdf.geometry.geom_type.dropna())
    if kinds and kinds <= {"Point"}:
        return "Point"
    if kinds and kinds <= {"Polygon", "MultiPolygon"}:
        return "MultiPolygon"
    if not kinds:
        raise InputError("an empty layer needs its geometry type (geometry_types={name: ...})")
    return "Unknown"


def _styles_frame(tmp: Path, styles: Mapping[str, str]) -> pd.DataFrame:
    """Return the ``layer_styles`` rows: one default style per layer, in QGIS's columns."""
    import pyogrio

    now = pd.Timestamp.now(tz="UTC").floor("ms")
    rows = []
    for name, qml in styles.items():
        geom = pyogrio.read_info(tmp, layer=name)["geometry_name"] or ""
        rows.append(
            {
                "f_table_catalog": "",
                "f_table_schema": "",
                "f_table_name": name,
                "f_geometry_column": geom,
                "styleName": name,
                "styleQML": qml,
                "styleSLD": "",
                "useAsDefault": True,
                "description": "default style written by computeatlas",
                "owner": "",
                "ui": "",
                "update_time": now,
            }
        )
    return pd.DataFrame(rows)


def to_qgis_gpkg(
    layers: Mapping[str, gpd.GeoDataFrame],
    path: PathLike,
    styles: Mapping[str, str] | None = None,
    *,
    geometry_types: Mapping[str, str] | None = None,
) -> Path:
    """Write several layers, each with an embedded default QGIS style, as one GeoPackage.

    Parameters
    ----------
    layers : mapping of str to geopandas.GeoDataFrame
        Layer name -> features with a CRS (reprojected to EPSG:4326), written in
        this order. Polygons and multipolygons in one layer are written as
        multipolygons.
    path : str or os.PathLike
        Output file, e.g. ``"atlas.gpkg"``; its folder must exist. An existing
        file is replaced as a whole.
    styles : mapping of str to str, optional
        Layer name -> QGIS layer style (``.qml`` text, e.g. from
        :func:`computeatlas.export.qgis.graduated_style`), stored in the
        GeoPackage's ``layer_styles`` table as the layer's default style, which
        QGIS applies when it opens the layer.
    geometry_types : mapping of str to str, optional
        OGR geometry type (``"Point"``, ``"MultiPolygon"``) of layers that may be
        empty; other layers take theirs from the data.

    Returns
    -------
    pathlib.Path
        The GeoPackage written.

    Raises
    ------
    CRSError
        A layer has no CRS.
    InputError
        ``layers`` is empty, a name is empty, reserved (``layer_styles``,
        ``gpkg_*``, ``rtree_*``) or repeats another ignoring case, a style is
        not QML or names no layer, an empty layer has no geometry type, or
        ``path`` is empty, a folder or in a missing or read-only folder.
    OSError
        Writing failed, or the file written does not hold every row of every
        layer and style; a previous ``path`` is then unchanged and no temporary
        file remains.

    Notes
    -----
    The ``layer_styles`` table has the columns QGIS creates (``f_table_catalog``,
    ``f_table_schema``, ``f_table_name``, ``f_geometry_column``, ``styleName``,
    ``styleQML``, ``styleSLD``, ``useAsDefault``, ``description``, ``owner``,
    ``ui``, ``update_time``) and is registered as an attribute table, so GDAL
    and QGIS list it as a table beside the layers.
    """
    import pyogrio

    names = _layer_names(layers, styles)
    types = dict(geometry_types or {})
    frames = {n: to_wgs84(check_gdf(layers[n], f"layers[{n!r}]")) for n in names}
    kinds = {n: _geometry_type(frames[n], types.get(n)) for n in names}
    out = check_target(path)
    with atomic_write(out) as (tmp,):
        for i, name in enumerate(names):
            pyogrio.write_dataframe(
                frames[name],
                tmp,
                layer=name,
                driver="GPKG",
                geometry_type=kinds[name],
                promote_to_multi=kinds[name].startswith("Multi"),
                # GeoPackage 1.2: read without warnings by the GDAL of older QGIS releases.
                dataset_options={"VERSION": "1.2"} if i == 0 else None,
            )
        if styles:
            table = _styles_frame(tmp, styles)
            pyogrio.write_dataframe(
                table, tmp, layer=STYLES_TABLE, driver="GPKG", layer_options={"FID": "id"}
            )
        for name in names:
            _check_rows(tmp, len(frames[name]), _gpkg_rows(tmp, name))
        if styles:
            _check_rows(tmp, len(styles), _gpkg_rows(tmp, STYLES_TABLE))
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
