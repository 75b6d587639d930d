"""Readers of users' files: normalisation rules and precise errors."""

import numpy as np
import pandas as pd
import pytest
import xarray as xr

from computeatlas.datasets import read_climate_geotiff, read_era5, read_price_table, read_regions
from computeatlas.errors import CRSError, GridError, InputError, UnitsError


def test_read_era5_hourly_from_file(tmp_path, era5_like):
    path = tmp_path / "era5.nc"
    era5_like.to_netcdf(path)
    ds = read_era5(path)
    assert ds.attrs["frequency"] == "hourly"
    assert ds["t2m"].dims == ("time", "lat", "lon")
    assert ds["t2m"].attrs["units"] == "degC"
    np.testing.assert_allclose(ds.lon, [-0.25, 0.0, 0.25, 0.5])
    np.testing.assert_allclose(ds.lat, [59.5, 59.75, 60.0])
    # Values follow their coordinates through the wrap and the flip.
    src = era5_like["t2m"].sel(latitude=60.0, longitude=359.75).values - 273.15
    np.testing.assert_allclose(ds["t2m"].sel(lat=60.0, lon=-0.25).values, src)
    np.testing.assert_allclose(ds["t2m"] - ds["d2m"], 3.0)


def test_read_era5_monthly(era5_like):
    monthly = era5_like.isel(valid_time=slice(0, 3)).assign_coords(
        valid_time=pd.date_range("2023-01-01", periods=3, freq="MS")
    )
    assert read_era5(monthly).attrs["frequency"] == "monthly"


def test_read_era5_gap_in_hourly_series(era5_like):
    gappy = era5_like.drop_isel(valid_time=[10, 11])
    with pytest.raises(InputError, match="1 gap.*after 2023-01-01 09:00"):
        read_era5(gappy)


def test_read_era5_duplicate_and_unsorted_time(era5_like):
    dup = xr.concat([era5_like, era5_like.isel(valid_time=[0])], dim="valid_time")
    with pytest.raises(InputError, match="duplicate timestamps"):
        read_era5(dup)
    with pytest.raises(InputError, match="not sorted"):
        read_era5(era5_like.isel(valid_time=slice(None, None, -1)))


def test_read_era5_missing_variable(era5_like):
    with pytest.raises(InputError, match="no 't2m' variable"):
        read_era5(era5_like.rename({"t2m": "temp"}))


def test_read_era5_missing_units(era5_like):
    era5_like["t2m"].attrs = {}
    with pytest.raises(UnitsError, match="no 'units' attribute"):
        read_era5(era5_like)


def test_read_era5_all_nan(era5_like):
    era5_like["t2m"][:] = np.nan
    with pytest.raises(InputError, match="all NaN"):
        read_era5(era5_like)


def test_read_era5_dew_point_above_temperature(era5_like):
    era5_like["d2m"] = era5_like["t2m"] + 5.0
    era5_like["d2m"].attrs["units"] = "K"
    with pytest.raises(UnitsError, match="relative humidity above 100"):
        read_era5(era5_like)


def test_read_era5_missing_file(tmp_path):
    with pytest.raises(InputError, match="file not found"):
        read_era5(tmp_path / "nope.nc")


def _write_tif(path, data, crs="EPSG:4326", west=10.0, north=50.0, res=0.5, nodata=None):
    import rasterio
    from rasterio.transform import from_origin

    count = data.shape[0]
    with rasterio.open(
        path,
        "w",
        driver="GTiff",
        width=data.shape[2],
        height=data.shape[1],
        count=count,
        dtype="float32",
        crs=crs,
        transform=from_origin(west, north, res, res),
        nodata=nodata,
    ) as dst:
        dst.write(data.astype("float32"))


def test_read_geotiff_monthly(tmp_path):
    data = np.stack([np.full((4, 6), float(m)) for m in range(1, 13)])
    data[0, 0, 0] = -9999.0
    path = tmp_path / "t.tif"
    _write_tif(path, data, nodata=-9999.0)
    ds = read_climate_geotiff(path, units="degC")
    t = ds["t2m"]
    assert t.dims == ("month", "lat", "lon")
    # Cell centres: west edge 10.0 + half a 0.5 deg cell; north edge 50 -> 49.75 first.
    np.testing.assert_allclose(t.lon, 10.25 + 0.5 * np.arange(6))
    np.testing.assert_allclose(t.lat, np.sort(49.75 - 0.5 * np.arange(4)))
    assert float(t.sel(month=7).mean()) == 7.0
    assert bool(np.isnan(t.sel(month=1, lat=49.75, lon=10.25)))


def test_read_geotiff_wrong_crs(tmp_path):
    path = tmp_path / "utm.tif"
    _write_tif(path, np.zeros((1, 3, 3)), crs="EPSG:32633", west=500000, north=6e6, res=1000)
    with pytest.raises(CRSError, match="EPSG:32633.*reproject"):
        read_climate_geotiff(path, units="degC")


def test_read_geotiff_band_count(tmp_path):
    path = tmp_path / "three.tif"
    _write_tif(path, np.zeros((3, 3, 3)))
    with pytest.raises(GridError, match="3 bands"):
        read_climate_geotiff(path, units="degC")


def test_read_geotiff_kelvin(tmp_path):
    path = tmp_path / "k.tif"
    _write_tif(path, np.full((1, 2, 2), 293.15))
    assert float(read_climate_geotiff(path, units="K")["t2m"].mean()) == pytest.approx(20.0)


def test_price_table_raw_columns_with_fx(tmp_path):
    df = pd.DataFrame(
        {
            "region_code": ["de", "US-TX", "SE3"],
            "price": [0.15, 6.6, 50.0],
            "currency": ["EUR", "USD", "EUR"],
            "unit": ["per_kWh", "cents_per_kWh", "per_MWh"],
            "year": [2024] * 3,
        }
    )
    path = tmp_path / "p.csv"
    df.to_csv(path, index=False)
    out = read_price_table(path, fx={"EUR": 1.1}).set_index("region_code")
    assert out.at["DE", "price_usd_per_mwh"] == pytest.approx(165.0)
    assert out.at["US-TX", "price_usd_per_mwh"] == pytest.approx(66.0)
    assert out.at["SE3", "price_usd_per_mwh"] == pytest.approx(55.0)
    assert out["level"].to_dict() == {"DE": "country", "US-TX": "admin1", "SE3": "bidding_zone"}


def test_price_table_with_shipped_exchange_rates():
    # 0.10 EUR/kWh in 2023 at the US Federal Reserve G.5A 2023 annual average of
    # 1.0817 USD per EUR (federalreserve.gov/releases/g5a/20240201) is 108.17 USD/MWh;
    # the shipped ECB-derived rate may differ from G.5A by a few tenths of a percent.
    df = pd.DataFrame(
        {
            "region_code": ["DE", "US-TX"],
            "price": [0.10, 6.6],
            "currency": ["eur", "USD"],
            "unit": ["per_kWh", "cents_per_kWh"],
            "year": [2023, 2023],
        }
    )
    out = read_price_table(df, fx="shipped")
    assert out["price_usd_per_mwh"].iloc[0] == pytest.approx(108.17, rel=3e-3)
    assert out["price_usd_per_mwh"].iloc[1] == pytest.approx(66.0)


def test_price_table_parquet(tmp_path):
    path = tmp_path / "p.parquet"
    pd.DataFrame({"region_code": ["FR"], "price_usd_per_mwh": [80.0]}).to_parquet(path)
    assert read_price_table(path)["price_usd_per_mwh"].tolist() == [80.0]


@pytest.mark.parametrize(
    ("frame", "kwargs", "error", "match"),
    [
        ({"region_code": ["DE"], "price_usd_per_mwh": [-5.0]}, {}, UnitsError, "positive"),
        ({"region_code": ["DE"], "price_usd_per_mwh": [np.nan]}, {}, UnitsError, "missing"),
        ({"region_code": ["DE"], "price_usd_per_mwh": ["cheap"]}, {}, UnitsError, "not a number"),
        (
            {"region_code": ["DE", "de"], "price_usd_per_mwh": [1.0, 2.0]},
            {},
            InputError,
            "duplicate",
        ),
        ({"code": ["DE"], "price_usd_per_mwh": [1.0]}, {}, InputError, "region_code"),
        ({"region_code": ["DE"], "price": [0.1]}, {}, InputError, "missing"),
        (
            {
                "region_code": ["DE"],
                "price": [0.1],
                "currency": ["EUR"],
                "unit": ["per_kWh"],
                "year": [2024],
            },
            {},
            InputError,
            "no exchange rate for \\['EUR'\\]",
        ),
        (
            {
                "region_code": ["DE"],
                "price": [0.1],
                "currency": ["EUR"],
                "unit": ["per_kWh"],
                "year": [1990],
            },
            {"fx": "shipped"},
            InputError,
            "no shipped annual exchange rate for \\[\\('EUR', 1990\\)\\]",
        ),
        (
            {
                "region_code": ["DE"],
                "price": [0.1],
                "currency": ["EUR"],
                "unit": ["per_kWh"],
                "year": [2024],
            },
            {"fx": "ecb"},
            InputError,
            "fx must be a dict",
        ),
        (
            {
                "region_code": ["DE"],
                "price": [0.1],
                "currency": ["USD"],
                "unit": ["per_GJ"],
                "year": [2024],
            },
            {},
            UnitsError,
            "unknown price unit",
        ),
        (
            {"region_code": ["DE"], "price_usd_per_mwh": [1.0], "level": ["state"]},
            {},
            InputError,
            "unknown level",
        ),
    ],
)
def test_price_table_errors(frame, kwargs, error, match):
    with pytest.raises(error, match=match):
        read_price_table(pd.DataFrame(frame), **kwargs)


def test_price_table_empty_and_bad_suffix(tmp_path):
    with pytest.raises(InputError, match="empty"):
        read_price_table(pd.DataFrame({"region_code": [], "price_usd_per_mwh": []}))
    bad = tmp_path / "p.xlsx"
    bad.write_text("x")
    with pytest.raises(InputError, match=".csv or .parquet"):
        read_price_table(bad)


def _squares(crs="EPSG:4326"):
    import geopandas as gpd
    from shapely.geometry import box

    return gpd.GeoDataFrame(
        {"region": ["a", "b"]}, geometry=[box(0, 0, 1, 1), box(1, 0, 2, 1)], crs=crs
    )


def test_read_regions_file_and_reprojection(tmp_path):
    gdf = _squares().to_crs("EPSG:3857")
    path = tmp_path / "r.gpkg"
    gdf.to_file(path)
    out = read_regions(path, name_column="region")
    assert out.crs.to_epsg() == 4326
    np.testing.assert_allclose(out.total_bounds, [0, 0, 2, 1], atol=1e-9)
    assert out["name"].tolist() == ["a", "b"]


def test_read_regions_errors():
    import geopandas as gpd
    from shapely.geometry import Point

    with pytest.raises(CRSError, match="no CRS"):
        read_regions(_squares(crs=None))
    with pytest.raises(InputError, match="empty"):
        read_regions(_squares().iloc[:0])
    with pytest.raises(InputError, match="polygons"):
        read_regions(gpd.GeoDataFrame(geometry=[Point(0, 0)], crs="EPSG:4326"))
    with pytest.raises(InputError, match="name_column"):
        read_regions(_squares(), name_column="nom")
