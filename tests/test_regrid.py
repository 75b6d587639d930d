"""Regridding a user's climate from its own grid onto the ranking cells (analytic cases)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import xarray as xr

from computeatlas import datasets, rank_sites
from computeatlas.errors import InputError
from computeatlas.regrid import regrid

BOX = (100, 30, 101, 31)
HOT = (113, 22, 114, 23)  # Pearl River Delta: PUE follows temperature there


def _axis(lo: float, hi: float, step: float) -> np.ndarray:
    """Cell centres of cells of ``step`` deg tiling [lo, hi] exactly."""
    n = round((hi - lo) / step)
    return lo + step * (np.arange(n) + 0.5)


def _field(values, lat, lon, units="degC"):
    return xr.DataArray(
        values, dims=("lat", "lon"), coords={"lat": lat, "lon": lon}, attrs={"units": units}
    )


def _area(lat, step):
    """Cell area on the unit sphere [sr] per row (bounds clipped at the poles)."""
    lo = np.deg2rad(np.clip(lat - step / 2, -90, 90))
    hi = np.deg2rad(np.clip(lat + step / 2, -90, 90))
    return np.deg2rad(step) * (np.sin(hi) - np.sin(lo))


def _lat_mean(lo, hi):
    """Exact area-weighted mean of f = latitude [deg] over latitudes [lo, hi] [deg]."""
    a, b = np.deg2rad(lo), np.deg2rad(hi)

    def prim(x):
        return x * np.sin(x) + np.cos(x)  # integral of x cos x

    return np.rad2deg((prim(b) - prim(a)) / (np.sin(b) - np.sin(a)))


def _cos_mean(lo, hi):
    """Exact mean of f = cos(longitude) over longitudes [lo, hi] [deg]."""
    a, b = np.deg2rad(lo), np.deg2rad(hi)
    return (np.sin(b) - np.sin(a)) / (b - a)


# 0.25 deg ranking cells span centre +- 0.125 deg; 1/12 deg (WorldClim 5 arc-min) cells
# tile them exactly (3 x 3), so cell means of an analytic field regrid to its exact mean.
FINE = 1.0 / 12.0
DST_LAT = np.arange(30.0, 31.001, 0.25)
DST_LON = np.arange(100.0, 101.001, 0.25)


def test_field_linear_in_lat_and_lon_gives_the_exact_cell_means():
    lat = _axis(29.875, 31.125, FINE)
    lon = _axis(99.875, 101.125, FINE)
    # f = 2 + 0.5 lat + 3 lon: source cell means from the closed form
    src = 2 + 0.5 * _lat_mean(lat - FINE / 2, lat + FINE / 2)[:, None] + 3 * lon[None, :]
    out = regrid(_field(src, lat, lon), DST_LAT, DST_LON, 0.25)
    exact = 2 + 0.5 * _lat_mean(DST_LAT - 0.125, DST_LAT + 0.125)[:, None] + 3 * DST_LON[None, :]
    np.testing.assert_allclose(out.values, exact, rtol=0, atol=1e-9)
    assert out.attrs["units"] == "degC" and "conservative" in out.attrs["regrid"]


def test_conservative_preserves_the_global_area_weighted_mean():
    # WorldClim 10 arc-min layout: cell edges at multiples of 1/6 deg, not aligned with
    # the 0.25 deg cells (edges at odd multiples of 0.125) except every half degree.
    step = 1.0 / 6.0
    lat, lon = _axis(-90, 90, step), _axis(-180, 180, step)
    rng = np.random.default_rng(20)
    src = 15 + 10 * rng.standard_normal((lat.size, lon.size))
    dst_lat, dst_lon = np.arange(-90, 90.001, 0.25), np.arange(-180, 180, 0.25)
    out = regrid(_field(src, lat, lon), dst_lat, dst_lon, 0.25).values
    total_src = (src * _area(lat, step)[:, None]).sum() / (4 * np.pi)
    total_dst = (out * _area(dst_lat, 0.25)[:, None]).sum() / (4 * np.pi)
    assert abs(_area(dst_lat, 0.25).sum() * dst_lon.size - 4 * np.pi) < 1e-9
    assert total_dst == pytest.approx(total_src, rel=1e-11)
    assert np.isfinite(out).all()


def test_same_grid_is_the_identity_and_other_dims_are_kept():
    lat, lon = _axis(29.875, 31.125, 0.25), _axis(99.875, 101.125, 0.25)
    rng = np.random.default_rng(3)
    src = xr.DataArray(
        rng.normal(size=(12, lat.size, lon.size)),
        dims=("month", "lat", "lon"),
        coords={"month": np.arange(1, 13), "lat": lat, "lon": lon},
    )
    out = regrid(src, lat, lon, 0.25)
    assert out.dims == ("month", "lat", "lon")
    np.testing.assert_allclose(out.values, src.values, atol=1e-10)


def test_nan_source_cells_are_left_out():
    lat = _axis(29.875, 31.125, FINE)
    lon = _axis(99.875, 101.125, FINE)
    src = np.tile(np.where(lon < 100.375, np.nan, 10.0 + lon), (lat.size, 1))
    out = regrid(_field(src, lat, lon), DST_LAT, DST_LON, 0.25).values
    assert np.isnan(out[:, 0]).all()  # 99.875..100.125: no valid part
    # 100.125..100.375 has no valid part either; 100.375.. on are whole valid cells
    assert np.isnan(out[:, 1]).all()
    exact = np.broadcast_to(10.0 + DST_LON[None, 2:], out[:, 2:].shape)
    np.testing.assert_allclose(out[:, 2:], exact, atol=1e-9)
    # the 100.5 cell (100.375..100.625): its western subcell is NaN, the others 3.0
    part = np.tile(np.where(lon < 100.45, np.nan, 3.0), (lat.size, 1))
    out = regrid(_field(part, lat, lon), DST_LAT, DST_LON, 0.25).values
    np.testing.assert_allclose(out[:, 2], 3.0, atol=1e-12)  # not 2.0: NaN is not zero


def test_nearest_for_categories():
    lat = _axis(29.875, 31.125, FINE)
    lon = _axis(99.875, 101.125, FINE)
    classes = np.arange(lat.size * lon.size, dtype=float).reshape(lat.size, lon.size)
    out = regrid(_field(classes, lat, lon), DST_LAT, DST_LON, 0.25, method="nearest").values
    rows = np.floor((DST_LAT - 29.875) / FINE).astype(int)
    cols = np.floor((DST_LON - 99.875) / FINE).astype(int)
    np.testing.assert_array_equal(out, classes[np.ix_(rows, cols)])
    assert set(np.unique(out)) <= set(classes.ravel())


@pytest.mark.parametrize("source", ["global", "regional across 180"])
def test_cells_across_the_antimeridian(source):
    step = 1.0 / 24.0  # tiles the 0.25 deg cells, incl. the one centred on 180 deg
    lat = _axis(59.875, 60.125, step)
    lon = _axis(-180, 180, step) if source == "global" else _axis(170, 190, step)
    src = np.tile(_cos_mean(lon - step / 2, lon + step / 2), (lat.size, 1))
    src_lon = ((lon + 180) % 360) - 180  # as a file stores it
    dst_lon = np.array([179.5, 179.75, -180.0, -179.75])
    out = regrid(_field(src, lat, src_lon), [60.0], dst_lon, 0.25).values[0]
    np.testing.assert_allclose(out, _cos_mean(dst_lon - 0.125, dst_lon + 0.125), atol=1e-12)


def test_bad_regrid_inputs():
    lat = _axis(29.875, 31.125, FINE)
    lon = _axis(99.875, 101.125, FINE)
    field = _field(np.zeros((lat.size, lon.size)), lat, lon)
    with pytest.raises(InputError, match="covers lon"):
        regrid(field, DST_LAT, DST_LON + 0.25, 0.25)
    with pytest.raises(InputError, match="covers lat"):
        regrid(field, DST_LAT - 0.25, DST_LON, 0.25)
    with pytest.raises(InputError, match="method"):
        regrid(field, DST_LAT, DST_LON, 0.25, method="bilinear")
    with pytest.raises(InputError, match="two cells"):
        regrid(field.isel(lat=[0]), DST_LAT, DST_LON, 0.25)


# --- end to end: a WorldClim-style GeoTIFF through rank_sites --------------------------------
@pytest.fixture(scope="module")
def box_climate():
    """The shipped 0.25 deg climatology around HOT, in degC."""
    return datasets.climate().sel(lat=slice(21.5, 23.5), lon=slice(112.5, 114.5)).load()


def _write_worldclim_style(path, box_climate, offset_c=0.0):
    """12-band GeoTIFF at 5 arc-min whose 3 x 3 subcells average to each 0.25 deg cell."""
    import rasterio
    from rasterio.transform import from_origin

    t = box_climate["t2m"].transpose("month", "lat", "lon").values[:, ::-1, :]  # north up
    fine = np.repeat(np.repeat(t, 3, axis=1), 3, axis=2) + offset_c
    # +3 K on each middle subcell, -1.5 K on its west and east neighbours (same row, same
    # area): the 0.25 deg means are unchanged, a nearest-centre pick would be 3 K warmer
    fine += np.tile([-1.5, 3.0, -1.5], fine.shape[2] // 3)[None, None, :]
    west = float(box_climate["lon"].min()) - 0.125
    north = float(box_climate["lat"].max()) + 0.125
    with rasterio.open(
        path,
        "w",
        driver="GTiff",
        width=fine.shape[2],
        height=fine.shape[1],
        count=12,
        dtype="float64",
        crs="EPSG:4326",
        transform=from_origin(west, north, FINE, FINE),
        nodata=-9999.0,
    ) as dst:
        dst.write(fine)
    return path


def test_worldclim_style_geotiff_end_to_end(tmp_path, box_climate):
    on_cells = rank_sites(HOT, ["Shenzhen"], max_rtt_ms=60, climate=box_climate)
    assert on_cells.grid.attrs["climate_regrid"] == "none (on the cells)"
    path = _write_worldclim_style(tmp_path / "wc.tif", box_climate)
    user = datasets.read_climate_geotiff(path, units="degC")
    assert user.sizes["lat"] == 3 * box_climate.sizes["lat"]
    ranked = rank_sites(HOT, ["Shenzhen"], max_rtt_ms=60, climate=user)
    assert "conservative from 0.0833333" in ranked.grid.attrs["climate_regrid"]
    # the 3 x 3 subcells average back to the 0.25 deg climate: the same answer
    for var in ("pue", "score_usd_per_mwh_it"):
        np.testing.assert_allclose(
            ranked.grid[var].values, on_cells.grid[var].values, rtol=1e-9, equal_nan=True
        )
    np.testing.assert_array_equal(ranked.grid["rank"].values, on_cells.grid["rank"].values)
    # a nearest-centre pick (3 K warmer) would not (PUE rises with temperature here)
    nearest = regrid(user, on_cells.grid["lat"], on_cells.grid["lon"], 0.25, method="nearest")
    warm = rank_sites(HOT, ["Shenzhen"], max_rtt_ms=60, climate=nearest)
    rise = warm.grid["pue"].values - on_cells.grid["pue"].values
    assert np.nanmin(rise) >= -1e-12 and np.nanmax(rise) > 1e-4
    # units are checked at the edge: the same file in kelvin gives the same answer
    kelvin = datasets.read_climate_geotiff(
        _write_worldclim_style(tmp_path / "wck.tif", box_climate, 273.15), units="K"
    )
    in_k = rank_sites(HOT, ["Shenzhen"], max_rtt_ms=60, climate=kelvin)
    np.testing.assert_allclose(in_k.grid["pue"].values, on_cells.grid["pue"].values, rtol=1e-9)


def test_climate_must_cover_the_bbox(box_climate):
    part = box_climate.sel(lon=slice(112.5, 113.5))
    with pytest.raises(InputError, match="climate covers lon"):
        rank_sites(HOT, ["Shenzhen"], max_rtt_ms=60, climate=part)


def test_hourly_climate_on_its_own_grid_or_regridded():
    # ERA5-Land-like hourly 0.1 deg: centres at multiples of 0.1, one constant field per hour
    lat = np.round(np.arange(29.8, 31.21, 0.1), 6)
    lon = np.round(np.arange(99.8, 101.21, 0.1), 6)
    time = pd.date_range("2023-01-01", periods=8760, freq="h")
    hour = 10 + 8 * np.sin(2 * np.pi * np.arange(time.size) / 8760)
    t2m = np.broadcast_to(hour[:, None, None], (time.size, lat.size, lon.size))
    ds = xr.Dataset(
        {
            "t2m": (("time", "lat", "lon"), t2m + 273.15, {"units": "K"}),
            "d2m": (("time", "lat", "lon"), t2m + 268.15, {"units": "K"}),
        },
        coords={"time": time, "lat": lat, "lon": lon},
    )
    own = rank_sites(BOX, ["Chengdu"], max_rtt_ms=60, climate=ds, resolution=0.1)
    assert own.grid.attrs["climate_regrid"] == "none (on the cells)"
    regridded = rank_sites(BOX, ["Chengdu"], max_rtt_ms=60, climate=ds)
    assert regridded.grid.attrs["climate_regrid"].startswith("conservative from 0.1 x 0.1")
    # a field uniform in space regrids to itself: the same answer as that field on the cells
    lat25, lon25 = np.arange(29.75, 31.26, 0.25), np.arange(99.75, 101.26, 0.25)
    on_cells = ds.isel(lat=slice(0, lat25.size), lon=slice(0, lon25.size))
    on_cells = on_cells.assign_coords(lat=lat25, lon=lon25)
    direct = rank_sites(BOX, ["Chengdu"], max_rtt_ms=60, climate=on_cells)
    assert direct.grid.attrs["climate_regrid"] == "none (on the cells)"
    np.testing.assert_allclose(
        regridded.grid["pue"].values, direct.grid["pue"].values, rtol=1e-9, equal_nan=True
    )
    assert np.isfinite(regridded.grid["pue"].values).any()
