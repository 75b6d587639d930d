"""The layers of a question, sampled the same way for a grid window and for points.

:func:`layers` reads every input the pipeline needs on a
:class:`~computeatlas.grid.Window`: climate, humidity, elevation, land,
regions with price and carbon intensity (:func:`computeatlas.regions.resolve`).
Shipped 0.25 deg layers are sampled at each sample's nearest 0.25 deg cell (no
averaging), so a point and the cell centre nearest to it read the same values.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from functools import cache

import numpy as np
import pandas as pd
import xarray as xr

from computeatlas import datasets
from computeatlas.errors import InputError
from computeatlas.grid import DEFAULT_GRID, Window
from computeatlas.regions import Resolved, resolve

__all__ = ["Layers", "humidity", "layers"]


def _dew_point(rho: np.ndarray, t_mean: np.ndarray) -> np.ndarray:
    """Dew point [degC] from water-vapour density [g m-3] and mean temperature [degC]."""
    from computeatlas.models.psychrometrics import (
        dew_point_from_vapour_pressure,
        vapour_pressure_from_density,
    )

    # the maps hold 0 g/m3 in parts of Antarctica
    e = vapour_pressure_from_density(np.maximum(rho, 1e-3), t_mean)
    return dew_point_from_vapour_pressure(e).astype(np.float32)


@cache
def _humidity_with_dew_point() -> xr.Dataset:
    ds = datasets.humidity()
    t_mean = datasets.climate()["t2m"].mean("month")
    ds["dew_point"] = (
        ("exceedance", "lat", "lon"),
        _dew_point(ds["rho"].values, t_mean.values[None, :, :]),
        {
            "long_name": "dew point exceeded for the given percentage of an average year",
            "standard_name": "dew_point_temperature",
            "units": "degC",
        },
    )
    return ds


def humidity() -> xr.Dataset:
    """Return the shipped humidity layer with the dew point derived from it.

    Returns
    -------
    xarray.Dataset
        ``rho`` (exceedance, lat, lon) [g m-3] (:func:`computeatlas.datasets.humidity`)
        and ``dew_point`` (exceedance, lat, lon) [degC]: the dew point exceeded
        for the same share of the year.

    Notes
    -----
    ``rho`` is turned into vapour pressure with ITU-R P.453 eq. (10),
    ``e = rho T / 216.7``, taking ``T`` as the cell's annual-mean 2 m
    temperature from :func:`computeatlas.datasets.climate` (the joint
    distribution of temperature and humidity is not published), then into a
    dew point with the Magnus form of Alduchov & Eskridge (1996). A
    temperature error of +-15 K changes ``e`` by about +-5 % and the dew point
    by about +-0.7 K. The derivation runs once per process; each call returns
    a copy.
    """
    return _humidity_with_dew_point().copy(deep=True)


@cache
def _default_arrays() -> dict[str, np.ndarray]:
    """Read the shipped 0.25 deg layers once per process, as (lat, lon, ...) array views.

    Nothing is converted globally: each window samples its cells first.
    """
    hum = datasets.humidity()
    elev = datasets.elevation()
    return {
        "t_monthly": datasets.climate()["t2m"].transpose("lat", "lon", "month").values,
        "rho": hum["rho"].transpose("lat", "lon", "exceedance").values,
        "exceedance": hum["exceedance"].values.astype(float),
        "elevation_m": elev["elevation"].values,
        "land_fraction": np.nan_to_num(elev["land_fraction"].values, nan=0.0),
    }


#: Above this many samples the whole layers are read (and cached) rather than the
#: window's block, and the dew point is taken from the cached global derivation.
_GLOBAL_DERIVE_CELLS = 260_000

#: The shipped layers read by the pipeline: key -> (file, variable, dimension order).
_SHIPPED = {
    "t_monthly": ("climate_t2m_monthly.nc", "t2m", ("lat", "lon", "month")),
    "rho": ("humidity_rho_annual.nc", "rho", ("lat", "lon", "exceedance")),
    "elevation_m": ("elevation.nc", "elevation", ("lat", "lon")),
    "land_fraction": ("elevation.nc", "land_fraction", ("lat", "lon")),
}


#: Memory [bytes] of reading the whole shipped layers and deriving the global dew point
#: (decoded layers and float64 temporaries), measured once per process.
_SHIPPED_WHOLE_BYTES = 0.6 * 2**30


def shipped_bytes(window: Window) -> float:
    """Memory [bytes] the shipped layers take for a window, beyond its own arrays.

    Parameters
    ----------
    window : Window
        The window to be sampled.

    Returns
    -------
    float
        0 for a small window (it reads its own block) or when the whole layers are
        already in memory; else the cost of reading them whole.
    """
    large = window.size > _GLOBAL_DERIVE_CELLS or (not window.is_grid and window.size > 2000)
    if not large or _humidity_with_dew_point.cache_info().currsize:
        return 0.0
    return _SHIPPED_WHOLE_BYTES


def shipped_sources(window: Window) -> tuple[object, ...] | None:
    """Return the process-wide shipped layers a large grid window's climate arrays are taken from.

    Parameters
    ----------
    window : Window
        A window whose :func:`layers` were read with the shipped climate.

    Returns
    -------
    tuple or None
        The global arrays and the global dew-point layer (objects, compared by identity
        by :mod:`computeatlas._cache`), or None for a window that reads its own block
        of the files (small windows and points: not cached).
    """
    if not whole_layers(window):
        return None
    return (_default_arrays(), _humidity_with_dew_point())


def whole_layers(window: Window) -> bool:
    """Whether a grid window reads the whole shipped layers (and its climate results are cached).

    Parameters
    ----------
    window : Window
        A window.

    Returns
    -------
    bool
        True for a grid window of more than the global-derivation threshold of cells.
    """
    return bool(window.is_grid and window.size > _GLOBAL_DERIVE_CELLS)


def _sample_defaults(window: Window) -> dict[str, np.ndarray]:
    """Sample the shipped layers at the window's nearest 0.25 deg cells, as float arrays.

    A small window reads only its own block of each file (the files are chunked
    256 x 256); a large one, or many points, reads the whole layers once per process.
    """
    i, j = window.index_on(DEFAULT_GRID)
    if window.size > _GLOBAL_DERIVE_CELLS or (not window.is_grid and window.size > 2000):
        arrays = _default_arrays()
        out = {k: window.take(arrays[k], dtype=float) for k in _SHIPPED}
        out["exceedance"] = arrays["exceedance"]
        return out
    r0, r1 = int(np.min(i)), int(np.max(i)) + 1
    c0, c1 = int(np.min(j)), int(np.max(j)) + 1
    out = {}
    for key, (name, var, dims) in _SHIPPED.items():
        block, order = datasets.read_block_array(name, var, slice(r0, r1), slice(c0, c1))
        if key == "rho":
            out["exceedance"] = datasets.coordinate(name, "exceedance")
        block = np.transpose(block, [order.index(d) for d in dims])
        out[key] = block[i - r0, j - c0]
    out["land_fraction"] = np.nan_to_num(out["land_fraction"], nan=0.0)
    return out


@dataclass(frozen=True, eq=False)
class Layers:
    """Every input of the pipeline on one window; arrays of ``window.shape``.

    Attributes
    ----------
    window : Window
        Where the layers were sampled.
    t_monthly : numpy.ndarray
        Monthly mean 2 m temperature [degC], shape + (12,).
    dew_point_q, exceedance : numpy.ndarray
        Dew point exceeded for ``exceedance`` % of the year [degC], shape + (q,).
    elevation_m, land_fraction : numpy.ndarray
        Elevation [m] (NaN over sea) and land fraction [1].
    regions : Resolved
        Regions, price [USD/MWh] and carbon intensity [kgCO2/MWh] with provenance.
    climate : xarray.Dataset or None
        A user climate on the window's grid (hourly or monthly), used by the
        cooling model instead of the climatology arrays.
    """

    window: Window
    t_monthly: np.ndarray
    dew_point_q: np.ndarray
    exceedance: np.ndarray
    elevation_m: np.ndarray
    land_fraction: np.ndarray
    regions: Resolved
    climate: xr.Dataset | None = None

    @property
    def land(self) -> np.ndarray:
        """Samples with land (land fraction > 0 at the nearest 0.25 deg cell)."""
        return self.land_fraction > 0


def layers(
    window: Window, *, climate: xr.Dataset | None = None, prices: pd.DataFrame | None = None
) -> Layers:
    """Sample every layer of the pipeline on a window.

    Parameters
    ----------
    window : Window
        Grid cells (:meth:`Window.from_bbox`) or points (:meth:`Window.at_points`).
    climate : xarray.Dataset, optional
        Hourly ERA5 (``t2m``, ``d2m``) or a monthly climatology (``t2m`` on
        ``month``) on any regular lat/lon grid covering a grid window (regridded
        onto its cells by area-conservative means unless it is on them already);
        the shipped ERA5 climatology when None.
    prices : pandas.DataFrame, optional
        A user price table (:func:`computeatlas.datasets.read_price_table`).

    Returns
    -------
    Layers
    """
    sampled = _sample_defaults(window)
    # The dew point is derived on the window (elementwise, so identical to the global
    # layer of humidity()); a window of more than a quarter of the globe reuses that.
    if window.size > _GLOBAL_DERIVE_CELLS:
        dq = _humidity_with_dew_point()["dew_point"].transpose("lat", "lon", "exceedance")
        sampled["dew_point_q"] = window.take(dq.values, dtype=float)
    else:
        t_mean = sampled["t_monthly"].mean(axis=-1)[..., None]
        sampled["dew_point_q"] = _dew_point(sampled["rho"], t_mean).astype(float)
    user = None if climate is None else _user_climate(window, climate)
    if user is not None and "time" in user["t2m"].dims:
        sampled["t_monthly"] = np.asarray(
            user["t2m"].groupby("time.month").mean().transpose("lat", "lon", "month").values
        )
    elif user is not None:
        sampled["t_monthly"] = np.asarray(user["t2m"].transpose("lat", "lon", "month").values)
    regions = resolve(window, prices)
    return Layers(
        window=window,
        t_monthly=sampled["t_monthly"],
        dew_point_q=sampled["dew_point_q"],
        exceedance=sampled["exceedance"],
        elevation_m=sampled["elevation_m"],
        land_fraction=sampled["land_fraction"],
        regions=regions,
        climate=user,
    )


def _user_climate(window: Window, climate: xr.Dataset) -> xr.Dataset:
    """Check a user climate like :func:`~computeatlas.datasets.read_era5` and put it on the window.

    Units are converted to degC by their ``units`` attribute
    (:func:`computeatlas.units.require_celsius`); an all-NaN variable, a gappy or
    partial hourly year are refused. A climate whose cell centres are the window's
    is used as it is (the ranking runs on the user's grid); any other regular grid is
    regridded onto the window's cells by area-conservative means
    (:func:`computeatlas.regrid.regrid`).
    """
    from computeatlas.regrid import regrid
    from computeatlas.units import require_celsius

    if not isinstance(climate, xr.Dataset):
        raise InputError(
            f"climate must be an xarray.Dataset with 't2m', got {type(climate).__name__}"
        )
    if not window.is_grid:
        raise InputError("climate: a user climate needs a grid window (rank_sites), not points")
    try:
        clim = require_celsius(datasets.read_era5(climate), ("t2m", "d2m"), what="climate")
    except InputError as err:  # name the parameter the user typed
        raise type(err)(f"climate: {err}") from err
    if _same_spacing(clim, float(window.grid.resolution)):
        with contextlib.suppress(KeyError):  # KeyError: not on the window's cells, regrid
            return clim.sel(lat=window.lat, lon=window.lon, method="nearest", tolerance=1e-6)
    try:
        out = regrid(clim, window.lat, window.lon, float(window.grid.resolution))
    except InputError as err:
        raise type(err)(f"climate: {err}" if "climate" not in str(err) else str(err)) from err
    if bool(out["t2m"].isnull().all()):
        raise InputError("climate: no valid t2m value falls in the bbox after regridding")
    return out


def _same_spacing(clim: xr.Dataset, resolution: float) -> bool:
    """Whether the climate's cells have the window's size (an axis of one value passes)."""
    for name in ("lat", "lon"):
        step = np.diff(np.asarray(clim[name].values, dtype=float))
        step = step[step < 180.0]  # the gap of a regional grid across 180 deg
        if step.size and abs(float(np.median(step)) - resolution) > 1e-6:
            return False
    return True
