"""Table-driven malformed inputs across the API, the CLI and the loaders.

Each case asserts the exception type (always a subclass of computeatlas.InputError, itself a
ValueError) and that the message names the problem.
"""

import os
import stat
import subprocess
import sys

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import xarray as xr
from shapely.geometry import box

import computeatlas
from computeatlas import datasets, models, presets
from computeatlas.errors import (
    CRSError,
    GridError,
    InputError,
    ResourceError,
    UnitsError,
    UnknownNameError,
)
from computeatlas.grid import GridSpec, normalize_grid

BBOX = (110, 30, 130, 45)


def _era5(**changes):
    lat = np.array([40.0, 39.75])
    lon = np.array([0.0, 0.25])
    time = pd.date_range("2023-01-01", periods=24, freq="h")
    t = np.full((24, 2, 2), 280.0)
    ds = xr.Dataset(
        {
            "t2m": (("time", "latitude", "longitude"), t, {"units": "K"}),
            "d2m": (("time", "latitude", "longitude"), t - 5, {"units": "K"}),
        },
        coords={"time": time, "latitude": lat, "longitude": lon},
    )
    for value in changes.values():
        ds = value(ds) if callable(value) else ds
    return ds


CASES = [
    # --- rank_sites / latency_field / site_report ----------------------------------
    (
        "bbox inverted",
        lambda: computeatlas.rank_sites((0, 50, 10, 40), ["Tokyo"]),
        InputError,
        "inverted",
    ),
    (
        "bbox latitude beyond 90",
        lambda: computeatlas.rank_sites((0, 0, 10, 95), ["Tokyo"]),
        InputError,
        r"\[-90, 90\]",
    ),
    (
        "bbox NaN",
        lambda: computeatlas.rank_sites((0, np.nan, 10, 20), ["Tokyo"]),
        InputError,
        "NaN",
    ),
    (
        "bbox strings",
        lambda: computeatlas.rank_sites(("a", "b", "c", "d"), ["Tokyo"]),
        InputError,
        "four numbers",
    ),
    (
        "bbox three numbers",
        lambda: computeatlas.rank_sites((0, 1, 2), ["Tokyo"]),
        InputError,
        "four numbers",
    ),
    ("bbox name", lambda: computeatlas.rank_sites("asia", ["Tokyo"]), InputError, "'world'"),
    (
        "bbox west out of range",
        lambda: computeatlas.rank_sites((-200, 0, 10, 10), ["Tokyo"]),
        InputError,
        "outside",
    ),
    ("empty metros", lambda: computeatlas.rank_sites(BBOX, []), InputError, "empty"),
    (
        "duplicate metros",
        lambda: computeatlas.rank_sites(BBOX, ["Seoul", "Seoul"]),
        InputError,
        "duplicate",
    ),
    (
        "unknown metro",
        lambda: computeatlas.rank_sites(BBOX, ["Seol"]),
        UnknownNameError,
        "did you mean",
    ),
    (
        "unknown metro in country",
        lambda: computeatlas.rank_sites(BBOX, ["Seoul, JP"]),
        UnknownNameError,
        "in country 'JP'",
    ),
    (
        "metro tuple of 4",
        lambda: computeatlas.rank_sites(BBOX, [(1, 2, 3, 4)]),
        InputError,
        r"\(lat, lon\)",
    ),
    (
        "metro latitude 95",
        lambda: computeatlas.rank_sites(BBOX, [(95.0, 10.0)]),
        InputError,
        "latitudes",
    ),
    ("metro NaN", lambda: computeatlas.rank_sites(BBOX, [(np.nan, 10.0)]), InputError, "NaN"),
    (
        "metro strings as coordinates",
        lambda: computeatlas.rank_sites(BBOX, [("35", "139")]),
        InputError,
        "numbers",
    ),
    (
        "metro negative weight",
        lambda: computeatlas.rank_sites(BBOX, [(35.0, 139.0, -1.0)]),
        InputError,
        "weights",
    ),
    (
        "metro table without lat",
        lambda: computeatlas.rank_sites(BBOX, pd.DataFrame({"x": [1]})),
        InputError,
        "'lat' and 'lon'",
    ),
    (
        "metro GeoDataFrame without CRS",
        lambda: computeatlas.rank_sites(
            BBOX, gpd.GeoDataFrame(geometry=gpd.points_from_xy([139.7], [35.7]))
        ),
        CRSError,
        "no CRS",
    ),
    (
        "max_rtt zero",
        lambda: computeatlas.rank_sites(BBOX, ["Tokyo"], max_rtt_ms=0),
        InputError,
        "max_rtt_ms",
    ),
    (
        "max_rtt NaN",
        lambda: computeatlas.rank_sites(BBOX, ["Tokyo"], max_rtt_ms=float("nan")),
        InputError,
        "max_rtt_ms",
    ),
    (
        "max_rtt string",
        lambda: computeatlas.rank_sites(BBOX, ["Tokyo"], max_rtt_ms="50"),
        InputError,
        "max_rtt_ms",
    ),
    (
        "unknown technology",
        lambda: computeatlas.rank_sites(BBOX, ["Tokyo"], technology="x"),
        UnknownNameError,
        "unknown cooling preset",
    ),
    (
        "unknown ASHRAE class",
        lambda: computeatlas.rank_sites(BBOX, ["Tokyo"], ashrae_class="B1"),
        UnknownNameError,
        "unknown ashrae preset",
    ),
    (
        "unknown route",
        lambda: computeatlas.rank_sites(BBOX, ["Tokyo"], route="satellite"),
        UnknownNameError,
        "unknown routes preset",
    ),
    (
        "unknown heat price",
        lambda: computeatlas.rank_sites(BBOX, ["Tokyo"], heat_price="free"),
        UnknownNameError,
        "unknown heat_prices preset",
    ),
    (
        "negative heat price",
        lambda: computeatlas.rank_sites(BBOX, ["Tokyo"], heat_price=-3.0),
        InputError,
        "heat price",
    ),
    (
        "zero energy per token",
        lambda: computeatlas.rank_sites(BBOX, ["Tokyo"], energy_per_token=0.0),
        InputError,
        "energy per token",
    ),
    ("bad mode", lambda: computeatlas.rank_sites(BBOX, ["Tokyo"], mode="most"), InputError, "mode"),
    (
        "min_share above 1",
        lambda: computeatlas.rank_sites(BBOX, ["Tokyo"], mode="share", min_share=1.5),
        InputError,
        "min_share",
    ),
    (
        "negative carbon price",
        lambda: computeatlas.rank_sites(BBOX, ["Tokyo"], carbon_price_usd_per_t=-1),
        InputError,
        "carbon",
    ),
    ("top zero", lambda: computeatlas.rank_sites(BBOX, ["Tokyo"], top=0), InputError, "top"),
    (
        "resolution not dividing 90",
        lambda: computeatlas.rank_sites(BBOX, ["Tokyo"], resolution=0.7),
        GridError,
        "divide",
    ),
    (
        "request too large",
        lambda: computeatlas.latency_field(["Tokyo"], resolution=0.01),
        ResourceError,
        "coarser resolution",
    ),
    (
        "negative price table",
        lambda: computeatlas.rank_sites(
            BBOX,
            ["Tokyo"],
            prices=pd.DataFrame({"region_code": ["JP"], "price_usd_per_mwh": [-5.0]}),
        ),
        UnitsError,
        "positive",
    ),
    (
        "price table duplicate rows",
        lambda: computeatlas.rank_sites(
            BBOX,
            ["Tokyo"],
            prices=pd.DataFrame({"region_code": ["JP", "JP"], "price_usd_per_mwh": [5.0, 6.0]}),
        ),
        InputError,
        "duplicate",
    ),
    (
        "latency thresholds",
        lambda: computeatlas.latency_field(["Tokyo"], thresholds_ms=(-1,)),
        InputError,
        "thresholds_ms",
    ),
    (
        "site points out of range",
        lambda: computeatlas.site_report([(0.0, 400.0)]),
        InputError,
        "longitudes",
    ),
    ("site points wrong shape", lambda: computeatlas.site_report([[1, 2, 3]]), InputError, "pairs"),
    ("site it_mw", lambda: computeatlas.site_report([(60.0, 25.0)], it_mw=0), InputError, "it_mw"),
    # --- models -----------------------------------------------------------------------
    (
        "RH above 100 %",
        lambda: models.dew_point_from_relative_humidity(20.0, 120.0),
        UnitsError,
        r"\(0, 100\]",
    ),
    (
        "dew point above temperature",
        lambda: models.relative_humidity(10.0, 15.0),
        UnitsError,
        "above 100",
    ),
    ("temperature below -90 C", lambda: models.hourly_pue([-95.0], [-99.0]), UnitsError, "-90"),
    ("kelvin as Celsius", lambda: models.wet_bulb_temperature(300.0, 290.0), UnitsError, "kelvin"),
    (
        "negative electricity price",
        lambda: models.cost_usd_per_mwh_it(-1.0, 1.2),
        InputError,
        "negative",
    ),
    ("PUE below 1", lambda: models.cost_usd_per_mwh_it(50.0, 0.8), InputError, "PUE"),
    ("service radius zero", lambda: models.service_radius_km(0.0), InputError, "positive"),
    ("elevation in km", lambda: models.air_pressure(20_000.0), UnitsError, "metres"),
    ("heat pump kind", lambda: models.heat_pump_cop(40, 70, kind="water"), InputError, "kind"),
    (
        "cooling parameter typo",
        lambda: presets.cooling().replace(fan_eff=0.5),
        InputError,
        "unknown cooling parameter",
    ),
    # --- loaders and grid conventions -------------------------------------------------
    (
        "ERA5 missing units",
        lambda: datasets.read_era5(
            _era5(x=lambda d: d.assign(t2m=d["t2m"].assign_attrs(units="")))
        ),
        UnitsError,
        "units",
    ),
    (
        "ERA5 gap in hours",
        lambda: datasets.read_era5(_era5().drop_isel(time=[5])),
        InputError,
        "gap",
    ),
    (
        "ERA5 radians",
        lambda: datasets.read_era5(
            _era5().assign_coords(latitude=("latitude", [0.7, 0.69], {"units": "radians"}))
        ),
        GridError,
        "radians",
    ),
    (
        "ERA5 all NaN",
        lambda: datasets.read_era5(
            _era5()
            .assign(t2m=lambda d: d["t2m"].where(False))
            .assign(t2m=lambda d: d["t2m"].assign_attrs(units="K"))
        ),
        InputError,
        "all NaN",
    ),
    (
        "grid irregular",
        lambda: normalize_grid(
            xr.DataArray(
                np.zeros((2, 3)), dims=("lat", "lon"), coords={"lat": [0, 1], "lon": [0, 1, 5]}
            )
        ),
        GridError,
        "regularly spaced",
    ),
    ("grid resolution", lambda: GridSpec(-1), GridError, "resolution"),
    (
        "regions without CRS",
        lambda: datasets.read_regions(gpd.GeoDataFrame(geometry=[box(0, 0, 1, 1)])),
        CRSError,
        "no CRS",
    ),
    (
        "regions of points",
        lambda: datasets.read_regions(
            gpd.GeoDataFrame(geometry=gpd.points_from_xy([0], [0]), crs=4326)
        ),
        InputError,
        "polygons",
    ),
    (
        "price unit",
        lambda: datasets.read_price_table(
            pd.DataFrame(
                {
                    "region_code": ["DE"],
                    "price": [1.0],
                    "currency": ["USD"],
                    "unit": ["per_GJ"],
                    "year": [2024],
                }
            )
        ),
        UnitsError,
        "unit",
    ),
    (
        "price currency without rate",
        lambda: datasets.read_price_table(
            pd.DataFrame(
                {
                    "region_code": ["DE"],
                    "price": [1.0],
                    "currency": ["EUR"],
                    "unit": ["per_kWh"],
                    "year": [2024],
                }
            )
        ),
        InputError,
        "exchange rate",
    ),
    ("resolve prices level", lambda: datasets.resolve_prices(level="admin2"), InputError, "level"),
    ("find metro blank", lambda: datasets.find_metro(""), UnknownNameError, "non-empty"),
]


@pytest.mark.parametrize(("name", "call", "error", "match"), CASES, ids=[c[0] for c in CASES])
def test_malformed_input(name, call, error, match):
    with pytest.raises(error, match=match) as info:
        call()
    assert isinstance(info.value, InputError) and isinstance(info.value, ValueError)


def test_case_count():
    assert len(CASES) >= 40


def test_output_in_missing_and_read_only_folders(tmp_path, monkeypatch):
    ranking = computeatlas.rank_sites(BBOX, ["Seoul"], max_rtt_ms=20, top=3)
    with pytest.raises(InputError, match="does not exist"):
        ranking.to_geojson(tmp_path / "missing" / "sites.geojson")
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(stat.S_IRUSR | stat.S_IXUSR)
    # Tests may run as root, which ignores permission bits: report the folder read-only.
    real_access = os.access
    monkeypatch.setattr(
        os,
        "access",
        lambda p, mode, *a, **k: (
            False
            if str(p).startswith(str(locked)) and mode & os.W_OK
            else real_access(p, mode, *a, **k)
        ),
    )
    with pytest.raises(InputError, match="not writable"):
        ranking.to_geojson(locked / "sites.geojson")
    locked.chmod(stat.S_IRWXU)
    assert list(tmp_path.rglob("*.geojson")) == []
    assert list(tmp_path.rglob("*.part*")) == []


@pytest.mark.parametrize(
    "argv",
    [
        ["rank", "--bbox", "0,50,10,40", "--metros", "Tokyo"],
        ["rank", "--bbox", "0,x,10,40", "--metros", "Tokyo"],
        ["rank", "--metros", "Tokio"],
        ["rank", "--metros", "Tokyo", "--max-rtt", "-5"],
        ["rank", "--metros", "Tokyo", "--technology", "immersion"],
        ["rank", "--metros", "Tokyo", "--out", "/nonexistent-folder/x.geojson"],
        ["rank", "--metros", "Tokyo", "--out", "x.shp"],
        ["metros", "--search", "Nowhereville"],
    ],
)
def test_cli_errors_are_one_line(argv):
    proc = subprocess.run(
        [sys.executable, "-m", "computeatlas.cli", *argv, "--quiet"]
        if argv[0] == "rank"
        else [sys.executable, "-m", "computeatlas.cli", *argv],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("computeatlas: error:")
