"""Cell-to-region labels, cached per (grid, region layer), and group statistics.

A cell belongs to the region that contains its centre (GDAL's rasterisation
rule, ``all_touched=False``). Labels are computed once per grid resolution
and region layer with :func:`rasterio.features.rasterize`, kept in memory and
on disk (``$COMPUTEATLAS_DATA_DIR`` or the platform cache) keyed by the SHA-256 of
the shipped region file, so every later join is an array lookup.
"""

from __future__ import annotations

import hashlib
import os
from functools import cache
from pathlib import Path

import numpy as np

from computeatlas.errors import InputError
from computeatlas.grid import GridSpec

__all__ = ["group_stats", "labels", "layer"]

_FILES = {"admin0": "countries.parquet", "admin1": "admin1.parquet"}


def layer(level: str):
    """Return the region layer for ``level`` (``admin0`` or ``admin1``) as a GeoDataFrame."""
    from computeatlas import datasets

    if level == "admin0":
        return datasets.countries()
    if level == "admin1":
        return datasets.admin1()
    raise InputError(f"level must be 'admin0' or 'admin1', got {level!r}")


def _cache_file(level: str, resolution: float) -> Path | None:
    from computeatlas.datasets import data_path, manifest

    try:
        from computeatlas.datasets.fetch import cache_dir

        folder = cache_dir() / "labels"
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None
    name = _FILES[level]
    digest = ""
    for lay in manifest()["layers"].values():
        if name in lay["files"]:
            digest = lay["files"][name]["sha256"][:16]
    if not digest:
        digest = hashlib.sha256(data_path(name).read_bytes()).hexdigest()[:16]
    return folder / f"{level}_{resolution:g}_{digest}.npy"


@cache
def _global_labels(level: str, resolution: float) -> np.ndarray:
    path = _cache_file(level, resolution)
    if path is not None and path.exists():
        try:
            return np.load(path)
        except (OSError, ValueError):
            path.unlink(missing_ok=True)
    from rasterio.features import rasterize
    from rasterio.transform import from_origin

    grid = GridSpec(resolution)
    gdf = layer(level)
    transform = from_origin(-180.0 - resolution / 2, 90.0 + resolution / 2, resolution, resolution)
    shapes = ((geom, i) for i, geom in enumerate(gdf.geometry.values) if geom is not None)
    north_up = rasterize(
        shapes,
        out_shape=(grid.nlat, grid.nlon),
        transform=transform,
        fill=-1,
        dtype="int32",
        all_touched=False,
    )
    out = np.ascontiguousarray(north_up[::-1, :])  # ascending latitude
    if path is not None:
        tmp = path.with_name(f"{path.stem}.{os.getpid()}.part.npy")
        try:
            np.save(tmp, out)
            os.replace(tmp, path)
        except OSError:
            tmp.unlink(missing_ok=True)
    return out


def labels(grid: GridSpec, level: str, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
    """Region index (row of :func:`layer`) of each cell; -1 outside every region.

    Parameters
    ----------
    grid : GridSpec
        The global grid the rows and columns index.
    level : {"admin0", "admin1"}
    rows, cols : numpy.ndarray
        Row and column indices of the cells wanted.
    """
    if level not in _FILES:
        raise InputError(f"level must be 'admin0' or 'admin1', got {level!r}")
    full = _global_labels(level, float(grid.resolution))
    return full[np.ix_(rows, cols)]


def group_stats(
    label: np.ndarray, values: np.ndarray, weights: np.ndarray, n_groups: int
) -> dict[str, np.ndarray]:
    """One-pass group statistics of ``values`` by ``label`` (ignoring NaN and label -1).

    Returns ``min``, ``argmin`` (flat index of the minimum), ``mean`` (weighted) and
    ``weight`` (sum of weights) per group.
    """
    from computeatlas._kernels.groups import group_min_mean

    mn, am, mean, wsum = group_min_mean(
        label.ravel().astype(np.int64),
        values.ravel().astype(np.float64),
        weights.ravel().astype(np.float64),
        n_groups,
    )
    return {"min": mn, "argmin": am, "mean": mean, "weight": wsum}
