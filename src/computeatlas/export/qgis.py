"""QGIS layer style (``.qml``): a graduated renderer on the viridis ramp.

:func:`graduated_style` builds the text of a QGIS 3.x layer style that colours
a point, line or polygon layer by one numeric column: up to 7 quantile classes
of the finite values, lowest values darkest. :func:`computeatlas.export.to_geojson`
writes it beside the GeoJSON (``sites.geojson`` -> ``sites.qml``), where QGIS
loads it automatically with the layer.
"""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from computeatlas.errors import InputError

if TYPE_CHECKING:  # pragma: no cover - typing only
    import geopandas as gpd

__all__ = ["VIRIDIS_7", "graduated_style"]

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
    """``"#rrggbb"`` -> ``"r,g,b,255"`` (the QGIS colour form)."""
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
    """Add an empty data-defined-properties collection (QGIS writes one everywhere)."""
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
    """Return the numeric ``column`` as float64 (missing -> NaN)."""
    if column not in gdf.columns or column == gdf.geometry.name:
        raise InputError(
            f"style_column {column!r} is not a column of gdf; columns: "
            f"{[str(c) for c in gdf.columns if c != gdf.geometry.name]}"
        )
    series = gdf[column]
    if pd.api.types.is_bool_dtype(series) or not pd.api.types.is_numeric_dtype(series):
        raise InputError(f"style_column {column!r} must be numeric; it has dtype {series.dtype}")
    return series.to_numpy(dtype=float, na_value=np.nan)


def graduated_style(gdf: gpd.GeoDataFrame, column: Any, label: str | None = None) -> str:
    """Return a QGIS 3.x layer style (text) colouring ``gdf`` by ``column``.

    Parameters
    ----------
    gdf : geopandas.GeoDataFrame
        The layer; it must hold one geometry kind (points, lines or polygons).
    column : str
        A numeric column of ``gdf`` (not the geometry).
    label : str, optional
        Legend text that prefixes every class label. Defaults to ``column``.

    Returns
    -------
    str
        The ``.qml`` document, LF line ends, ending in a newline.

    Raises
    ------
    InputError
        ``column`` is missing or not numeric, or the layer mixes geometry kinds.
    """
    values = _style_values(gdf, column)
    kind = _symbol_kind(gdf)
    text = str(column) if label is None else str(label)
    return _qml(values, str(column), text, kind)
