"""Export ranking results for QGIS and other GIS tools.

Four writers, each returning the :class:`pathlib.Path` it wrote:

* :func:`to_geojson`: RFC 7946 GeoJSON (WGS84 lon/lat, right-hand rule,
  rounded coordinates, ``null`` for missing values), optionally with a QGIS
  layer style (``.qml``) beside it that colours the features by one column;
* :func:`to_gpkg`: a GeoPackage layer;
* :func:`to_parquet`: GeoParquet (or plain Parquet for a DataFrame);
* :func:`to_geotiff`: a multi-band float32 GeoTIFF of gridded variables.

Every writer is atomic: the output is written to a temporary file in the
destination folder and moved into place with :func:`os.replace` only once it is
complete, so a failure never leaves a partial file (or a stale temporary one)
behind. The destination folder must already exist.
"""

from __future__ import annotations

import datetime as _dt
import decimal
import json
import math
import os
import shutil
import tempfile
import warnings
import xml.etree.ElementTree as ET
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from computeatlas.errors import ComputeAtlasWarning, CRSError, GridError, InputError

if TYPE_CHECKING:  # pragma: no cover - typing only
    import geopandas as gpd
    import xarray as xr

__all__ = ["VIRIDIS_7", "to_geojson", "to_geotiff", "to_gpkg", "to_parquet"]

#: Seven-step viridis ramp (perceptually uniform, colour-blind safe), lowest class first.
VIRIDIS_7: tuple[str, ...] = (
    "#440154",
    "#443983",
    "#31688e",
    "#21918c",
    "#35b779",
    "#90d743",
    "#fde725",
)

#: Number of classes of the graduated QGIS style.
_N_CLASSES = len(VIRIDIS_7)

#: QGIS version the style file claims to come from (its structure is that of QGIS 3.x).
_QGIS_VERSION = "3.28.0-Firenze"

PathLike = str | os.PathLike[str]


# --------------------------------------------------------------------------------------
# paths and atomic writes
# --------------------------------------------------------------------------------------


def _out_path(path: PathLike, what: str = "path") -> Path:
    """Validate an output path and its folder; return it as a :class:`Path`."""
    try:
        p = Path(os.fspath(path))
    except TypeError:
        raise InputError(
            f"{what} must be a str or os.PathLike; got {type(path).__name__}"
        ) from None
    if p.name in ("", ".", ".."):
        raise InputError(f"{what} {str(path)!r} does not name a file")
    folder = p.parent
    if not folder.is_dir():
        raise InputError(f"output folder {str(folder)!r} does not exist; create it first")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise InputError(f"output folder {str(folder)!r} is not writable")
    if p.is_dir():
        raise InputError(f"{what} {str(p)!r} is an existing folder, not a file")
    return p


@contextmanager
def _staged(*targets: Path) -> Iterator[list[Path]]:
    """Yield temporary paths for ``targets``; move them into place if the block succeeds.

    The temporary files live in a private folder created beside the first target
    (same file system, so :func:`os.replace` is atomic). The folder and everything
    in it are removed in every case, so a failure leaves nothing behind.
    """
    folder = targets[0].parent
    try:
        staging = Path(tempfile.mkdtemp(prefix=".computeatlas-export-", dir=folder))
    except OSError as err:
        raise InputError(f"output folder {str(folder)!r} is not writable ({err})") from err
    try:
        tmps = [staging / t.name for t in targets]
        yield tmps
        for tmp, target in zip(tmps, targets, strict=True):
            os.replace(tmp, target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _write_text(path: Path, text: str) -> None:
    """Write UTF-8 text with LF line ends (no platform newline translation)."""
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        f.write(text)


# --------------------------------------------------------------------------------------
# vector helpers
# --------------------------------------------------------------------------------------


def _check_gdf(gdf: Any, what: str = "gdf") -> gpd.GeoDataFrame:
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


def _to_wgs84(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Reproject to EPSG:4326 (lon/lat order: geopandas always uses x=lon, y=lat)."""
    if gdf.crs.to_epsg() == 4326:
        return gdf
    return gdf.to_crs("EPSG:4326")


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


# --------------------------------------------------------------------------------------
# QGIS style (.qml)
# --------------------------------------------------------------------------------------


def _symbol_kind(gdf: gpd.GeoDataFrame) -> str:
    """``"marker"``, ``"line"`` or ``"fill"``: the QGIS symbol type of the layer."""
    types = {t for t in gdf.geometry.geom_type.dropna().unique() if t}
    kinds = set()
    for t in types:
        if t in ("Point", "MultiPoint"):
            kinds.add("marker")
        elif t in ("LineString", "MultiLineString", "LinearRing"):
            kinds.add("line")
        elif t in ("Polygon", "MultiPolygon"):
            kinds.add("fill")
        else:
            raise InputError(f"cannot style a layer holding {t} geometries; split it first")
    if len(kinds) > 1:
        raise InputError(
            f"cannot style a layer that mixes geometry types {sorted(types)}; "
            "a QGIS layer holds one kind (points or polygons)"
        )
    return kinds.pop() if kinds else "marker"


def _class_breaks(values: np.ndarray) -> np.ndarray:
    """Quantile class edges of the finite values, strictly ascending.

    Returns ``_N_CLASSES + 1`` edges from the minimum to the maximum; tied
    quantiles are merged (fewer classes). Fewer than two distinct finite values
    give a single class ``[min, max]`` (``[0, 0]`` when there is no finite value).
    """
    finite = values[np.isfinite(values)]
    if finite.size == 0:
        return np.array([0.0, 0.0])
    lo, hi = float(finite.min()), float(finite.max())
    if finite.size < 2 or lo == hi:
        return np.array([lo, hi])
    edges = np.quantile(finite, np.linspace(0.0, 1.0, _N_CLASSES + 1))
    edges[0], edges[-1] = lo, hi  # exact data range despite interpolation round-off
    return np.unique(edges)


def _label_decimals(edges: np.ndarray) -> int:
    """Decimals for legend labels: enough to tell the narrowest class apart, at most 6."""
    widths = np.diff(edges)
    widths = widths[widths > 0]
    if widths.size == 0:
        scale = abs(float(edges[0])) or 1.0
        return int(np.clip(2 - math.floor(math.log10(scale)), 0, 6))
    return int(np.clip(1 - math.floor(math.log10(float(widths.min()))), 0, 6))


def _rgba(hex_colour: str) -> str:
    h = hex_colour.lstrip("#")
    r, g, b = (int(h[i : i + 2], 16) for i in (0, 2, 4))
    return f"{r},{g},{b},255"


def _ramp_colours(n: int) -> list[str]:
    """``n`` colours spread over the viridis ramp, low to high."""
    if n == 1:
        return [VIRIDIS_7[len(VIRIDIS_7) // 2]]
    idx = np.rint(np.linspace(0, len(VIRIDIS_7) - 1, n)).astype(int)
    return [VIRIDIS_7[i] for i in idx]


def _props(parent: ET.Element, props: dict[str, str]) -> None:
    """Symbol layer properties in both the QGIS >= 3.26 ``<Option>`` and older ``<prop>`` form."""
    opt_map = ET.SubElement(parent, "Option", {"type": "Map"})
    for k, v in props.items():
        ET.SubElement(opt_map, "Option", {"type": "QString", "name": k, "value": v})
    for k, v in props.items():
        ET.SubElement(parent, "prop", {"k": k, "v": v})


def _empty_ddp(parent: ET.Element, tag: str = "data_defined_properties") -> None:
    ddp = ET.SubElement(parent, tag)
    opt = ET.SubElement(ddp, "Option", {"type": "Map"})
    ET.SubElement(opt, "Option", {"type": "QString", "name": "name", "value": ""})
    ET.SubElement(opt, "Option", {"name": "properties"})
    ET.SubElement(opt, "Option", {"type": "QString", "name": "type", "value": "collection"})


def _symbol(parent: ET.Element, name: str, kind: str, colour: str) -> None:
    """One QGIS 3.x symbol (circle marker, simple line or simple fill) of ``colour``."""
    sym = ET.SubElement(
        parent,
        "symbol",
        {
            "type": kind,
            "name": name,
            "alpha": "1",
            "clip_to_extent": "1",
            "force_rhr": "0",
        },
    )
    _empty_ddp(sym)
    outline = "35,35,35,255"
    scale0 = "3x:0,0,0,0,0,0"
    if kind == "marker":
        cls = "SimpleMarker"
        props = {
            "angle": "0",
            "color": _rgba(colour),
            "horizontal_anchor_point": "1",
            "joinstyle": "bevel",
            "name": "circle",
            "offset": "0,0",
            "offset_map_unit_scale": scale0,
            "offset_unit": "MM",
            "outline_color": outline,
            "outline_style": "solid",
            "outline_width": "0.2",
            "outline_width_map_unit_scale": scale0,
            "outline_width_unit": "MM",
            "scale_method": "diameter",
            "size": "2.6",
            "size_map_unit_scale": scale0,
            "size_unit": "MM",
            "vertical_anchor_point": "1",
        }
    elif kind == "line":
        cls = "SimpleLine"
        props = {
            "capstyle": "square",
            "joinstyle": "bevel",
            "line_color": _rgba(colour),
            "line_style": "solid",
            "line_width": "0.66",
            "line_width_unit": "MM",
            "offset": "0",
            "offset_unit": "MM",
        }
    else:
        cls = "SimpleFill"
        props = {
            "border_width_map_unit_scale": scale0,
            "color": _rgba(colour),
            "joinstyle": "bevel",
            "offset": "0,0",
            "offset_map_unit_scale": scale0,
            "offset_unit": "MM",
            "outline_color": outline,
            "outline_style": "solid",
            "outline_width": "0.1",
            "outline_width_unit": "MM",
            "style": "solid",
        }
    layer = ET.SubElement(sym, "layer", {"class": cls, "enabled": "1", "locked": "0", "pass": "0"})
    _props(layer, props)
    _empty_ddp(layer)


def _colour_ramp(parent: ET.Element) -> None:
    """Add the viridis ramp as a QGIS gradient ``[source]`` colour ramp."""
    ramp = ET.SubElement(parent, "colorramp", {"type": "gradient", "name": "[source]"})
    n = len(VIRIDIS_7)
    stops = ":".join(f"{i / (n - 1):.6g};{_rgba(VIRIDIS_7[i])}" for i in range(1, n - 1))
    _props(
        ramp,
        {
            "color1": _rgba(VIRIDIS_7[0]),
            "color2": _rgba(VIRIDIS_7[-1]),
            "discrete": "0",
            "rampType": "gradient",
            "stops": stops,
        },
    )


def _qml(values: np.ndarray, column: str, label: str, kind: str) -> str:
    """Return a QGIS 3.x layer style (text) with a graduated renderer on ``column``."""
    edges = _class_breaks(values)
    n = max(len(edges) - 1, 1)
    lowers, uppers = (edges[:-1], edges[1:]) if len(edges) > 1 else (edges, edges)
    colours = _ramp_colours(n)
    dec = _label_decimals(edges)

    root = ET.Element("qgis", {"version": _QGIS_VERSION, "styleCategories": "Symbology|Legend"})
    renderer = ET.SubElement(
        root,
        "renderer-v2",
        {
            "type": "graduatedSymbol",
            "attr": column,
            "graduatedMethod": "GraduatedColor",
            "symbollevels": "0",
            "forceraster": "0",
            "enableorderby": "0",
            "referencescale": "-1",
        },
    )
    ranges = ET.SubElement(renderer, "ranges")
    for i, (lo, hi) in enumerate(zip(lowers, uppers, strict=True)):
        text = f"{lo:.{dec}f} – {hi:.{dec}f}" if hi != lo else f"{lo:.{dec}f}"
        ET.SubElement(
            ranges,
            "range",
            {
                # repr() is the shortest exact round trip: the ranges cover min..max exactly.
                "lower": repr(float(lo)),
                "upper": repr(float(hi)),
                "symbol": str(i),
                "label": f"{label}: {text}",
                "render": "true",
            },
        )
    symbols = ET.SubElement(renderer, "symbols")
    for i, colour in enumerate(colours):
        _symbol(symbols, str(i), kind, colour)
    source = ET.SubElement(renderer, "source-symbol")
    _symbol(source, "0", kind, VIRIDIS_7[0])
    _colour_ramp(renderer)
    method = ET.SubElement(renderer, "classificationMethod", {"id": "Quantile"})
    ET.SubElement(method, "symmetricMode", {"enabled": "0", "symmetrypoint": "0", "astride": "0"})
    ET.SubElement(
        method,
        "labelFormat",
        {
            "format": f"{label}: %1 – %2",
            "labelprecision": str(dec),
            "trimtrailingzeroes": "0",
        },
    )
    params = ET.SubElement(method, "parameters")
    ET.SubElement(params, "Option")
    ET.SubElement(method, "extraInformation")
    ET.SubElement(renderer, "rotation")
    ET.SubElement(renderer, "sizescale")
    ET.SubElement(root, "blendMode").text = "0"
    ET.SubElement(root, "featureBlendMode").text = "0"
    ET.SubElement(root, "layerOpacity").text = "1"
    ET.SubElement(root, "legend", {"type": "default-vector", "showLabelLegend": "0"})
    geometry_type = {"marker": "0", "line": "1", "fill": "2"}[kind]
    ET.SubElement(root, "layerGeometryType").text = geometry_type
    ET.indent(root, space="  ")
    body = ET.tostring(root, encoding="unicode")
    return "<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>\n" + body + "\n"


def _style_values(gdf: gpd.GeoDataFrame, column: Any) -> np.ndarray:
    if column not in gdf.columns or column == gdf.geometry.name:
        raise InputError(
            f"style_column {column!r} is not a column of gdf; columns: "
            f"{[str(c) for c in gdf.columns if c != gdf.geometry.name]}"
        )
    series = gdf[column]
    if pd.api.types.is_bool_dtype(series) or not pd.api.types.is_numeric_dtype(series):
        raise InputError(f"style_column {column!r} must be numeric; it has dtype {series.dtype}")
    return series.to_numpy(dtype=float, na_value=np.nan)


# --------------------------------------------------------------------------------------
# public writers
# --------------------------------------------------------------------------------------


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
        The output folder does not exist or is not writable, ``style_column`` is
        missing or not numeric, the layer mixes geometry kinds (when styled), or
        ``precision`` is not an integer in 0..15.
    """
    gdf = _check_gdf(gdf)
    if isinstance(precision, (bool, np.bool_)) or not isinstance(precision, (int, np.integer)):
        raise InputError(f"precision must be an integer in 0..15; got {precision!r}")
    if not 0 <= int(precision) <= 15:
        raise InputError(f"precision must be an integer in 0..15; got {precision}")
    out = _out_path(path)
    qml_text = None
    qml_path = None
    if style_column is None and style_label is not None:
        raise InputError("style_label needs style_column (the column to colour by)")
    if style_column is not None:
        values = _style_values(gdf, style_column)
        kind = _symbol_kind(gdf)
        label = str(style_column) if style_label is None else str(style_label)
        qml_path = out.with_suffix(".qml")
        if qml_path == out:
            raise InputError(f"path {str(out)!r} must not end in .qml (the style goes there)")
        qml_text = _qml(values, str(style_column), label, kind)

    collection = _feature_collection(_to_wgs84(gdf), int(precision))
    text = json.dumps(collection, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    text += "\n"

    targets = [out] if qml_path is None else [out, qml_path]
    with _staged(*targets) as tmps:
        _write_text(tmps[0], text)
        if qml_text is not None:
            _write_text(tmps[1], qml_text)
    return out


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
        The output folder does not exist or is not writable, or ``layer`` is empty.
    """
    gdf = _check_gdf(gdf)
    if not isinstance(layer, str) or not layer.strip():
        raise InputError(f"layer must be a non-empty string; got {layer!r}")
    out = _out_path(path)
    gdf = _to_wgs84(gdf)
    with _staged(out) as (tmp,):
        gdf.to_file(tmp, driver="GPKG", engine="pyogrio", layer=layer)
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
        The input is not a DataFrame, or the output folder does not exist or is
        not writable.
    """
    import geopandas as gpd

    if isinstance(gdf_or_df, gpd.GeoDataFrame):
        frame: pd.DataFrame = _check_gdf(gdf_or_df, "gdf_or_df")
    elif isinstance(gdf_or_df, pd.DataFrame):
        frame = gdf_or_df
    else:
        raise InputError(
            "gdf_or_df must be a pandas DataFrame or geopandas GeoDataFrame; "
            f"got {type(gdf_or_df).__name__}"
        )
    out = _out_path(path)
    with _staged(out) as (tmp,):
        frame.to_parquet(tmp)
    return out


def _axis(ds: xr.Dataset, name: str) -> np.ndarray:
    """Check and return a 1-D, ascending, regular coordinate (>= 2 points) as float64."""
    if name not in ds.coords:
        raise GridError(
            f"ds has no {name!r} coordinate; bring it to the computeatlas grid with "
            "computeatlas.grid.normalize_grid()"
        )
    coord = ds.coords[name]
    if coord.ndim != 1 or coord.dims != (name,):
        raise GridError(f"coordinate {name!r} must be 1-D along dimension {name!r}")
    x = np.asarray(coord.values, dtype=np.float64)
    if x.size < 2:
        raise GridError(f"coordinate {name!r} needs at least 2 points to define the cell size")
    if not np.all(np.isfinite(x)):
        raise GridError(f"coordinate {name!r} holds NaN or infinite values")
    step = np.diff(x)
    if np.any(step <= 0):
        raise GridError(
            f"coordinate {name!r} must be strictly ascending; "
            "use computeatlas.grid.normalize_grid()"
        )
    if not np.allclose(step, step[0], rtol=1e-4, atol=1e-6):
        raise GridError(
            f"coordinate {name!r} is not regular (spacing {step.min():g} to {step.max():g} deg); "
            "a GeoTIFF needs a uniform grid"
        )
    return x


def to_geotiff(
    ds: xr.Dataset,
    path: PathLike,
    variables: str | Sequence[str] | None = None,
    *,
    nodata: float = -9999.0,
) -> Path:
    """Write gridded variables as a multi-band float32 GeoTIFF (EPSG:4326, north-up).

    Band ``i`` holds ``variables[i]``; its description is the variable name and
    its ``units`` (band unit and band tag) the variable's ``units`` attribute.
    Rows run north to south. The geotransform comes from the cell centres: the
    west edge is ``lon[0] - dlon/2`` and the north edge ``lat[-1] + dlat/2``,
    which is 90 + dlat/2 for a grid whose polar rows are centred on the poles
    (GDAL accepts that). NaN becomes ``nodata``.

    Parameters
    ----------
    ds : xarray.Dataset
        Variables on a regular grid with 1-D ascending ``lat`` and ``lon``
        coordinates [deg] of cell centres (the computeatlas grid conventions).
    path : str or os.PathLike
        Output file, e.g. ``"layers.tif"``; its folder must exist. An existing
        file is replaced.
    variables : str or sequence of str, optional
        Variables to write, in band order. Default: every 2-D (lat, lon)
        floating-point variable, in the dataset's order.
    nodata : float, default -9999.0
        Value written where data are NaN, and declared as the nodata value.

    Returns
    -------
    pathlib.Path
        The GeoTIFF written.

    Raises
    ------
    InputError
        A requested variable is missing, not 2-D (lat, lon) or not numeric; no
        variable qualifies; ``nodata`` is not a float32 number; or the output
        folder does not exist or is not writable.
    GridError
        ``lat``/``lon`` are missing, not 1-D, not ascending or not regular.

    Warns
    -----
    ComputeAtlasWarning
        Some finite data equal ``nodata`` and will read back as missing.
    """
    import rasterio
    import xarray as xr
    from rasterio.transform import from_origin

    if not isinstance(ds, xr.Dataset):
        raise InputError(f"ds must be an xarray.Dataset; got {type(ds).__name__}")
    try:
        nodata_f = float(nodata)
    except (TypeError, ValueError):
        raise InputError(f"nodata must be a number; got {nodata!r}") from None
    if math.isfinite(nodata_f) and abs(nodata_f) > float(np.finfo(np.float32).max):
        raise InputError(f"nodata {nodata_f:g} does not fit in float32")
    nodata32 = float(np.float32(nodata_f))

    lat = _axis(ds, "lat")
    lon = _axis(ds, "lon")

    def is_grid_var(da: xr.DataArray) -> bool:
        return da.ndim == 2 and set(da.dims) == {"lat", "lon"}

    if variables is None:
        names = [
            str(k)
            for k, v in ds.data_vars.items()
            if is_grid_var(v) and np.issubdtype(v.dtype, np.floating)
        ]
        if not names:
            raise InputError(
                "ds has no 2-D (lat, lon) floating-point variable to write; "
                f"data variables: {[str(k) for k in ds.data_vars]}"
            )
    else:
        names = [variables] if isinstance(variables, str) else list(variables)
        if not names:
            raise InputError("variables is empty; pass None to write every 2-D variable")
        if len(set(names)) != len(names):
            raise InputError(f"variables lists a name twice: {names}")
        for name in names:
            if name not in ds.data_vars:
                raise InputError(
                    f"variable {name!r} is not in ds; data variables: "
                    f"{[str(k) for k in ds.data_vars]}"
                )
            da = ds[name]
            if not is_grid_var(da):
                raise InputError(
                    f"variable {name!r} must be 2-D (lat, lon); it has dims {da.dims} "
                    "(select or reduce the other dimensions first)"
                )
            if da.dtype == bool or not np.issubdtype(da.dtype, np.number):
                raise InputError(f"variable {name!r} must be numeric; it has dtype {da.dtype}")
            if np.issubdtype(da.dtype, np.complexfloating):
                raise InputError(f"variable {name!r} is complex; write its real or abs part")

    bands = []
    for name in names:
        arr = np.asarray(ds[name].transpose("lat", "lon").values, dtype=np.float32)[::-1, :]
        missing = np.isnan(arr)
        if math.isfinite(nodata32) and np.any(arr[~missing] == np.float32(nodata32)):
            warnings.warn(
                f"variable {name!r} holds finite values equal to nodata={nodata32:g}; "
                "they will read back as missing (pass another nodata)",
                ComputeAtlasWarning,
                stacklevel=2,
            )
        bands.append(np.where(missing, np.float32(nodata32), arr))

    dlat = (lat[-1] - lat[0]) / (lat.size - 1)
    dlon = (lon[-1] - lon[0]) / (lon.size - 1)
    transform = from_origin(lon[0] - dlon / 2.0, lat[-1] + dlat / 2.0, dlon, dlat)
    profile = {
        "driver": "GTiff",
        "dtype": "float32",
        "count": len(bands),
        "height": lat.size,
        "width": lon.size,
        "crs": "EPSG:4326",
        "transform": transform,
        "nodata": nodata32,
        "compress": "deflate",
        "predictor": 3,
        "tiled": True,
        "blockxsize": 256,
        "blockysize": 256,
    }
    units = [str(ds[name].attrs.get("units", "")) for name in names]
    out = _out_path(path)
    with _staged(out) as (tmp,), rasterio.open(tmp, "w", **profile) as dst:
        for i, (name, band, unit) in enumerate(zip(names, bands, units, strict=True), 1):
            dst.write(band, i)
            dst.set_band_description(i, name)
            tags = {"name": name}
            if unit:
                tags["units"] = unit
            long_name = ds[name].attrs.get("long_name")
            if long_name:
                tags["long_name"] = str(long_name)
            dst.update_tags(i, **tags)
        dst.units = tuple(units)
        dst.update_tags(variables=",".join(names))
    return out
