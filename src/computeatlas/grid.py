"""Grid conventions of computeatlas, defined and enforced in one place.

Every gridded layer inside computeatlas follows these rules (see
``docs/grid-conventions.md``):

* dimensions are named ``lat`` and ``lon`` (in that order, last two axes);
* coordinates are in degrees on WGS84 (EPSG:4326), both **ascending**;
* longitudes lie in ``[-180, 180)``;
* coordinate values are **cell centres**; a regular global grid of
  resolution ``r`` has centres at integer multiples of ``r``
  (``lat = -90, -90 + r, ..., 90`` and ``lon = -180, ..., 180 - r``), so the
  two polar rows are half cells whose bounds are clipped at +-90 deg. This is
  the native layout of ERA5 and most reanalysis products;
* spacing is uniform along each axis.

:func:`normalize_grid` is the single entry point that brings a user's
:class:`xarray.DataArray` or :class:`xarray.Dataset` into this form, or raises
a :class:`~computeatlas.errors.GridError` that says what to fix.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeVar

import numpy as np
import xarray as xr

from computeatlas.errors import GridError

__all__ = [
    "DEFAULT_GRID",
    "EARTH_RADIUS_KM",
    "GridSpec",
    "cell_area_km2",
    "normalize_grid",
    "wrap_lon",
]

#: Mean Earth radius [km] (IUGG mean radius R1 = 6371.0088 km; Moritz 2000,
#: "Geodetic Reference System 1980", J. Geodesy 74:128).
EARTH_RADIUS_KM = 6371.0088

_LAT_NAMES = ("lat", "latitude", "y", "nav_lat", "Latitude", "LAT")
_LON_NAMES = ("lon", "longitude", "x", "nav_lon", "Longitude", "LON", "long")
_DEGREE_UNITS = {
    "degrees",
    "degree",
    "deg",
    "degrees_north",
    "degree_north",
    "degrees_n",
    "degree_n",
    "degrees_east",
    "degree_east",
    "degrees_e",
    "degree_e",
    "°",
    "°n",
    "°e",
}
_RADIAN_UNITS = {"radian", "radians", "rad"}


@dataclass(frozen=True)
class GridSpec:
    """A regular global (or regional) lat/lon grid of cell centres.

    Parameters
    ----------
    resolution : float
        Grid spacing [deg]. Must divide 90 into a whole number of steps.
    """

    resolution: float

    def __post_init__(self) -> None:
        r = float(self.resolution)
        if not np.isfinite(r) or r <= 0 or r > 10:
            raise GridError(
                f"resolution must be a positive number of degrees <= 10, got {self.resolution!r}"
            )
        steps = 90.0 / r
        if abs(steps - round(steps)) > 1e-6:
            raise GridError(
                f"resolution {r} deg does not divide 90 deg into whole steps; "
                "use e.g. 0.05, 0.1, 0.25, 0.5 or 1.0"
            )

    @property
    def nlat(self) -> int:
        """Number of rows (including both polar half-cells)."""
        return round(180.0 / self.resolution) + 1

    @property
    def nlon(self) -> int:
        """Number of columns."""
        return round(360.0 / self.resolution)

    @property
    def lat(self) -> np.ndarray:
        """Cell-centre latitudes [deg], ascending, from -90 to 90."""
        return np.round(-90.0 + self.resolution * np.arange(self.nlat), 10)

    @property
    def lon(self) -> np.ndarray:
        """Cell-centre longitudes [deg], ascending, from -180 to 180 - resolution."""
        return np.round(-180.0 + self.resolution * np.arange(self.nlon), 10)

    def nearest_index(self, lat: np.ndarray, lon: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Row and column of the cell whose centre is nearest to each point.

        Parameters
        ----------
        lat, lon : array_like
            Coordinates [deg]; longitudes in any convention (wrapped here).

        Returns
        -------
        tuple of numpy.ndarray
            Row indices (clipped to the grid) and column indices (wrapped).
        """
        rows = np.rint((np.asarray(lat, dtype=float) + 90.0) / self.resolution).astype(int)
        cols = np.rint((wrap_lon(lon) + 180.0) / self.resolution).astype(int) % self.nlon
        return np.clip(rows, 0, self.nlat - 1), cols

    def coords(self) -> dict[str, xr.DataArray]:
        """Return CF-annotated ``lat`` and ``lon`` coordinates for this grid."""
        return {
            "lat": xr.DataArray(self.lat, dims="lat", attrs=_LAT_ATTRS),
            "lon": xr.DataArray(self.lon, dims="lon", attrs=_LON_ATTRS),
        }


#: The grid of every shipped default layer: ERA5's native 0.25 deg grid.
DEFAULT_GRID = GridSpec(0.25)

_LAT_ATTRS = {
    "standard_name": "latitude",
    "long_name": "latitude of cell centre",
    "units": "degrees_north",
    "axis": "Y",
}
_LON_ATTRS = {
    "standard_name": "longitude",
    "long_name": "longitude of cell centre",
    "units": "degrees_east",
    "axis": "X",
}


def wrap_lon(lon: np.ndarray | float) -> np.ndarray:
    """Wrap longitudes into ``[-180, 180)``.

    Parameters
    ----------
    lon : array_like
        Longitudes [deg], any range.

    Returns
    -------
    numpy.ndarray
        Longitudes [deg] in ``[-180, 180)``.
    """
    lon = np.asarray(lon, dtype=float)
    return ((lon + 180.0) % 360.0) - 180.0


def cell_area_km2(lat: np.ndarray, resolution: float) -> np.ndarray:
    """Area of grid cells on a sphere, per row.

    Parameters
    ----------
    lat : array_like
        Cell-centre latitudes [deg].
    resolution : float
        Grid spacing [deg].

    Returns
    -------
    numpy.ndarray
        Cell area [km^2] for one cell in each row; polar rows are half cells.

    Notes
    -----
    ``A = R^2 * dlon * (sin(phi_n) - sin(phi_s))`` with the cell bounds
    ``phi_{s,n} = lat -+ resolution/2`` clipped to +-90 deg and
    ``R = 6371.0088 km``.
    """
    lat = np.asarray(lat, dtype=float)
    south = np.deg2rad(np.clip(lat - resolution / 2.0, -90.0, 90.0))
    north = np.deg2rad(np.clip(lat + resolution / 2.0, -90.0, 90.0))
    return EARTH_RADIUS_KM**2 * np.deg2rad(resolution) * (np.sin(north) - np.sin(south))


T = TypeVar("T", xr.DataArray, xr.Dataset)


def _find_coord(obj: xr.DataArray | xr.Dataset, names: tuple[str, ...], what: str) -> str:
    for name in names:
        if name in obj.coords or name in obj.dims:
            return name
    for key, coord in obj.coords.items():
        if coord.attrs.get("standard_name") == what:
            return str(key)
    raise GridError(
        f"no {what} coordinate found (looked for {', '.join(names)} and "
        f"standard_name={what!r}); dimensions are {tuple(obj.dims)}. "
        f"Rename your {what} coordinate to {names[0]!r}."
    )


def _check_units(coord: xr.DataArray, what: str) -> None:
    units = str(coord.attrs.get("units", "")).strip().lower()
    if units in _RADIAN_UNITS:
        raise GridError(
            f"the {what} coordinate is in radians (units={units!r}); "
            f"computeatlas needs degrees: convert with np.rad2deg and set units='degrees'"
        )
    if units and units not in _DEGREE_UNITS:
        raise GridError(
            f"the {what} coordinate has units {coord.attrs.get('units')!r}; computeatlas needs "
            "degrees on WGS84. Reproject projected data (metres) to EPSG:4326 first."
        )


def normalize_grid(obj: T, *, require_regular: bool = True) -> T:
    """Bring a gridded layer into the computeatlas grid conventions.

    Parameters
    ----------
    obj : xarray.DataArray or xarray.Dataset
        Layer with latitude and longitude coordinates in degrees.
    require_regular : bool, default True
        Raise if the spacing of either axis is not uniform.

    Returns
    -------
    xarray.DataArray or xarray.Dataset
        The same data with dimensions renamed to ``lat``/``lon``, longitudes
        wrapped into ``[-180, 180)``, both axes sorted ascending, ``lat`` and
        ``lon`` as the last two dimensions, and CF attributes on both.

    Raises
    ------
    GridError
        If a coordinate is missing, in radians or projected units, outside
        the valid range, not one-dimensional, contains NaN or duplicates, or
        is irregular while ``require_regular`` is True.

    Notes
    -----
    Documented normalisation rules: ``latitude``/``longitude``/``y``/``x``
    are renamed; 0..360 longitudes are wrapped to -180..180 and the axis is
    re-sorted; descending axes are reversed. Nothing is interpolated.
    """
    if not isinstance(obj, (xr.DataArray, xr.Dataset)):
        raise GridError(f"expected an xarray.DataArray or xarray.Dataset, got {type(obj).__name__}")
    lat_name = _find_coord(obj, _LAT_NAMES, "latitude")
    lon_name = _find_coord(obj, _LON_NAMES, "longitude")
    obj = (
        obj.rename({lat_name: "lat", lon_name: "lon"})
        if (lat_name, lon_name)
        != (
            "lat",
            "lon",
        )
        else obj
    )
    for name, what in (("lat", "latitude"), ("lon", "longitude")):
        coord = obj[name]
        if coord.ndim != 1 or coord.dims != (name,):
            raise GridError(
                f"the {what} coordinate must be one-dimensional along its own dimension; "
                f"got dims {coord.dims}. Curvilinear grids must be regridded first."
            )
        _check_units(coord, what)
        values = np.asarray(coord.values, dtype=float)
        if values.size == 0:
            raise GridError(f"the {what} coordinate is empty")
        if not np.all(np.isfinite(values)):
            raise GridError(f"the {what} coordinate contains NaN or infinite values")
    lat = np.asarray(obj["lat"].values, dtype=float)
    if lat.min() < -90.0 or lat.max() > 90.0:
        raise GridError(
            f"latitudes must lie within [-90, 90] deg; found [{lat.min():g}, {lat.max():g}]"
        )
    lon = np.asarray(obj["lon"].values, dtype=float)
    if lon.min() < -180.0 or lon.max() > 360.0:
        raise GridError(
            f"longitudes must lie within [-180, 360] deg; found [{lon.min():g}, {lon.max():g}]"
        )
    wrapped = wrap_lon(lon)
    if not np.array_equal(wrapped, lon):
        obj = obj.assign_coords(lon=("lon", wrapped, obj["lon"].attrs))
    for name in ("lat", "lon"):
        values = np.asarray(obj[name].values, dtype=float)
        if np.unique(values).size != values.size:
            raise GridError(
                f"the {name} coordinate has duplicate values"
                + (" (both -180 and 180 present?)" if name == "lon" else "")
            )
        if np.any(np.diff(values) < 0):
            obj = obj.sortby(name)
    if require_regular:
        for name in ("lat", "lon"):
            values = np.asarray(obj[name].values, dtype=float)
            if values.size > 2:
                step = np.diff(values)
                regular = np.allclose(step, step[0], rtol=1e-4, atol=1e-6)
                if not regular and name == "lon":
                    # A regional grid that crosses the antimeridian is regular on the
                    # circle: unwrap the part east of the largest gap by +360 deg.
                    gap = int(np.argmax(step))
                    unwrapped = np.concatenate([values[gap + 1 :], values[: gap + 1] + 360.0])
                    ustep = np.diff(unwrapped)
                    regular = bool(np.allclose(ustep, ustep[0], rtol=1e-4, atol=1e-6))
                if not regular:
                    raise GridError(
                        f"the {name} axis is not regularly spaced (steps from {step.min():g} to "
                        f"{step.max():g} deg); regrid it onto a regular grid first"
                    )
    dims = [d for d in obj.dims if d not in ("lat", "lon")] + ["lat", "lon"]
    obj = obj.transpose(*dims)
    obj = obj.assign_coords(
        lat=("lat", np.asarray(obj["lat"].values, dtype=float), dict(_LAT_ATTRS)),
        lon=("lon", np.asarray(obj["lon"].values, dtype=float), dict(_LON_ATTRS)),
    )
    return obj
