"""Recipe: surface elevation and land fraction on the default 0.25 deg grid.

Source: ``pvlib/data/Altitude.h5`` inside the PyPI wheel ``pvlib==0.16.1``:
a 1/12 deg global altitude map (2160 x 4320, rows from 90 N southwards,
columns from 180 W eastwards, cell centres at half steps) aggregated by
Mapzen from SRTM, ETOPO1, EU-DEM and national DEMs (attributions in
pvlib's ``location.lookup_altitude`` docstring). Encoding: ``height =
value * 28 - 450`` m, ``255`` = ocean / no data.

Aggregation: each 0.25 deg output cell (centre +- 0.125 deg) overlaps a
4 x 4 block of source cells with per-axis weights 0.5, 1, 1, 0.5 (times
cos(lat) for area). ``land_fraction`` is the weighted share of non-ocean
source cells; ``elevation`` is the weighted mean height of the land cells
(NaN where a cell has no land).

Output: ``src/computeatlas/data/elevation.nc`` with ``elevation`` [m] (int16)
and ``land_fraction`` [1] (uint8, step 1/250).
"""

from __future__ import annotations

import io

import h5py
import numpy as np
import xarray as xr

from _common import OUT, read_member
from _writers import write_netcdf
from computeatlas.grid import DEFAULT_GRID

SOURCE = ("pvlib==0.16.1", "pvlib/data/Altitude.h5")
FILENAME = "elevation.nc"
SUB = 12  # source cells per degree


def _aggregate(values: np.ndarray, weights_valid: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Weighted 4x4 aggregation of a (2160, 4320) field onto the 0.25 deg node grid."""
    grid = DEFAULT_GRID
    # Source row i has centre lat 90 - (i + 0.5)/12; flip to ascending: row k centre
    # -90 + (k + 0.5)/12, edges at -90 + k/12.
    vals = values[::-1, :]
    wvalid = weights_valid[::-1, :]
    lat_c = -90.0 + (np.arange(vals.shape[0]) + 0.5) / SUB
    area = np.cos(np.deg2rad(lat_c))[:, None]
    num = np.zeros((grid.nlat, grid.nlon))
    den_land = np.zeros((grid.nlat, grid.nlon))
    den_all = np.zeros((grid.nlat, grid.nlon))
    # Output cell (j, m) centre lat -90 + j/4 covers source rows 3j-2 .. 3j+1
    # with weights 0.5, 1, 1, 0.5 (rows outside the globe dropped); same for columns,
    # with wrap-around in longitude.
    offsets = (-2, -1, 0, 1)
    w1d = (0.5, 1.0, 1.0, 0.5)
    nrow = vals.shape[0]
    rows_out = np.arange(grid.nlat)
    cols_out = np.arange(grid.nlon)
    for oi, wi in zip(offsets, w1d, strict=True):
        src_rows = 3 * rows_out + oi
        ok = (src_rows >= 0) & (src_rows < nrow)
        for oj, wj in zip(offsets, w1d, strict=True):
            src_cols = (3 * cols_out + oj) % vals.shape[1]
            v = vals[np.clip(src_rows, 0, nrow - 1)][:, src_cols]
            land = wvalid[np.clip(src_rows, 0, nrow - 1)][:, src_cols]
            w = wi * wj * area[np.clip(src_rows, 0, nrow - 1)] * ok[:, None]
            num += w * land * np.where(land > 0, v, 0.0)
            den_land += w * land
            den_all += w
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(den_land > 0, num / den_land, np.nan)
    return mean, den_land / den_all


def build(out_dir=OUT):
    with h5py.File(io.BytesIO(read_member(*SOURCE)), "r") as f:
        raw = f["Altitude"][:]
    if raw.shape != (180 * SUB, 360 * SUB):
        raise RuntimeError(f"unexpected Altitude.h5 shape {raw.shape}")
    land = (raw != 255).astype(float)
    height = raw.astype(float) * 28.0 - 450.0
    # Column k of the source has centre lon -180 + (k + 0.5)/12, so output column m
    # (centre -180 + m/4) covers source columns 3m-2 .. 3m+1: same layout as rows.
    elevation, land_fraction = _aggregate(height, land)
    coords = DEFAULT_GRID.coords()
    ds = xr.Dataset(
        {
            "elevation": (
                ("lat", "lon"),
                np.round(elevation),
                {
                    "standard_name": "surface_altitude",
                    "long_name": "mean land surface elevation above sea level",
                    "units": "m",
                },
            ),
            "land_fraction": (
                ("lat", "lon"),
                np.round(land_fraction * 250.0) / 250.0,
                {
                    "standard_name": "land_area_fraction",
                    "long_name": "fraction of the cell that is land",
                    "units": "1",
                },
            ),
        },
        coords=coords,
    )
    ds.attrs = {
        "title": "computeatlas default elevation and land fraction",
        "source": "pvlib 0.16.1 data/Altitude.h5 (Mapzen terrain tiles: SRTM, ETOPO1, "
        "EU-DEM, GMTED and national DEMs), 1/12 deg, 28 m steps",
        "references": "https://github.com/tilezen/joerd/blob/master/docs/data-sources.md",
        "license": "pvlib BSD-3-Clause; terrain attributions in grids/README.md",
        "history": "grids/build_elevation.py: area-weighted 4x4 aggregation to 0.25 deg",
        "Conventions": "CF-1.8",
    }
    packing = {
        "elevation": {"dtype": "i2", "scale_factor": 1.0},
        "land_fraction": {"dtype": "u1", "scale_factor": 1.0 / 250.0},
    }
    return write_netcdf(ds, out_dir / FILENAME, packing)


if __name__ == "__main__":
    print(build())
