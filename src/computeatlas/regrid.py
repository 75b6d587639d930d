"""Regridding a user's layer from its own regular lat/lon grid onto the ranking cells.

Two methods, for regular lat/lon grids on both sides (any spacing, any extent,
across the antimeridian):

* ``"conservative"`` (for means: temperature, dew point, any intensive field):
  each destination cell takes the area-weighted mean of the source cells it
  overlaps, weighted by the overlap area on the sphere,
  ``A = R^2 * dlon * (sin(phi_n) - sin(phi_s))``. The weights are separable (an
  overlap in longitude times an overlap in sine of latitude), so the regridding
  is two 1-D passes, each the difference of the cumulative integral of the
  piecewise-constant source field at the destination edges: exact (no
  sub-sampling), vectorised, no weight matrix. NaN source cells (e.g. the ocean of
  a land-only WorldClim file) are left out of both the sum and the area, so a
  coastal cell takes the mean of its valid part; a cell with no valid part is NaN.
  The area-weighted integral over any region made of whole destination cells equals
  that of the source.
* ``"nearest"`` (for categorical fields: classes, flags): each destination cell
  takes the source cell containing its centre.

Source cells are the coordinate values taken as cell centres with bounds half a
step either side (latitude bounds clipped at +-90 deg), as in
:mod:`computeatlas.grid`. A destination cell that the source grid does not
fully cover raises :class:`~computeatlas.errors.InputError`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, TypeVar

import numpy as np
import xarray as xr

from computeatlas.errors import InputError
from computeatlas.grid import normalize_grid

__all__ = ["METHODS", "regrid"]

#: Regridding methods: area-conservative means, or the source cell holding the centre.
METHODS = ("conservative", "nearest")

T = TypeVar("T", xr.DataArray, xr.Dataset)

#: Tolerance [deg] when comparing cell bounds (GeoTIFF transforms carry float noise).
_TOL_DEG = 1e-6


@dataclass(frozen=True)
class _Axis:
    """Bounds of a regular source axis, contiguous and ascending, with its column order."""

    edges: np.ndarray
    order: np.ndarray
    periodic: bool


def _spacing(values: np.ndarray, name: str) -> float:
    if values.size < 2:
        raise InputError(
            f"climate: the source {name} axis has {values.size} value; regridding needs at "
            "least two cells per axis to know the cell size"
        )
    # the median step: a regional longitude axis across 180 deg has one large gap
    return float(np.median(np.diff(values)))


def _source_lat(lat: np.ndarray) -> _Axis:
    d = _spacing(lat, "lat")
    edges = np.clip(np.concatenate([lat - d / 2, [lat[-1] + d / 2]]), -90.0, 90.0)
    return _Axis(edges, np.arange(lat.size), False)


def _source_lon(lon: np.ndarray) -> _Axis:
    """Contiguous bounds of a source longitude axis (sorted in [-180, 180))."""
    d = _spacing(lon, "lon")
    order = np.arange(lon.size)
    gaps = np.flatnonzero(np.diff(lon) > 1.5 * d)
    if gaps.size:  # regional grid across 180 deg: west run first, east run + 360
        cut = int(gaps[-1]) + 1
        order = np.concatenate([np.arange(cut, lon.size), np.arange(cut)])
        lon = np.concatenate([lon[cut:], lon[:cut] + 360.0])
    edges = np.concatenate([lon - d / 2, [lon[-1] + d / 2]])
    periodic = abs(edges[-1] - edges[0] - 360.0) < 1e-4
    return _Axis(edges, order, periodic)


def _placed(axis: _Axis, lo: np.ndarray, hi: np.ndarray, what: str) -> tuple[Any, Any]:
    """Shift destination longitude bounds by whole turns into the source's range."""
    if what == "lat":
        return lo, hi
    centre = 0.5 * (lo + hi)
    turns = np.floor((centre - axis.edges[0]) / 360.0)
    return lo - 360.0 * turns, hi - 360.0 * turns


def _check_cover(axis: _Axis, lo: np.ndarray, hi: np.ndarray, what: str) -> None:
    if axis.periodic and what == "lon":
        return
    out = (lo < axis.edges[0] - _TOL_DEG) | (hi > axis.edges[-1] + _TOL_DEG)
    if out.any():
        src = (float(axis.edges[0]), float(axis.edges[-1]))
        bad = (float(lo[out].min()), float(hi[out].max()))
        raise InputError(
            f"climate covers {what} {src[0]:g}..{src[1]:g} deg but the ranking cells need "
            f"{bad[0]:g}..{bad[1]:g} deg; give a climate that covers the bbox (cell bounds "
            "included) or a smaller bbox"
        )


def _cumulative(values: np.ndarray, axis: _Axis, x: np.ndarray, coord: Any) -> np.ndarray:
    """Integral of the piecewise-constant field from the first source bound to ``x``.

    ``values`` has the source axis last; ``coord`` maps degrees to the integration
    coordinate (identity for longitude, sine for latitude).
    """
    u = coord(axis.edges)
    width = np.diff(u)
    cum = np.concatenate(
        [np.zeros((*values.shape[:-1], 1)), np.cumsum(values * width, axis=-1)], axis=-1
    )
    turns = np.zeros(x.shape)
    if axis.periodic:
        turns = np.floor((x - axis.edges[0]) / 360.0)
        x = x - 360.0 * turns
    ux = coord(np.clip(x, axis.edges[0], axis.edges[-1]))
    i = np.clip(np.searchsorted(u, ux, side="right") - 1, 0, width.size - 1)
    return turns * cum[..., -1:] + cum[..., i] + values[..., i] * (ux - u[i])


def _sine_of_lat(deg: np.ndarray) -> np.ndarray:
    return np.sin(np.deg2rad(deg))


def _degrees(deg: np.ndarray) -> np.ndarray:
    return deg


def _integrate(values: np.ndarray, axis: _Axis, lo: Any, hi: Any, what: str) -> np.ndarray:
    """Integral of the field over each destination interval, along the last axis.

    Latitude integrates in sine of latitude, longitude in degrees: their product
    is the area on the sphere divided by ``R^2`` (and by pi/180).
    """
    coord = _sine_of_lat if what == "lat" else _degrees
    v = values[..., axis.order]
    return _cumulative(v, axis, hi, coord) - _cumulative(v, axis, lo, coord)


def _nearest_index(axis: _Axis, centre: np.ndarray) -> np.ndarray:
    if axis.periodic:
        centre = axis.edges[0] + np.mod(centre - axis.edges[0], 360.0)
    i = np.clip(np.searchsorted(axis.edges, centre, side="right") - 1, 0, axis.order.size - 1)
    return axis.order[i]


def _cut(axis: _Axis, lo: np.ndarray, hi: np.ndarray) -> tuple[_Axis, np.ndarray]:
    """Return the source cells the destination bounds reach, as an axis and their indices.

    Keeps memory proportional to the window, not to the user's file. A periodic axis
    whose destination bounds wrap past its seam is kept whole.
    """
    if lo.min() < axis.edges[0] or hi.max() > axis.edges[-1]:
        return axis, axis.order
    k0 = max(int(np.searchsorted(axis.edges, lo.min(), side="right")) - 1, 0)
    k1 = min(int(np.searchsorted(axis.edges, hi.max(), side="left")), axis.order.size)
    k1 = max(k1, k0 + 1)
    index = axis.order[k0:k1]
    return _Axis(axis.edges[k0 : k1 + 1], np.arange(index.size), False), index


def _regrid_array(
    values: np.ndarray,
    axes: tuple[_Axis, _Axis],
    bounds: dict[str, tuple[np.ndarray, np.ndarray]],
    method: str,
) -> np.ndarray:
    """Regrid an array with (lat, lon) as its last two axes."""
    lat_axis, lon_axis = axes
    if method == "nearest":
        rows = _nearest_index(lat_axis, 0.5 * (bounds["lat"][0] + bounds["lat"][1]))
        cols = _nearest_index(lon_axis, 0.5 * (bounds["lon"][0] + bounds["lon"][1]))
        return values[..., rows[:, None], cols[None, :]]
    valid = np.isfinite(values)
    stacked = np.stack([np.where(valid, values, 0.0), valid.astype(float)])
    by_lat = _integrate(np.swapaxes(stacked, -1, -2), lat_axis, *bounds["lat"], "lat")
    both = _integrate(np.swapaxes(by_lat, -1, -2), lon_axis, *bounds["lon"], "lon")
    total, area = both[0], both[1]
    tiny = 1e-12 * np.max(area, initial=0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(area > tiny, total / np.where(area > tiny, area, 1.0), np.nan)


def regrid(obj: T, lat: Any, lon: Any, resolution: float, *, method: str = "conservative") -> T:
    """Regrid a layer on a regular lat/lon grid onto cells of another regular grid.

    Parameters
    ----------
    obj : xarray.DataArray or xarray.Dataset
        The layer [any units; means for ``conservative``], with latitude and
        longitude coordinates in degrees (normalised by
        :func:`computeatlas.grid.normalize_grid`); other dimensions (``month``,
        ``time``) are kept. Every data variable of a Dataset needs both axes.
    lat, lon : array_like
        Centres of the destination cells [deg] (e.g. a ranking window's ``lat``
        and ``lon``; longitudes in any order, across 180 deg allowed).
    resolution : float
        Spacing of the destination grid [deg]: each cell spans its centre +- half
        of it (latitude bounds clipped at +-90 deg).
    method : {"conservative", "nearest"}, default "conservative"
        Area-weighted mean of the overlapped source cells (means), or the source
        cell containing the centre (categories). See the module notes.

    Returns
    -------
    xarray.DataArray or xarray.Dataset
        The layer on (..., lat, lon) of the destination cells, same units and
        attributes, with ``attrs['regrid']`` saying how it was made.

    Raises
    ------
    InputError
        For an unknown method, a source axis of one cell, or destination cells
        the source does not cover.
    """
    if method not in METHODS:
        raise InputError(f"method must be one of {METHODS}, got {method!r}")
    src = normalize_grid(obj)
    axes = (
        _source_lat(np.asarray(src["lat"].values, dtype=float)),
        _source_lon(np.asarray(src["lon"].values, dtype=float)),
    )
    lat = np.asarray(lat, dtype=float)
    lon = np.asarray(lon, dtype=float)
    half = float(resolution) / 2.0
    bounds = {
        "lat": (np.clip(lat - half, -90.0, 90.0), np.clip(lat + half, -90.0, 90.0)),
        "lon": _placed(axes[1], lon - half, lon + half, "lon"),
    }
    for what, axis in (("lat", axes[0]), ("lon", axes[1])):
        _check_cover(axis, *bounds[what], what)
    (lat_axis, rows), (lon_axis, cols) = (
        _cut(axes[0], *bounds["lat"]),
        _cut(axes[1], *bounds["lon"]),
    )
    spacing = (axes[0].edges[1] - axes[0].edges[0], axes[1].edges[1] - axes[1].edges[0])
    note = f"{method} from {spacing[1]:.6g} x {spacing[0]:.6g} deg cells (computeatlas.regrid)"

    def one(da: xr.DataArray) -> xr.DataArray:
        if "lat" not in da.dims or "lon" not in da.dims:
            raise InputError(f"climate variable {da.name!r} has no lat/lon axes to regrid")
        da = da.transpose(..., "lat", "lon").isel(lat=rows, lon=cols)
        values = _regrid_array(
            np.asarray(da.values, dtype=float), (lat_axis, lon_axis), bounds, method
        )
        coords = {d: da[d] for d in da.dims[:-2] if d in da.coords}
        out = xr.DataArray(
            values,
            dims=da.dims,
            coords={**coords, "lat": ("lat", lat), "lon": ("lon", lon)},
            attrs=dict(da.attrs),
            name=da.name,
        )
        out.attrs["regrid"] = note
        return out

    if isinstance(src, xr.DataArray):
        return one(src)
    out = xr.Dataset({name: one(src[name]) for name in src.data_vars}, attrs=dict(src.attrs))
    out.attrs["regrid"] = note
    return out
