"""Unit handling at the boundary of computeatlas (never inside kernels).

Temperatures are carried internally in degrees Celsius, water-vapour density
in g m-3, prices in USD/MWh, distances in km. :func:`to_celsius` is the one
place where user temperature units are recognised and converted.
"""

from __future__ import annotations

import numpy as np
import xarray as xr

from computeatlas.errors import UnitsError

_KELVIN = {"k", "kelvin", "degk", "deg_k", "degrees_k", "°k"}
_CELSIUS = {"degc", "deg_c", "celsius", "°c", "c", "degrees_c", "degree_celsius", "degrees_celsius"}
_FAHRENHEIT = {"degf", "deg_f", "fahrenheit", "°f", "f", "degrees_f"}

#: Lowest plausible near-surface air or dew-point temperature [degC]; the
#: record low is -89.2 degC (Vostok, 1983).
MIN_PLAUSIBLE_C = -90.0
#: Highest plausible near-surface air temperature [degC]; the record is 56.7 degC.
MAX_PLAUSIBLE_C = 60.0


def to_celsius(da: xr.DataArray, *, name: str) -> xr.DataArray:
    """Convert a temperature DataArray to degrees Celsius using its ``units`` attribute.

    Parameters
    ----------
    da : xarray.DataArray
        Temperature with a ``units`` attribute (K, degC or degF spellings).
    name : str
        Name of the variable, used in error messages.

    Returns
    -------
    xarray.DataArray
        Temperature [degC] with ``units='degC'``.

    Raises
    ------
    UnitsError
        If ``units`` is missing or unknown, or values are physically impossible
        (below -90 degC or above 60 degC after conversion), e.g. kelvin data
        labelled as Celsius.
    """
    raw = da.attrs.get("units")
    if raw is None or str(raw).strip() == "":
        raise UnitsError(
            f"{name} has no 'units' attribute; set it, e.g. ds[{name!r}].attrs['units'] = 'K'"
        )
    units = str(raw).strip().lower().replace(" ", "_")
    if units in _KELVIN:
        out = da - 273.15
    elif units in _CELSIUS:
        out = da.copy()
    elif units in _FAHRENHEIT:
        out = (da - 32.0) * (5.0 / 9.0)
    else:
        raise UnitsError(f"{name} has units {raw!r}; expected a temperature unit (K, degC or degF)")
    out.attrs = {**da.attrs, "units": "degC"}
    if out.chunks is None and out.size:  # dask-backed data is checked block-wise later
        values = np.asarray(out.values)
        finite = values[np.isfinite(values)]
        if finite.size:
            lo, hi = float(finite.min()), float(finite.max())
            if lo < MIN_PLAUSIBLE_C or hi > MAX_PLAUSIBLE_C:
                raise UnitsError(
                    f"{name} spans {lo:.1f}..{hi:.1f} degC after converting from {raw!r}, "
                    f"outside the physical range [{MIN_PLAUSIBLE_C}, {MAX_PLAUSIBLE_C}] degC; "
                    "are the units right?"
                )
    return out


def require_celsius(ds: xr.Dataset, names: tuple[str, ...], *, what: str) -> xr.Dataset:
    """Return ``ds`` with its temperature variables in degC, converted by their ``units``.

    Parameters
    ----------
    ds : xarray.Dataset
        Input at a public entry point.
    names : tuple of str
        Temperature variables to convert where present (e.g. ``("t2m", "d2m")``).
    what : str
        Name of the parameter, used in error messages (e.g. ``"climate"``).

    Returns
    -------
    xarray.Dataset
        A shallow copy with each named variable in degC.

    Raises
    ------
    UnitsError
        When a variable has no or an unknown ``units`` attribute, or implausible values.
    """
    out = ds.copy()
    for name in names:
        if name in out:
            out[name] = to_celsius(out[name], name=f"{what}[{name!r}]")
    return out
