"""Recipe: annual distribution of surface water-vapour density on the default grid.

Source: Recommendation ITU-R P.836-6 (12/2017), "Water vapour: surface
density and total columnar content", digital maps of the surface water
vapour density ``rho_p`` [g/m^3] exceeded for ``p`` % of an average year
(1.125 deg grid, 18 exceedance levels from 0.1 % to 99 %; 15 from 0.5 % are kept), as shipped in
the PyPI package ``itur==0.4.0`` (``itur/data/836/v6_*.npz``). The maps
were derived by ITU-R from 36 years of ECMWF ERA-40/ERA-Interim data.

Method: ITU-R P.836-6 Annex 2, as implemented by ``itur.models.itu836``:
bilinear interpolation of the four surrounding grid points after scaling
each to the point's altitude with the map's water-vapour scale height
(``rho(h) = rho_i * exp(-(h - h_i) / VSCH_i)``). The altitude is the
Recommendation's own topography (ITU-R P.1511 at the cell centre). Scaling
to the 0.25 deg mean elevation instead was tried and rejected: where a
low-lying cell sits under high grid points (coastal Chile) the exponential
extrapolation gave up to 300 g/m^3. itur returns NaN at some points poleward
of 86.5 deg; those take their latitude row's mean (see ``_fill_polar``).
Crossing quantiles are sorted per cell.

Output: ``src/computeatlas/data/humidity_rho_annual.nc`` with variable
``rho`` (exceedance, lat, lon) [g m-3], int16 packed at 0.01 g/m^3.
Dew point is derived from ``rho`` and temperature at load time by
``computeatlas.datasets.humidity`` (ITU-R P.453 vapour pressure + Magnus).
"""

from __future__ import annotations

import numpy as np
import xarray as xr

from _common import OUT
from _writers import write_netcdf
from computeatlas.grid import DEFAULT_GRID

FILENAME = "humidity_rho_annual.nc"
#: Exceedance levels (% of the year) kept from the 18 published in ITU-R P.836-6
#: (0.1, 0.2 and 0.3 % are dropped to keep the shipped file small; they are the
#: extreme humid tail, which matters little for annual cooling energy).
P_LEVELS = (0.5, 1, 2, 3, 5, 10, 20, 30, 50, 60, 70, 80, 90, 95, 99)


def _fill_polar(field: np.ndarray, lat: np.ndarray) -> np.ndarray:
    """Fill the NaNs itur 0.4.0 returns at some points poleward of 86.5 deg.

    A NaN cell takes the mean of its latitude row (the maps are nearly uniform in
    longitude there); a row with no value at all (the South Pole) takes the next row's
    mean. Anything else that is NaN is an error.
    """
    field = field.copy()
    bad = ~np.isfinite(field)
    if bad[np.abs(lat) < 86.5].any():
        raise RuntimeError("itur returned NaN away from the poles")
    rows = np.where(bad.any(axis=1))[0]
    for i in sorted(rows, key=lambda r: -np.isfinite(field[r]).sum()):
        source = field[i] if np.isfinite(field[i]).any() else field[i + 1 if i == 0 else i - 1]
        field[i, ~np.isfinite(field[i])] = np.nanmean(source)
    return field


def build(out_dir=OUT):
    import itur
    from itur.models import itu836

    if itur.__version__ != "0.4.0":
        raise RuntimeError(f"recipe pinned to itur 0.4.0, found {itur.__version__}")
    itu836.change_version(6)
    grid = DEFAULT_GRID
    lat2d, lon2d = np.meshgrid(grid.lat, grid.lon, indexing="ij")
    lat_f, lon_f = lat2d.ravel(), lon2d.ravel()
    out = np.empty((len(P_LEVELS), grid.nlat, grid.nlon))
    for k, p in enumerate(P_LEVELS):
        # alt=None: the Recommendation's own topography (ITU-R P.1511 via itur) sets the
        # altitude of each point, as P.836-6 prescribes when the site height is unknown.
        rho = np.asarray(itu836.surface_water_vapour_density(lat_f, lon_f, p, alt=None))
        out[k] = _fill_polar(rho.reshape(grid.nlat, grid.nlon), grid.lat)
    # Each exceedance level is interpolated and height-scaled independently, which can
    # make neighbouring quantiles cross by a few 0.01 g/m3 in steep terrain. Sorting each
    # cell's values (monotone rearrangement; Chernozhukov, Fernandez-Val & Galichon 2010,
    # Econometrica 78:1093) restores a valid distribution without changing its values.
    out = -np.sort(-out, axis=0)
    coords = DEFAULT_GRID.coords()
    coords["exceedance"] = xr.DataArray(
        np.array(P_LEVELS, dtype=float),
        dims="exceedance",
        attrs={"long_name": "percentage of the average year the value is exceeded", "units": "%"},
    )
    ds = xr.Dataset(
        {
            "rho": (
                ("exceedance", "lat", "lon"),
                out,
                {
                    "long_name": "surface water vapour density exceeded for the given "
                    "percentage of an average year",
                    "standard_name": "mass_concentration_of_water_vapor_in_air",
                    "units": "g m-3",
                },
            )
        },
        coords=coords,
    )
    ds.attrs = {
        "title": "computeatlas default humidity layer: ITU-R P.836-6 surface water vapour density",
        "source": "Recommendation ITU-R P.836-6 (12/2017) digital maps, via PyPI itur 0.4.0",
        "references": "https://www.itu.int/rec/R-REC-P.836-6-201712-I/en",
        "license": "ITU-R Recommendation data; see grids/README.md",
        "history": "grids/build_humidity.py: ITU-R P.836-6 Annex 2 interpolation with "
        "altitude scaling to the computeatlas elevation layer",
        "Conventions": "CF-1.8",
    }
    return write_netcdf(ds, out_dir / FILENAME, {"rho": {"dtype": "i2", "scale_factor": 0.01}})


if __name__ == "__main__":
    print(build())
