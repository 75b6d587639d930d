"""RFC 7946 GeoJSON writer, optionally with a QGIS layer style (``.qml``) beside it."""

from __future__ import annotations

import datetime as _dt
import decimal
import json
import math
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from computeatlas._io import PathLike, atomic_write, check_target
from computeatlas.errors import InputError
from computeatlas.export._frames import check_gdf, to_wgs84
from computeatlas.export.qgis import graduated_style

if TYPE_CHECKING:  # pragma: no cover - typing only
    import geopandas as gpd

__all__ = ["to_geojson"]


def _write_text(path: Path, text: str) -> None:
    """Write UTF-8 text with LF line ends (no platform newline translation)."""
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        f.write(text)


def _orient_ccw(geoms: np.ndarray) -> np.ndarray:
    """Exterior rings counter-clockwise, holes clockwise (RFC 7946 right-hand rule)."""
    import shapely

    if hasattr(shapely, "orient_polygons"):  # shapely >= 2.1, handles collections too
        return shapely.orient_polygons(geoms, exterior_cw=False)
    from shapely.geometry import MultiPolygon, Polygon
    from shapely.geometry.polygon import orient

    out = geoms.copy()
    for i, g in enumerate(geoms):
        if isinstance(g, Polygon) and not g.is_empty:
            out[i] = orient(g, sign=1.0)
        elif isinstance(g, MultiPolygon) and not g.is_empty:
            out[i] = MultiPolygon([orient(p, sign=1.0) for p in g.geoms])
    return out


def _round_coords(coords: Any, ndigits: int) -> Any:
    """Nested coordinate tuples -> nested lists of rounded floats (``-0.0`` -> ``0.0``)."""
    if isinstance(coords, (tuple, list)):
        if coords and not isinstance(coords[0], (tuple, list)):
            return [round(float(c), ndigits) + 0.0 for c in coords]
        return [_round_coords(c, ndigits) for c in coords]
    return coords


def _geometry_json(geom: Any, ndigits: int) -> dict[str, Any] | None:
    """Convert a shapely geometry to a GeoJSON geometry object; ``None`` when missing/empty."""
    from shapely.geometry import mapping

    if geom is None or geom.is_empty:
        return None

    def convert(m: dict[str, Any]) -> dict[str, Any]:
        if m["type"] == "GeometryCollection":
            return {"type": m["type"], "geometries": [convert(g) for g in m["geometries"]]}
        return {"type": m["type"], "coordinates": _round_coords(m["coordinates"], ndigits)}

    return convert(mapping(geom))


def _json_value(value: Any) -> Any:
    """One property value as a JSON-safe Python value (NaN, inf, NA, NaT -> ``None``)."""
    if value is None or value is pd.NaT or value is pd.NA:
        return None
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating, decimal.Decimal)):
        v = float(value)
        return v if math.isfinite(v) else None
    if isinstance(value, str):
        return value
    if isinstance(value, np.datetime64):
        value = pd.Timestamp(value)
        if value is pd.NaT:
            return None
    if isinstance(value, np.timedelta64):
        value = pd.Timedelta(value)
        if value is pd.NaT:
            return None
    if isinstance(value, (pd.Timestamp, _dt.datetime, _dt.date, _dt.time)):
        return value.isoformat()
    if isinstance(value, pd.Timedelta):
        return value.isoformat()
    if isinstance(value, _dt.timedelta):
        return pd.Timedelta(value).isoformat()
    if isinstance(value, dict):
        return {str(k): _json_value(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, np.ndarray)):
        return [_json_value(v) for v in value]
    if isinstance(value, (complex, np.complexfloating)):
        return str(value)
    if hasattr(value, "wkt"):  # a second geometry column
        return value.wkt
    if isinstance(value, bytes):
        return value.hex()
    return str(value)


def _feature_collection(gdf: gpd.GeoDataFrame, precision: int) -> dict[str, Any]:
    """Build the RFC 7946 FeatureCollection (no ``crs`` member) as plain Python objects."""
    geom_name = gdf.geometry.name
    columns = [c for c in gdf.columns if c != geom_name]
    names = [str(c) for c in columns]
    if len(set(names)) != len(names):
        raise InputError("gdf column names are not unique once converted to strings")
    values = [gdf[c].tolist() for c in columns]
    geoms = _orient_ccw(np.asarray(gdf.geometry.values, dtype=object))
    features = []
    for i, geom in enumerate(geoms):
        props = {name: _json_value(col[i]) for name, col in zip(names, values, strict=True)}
        features.append(
            {"type": "Feature", "properties": props, "geometry": _geometry_json(geom, precision)}
        )
    return {"type": "FeatureCollection", "features": features}


def to_geojson(
    gdf: gpd.GeoDataFrame,
    path: PathLike,
    *,
    style_column: str | None = None,
    style_label: str | None = None,
    precision: int = 6,
) -> Path:
    """Write a GeoDataFrame as RFC 7946 GeoJSON, optionally with a QGIS style beside it.

    The file is a ``FeatureCollection`` in WGS84 longitude/latitude order
    (reprojected from the frame's CRS), with no ``crs`` member, polygons
    following the right-hand rule (exterior rings counter-clockwise, holes
    clockwise) and coordinates rounded to ``precision`` decimals. Properties keep
    the column names and order of ``gdf`` (the index is not written; call
    ``reset_index()`` first to keep it); NaN, infinity and missing values become
    ``null``, numpy scalars become JSON numbers and datetimes ISO 8601 strings.
    The same input always gives a byte-identical file. Geometries crossing the
    antimeridian are not split.

    Parameters
    ----------
    gdf : geopandas.GeoDataFrame
        Points or polygons (one kind per layer when styled) with a CRS.
    path : str or os.PathLike
        Output file, e.g. ``"sites.geojson"``; its folder must exist. An existing
        file is replaced.
    style_column : str, optional
        A numeric column. When given, a QGIS layer style ``<stem>.qml`` is written
        beside the GeoJSON (``sites.geojson`` -> ``sites.qml``; QGIS loads it
        automatically with the layer): a graduated renderer with 7 quantile
        classes of the finite values on the viridis ramp (lowest values
        darkest), circle markers for points and fills for polygons. Tied
        quantiles are merged into fewer classes; a column with fewer than two
        distinct finite values gets a single class.
    style_label : str, optional
        Legend text that prefixes every class label, e.g.
        ``"Cost [USD/MWh]"``. Defaults to ``style_column``.
    precision : int, default 6
        Decimals kept in the coordinates [-]; 6 decimals of a degree are about
        0.1 m.

    Returns
    -------
    pathlib.Path
        The GeoJSON file written.

    Raises
    ------
    CRSError
        ``gdf`` has no CRS.
    InputError
        ``path`` is empty, a folder or in a missing or read-only folder,
        ``style_column`` is missing or not numeric, the layer mixes geometry
        kinds (when styled), or ``precision`` is not an integer in 0..15.
    OSError
        Writing failed (disk full, permission denied); ``path`` and its
        ``.qml`` then both keep their previous content.

    Notes
    -----
    The GeoJSON and its style are written to temporary files and replaced
    together (see :func:`computeatlas._io.atomic_write`): a failure leaves
    both previous files as they were and no temporary file behind. A ``path``
    that is a symbolic link is written through to the link's target.
    """
    gdf = check_gdf(gdf)
    if isinstance(precision, (bool, np.bool_)) or not isinstance(precision, (int, np.integer)):
        raise InputError(f"precision must be an integer in 0..15; got {precision!r}")
    if not 0 <= int(precision) <= 15:
        raise InputError(f"precision must be an integer in 0..15; got {precision}")
    out = check_target(path)
    if style_column is None and style_label is not None:
        raise InputError("style_label needs style_column (the column to colour by)")
    targets = [out]
    qml_text = None
    if style_column is not None:
        qml_path = out.with_suffix(".qml")
        if qml_path == out:
            raise InputError(f"path {str(out)!r} must not end in .qml (the style goes there)")
        qml_text = graduated_style(gdf, style_column, style_label)
        targets.append(qml_path)

    collection = _feature_collection(to_wgs84(gdf), int(precision))
    text = json.dumps(collection, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    text += "\n"

    # Both files are staged, then replaced as a set: never a new GeoJSON beside an old style.
    with atomic_write(*targets) as tmps:
        _write_text(tmps[0], text)
        if qml_text is not None:
            _write_text(tmps[1], qml_text)
    return out
