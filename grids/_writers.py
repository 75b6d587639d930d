"""Deterministic writers for the recipes (the same input gives the same bytes)."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import xarray as xr


def write_netcdf(ds: xr.Dataset, path: Path, packing: dict[str, dict]) -> Path:
    """Write a compressed netCDF4 file with integer packing, atomically.

    Parameters
    ----------
    ds : xarray.Dataset
        Data to write.
    path : pathlib.Path
        Target file.
    packing : dict
        Per variable: ``dtype`` (e.g. ``"i2"``), ``scale_factor`` and optional
        ``add_offset``; values are rounded to the packing step.
    """
    encoding = {}
    for name, var in ds.data_vars.items():
        enc = {"zlib": True, "complevel": 9, "shuffle": True}
        spec = packing.get(name)
        if spec is not None:
            dtype = np.dtype(spec["dtype"])
            fill = np.iinfo(dtype).min if dtype.kind == "i" else np.iinfo(dtype).max
            enc.update(
                dtype=dtype.str,
                scale_factor=spec["scale_factor"],
                add_offset=spec.get("add_offset", 0.0),
                _FillValue=fill,
            )
        chunks = tuple(min(s, 256) if d in ("lat", "lon") else s for d, s in var.sizes.items())
        enc["chunksizes"] = chunks
        encoding[name] = enc
    path = Path(path)
    tmp = path.with_name(path.name + ".part")
    # h5netcdf with track_order off and no timestamps writes reproducible bytes.
    ds.to_netcdf(tmp, engine="h5netcdf", encoding=encoding, invalid_netcdf=False)
    os.replace(tmp, path)
    return path


def write_csv(df, path: Path) -> Path:
    """Write a CSV with LF line endings and a fixed float format, atomically."""
    path = Path(path)
    tmp = path.with_name(path.name + ".part")
    df.to_csv(tmp, index=False, lineterminator="\n")
    os.replace(tmp, path)
    return path


def write_geoparquet(gdf, path: Path) -> Path:
    """Write a GeoParquet file (zstd), atomically."""
    path = Path(path)
    tmp = path.with_name(path.name + ".part")
    gdf.to_parquet(tmp, compression="zstd", index=False, write_covering_bbox=False)
    os.replace(tmp, path)
    return path
