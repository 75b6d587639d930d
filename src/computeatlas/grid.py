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
from typing import Any, TypeVar

import numpy as np
import xarray as xr

from computeatlas.constants import EARTH_RADIUS_KM
from computeatlas.errors import GridError, InputError

__all__ = [
    "DEFAULT_GRID",
    "EARTH_RADIUS_KM",
    "GridSpec",
    "Window",
    "cell_area_km2",
    "normalize_grid",
    "parse_bbox",
    "parse_points",
    "split_antimeridian",
    "wrap_lon",
]


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


def _unwrap_ring(xy: np.ndarray) -> np.ndarray | None:
    """Ring coordinates made continuous across the antimeridian; None if not needed.

    A step of more than 180 deg of longitude between consecutive vertices is a
    wrap (reprojection puts each vertex in [-180, 180] on its own); the ring is
    unwrapped when its steps cancel. A ring whose steps do not cancel encloses a
    pole (Antarctica's edge along 180 deg) and is left as it is.
    """
    step = np.diff(xy[:, 0])
    jumps = -360.0 * np.sign(step) * (np.abs(step) > 180.0)
    if not jumps.any() or abs(jumps.sum()) > 1e-9:
        return None
    out = xy.copy()
    out[1:, 0] += np.cumsum(jumps)
    return out


def _unwrapped_polygon(poly: Any) -> Any:
    """Return the polygon with continuous longitudes (its holes moved next to its shell)."""
    import shapely

    shell = np.asarray(poly.exterior.coords)
    fixed = _unwrap_ring(shell)
    shell = shell if fixed is None else fixed
    centre = 0.5 * (shell[:, 0].min() + shell[:, 0].max())
    holes = []
    for ring in poly.interiors:
        xy = np.asarray(ring.coords)
        unwrapped = _unwrap_ring(xy)
        xy = xy if unwrapped is None else unwrapped
        xy[:, 0] += 360.0 * np.round((centre - xy[:, 0].mean()) / 360.0)
        holes.append(xy)
    return shapely.Polygon(shell, holes)


def split_antimeridian(geometries: Any) -> np.ndarray:
    """Polygons that cross the antimeridian, cut into parts inside [-180, 180] deg.

    A polygon may cross 180 deg in two ways a raster join cannot read: with
    longitudes beyond +-180 (e.g. Fiji as 177..182 deg), or with vertices wrapped
    into [-180, 180] one by one (what reprojecting it from a projected CRS gives),
    so that its edges run the long way round. Both become a MultiPolygon of the
    parts either side of the line. Polygons inside [-180, 180] without wrapped
    edges, and rings around a pole, are returned unchanged (the same objects).

    Parameters
    ----------
    geometries : array_like of shapely geometries
        Polygons or MultiPolygons in lon/lat degrees (EPSG:4326); None allowed.

    Returns
    -------
    numpy.ndarray of object
        The geometries, those crossing 180 deg split.
    """
    import shapely
    from shapely.affinity import translate

    geoms = np.asarray(geometries, dtype=object)
    out = geoms.copy()
    world = shapely.box(-180.0, -90.0, 180.0, 90.0)
    for i, geom in enumerate(geoms):
        if geom is None or geom.is_empty:
            continue
        parts = shapely.get_parts(geom)
        wrapped = any(
            _unwrap_ring(np.asarray(ring.coords)) is not None
            for p in parts
            for ring in (p.exterior, *p.interiors)
        )
        west, _, east, _ = geom.bounds
        if not wrapped and west >= -180.0 and east <= 180.0:
            continue
        pieces: list[Any] = []
        for part in parts:
            part = _unwrapped_polygon(part) if wrapped else part
            for shift in (-360.0, 0.0, 360.0):
                piece = shapely.intersection(translate(part, shift), world)
                pieces.extend(
                    q for q in shapely.get_parts(piece) if q.geom_type == "Polygon" and q.area
                )
        out[i] = shapely.MultiPolygon(pieces)
    return out


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


def _check_regular(values: np.ndarray, name: str) -> None:
    if values.size <= 2:
        return
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
            _check_regular(np.asarray(obj[name].values, dtype=float), name)
    dims = [d for d in obj.dims if d not in ("lat", "lon")] + ["lat", "lon"]
    obj = obj.transpose(*dims)
    obj = obj.assign_coords(
        lat=("lat", np.asarray(obj["lat"].values, dtype=float), dict(_LAT_ATTRS)),
        lon=("lon", np.asarray(obj["lon"].values, dtype=float), dict(_LON_ATTRS)),
    )
    return obj


# --------------------------------------------------------------------------- windows
def parse_bbox(bbox: Any) -> tuple[float, float, float, float] | None:
    """Validate a bbox ``(west, south, east, north)`` [deg]; None for the whole globe.

    Parameters
    ----------
    bbox : sequence of four numbers, "world", "global" or None
        ``west > east`` crosses the antimeridian. Longitudes may be given in
        -180..180 or 0..360; a box spanning 360 deg of longitude (e.g.
        ``(0, S, 360, N)``) is the full circle.

    Returns
    -------
    tuple of float or None
        ``(west, south, east, north)`` with longitudes in -180..180.

    Raises
    ------
    InputError
        Naming ``bbox`` and what is wrong with it.
    """
    if bbox is None or (isinstance(bbox, str) and bbox.lower() in ("world", "global")):
        return None
    if isinstance(bbox, (str, bytes, dict)) or not hasattr(bbox, "__len__"):
        raise InputError(f"bbox must be (west, south, east, north) or 'world', got {bbox!r}")
    if len(bbox) != 4:
        raise InputError(f"bbox needs four numbers (west, south, east, north), got {len(bbox)}")
    names = ("west", "south", "east", "north")
    west, south, east, north = (_bbox_number(n, v) for n, v in zip(names, bbox, strict=True))
    if not (-90.0 <= south <= 90.0 and -90.0 <= north <= 90.0):
        raise InputError(
            f"bbox latitudes must be within [-90, 90]; got south={south}, north={north}"
        )
    if south > north:
        raise InputError(
            f"bbox is inverted: south ({south}) > north ({north}); "
            "the order is (west, south, east, north)"
        )
    for name, v in (("west", west), ("east", east)):
        if not -180.0 <= v <= 360.0:
            raise InputError(f"bbox {name} longitude {v} is outside [-180, 360]")
    if east - west >= 360.0 - 1e-9:  # the full circle, in either convention
        return -180.0, south, 180.0, north
    west = ((west + 180.0) % 360.0) - 180.0 if west != 180.0 else 180.0
    east = ((east + 180.0) % 360.0) - 180.0 if east != 180.0 else 180.0
    return west, south, east, north


def _bbox_number(name: str, value: Any) -> float:
    if isinstance(value, (bool, np.bool_, str, bytes)) or value is None:
        raise InputError(f"bbox must be four numbers [deg]; {name} is {value!r}")
    try:
        x = float(value)
    except (TypeError, ValueError) as err:
        raise InputError(f"bbox must be four numbers [deg]; {name} is {value!r}") from err
    if not np.isfinite(x):
        raise InputError(f"bbox {name} must be finite (not NaN or inf), got {value!r}")
    return x


@dataclass(frozen=True, eq=False)
class Window:
    """Where the pipeline samples its layers: a block of grid cells, or a list of points.

    Build one with :meth:`from_bbox` (the cells of a grid inside a bbox) or
    :meth:`at_points` (exact places). Every layer the pipeline reads is an
    array of :attr:`shape`: ``(nlat, nlon)`` for a grid window, ``(n,)`` for
    points.

    Attributes
    ----------
    grid : GridSpec
        The grid of the window (for points: the grid whose nearest cell stands
        for each point in gridded layers).
    lat, lon : numpy.ndarray
        Cell-centre coordinates (grid window, 1-D each) or point coordinates
        (points, 1-D of equal length) [deg], longitudes in -180..180.
    rows, cols : numpy.ndarray
        Indices into ``grid`` of the window's rows and columns, or of each
        point's nearest cell.
    is_grid : bool
        True for a grid window.
    bbox : tuple or None
        The validated bbox of a grid window (None for the globe or for points).
    """

    grid: GridSpec
    lat: np.ndarray
    lon: np.ndarray
    rows: np.ndarray
    cols: np.ndarray
    is_grid: bool
    bbox: tuple[float, float, float, float] | None = None

    @classmethod
    def from_bbox(cls, bbox: Any, resolution: float | None = None) -> Window:
        """Cells of a grid whose centres lie in a bbox (the nearest cell if none do).

        Parameters
        ----------
        bbox : (west, south, east, north), "world" or None
            See :func:`parse_bbox`.
        resolution : float, optional
            Grid spacing [deg]; default that of :data:`DEFAULT_GRID`.

        Returns
        -------
        Window
        """
        grid = DEFAULT_GRID if resolution is None else GridSpec(resolution)
        box = parse_bbox(bbox)
        rows, cols = _bbox_indices(grid, box)
        return cls(grid, grid.lat[rows], grid.lon[cols], rows, cols, True, box)

    @classmethod
    def at_points(cls, lat: np.ndarray, lon: np.ndarray, grid: GridSpec | None = None) -> Window:
        """Exact points, each also mapped to its nearest cell of ``grid``.

        Parameters
        ----------
        lat, lon : numpy.ndarray
            Point coordinates [deg] (validated by :func:`parse_points`).
        grid : GridSpec, optional
            Default :data:`DEFAULT_GRID`.

        Returns
        -------
        Window
        """
        grid = DEFAULT_GRID if grid is None else grid
        lat = np.asarray(lat, dtype=float)
        lon = wrap_lon(np.asarray(lon, dtype=float))
        rows, cols = grid.nearest_index(lat, lon)
        return cls(grid, lat, lon, rows, cols, False, None)

    @property
    def shape(self) -> tuple[int, ...]:
        """Shape of every layer sampled on the window."""
        return (self.lat.size, self.lon.size) if self.is_grid else (self.lat.size,)

    @property
    def size(self) -> int:
        """Number of samples (cells or points)."""
        return int(np.prod(self.shape))

    def row_band(self, start: int, stop: int) -> Window:
        """Rows ``start:stop`` of a grid window (for block-wise evaluation).

        Parameters
        ----------
        start, stop : int
            Row range of the window.

        Returns
        -------
        Window
        """
        if not self.is_grid:
            raise InputError("row bands exist only for grid windows")
        sl = slice(start, stop)
        return Window(self.grid, self.lat[sl], self.lon, self.rows[sl], self.cols, True, self.bbox)

    def mesh(self) -> tuple[np.ndarray, np.ndarray]:
        """Latitude and longitude of every sample, each of :attr:`shape` [deg]."""
        if self.is_grid:
            return (
                np.broadcast_to(self.lat[:, None], self.shape),
                np.broadcast_to(self.lon[None, :], self.shape),
            )
        return self.lat, self.lon

    def index_on(self, grid: GridSpec) -> tuple[np.ndarray, np.ndarray]:
        """Row and column of ``grid``'s nearest cell for each sample (broadcastable to shape)."""
        if self.is_grid:
            i, _ = grid.nearest_index(self.lat, np.zeros_like(self.lat))
            _, j = grid.nearest_index(np.zeros_like(self.lon), self.lon)
            return i[:, None], j[None, :]
        return grid.nearest_index(self.lat, self.lon)

    def take(
        self, values: np.ndarray, grid: GridSpec | None = None, dtype: Any = None
    ) -> np.ndarray:
        """Sample a global array on ``grid`` (lat, lon, ...) at the window's nearest cells.

        Parameters
        ----------
        values : numpy.ndarray
            Array whose first two axes are ``grid``'s latitudes and longitudes.
        grid : GridSpec, optional
            Default :data:`DEFAULT_GRID` (the grid of the shipped layers).
        dtype : data-type, optional
            Type of the result (default that of ``values``).

        Returns
        -------
        numpy.ndarray
            Array of :attr:`shape` plus the trailing axes of ``values``.
        """
        i, j = self.index_on(DEFAULT_GRID if grid is None else grid)
        values = np.asarray(values)
        rows, cols = _as_slice(np.ravel(i)), _as_slice(np.ravel(j))
        if self.is_grid and rows is not None and cols is not None:
            # one copy, as the gather below: callers may write to the result
            return np.array(values[rows, cols], dtype=dtype, order="C")
        out = values[i, j]
        return out if dtype is None else out.astype(dtype, copy=False)

    def coords(self) -> dict[str, xr.DataArray]:
        """CF-annotated ``lat``/``lon`` coordinates of a grid window."""
        return {
            "lat": xr.DataArray(self.lat, dims="lat", attrs=_LAT_ATTRS),
            "lon": xr.DataArray(self.lon, dims="lon", attrs=_LON_ATTRS),
        }


def _as_slice(index: np.ndarray) -> slice | None:
    """Return the slice of an ascending run of consecutive indices (None for anything else)."""
    if index.size == 0 or index[-1] - index[0] != index.size - 1:
        return None
    if index.size > 1 and not bool(np.all(np.diff(index) == 1)):
        return None
    return slice(int(index[0]), int(index[-1]) + 1)


def _bbox_indices(
    grid: GridSpec, box: tuple[float, float, float, float] | None
) -> tuple[np.ndarray, np.ndarray]:
    if box is None:
        return np.arange(grid.nlat), np.arange(grid.nlon)
    west, south, east, north = box
    lat, lon = grid.lat, grid.lon
    rows = np.flatnonzero((lat >= south - 1e-9) & (lat <= north + 1e-9))
    if west <= east:
        cols = np.flatnonzero((lon >= west - 1e-9) & (lon <= east + 1e-9))
    else:  # crosses the antimeridian: keep ascending longitudes (two runs)
        cols = np.flatnonzero((lon >= west - 1e-9) | (lon <= east + 1e-9))
    if rows.size == 0 or cols.size == 0:  # a box narrower than a cell gets the nearest cell
        mid = 0.5 * (west + east) if west <= east else 0.5 * (west + east + 360.0)
        cy, cx = grid.nearest_index(np.array([0.5 * (south + north)]), np.array([mid]))
        rows = rows if rows.size else cy
        cols = cols if cols.size else cx
    return rows, cols


def parse_points(points: Any) -> tuple[np.ndarray, np.ndarray]:
    """Validate sites given as (lat, lon) pairs, a DataFrame or a GeoDataFrame.

    Parameters
    ----------
    points : sequence of (lat, lon), DataFrame or GeoDataFrame
        A DataFrame needs ``lat``/``lon`` (or ``latitude``/``longitude``); a
        GeoDataFrame needs Point geometries and a CRS (reprojected to WGS84).

    Returns
    -------
    tuple of numpy.ndarray
        Latitudes and longitudes [deg], longitudes wrapped to -180..180.

    Raises
    ------
    InputError
        Naming ``points`` and what is wrong.
    """
    import pandas as pd

    if isinstance(points, pd.DataFrame):
        lat, lon = _frame_points(points)
    else:
        if isinstance(points, (str, bytes, dict)) or points is None:
            raise InputError("points must be (lat, lon) pairs, a DataFrame or a GeoDataFrame")
        arr = _point_array(points)
        if arr.size == 0:
            raise InputError("points is empty")
        arr = arr.reshape(-1, 2) if arr.ndim == 1 and arr.size == 2 else arr
        if arr.ndim != 2 or arr.shape[1] != 2:
            raise InputError(f"points must be (lat, lon) pairs; got an array of shape {arr.shape}")
        lat, lon = arr[:, 0], arr[:, 1]
    if lat.size == 0:
        raise InputError("points is empty")
    if not (np.isfinite(lat).all() and np.isfinite(lon).all()):
        raise InputError("points contain NaN or infinite coordinates")
    if np.any(np.abs(lat) > 90):
        raise InputError("points latitudes must be within [-90, 90] deg (is it (lat, lon)?)")
    if np.any((lon < -180) | (lon > 360)):
        raise InputError("points longitudes must be within [-180, 360] deg")
    return lat, wrap_lon(lon)


def _point_array(points: Any) -> np.ndarray:
    """Points as a float array, refusing bools and strings (``"30"``) among the numbers."""
    if isinstance(points, np.ndarray) and points.dtype.kind in "iuf":
        return points.astype(float)
    try:
        items = list(points)
    except TypeError as err:
        raise InputError(f"points must be (lat, lon) pairs, got {type(points).__name__}") from err
    pairs = items if items and hasattr(items[0], "__iter__") else [items]
    for k, pair in enumerate(pairs):
        if isinstance(pair, (str, bytes)) or not hasattr(pair, "__iter__"):
            raise InputError(f"points[{k}] = {pair!r} is not a (lat, lon) pair")
        for v in pair:
            if isinstance(v, (bool, np.bool_)) or not isinstance(
                v, (int, float, np.integer, np.floating)
            ):
                raise InputError(
                    f"points[{k}] = {tuple(pair)!r}: coordinates must be numbers [deg], "
                    f"got {v!r} ({type(v).__name__})"
                )
    try:
        return np.asarray(items, dtype=float)
    except (TypeError, ValueError) as err:
        raise InputError(
            "points must be (lat, lon) pairs of numbers (all of the same length 2)"
        ) from err


def _frame_points(df: Any) -> tuple[np.ndarray, np.ndarray]:
    if "geometry" in df.columns and hasattr(df, "crs"):
        from computeatlas.demand import to_wgs84

        gdf = to_wgs84(df, "points")
        if not set(gdf.geometry.geom_type) <= {"Point"}:
            raise InputError("points GeoDataFrame must hold Point geometries")
        return gdf.geometry.y.to_numpy(float), gdf.geometry.x.to_numpy(float)
    rename = {"latitude": "lat", "longitude": "lon", "y": "lat", "x": "lon"}
    df = df.rename(columns={k: v for k, v in rename.items() if k in df.columns})
    if not {"lat", "lon"} <= set(df.columns):
        raise InputError("points DataFrame needs 'lat' and 'lon' columns")
    try:
        return df["lat"].to_numpy(float), df["lon"].to_numpy(float)
    except (TypeError, ValueError) as err:
        raise InputError("points 'lat' and 'lon' columns must be numbers") from err
