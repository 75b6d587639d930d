"""Export ranking results for QGIS and other GIS tools.

Five writers, each returning the :class:`pathlib.Path` it wrote:

* :func:`to_geojson`: RFC 7946 GeoJSON (WGS84 lon/lat, right-hand rule,
  rounded coordinates, ``null`` for missing values), optionally with a QGIS
  layer style (``.qml``) beside it that colours the features by one column;
* :func:`to_gpkg`: a GeoPackage layer;
* :func:`to_qgis_gpkg`: several layers in one GeoPackage, each with its default
  QGIS style in the ``layer_styles`` table (the layers of a ranking come from
  :mod:`computeatlas.export.atlas`);
* :func:`to_parquet`: GeoParquet (or plain Parquet for a DataFrame);
* :func:`to_geotiff`: a multi-band float32 GeoTIFF of gridded variables.

:func:`writer_for` picks the writer from a file suffix (:data:`WRITERS`), so a
command line can refuse an unsupported ``--out`` before doing any work.

Every writer is atomic (:func:`computeatlas._io.atomic_write`): the output is
written to a temporary file in the destination folder and moved into place with
:func:`os.replace` only once it is complete, so a failure never leaves a partial
file (or a stale temporary one) behind and a previous file stays byte-identical.
The destination folder must already exist.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from computeatlas.errors import InputError
from computeatlas.export.geojson import to_geojson
from computeatlas.export.qgis import VIRIDIS_7
from computeatlas.export.raster import to_geotiff
from computeatlas.export.vector import to_gpkg, to_parquet, to_qgis_gpkg

__all__ = [
    "VIRIDIS_7",
    "WRITERS",
    "Writer",
    "supported_suffixes",
    "to_geojson",
    "to_geotiff",
    "to_gpkg",
    "to_parquet",
    "to_qgis_gpkg",
    "writer_for",
]


@dataclass(frozen=True)
class Writer:
    """One output format.

    Parameters
    ----------
    name : str
        Short name of the format (``"geojson"``, ``"gpkg"``, ...).
    suffixes : tuple of str
        File suffixes that select it, lower case with the dot.
    write : callable
        The writer function, e.g. :func:`to_geojson`.
    description : str
        One line for help texts.
    """

    name: str
    suffixes: tuple[str, ...]
    write: Callable[..., Path]
    description: str


#: Output formats by name; a new format is one module and one entry here.
WRITERS: dict[str, Writer] = {
    w.name: w
    for w in (
        Writer("geojson", (".geojson", ".json"), to_geojson, "GeoJSON + QGIS style (.qml)"),
        Writer("gpkg", (".gpkg",), to_gpkg, "GeoPackage layer"),
        Writer("parquet", (".parquet",), to_parquet, "GeoParquet"),
        Writer("geotiff", (".tif", ".tiff"), to_geotiff, "multi-band float32 GeoTIFF"),
    )
}

_BY_SUFFIX: dict[str, Writer] = {s: w for w in WRITERS.values() for s in w.suffixes}


def supported_suffixes() -> tuple[str, ...]:
    """Return the file suffixes :func:`writer_for` accepts, in registry order.

    Returns
    -------
    tuple of str
        Lower-case suffixes with the dot, e.g. ``(".geojson", ".json", ...)``.
    """
    return tuple(_BY_SUFFIX)


def writer_for(path: str | os.PathLike[str], what: str = "path") -> Writer:
    """Return the :class:`Writer` for the suffix of ``path`` (case-insensitive).

    Only the name is looked at; nothing is written or checked on disk (see
    :func:`computeatlas._io.check_target` for that).

    Parameters
    ----------
    path : str or os.PathLike
        The output file, e.g. ``"sites.geojson"``.
    what : str, default "path"
        Parameter name used in the error message (e.g. ``"--out"``).

    Returns
    -------
    Writer
        The matching entry of :data:`WRITERS`.

    Raises
    ------
    InputError
        The suffix is not supported; the message lists the supported ones.

    Examples
    --------
    >>> writer_for("sites.GeoJSON").name
    'geojson'
    """
    try:
        suffix = Path(os.fspath(path)).suffix.lower()
    except TypeError:
        raise InputError(
            f"{what} must be a str or os.PathLike; got {type(path).__name__}"
        ) from None
    writer = _BY_SUFFIX.get(suffix)
    if writer is None:
        shown = f"the unsupported suffix {suffix!r}" if suffix else "no file suffix"
        raise InputError(
            f"{what} {os.fspath(path)!r} has {shown}; supported: {', '.join(supported_suffixes())}"
        )
    return writer
