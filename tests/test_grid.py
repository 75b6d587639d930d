import numpy as np
import pytest
import xarray as xr

from computeatlas.errors import GridError, InputError
from computeatlas.grid import DEFAULT_GRID, EARTH_RADIUS_KM, GridSpec, cell_area_km2, normalize_grid


def test_default_grid_layout():
    g = DEFAULT_GRID
    assert (g.nlat, g.nlon) == (721, 1440)
    assert g.lat[0] == -90.0 and g.lat[-1] == 90.0
    assert g.lon[0] == -180.0 and g.lon[-1] == 179.75
    assert np.all(np.diff(g.lat) > 0) and np.all(np.diff(g.lon) > 0)


@pytest.mark.parametrize("res", [0.05, 0.1, 0.25, 0.5, 1.0])
def test_cell_areas_sum_to_sphere(res):
    g = GridSpec(res)
    total = cell_area_km2(g.lat, res).sum() * g.nlon
    # Surface of a sphere of the IUGG mean radius: 4 pi R^2 = 510.07 million km^2.
    assert total == pytest.approx(4 * np.pi * EARTH_RADIUS_KM**2, rel=1e-9)
    assert total == pytest.approx(510.07e6, rel=1e-4)


@pytest.mark.parametrize("res", [0.0, -1.0, 0.7, float("nan"), 20.0])
def test_bad_resolution(res):
    with pytest.raises(GridError, match="resolution"):
        GridSpec(res)


def test_grid_error_is_input_error_and_value_error():
    with pytest.raises(ValueError):
        GridSpec(0.7)
    assert issubclass(GridError, InputError)


def _da(lat, lon, **attrs):
    data = np.arange(len(lat) * len(lon), dtype=float).reshape(len(lat), len(lon))
    return xr.DataArray(
        data,
        dims=("latitude", "longitude"),
        coords={"latitude": lat, "longitude": lon},
        attrs=attrs,
    )


def test_normalize_renames_wraps_and_sorts():
    da = _da([10.0, 9.0, 8.0], [0.0, 90.0, 180.0, 270.0])
    out = normalize_grid(da)
    assert out.dims == ("lat", "lon")
    np.testing.assert_array_equal(out.lat, [8.0, 9.0, 10.0])
    np.testing.assert_array_equal(out.lon, [-180.0, -90.0, 0.0, 90.0])
    # The value at (10N, 270E) must travel with its coordinates to (10N, -90).
    assert float(out.sel(lat=10.0, lon=-90.0)) == float(da.sel(latitude=10.0, longitude=270.0))
    assert out.lat.attrs["units"] == "degrees_north"


def test_normalize_keeps_time_first():
    da = xr.DataArray(
        np.zeros((2, 2, 3)),
        dims=("lon", "lat", "time"),
        coords={"lon": [1.0, 2.0], "lat": [3.0, 4.0]},
    )
    assert normalize_grid(da).dims == ("time", "lat", "lon")


def test_normalize_accepts_antimeridian_regional_grid():
    lon = np.array([179.0, 179.5, 180.0, 180.5, 181.0])  # crosses the dateline
    out = normalize_grid(_da([0.0, 1.0], lon))
    np.testing.assert_allclose(out.lon, [-180.0, -179.5, -179.0, 179.0, 179.5])


@pytest.mark.parametrize(
    ("lat", "lon", "attrs", "match"),
    [
        ([0.0, 1.0], [0.0, 1.0, 3.0], {}, "not regularly spaced"),
        ([0.0, 95.0], [0.0, 1.0], {}, "within \\[-90, 90\\]"),
        ([0.0, 1.0], [-200.0, 0.0], {}, "longitudes must lie"),
        ([0.0, 1.0], [-180.0, 180.0], {}, "duplicate"),
        ([0.0, np.nan], [0.0, 1.0], {}, "NaN"),
    ],
)
def test_normalize_rejects(lat, lon, attrs, match):
    with pytest.raises(GridError, match=match):
        normalize_grid(_da(lat, lon, **attrs))


def test_normalize_rejects_radians():
    da = _da([0.1, 0.2], [0.1, 0.2])
    da = da.assign_coords(latitude=("latitude", [0.1, 0.2], {"units": "radians"}))
    with pytest.raises(GridError, match="radians"):
        normalize_grid(da)


def test_normalize_rejects_projected_units():
    da = _da([0.0, 1.0], [0.0, 1.0])
    da = da.assign_coords(longitude=("longitude", [0.0, 1.0], {"units": "m"}))
    with pytest.raises(GridError, match="EPSG:4326"):
        normalize_grid(da)


def test_normalize_missing_coordinate():
    da = xr.DataArray(np.zeros((2, 2)), dims=("a", "b"))
    with pytest.raises(GridError, match="no latitude coordinate"):
        normalize_grid(da)


def test_normalize_rejects_non_xarray():
    with pytest.raises(GridError, match="xarray"):
        normalize_grid(np.zeros((2, 2)))


def test_nearest_index_wraps_and_clips():
    g = DEFAULT_GRID
    rows, cols = g.nearest_index(np.array([90.0, -90.0, 0.1]), np.array([359.9, -180.0, 179.9]))
    np.testing.assert_array_equal(rows, [720, 0, 360])
    # 359.9 E is -0.1: nearest centre 0.0 (column 720); 179.9 E rounds to 180 = -180 (column 0).
    np.testing.assert_array_equal(cols, [720, 0, 0])
    assert g.lat[rows[2]] == 0.0 and g.lon[cols[0]] == 0.0
