"""GeoTIFF writer: gridded variables as a multi-band float32 raster (EPSG:4326)."""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from computeatlas._io import PathLike, atomic_write, check_target
from computeatlas.errors import ComputeAtlasWarning, GridError, InputError

if TYPE_CHECKING:  # pragma: no cover - typing only
    import xarray as xr

__all__ = ["to_geotiff"]


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


def _nodata32(nodata: Any) -> float:
    """``nodata`` as a float32-representable Python float (NaN allowed)."""
    try:
        nodata_f = float(nodata)
    except (TypeError, ValueError):
        raise InputError(f"nodata must be a number; got {nodata!r}") from None
    if math.isfinite(nodata_f) and abs(nodata_f) > float(np.finfo(np.float32).max):
        raise InputError(f"nodata {nodata_f:g} does not fit in float32")
    return float(np.float32(nodata_f))


def _is_grid_var(da: xr.DataArray) -> bool:
    """Tell whether ``da`` is 2-D (lat, lon), in either dimension order."""
    return da.ndim == 2 and set(da.dims) == {"lat", "lon"}


def _variable_names(ds: xr.Dataset, variables: str | Sequence[str] | None) -> list[str]:
    """Return the band names: every 2-D float variable by default, else the checked request."""
    data_vars = [str(k) for k in ds.data_vars]
    if variables is None:
        names = [
            str(k)
            for k, v in ds.data_vars.items()
            if _is_grid_var(v) and np.issubdtype(v.dtype, np.floating)
        ]
        if not names:
            raise InputError(
                f"ds has no 2-D (lat, lon) floating-point variable to write; data variables: "
                f"{data_vars}"
            )
        return names
    if isinstance(variables, str):  # one name, not a sequence of letters
        names = [variables]
    else:
        try:
            names = list(variables)
        except TypeError:
            raise InputError(
                f"variables must be a name or a sequence of names; got {variables!r}"
            ) from None
    if not names:
        raise InputError("variables is empty; pass None to write every 2-D variable")
    if len(set(names)) != len(names):
        raise InputError(f"variables lists a name twice: {names}")
    for name in names:
        _check_variable(ds, name, data_vars)
    return names


def _check_variable(ds: xr.Dataset, name: Any, data_vars: list[str]) -> None:
    """Raise InputError unless ``name`` is a numeric, real, 2-D (lat, lon) variable."""
    if not isinstance(name, str) or name not in ds.data_vars:
        raise InputError(f"variable {name!r} is not in ds; data variables: {data_vars}")
    da = ds[name]
    if not _is_grid_var(da):
        raise InputError(
            f"variable {name!r} must be 2-D (lat, lon); it has dims {da.dims} "
            "(select or reduce the other dimensions first)"
        )
    if da.dtype == bool or not np.issubdtype(da.dtype, np.number):
        raise InputError(f"variable {name!r} must be numeric; it has dtype {da.dtype}")
    if np.issubdtype(da.dtype, np.complexfloating):
        raise InputError(f"variable {name!r} is complex; write its real or abs part")


def _bands(ds: xr.Dataset, names: list[str], nodata32: float) -> list[np.ndarray]:
    """North-up float32 arrays, NaN replaced by ``nodata32``."""
    bands = []
    for name in names:
        arr = np.asarray(ds[name].transpose("lat", "lon").values, dtype=np.float32)[::-1, :]
        missing = np.isnan(arr)
        if math.isfinite(nodata32) and np.any(arr[~missing] == np.float32(nodata32)):
            warnings.warn(
                f"variable {name!r} holds finite values equal to nodata={nodata32:g}; "
                "they will read back as missing (pass another nodata)",
                ComputeAtlasWarning,
                stacklevel=3,  # the caller of to_geotiff
            )
        bands.append(np.where(missing, np.float32(nodata32), arr))
    return bands


def _profile(lat: np.ndarray, lon: np.ndarray, count: int, nodata32: float) -> dict[str, Any]:
    """Creation options: tiled, deflate-compressed float32, geotransform from cell centres."""
    from rasterio.transform import from_origin

    dlat = (lat[-1] - lat[0]) / (lat.size - 1)
    dlon = (lon[-1] - lon[0]) / (lon.size - 1)
    transform = from_origin(lon[0] - dlon / 2.0, lat[-1] + dlat / 2.0, dlon, dlat)
    return {
        "driver": "GTiff",
        "dtype": "float32",
        "count": count,
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


def _write_bands(dst: Any, ds: xr.Dataset, names: list[str], bands: list[np.ndarray]) -> None:
    """Write the bands with their description, ``units`` and ``long_name`` tags."""
    units = [str(ds[name].attrs.get("units", "")) for name in names]
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


def _verify(path: Path, names: list[str], bands: list[np.ndarray]) -> None:
    """Read the written file back; raise OSError unless every band is complete.

    GDAL reports a failed write at close (disk full, file-size limit) only on
    stderr and leaves a truncated file, so the file is checked by reading it.
    """
    import rasterio
    from rasterio.errors import RasterioError

    try:
        with rasterio.open(path) as src:
            ok = src.count == len(bands) and src.descriptions == tuple(names)
            for i, band in enumerate(bands, 1):
                ok = ok and np.array_equal(src.read(i), band, equal_nan=True)
    except RasterioError as err:
        raise OSError(f"the GeoTIFF written is unreadable ({err}); disk full?") from err
    if not ok:
        raise OSError("the GeoTIFF written does not read back as written; disk full?")


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
        Variables to write, in band order; a single string is one variable
        (``"pue"``). Default: every 2-D (lat, lon) floating-point variable, in
        the dataset's order.
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
        variable qualifies; ``nodata`` is not a float32 number; or ``path`` is
        empty, a folder or in a missing or read-only folder.
    GridError
        ``lat``/``lon`` are missing, not 1-D, not ascending or not regular.
    OSError
        Writing failed (disk full, file-size limit, permission denied); a
        previous ``path`` is then unchanged and no temporary file remains.

    Warns
    -----
    ComputeAtlasWarning
        Some finite data equal ``nodata`` and will read back as missing.

    Notes
    -----
    The raster is written to a temporary file, closed, read back and compared
    band by band with what was meant to be written (GDAL reports a write that
    fails when the file is closed only on stderr and leaves it truncated), and
    only then moved onto ``path``.
    """
    import rasterio
    import xarray as xr

    if not isinstance(ds, xr.Dataset):
        raise InputError(f"ds must be an xarray.Dataset; got {type(ds).__name__}")
    nodata32 = _nodata32(nodata)
    lat = _axis(ds, "lat")
    lon = _axis(ds, "lon")
    names = _variable_names(ds, variables)
    bands = _bands(ds, names, nodata32)
    profile = _profile(lat, lon, len(bands), nodata32)
    out = check_target(path)
    with atomic_write(out) as (tmp,):
        with rasterio.open(tmp, "w", **profile) as dst:
            _write_bands(dst, ds, names, bands)
        _verify(tmp, names, bands)
    return out
