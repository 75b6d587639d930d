import geopandas as gpd
import numpy as np
import pandas as pd
import pytest

import computeatlas
from computeatlas.errors import CRSError, InputError, UnknownNameError

COLUMNS = [
    "lat",
    "lon",
    "country",
    "admin1",
    "temperature_mean_c",
    "dew_point_mean_c",
    "pue",
    "free_cooling_hours",
    "free_cooling_days",
    "hours_full_mechanical",
    "price_usd_per_mwh",
    "heat_credit_usd_per_mwh_it",
    "cost_usd_per_mwh_it",
    "cost_usd_per_mtoken",
]


@pytest.fixture(scope="module")
def report():
    return computeatlas.site_report(
        [(65.58, 22.15), (1.35, 103.82), (31.3, 121.5)],
        demand_metros=["Tokyo", (37.57, 126.98, 2.0)],
    )


def test_columns_and_rows(report):
    assert len(report) == 3
    for col in COLUMNS:
        assert col in report.columns
    assert "rtt_ms_tokyo_jp" in report.columns
    assert list(report["country"]) == ["Sweden", "Singapore", "China"]
    assert report.loc[0, "admin1"] == "Norrbotten"  # Natural Earth admin-1 name
    assert report.attrs["technology"] == "air_side_fleet"


def test_values_are_consistent(report):
    np.testing.assert_allclose(
        report["cost_usd_per_mwh_it"],
        report["price_usd_per_mwh"] * report["pue"] - report["heat_credit_usd_per_mwh_it"],
    )
    assert report.loc[0, "pue"] < report.loc[1, "pue"]  # Lulea cooler than Singapore
    # Shanghai - Tokyo ~ 1765 km: 7.7 + 2 * 1765 * 1.58 / 204.2 ~ 35 ms on the cloud backbone.
    assert report.loc[2, "rtt_ms_tokyo_jp"] == pytest.approx(35.0, abs=1.5)


def test_accepts_dataframe_and_projected_geodataframe():
    df = pd.DataFrame({"latitude": [60.17], "longitude": [24.94]})
    a = computeatlas.site_report(df)
    g = gpd.GeoDataFrame(geometry=gpd.points_from_xy([24.94], [60.17]), crs="EPSG:4326")
    b = computeatlas.site_report(g.to_crs(3067))
    assert a.loc[0, "pue"] == pytest.approx(b.loc[0, "pue"])
    assert a.loc[0, "country"] == "Finland"


@pytest.mark.parametrize(
    ("points", "error", "match"),
    [
        ([], InputError, "empty"),
        ([(95.0, 0.0)], InputError, "latitudes"),
        ([(np.nan, 0.0)], InputError, "NaN"),
        ([(1.0, 2.0, 3.0)], InputError, "pairs"),
        ("Tokyo", InputError, "pairs"),
    ],
)
def test_bad_points(points, error, match):
    with pytest.raises(error, match=match):
        computeatlas.site_report(points)


def test_bad_options():
    with pytest.raises(CRSError):
        computeatlas.site_report(gpd.GeoDataFrame(geometry=gpd.points_from_xy([1.0], [1.0])))
    with pytest.raises(UnknownNameError):
        computeatlas.site_report([(60.0, 25.0)], technology="immersion")
    with pytest.raises(UnknownNameError, match="Tokyo"):
        computeatlas.site_report([(60.0, 25.0)], demand_metros=["Tokio"])
    with pytest.raises(InputError, match="duplicate"):
        computeatlas.site_report([(60.0, 25.0)], demand_metros=["Tokyo", "Tokyo"])
    with pytest.raises(InputError, match="empty"):
        computeatlas.site_report([(60.0, 25.0)], demand_metros=[])
