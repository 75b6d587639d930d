"""QGIS layer styles (``.qml`` text): graduated on the viridis ramp, or one symbol.

:func:`graduated_style` builds the text of a QGIS 3.x layer style that colours
a point, line or polygon layer by one numeric column: up to 7 quantile classes
of the distinct finite values, rounded to the column's display precision
(:func:`display_decimals`: cents for USD/MWh), lowest values darkest, labels
with units. :func:`single_style` draws every feature with one symbol (metros,
service areas). :func:`computeatlas.export.to_geojson` writes a style beside the
GeoJSON (``sites.geojson`` -> ``sites.qml``), where QGIS loads it automatically
with the layer; :func:`computeatlas.export.to_qgis_gpkg` embeds them in the
GeoPackage's ``layer_styles`` table.
"""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from computeatlas.errors import InputError

if TYPE_CHECKING:  # pragma: no cover - typing only
    import geopandas as gpd

__all__ = [
    "VIRIDIS_7",
    "Classes",
    "class_breaks",
    "display_decimals",
    "display_units",
    "graduated_style",
    "single_style",
    "symbol_kind",
]

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


#: Display decimals by a fragment of a column name (names carry their units).
_DECIMALS_BY_NAME: tuple[tuple[str, int], ...] = (
    ("usd_per_mtoken", 5),  # a few thousandths of a USD per million tokens
    ("usd_per_mwh", 2),  # cents
    ("usd_per_t", 2),
    ("rtt", 1),
    ("_ms", 1),
    ("pue", 3),
    ("l_per_kwh", 3),
    ("kg_per_mwh", 0),
    ("hours", 0),
    ("km2", 0),
    ("_km", 0),
    ("population", 0),
    ("rank", 0),
)


def display_decimals(column: str, values: np.ndarray | None = None) -> int:
    """Decimals a value of ``column`` is shown with (its display precision).

    Parameters
    ----------
    column : str
        Column name; computeatlas names carry their units
        (``cost_usd_per_mwh_it`` -> 2 decimals, cents; ``min_rtt_ms`` -> 1;
        ``pue`` -> 3).
    values : numpy.ndarray, optional
        The data, used for a name that says nothing: 3 significant digits of
        the data range (at most 6 decimals).

    Returns
    -------
    int
        Number of decimals, 0..6.
    """
    name = column.lower()
    for fragment, decimals in _DECIMALS_BY_NAME:
        if fragment in name:
            return decimals
    finite = np.asarray([] if values is None else values, dtype=float)
    finite = finite[np.isfinite(finite)]
    span = float(finite.max() - finite.min()) if finite.size else 0.0
    if span == 0.0:
        scale = float(np.abs(finite).max()) if finite.size else 0.0
        return int(np.clip(2 - math.floor(math.log10(scale)), 0, 6)) if scale else 0
    return int(np.clip(2 - math.floor(math.log10(span)), 0, 6))


def display_units(units: str) -> str:
    """UDUNITS text as a legend shows it: ``"USD MWh-1"`` -> ``"USD/MWh"``, ``"1"`` -> ``""``.

    Parameters
    ----------
    units : str
        CF ``units`` attribute (``"USD MWh-1"``, ``"ms"``, ``"h yr-1"``, ``"1"``).

    Returns
    -------
    str
        Numerator terms, then ``/`` and each term with exponent ``-1``.
    """
    terms = str(units).split()
    if terms in ([], ["1"]):
        return ""
    num = [t for t in terms if not t.endswith("-1")]
    den = [t[:-2] for t in terms if t.endswith("-1")]
    text = " ".join(num) or "1"
    return text + "".join(f"/{d}" for d in den)


@dataclass(frozen=True)
class Classes:
    """Graduated classes: QGIS range edges and what each class shows.

    Attributes
    ----------
    edges : numpy.ndarray
        ``n + 1`` ascending range edges: the exact data minimum, the interior
        breaks half a display step below a displayed value, the exact maximum.
    shown : numpy.ndarray
        ``(n, 2)`` smallest and largest displayed value (the data rounded to
        the display step) in each class; equal for a one-value class.
    """

    edges: np.ndarray
    shown: np.ndarray


def class_breaks(values: np.ndarray, decimals: int) -> Classes:
    """Quantile classes of the distinct finite values at a display precision.

    Parameters
    ----------
    values : numpy.ndarray
        The data; NaN and infinities are ignored.
    decimals : int
        Display precision [decimals]; the display step is ``10**-decimals``.

    Returns
    -------
    Classes
        At most 7 classes, as many as the distinct displayed values when there
        are fewer; a single class when the data range is below the display
        step or there is at most one distinct value (``edges == [0, 0]`` when
        no value is finite).

    Notes
    -----
    The values are rounded to the display precision; the class starts are the
    quantiles (at ``j / n``) of the **distinct** displayed values, rounded to
    the precision, so a mass of tied cells neither collapses the classes onto
    one value nor spreads near-ties over several classes (with 7 or fewer
    distinct displayed values each gets its own class). Each interior edge is
    half a step below a class start: a value lies in the class whose label
    contains its displayed value, and labels never overlap
    (``41.23 – 41.49``, ``41.50 – 41.98``). QGIS puts a value equal to an edge
    in the lower class.
    """
    finite = np.asarray(values, dtype=float)
    finite = finite[np.isfinite(finite)]
    if finite.size == 0:
        return Classes(np.array([0.0, 0.0]), np.array([[0.0, 0.0]]))
    lo, hi = float(finite.min()), float(finite.max())
    shown = np.unique(np.round(finite, decimals))
    step = 10.0**-decimals
    if shown.size < 2 or hi - lo < step:
        return Classes(np.array([lo, hi]), np.array([[shown[0], shown[-1]]]))
    if shown.size <= _N_CLASSES:  # one class per displayed value
        starts = shown[1:]
    else:
        starts = np.round(np.quantile(shown, np.arange(_N_CLASSES) / _N_CLASSES), decimals)
        starts = np.unique(starts[starts > shown[0]])
    inner = np.round(starts - step / 2.0, decimals + 1)
    inner = inner[(inner > lo) & (inner < hi)]
    edges = np.concatenate([[lo], inner, [hi]])
    which = np.searchsorted(inner, shown, side="left")  # class of each displayed value
    span = np.array(
        [[shown[which == k].min(), shown[which == k].max()] for k in range(inner.size + 1)]
    )
    return Classes(edges, span)


def _fmt(value: float, decimals: int) -> str:
    return f"{value + 0.0:.{decimals}f}"  # + 0.0: no "-0.00"


def _class_label(lo: float, hi: float, decimals: int, prefix: str, units: str) -> str:
    """``"score: 41.23 – 41.49 USD/MWh"`` (one value when the class shows one value)."""
    text = _fmt(lo, decimals) if hi == lo else f"{_fmt(lo, decimals)} – {_fmt(hi, decimals)}"
    head = f"{prefix}: " if prefix else ""
    return f"{head}{text}{' ' + units if units else ''}"


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


def _symbol(
    parent: ET.Element,
    name: str,
    kind: str,
    colour: str,
    overrides: dict[str, str] | None = None,
) -> None:
    """One QGIS 3.x symbol (circle marker, simple line or simple fill) of ``colour``.

    ``overrides`` replaces symbol-layer properties (e.g. ``{"style": "no"}`` for
    an outline-only fill, ``{"outline_style": "no"}`` for a fill without edges).
    """
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
    props.update(overrides or {})
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


@dataclass(frozen=True)
class _Look:
    """How a layer is drawn beyond its colours."""

    kind: str  # "marker", "line" or "fill"
    overrides: dict[str, str] = field(default_factory=dict)
    opacity: float = 1.0


def _root() -> ET.Element:
    return ET.Element("qgis", {"version": _QGIS_VERSION, "styleCategories": "Symbology|Legend"})


def _renderer(root: ET.Element, kind: str, **extra: str) -> ET.Element:
    return ET.SubElement(
        root,
        "renderer-v2",
        {
            "type": kind,
            **extra,
            "symbollevels": "0",
            "forceraster": "0",
            "enableorderby": "0",
            "referencescale": "-1",
        },
    )


def _finish(root: ET.Element, renderer: ET.Element, look: _Look) -> str:
    """Add the layer-level elements QGIS writes after the renderer; return the text."""
    ET.SubElement(renderer, "rotation")
    ET.SubElement(renderer, "sizescale")
    ET.SubElement(root, "blendMode").text = "0"
    ET.SubElement(root, "featureBlendMode").text = "0"
    ET.SubElement(root, "layerOpacity").text = f"{look.opacity:g}"
    ET.SubElement(root, "legend", {"type": "default-vector", "showLabelLegend": "0"})
    geometry_type = {"marker": "0", "line": "1", "fill": "2"}[look.kind]
    ET.SubElement(root, "layerGeometryType").text = geometry_type
    ET.indent(root, space="  ")
    body = ET.tostring(root, encoding="unicode")
    return "<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>\n" + body + "\n"


def _classification(renderer: ET.Element, fmt: str, decimals: int) -> None:
    method = ET.SubElement(renderer, "classificationMethod", {"id": "Quantile"})
    ET.SubElement(method, "symmetricMode", {"enabled": "0", "symmetrypoint": "0", "astride": "0"})
    ET.SubElement(
        method,
        "labelFormat",
        {"format": fmt, "labelprecision": str(decimals), "trimtrailingzeroes": "0"},
    )
    params = ET.SubElement(method, "parameters")
    ET.SubElement(params, "Option")
    ET.SubElement(method, "extraInformation")


def _qml(
    values: np.ndarray, column: str, prefix: str, units: str, decimals: int, look: _Look
) -> str:
    """Return a QGIS 3.x layer style (text) with a graduated renderer on ``column``."""
    classes = class_breaks(values, decimals)
    lowers, uppers = classes.edges[:-1], classes.edges[1:]
    colours = _ramp_colours(len(lowers))
    root = _root()
    renderer = _renderer(root, "graduatedSymbol", attr=column, graduatedMethod="GraduatedColor")
    ranges = ET.SubElement(renderer, "ranges")
    for i, (lo, hi) in enumerate(zip(lowers, uppers, strict=True)):
        first, last = (float(v) for v in classes.shown[i])
        ET.SubElement(
            ranges,
            "range",
            {
                # repr() is the shortest exact round trip: the ranges cover min..max exactly.
                "lower": repr(float(lo)),
                "upper": repr(float(hi)),
                "symbol": str(i),
                "label": _class_label(first, last, decimals, prefix, units),
                "render": "true",
            },
        )
    symbols = ET.SubElement(renderer, "symbols")
    for i, colour in enumerate(colours):
        _symbol(symbols, str(i), look.kind, colour, look.overrides)
    source = ET.SubElement(renderer, "source-symbol")
    _symbol(source, "0", look.kind, VIRIDIS_7[0], look.overrides)
    _colour_ramp(renderer)
    head = f"{prefix}: " if prefix else ""
    _classification(renderer, f"{head}%1 – %2{' ' + units if units else ''}", decimals)
    return _finish(root, renderer, look)


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


def _check_decimals(decimals: Any) -> int:
    if isinstance(decimals, (bool, np.bool_)) or not isinstance(decimals, (int, np.integer)):
        raise InputError(f"decimals must be an integer in 0..10; got {decimals!r}")
    if not 0 <= int(decimals) <= 10:
        raise InputError(f"decimals must be an integer in 0..10; got {decimals}")
    return int(decimals)


def graduated_style(
    gdf: gpd.GeoDataFrame,
    column: Any,
    label: str | None = None,
    *,
    units: str = "",
    decimals: int | None = None,
    outline: bool = True,
    opacity: float = 1.0,
    kind: str | None = None,
) -> str:
    """Return a QGIS 3.x layer style (text) colouring ``gdf`` by ``column``.

    Parameters
    ----------
    gdf : geopandas.GeoDataFrame
        The layer; it must hold one geometry kind (points, lines or polygons).
    column : str
        A numeric column of ``gdf`` (not the geometry).
    label : str, optional
        Text that prefixes every class label (``"score: 41.23 – 42.50
        USD/MWh"``). Defaults to ``column``; ``""`` for none.
    units : str, default ""
        Units written after every class label, as shown (e.g. ``"USD/MWh"``;
        see :func:`display_units`).
    decimals : int, optional
        Display precision [decimals] of the class edges and labels; default
        :func:`display_decimals` of ``column`` (cents for ``*_usd_per_mwh*``).
    outline : bool, default True
        Draw polygon edges (a fill without edges suits grid cells).
    opacity : float, default 1
        Layer opacity, 0..1.
    kind : {"marker", "line", "fill"}, optional
        Symbol type; default from the geometries (needed for an empty layer).

    Returns
    -------
    str
        The ``.qml`` document, LF line ends, ending in a newline.

    Raises
    ------
    InputError
        ``column`` is missing or not numeric, the layer mixes geometry kinds,
        ``kind`` is not a symbol type, or ``decimals`` is not an integer in 0..10.
    """
    values = _style_values(gdf, column)
    if kind is None:
        kind = _symbol_kind(gdf)
    elif kind not in ("marker", "line", "fill"):
        raise InputError(f"kind must be 'marker', 'line' or 'fill'; got {kind!r}")
    prefix = str(column) if label is None else str(label)
    dec = display_decimals(str(column), values) if decimals is None else _check_decimals(decimals)
    look = _Look(kind, {} if outline or kind != "fill" else {"outline_style": "no"}, opacity)
    return _qml(values, str(column), prefix, str(units), dec, look)


def single_style(
    kind: str,
    colour: str,
    *,
    overrides: dict[str, str] | None = None,
    opacity: float = 1.0,
) -> str:
    """Return a QGIS 3.x layer style (text) drawing every feature with one symbol.

    Parameters
    ----------
    kind : {"marker", "line", "fill"}
        Symbol type of the layer (points, lines, polygons).
    colour : str
        ``"#rrggbb"`` fill (marker, fill) or line colour.
    overrides : dict of str, optional
        QGIS symbol-layer properties to replace, e.g. ``{"style": "no"}`` for an
        outline-only fill or ``{"name": "star", "size": "4"}`` for a marker.
    opacity : float, default 1
        Layer opacity, 0..1.

    Returns
    -------
    str
        The ``.qml`` document, LF line ends, ending in a newline.

    Raises
    ------
    InputError
        ``kind`` is not one of the three symbol types.
    """
    if kind not in ("marker", "line", "fill"):
        raise InputError(f"kind must be 'marker', 'line' or 'fill'; got {kind!r}")
    look = _Look(kind, dict(overrides or {}), opacity)
    root = _root()
    renderer = _renderer(root, "singleSymbol")
    symbols = ET.SubElement(renderer, "symbols")
    _symbol(symbols, "0", kind, colour, look.overrides)
    return _finish(root, renderer, look)


def symbol_kind(gdf: gpd.GeoDataFrame) -> str:
    """``"marker"``, ``"line"`` or ``"fill"``: the QGIS symbol type of a layer's geometries.

    Parameters
    ----------
    gdf : geopandas.GeoDataFrame
        The layer (an empty one is a marker layer).

    Returns
    -------
    str

    Raises
    ------
    InputError
        The layer mixes kinds or holds geometry collections.
    """
    return _symbol_kind(gdf)
