"""Regression tests for the defects of issue 18 (hardening), one block per defect."""

from __future__ import annotations

import subprocess
import sys
import warnings

import numpy as np
import pandas as pd
import pytest
import xarray as xr

import computeatlas
from computeatlas import datasets, latency_field, presets, rank_sites, regions
from computeatlas.demand import resolve_metros, unique_labels
from computeatlas.errors import ComputeAtlasWarning, InputError
from computeatlas.grid import cell_area_km2
from computeatlas.ranking import _plot_longitudes

BOX = (100, 30, 101, 31)


# --- #2 user climate units and checks, through rank_sites --------------------------------
@pytest.fixture(scope="module")
def box_climate():
    """The shipped climatology cut to BOX, in degC (units checked here, not assumed)."""
    clim = datasets.climate()
    cut = clim.sel(lat=slice(29.5, 31.5), lon=slice(99.5, 101.5)).load()
    assert cut["t2m"].attrs["units"] in ("degC", "°C", "celsius")
    return cut


def _with_units(ds, values, units):
    out = ds.copy()
    out["t2m"] = (ds["t2m"].dims, values, {"units": units})
    return out


@pytest.fixture(scope="module")
def celsius_ranking(box_climate):
    return rank_sites(BOX, ["Chengdu"], max_rtt_ms=60, climate=box_climate)


@pytest.mark.parametrize(
    ("units", "convert"),
    [("K", lambda c: c + 273.15), ("degF", lambda c: c * 9.0 / 5.0 + 32.0)],
    ids=["kelvin", "fahrenheit"],
)
def test_user_climate_in_other_units_gives_the_celsius_answer(
    box_climate, celsius_ranking, units, convert
):
    ds = _with_units(box_climate, convert(box_climate["t2m"].values), units)
    other = rank_sites(BOX, ["Chengdu"], max_rtt_ms=60, climate=ds)
    np.testing.assert_allclose(
        other.grid["pue"].values, celsius_ranking.grid["pue"].values, rtol=0, atol=1e-9
    )
    # Independent anchor: the cut is the shipped climatology, so all three equal the default.
    default = rank_sites(BOX, ["Chengdu"], max_rtt_ms=60)
    np.testing.assert_allclose(other.grid["pue"].values, default.grid["pue"].values, atol=1e-9)
    pue = celsius_ranking.grid["pue"].values
    assert np.nanmax(pue) < 2.0  # a K climatology read as degC gave PUE 4.47


def test_user_climate_all_nan_and_gappy_hourly_are_refused(box_climate):
    nan = _with_units(box_climate, np.full(box_climate["t2m"].shape, np.nan), "degC")
    with pytest.raises(InputError, match="climate.*all NaN"):
        rank_sites(BOX, ["Chengdu"], climate=nan)
    lat, lon = box_climate["lat"].values, box_climate["lon"].values
    time = pd.date_range("2023-01-01", periods=48, freq="h").delete(7)  # one hour missing
    hourly = xr.Dataset(
        {"t2m": (("time", "lat", "lon"), np.full((time.size, lat.size, lon.size), 10.0))},
        coords={"time": time, "lat": lat, "lon": lon},
    )
    hourly["t2m"].attrs["units"] = "degC"
    with pytest.raises(InputError, match="climate"):
        rank_sites(BOX, ["Chengdu"], climate=hourly)


# --- #3 bbox (0, S, 360, N) is the full circle ---------------------------------------------
def test_full_circle_bbox_in_0_360_form():
    box = (0, 30, 360, 32)
    ranking = rank_sites(box, ["Shanghai"], resolution=1.0, max_rtt_ms=30)
    assert ranking.grid.sizes["lon"] == 360
    assert int(ranking.grid["eligible"].sum()) > 0  # Shanghai (31.2 N, 121.5 E) is inside
    field = latency_field(["Shanghai"], bbox=box, resolution=1.0)
    assert field.sizes["lon"] == 360
    assert float(field["min_rtt_ms"].min()) < 10  # the 7.7 ms fixed part + under 2 ms of fibre


def test_cli_full_circle_bbox_ranks_cells(capsys):
    from computeatlas.cli import main

    args = ["rank", "--bbox", "0,30,360,32", "--metros", "Shanghai", "--max-rtt", "20"]
    assert main([*args, "--quiet", "--show", "3"]) == 0
    out = capsys.readouterr().out
    assert "no eligible cell" not in out and "China" in out


# --- #5 metro labels unique ---------------------------------------------------------------
def test_metro_labels_are_unique_and_keep_every_rtt_column():
    assert unique_labels(["a b", "a_b", "a_b_2", "東京", "!!"]) == [
        "a_b",
        "a_b_2",
        "a_b_2_2",
        "metro",
        "metro_2",
    ]
    table = pd.DataFrame(
        {"name": ["a b", "a_b", "a_b_2"], "lat": [30.2, 30.4, 30.6], "lon": [100.2, 100.4, 100.6]}
    )
    sites = rank_sites(BOX, table, max_rtt_ms=60, top=5).sites
    rtt = [c for c in sites.columns if c.startswith("rtt_ms_")]
    assert len(rtt) == 3 and len(set(rtt)) == 3


def test_unicode_only_metro_names_get_non_empty_labels():
    metros = resolve_metros(pd.DataFrame({"name": ["東京"], "lat": [35.7], "lon": [139.7]}))
    assert metros["label"].tolist() == ["metro"]


# --- #6 non-finite and absurd numbers -----------------------------------------------------
@pytest.mark.parametrize(
    "call",
    [
        lambda: presets.heat_price(float("inf")),
        lambda: presets.token_energy(float("inf")),
        lambda: presets.token_energy(float("nan")),
        lambda: presets.cooling().replace(pump_fraction=-0.1),
        lambda: presets.cooling().replace(lighting=float("nan")),
        lambda: presets.cooling().replace(chw_supply_c="15"),
    ],
    ids=["heat inf", "token inf", "token nan", "pump negative", "lighting nan", "string"],
)
def test_presets_refuse_non_finite_and_absurd_values(call):
    with pytest.raises(InputError):
        call()


def test_negative_pump_fraction_is_named():
    with pytest.raises(InputError, match="pump_fraction"):
        rank_sites(BOX, ["Chengdu"], technology=presets.cooling().replace(pump_fraction=-0.1))


def test_price_tables_with_inf_or_no_match():
    cn = pd.DataFrame({"region_code": ["CN"], "price_usd_per_mwh": [80.0]})
    with pytest.raises(InputError, match="prices.*finite"):
        rank_sites(BOX, ["Chengdu"], prices=cn.assign(price_usd_per_mwh=[np.inf]))
    with pytest.raises(InputError, match="prices.*no row matches"):
        rank_sites(BOX, ["Chengdu"], prices=cn.assign(region_code=["ZZ"]))
    both = pd.concat([cn, cn.assign(region_code=["ZZ"])], ignore_index=True)
    with pytest.warns(ComputeAtlasWarning, match="ZZ"):
        ranking = rank_sites(BOX, ["Chengdu"], prices=both)
    assert np.nanmax(ranking.grid["price_usd_per_mwh"].values) == pytest.approx(80.0)


# --- #7 regions() areas ---------------------------------------------------------------------
def _eligible_area(ranking, level="admin0"):
    g = ranking.grid
    area = cell_area_km2(g["lat"].values, g.attrs["resolution_deg"])[:, None]
    keep = g["eligible"].values & (g[f"{level}_index"].values >= 0)
    return float((np.broadcast_to(area, keep.shape) * keep).sum())


# Anadyr, Chukotka (priced by Russia's row; Fiji has no price row since unpriced land is
# no longer ranked at a global median)
CHUKOTKA = [(64.73, 177.5)]


@pytest.mark.parametrize(
    ("box", "resolution"),
    [
        ((177.0, 62.0, -180.0, 68.0), 0.25),  # across the antimeridian, one column east of it
        ((177.0, 62.0, -179.0, 68.0), 0.5),
        ((178.0, 62.0, 178.0, 68.0), 1.0),  # a single column
    ],
    ids=["antimeridian-1col", "antimeridian", "single-column"],
)
def test_region_areas_sum_to_the_eligible_cell_area(box, resolution):
    ranking = rank_sites(box, CHUKOTKA, max_rtt_ms=40, resolution=resolution)
    total = _eligible_area(ranking)
    assert total > 0
    for level in ("admin0", "admin1"):
        table = ranking.regions(level)
        assert float(table["eligible_area_km2"].sum()) == pytest.approx(
            _eligible_area(ranking, level), rel=1e-12
        )


def test_single_column_cell_area_at_one_degree():
    # A 1 x 1 deg cell centred on the equator: R^2 * (pi/180) * 2 sin(0.5 deg) with
    # R = 6371.0088 km (IUGG mean radius) = 12,364 km^2 (111.19 km x 111.19 km).
    area = cell_area_km2(np.array([0.0]), 1.0)[0]
    assert area == pytest.approx(111.195**2, rel=1e-4)
    # Amapa/Para, Brazil (a priced region on the equator)
    ranking = rank_sites((-50.0, -1.0, -50.0, 1.0), [(0.0, -50.0)], resolution=1.0, max_rtt_ms=40)
    table = ranking.regions()
    cells = int(ranking.grid["eligible"].sum())
    assert cells == 3
    assert float(table["eligible_area_km2"].sum()) == pytest.approx(
        area * (1 + 2 * np.cos(np.deg2rad(1.0))), rel=2e-4
    )


@pytest.mark.parametrize(
    ("box", "shifted"),
    [
        ((177.0, 62.0, -179.0, 68.0), (177.0, 62.0, 181.0, 68.0)),
        ((-179.5, 62.0, -178.0, 68.0), (180.5, 62.0, 182.0, 68.0)),
    ],
)
def test_shifting_the_window_by_360_changes_nothing(box, shifted):
    a = rank_sites(box, CHUKOTKA, max_rtt_ms=40, resolution=0.5)
    b = rank_sites(shifted, CHUKOTKA, max_rtt_ms=40, resolution=0.5)
    ra, rb = a.regions(), b.regions()
    pd.testing.assert_frame_equal(
        pd.DataFrame(ra.drop(columns="geometry")), pd.DataFrame(rb.drop(columns="geometry"))
    )
    np.testing.assert_array_equal(a.grid["rank"].values, b.grid["rank"].values)


def test_regions_of_an_empty_ranking_keep_their_columns():
    with pytest.warns(ComputeAtlasWarning, match="ocean"):  # mid-Atlantic: no land at all
        ranking = rank_sites((-30.0, -1.0, -29.0, 1.0), [(0.0, -29.5)], max_rtt_ms=10)
    table = ranking.regions()
    assert len(table) == 0 and "eligible_area_km2" in table.columns


# --- #10 the label cache is validated -------------------------------------------------------
@pytest.mark.parametrize("damage", ["garbage", "wrong shape", "out of range", "wrong dtype"])
def test_corrupt_label_cache_is_rebuilt(tmp_path, monkeypatch, damage):
    monkeypatch.setenv("COMPUTEATLAS_DATA_DIR", str(tmp_path))
    regions._global_labels.cache_clear()
    try:
        good = regions._global_labels("admin0", 2.0).copy()
        (path,) = (tmp_path / "labels").glob("admin0_2_*.npy")
        if damage == "garbage":
            path.write_bytes(b"\x93NUMPY garbage")
        elif damage == "wrong shape":
            np.save(path, good[:-1])
        elif damage == "out of range":
            np.save(path, np.full_like(good, 10**6))
        else:
            np.save(path, good.astype(np.float64))
        regions._global_labels.cache_clear()
        again = regions._global_labels("admin0", 2.0)
        np.testing.assert_array_equal(again, good)
        assert np.array_equal(np.load(path), good)  # the bad file was replaced
    finally:
        regions._global_labels.cache_clear()


# --- #13/#14 messages and numbers -----------------------------------------------------------
def test_ashrae_class_object_and_numpy_scalars_accepted():
    ranking = rank_sites(
        BOX,
        ["Chengdu"],
        ashrae_class=presets.ashrae_class("A2"),
        max_rtt_ms=np.float32(60),
        top=np.int64(3),
        heat_price=np.float32(20),
        energy_per_token=np.float64(2e-4),
    )
    assert ranking.grid.attrs["ashrae_class"] == "A2"
    assert ranking.grid.attrs["heat_price_usd_per_mwh"] == pytest.approx(20.0)
    assert len(ranking.sites) == 3


def test_unknown_technology_names_the_parameter():
    with pytest.raises(InputError, match="^technology: "):
        rank_sites(BOX, ["Chengdu"], technology="immersion")


# --- #16 plot() of an antimeridian window --------------------------------------------------
def test_plot_longitudes_across_the_antimeridian():
    lon = np.array([-180.0, -179.5, 179.0, 179.5])
    shown, order = _plot_longitudes(lon, 0.5)
    np.testing.assert_array_equal(shown, [179.0, 179.5, 180.0, 180.5])
    np.testing.assert_array_equal(order, [2, 3, 0, 1])
    plain = np.array([10.0, 10.5, 11.0])
    np.testing.assert_array_equal(_plot_longitudes(plain, 0.5)[0], plain)


def test_plot_of_an_antimeridian_window_limits():
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    ranking = rank_sites((177.0, 62.0, -179.0, 68.0), CHUKOTKA, max_rtt_ms=40, resolution=0.5)
    ax = ranking.plot()
    assert ax.get_xlim() == pytest.approx((177.0, 181.0))
    matplotlib.pyplot.close(ax.figure)


# --- #18 lenient acceptance -----------------------------------------------------------------
@pytest.mark.parametrize("name", ["../..", "/etc/passwd", "data/../metros.csv", "", "."])
def test_data_path_stays_inside_the_data_folder(name):
    with pytest.raises(InputError, match="data_path"):
        datasets.data_path(name)


def test_manifest_is_a_fresh_copy():
    m = datasets.manifest()
    m["layers"].clear()
    m["injected"] = True
    again = datasets.manifest()
    assert "injected" not in again and again["layers"]


def test_price_and_region_files_that_cannot_be_read(tmp_path):
    (tmp_path / "empty.csv").write_text("")
    (tmp_path / "latin.csv").write_bytes(
        "region_code,price_usd_per_mwh,n\nCN,50,P\xe9\n".encode("latin-1")
    )
    (tmp_path / "bad.parquet").write_bytes(b"PAR1 not parquet")
    (tmp_path / "folder.csv").mkdir()
    (tmp_path / "bad.geojson").write_text("{not json")
    (tmp_path / "bad.tif").write_bytes(b"II*\x00 not a tiff")
    cases = [
        (lambda: datasets.read_price_table(tmp_path / "empty.csv"), "empty"),
        (lambda: datasets.read_price_table(tmp_path / "latin.csv"), "UTF-8"),
        (lambda: datasets.read_price_table(tmp_path / "bad.parquet"), "cannot read"),
        (lambda: datasets.read_price_table(tmp_path / "folder.csv"), "folder"),
        (lambda: datasets.read_price_table([1, 2]), "path"),
        (lambda: datasets.read_price_table(b"x.csv"), "path"),
        (lambda: datasets.read_regions(tmp_path / "bad.geojson"), "cannot read"),
        (lambda: datasets.read_regions(tmp_path / "folder.csv"), "folder"),
        (lambda: datasets.read_regions(None), "path"),
        (lambda: datasets.read_climate_geotiff(tmp_path / "bad.tif", units="degC"), "GeoTIFF"),
    ]
    for call, match in cases:
        with pytest.raises(InputError, match=match):
            call()


def test_points_refuse_bools_and_string_numbers():
    for pts in ([(True, 100.0)], [("30", "100")]):
        with pytest.raises(InputError, match="points"):
            computeatlas.site_report(pts)


def test_no_warning_for_a_fully_matching_price_table():
    cn = pd.DataFrame({"region_code": ["CN", "CN-SC"], "price_usd_per_mwh": [80.0, 70.0]})
    with warnings.catch_warnings():
        warnings.simplefilter("error", ComputeAtlasWarning)
        rank_sites(BOX, ["Chengdu"], prices=cn)


# --- #17 the command line ------------------------------------------------------------------
CLI = "import sys; from computeatlas.cli import main; raise SystemExit(main(sys.argv[1:]))"


@pytest.mark.parametrize(
    ("argv", "env", "match"),
    [
        (["metros", "--country", "zz"], {}, "--country"),
        (["metros", "--top", "0"], {}, "--top"),
        (["rank", "--bbox", "", "--metros", "Chengdu"], {}, "--bbox"),
        (["rank", "--bbox", "100,30,101,31", "--metros", "Chengdu", "--out", ""], {}, "--out"),
        (["rank", "--bbox", "100,30,101,31", "--metros", "Chengdu", "--show", "-1"], {}, "--show"),
        (
            ["rank", "--bbox", "100,30,101,31", "--metros", "Chengdu"],
            {"COMPUTEATLAS_MAX_MEMORY": "inf"},
            "COMPUTEATLAS_MAX_MEMORY",
        ),
        (
            ["rank", "--bbox", "100,30,101,31", "--metros", "Chengdu"],
            {"COMPUTEATLAS_MAX_MEMORY": "-1"},
            "COMPUTEATLAS_MAX_MEMORY",
        ),
    ],
    ids=["country zz", "top 0", "empty bbox", "empty out", "show -1", "memory inf", "memory -1"],
)
def test_cli_refuses_with_one_line_and_status_2(argv, env, match, monkeypatch, capsys):
    from computeatlas.cli import main

    for key, value in env.items():
        monkeypatch.setenv(key, value)
    assert main([*argv, "--quiet"] if argv[0] == "rank" else argv) == 2
    err = capsys.readouterr().err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("computeatlas: error:") and match in lines[0]


def test_cli_numeric_heat_price(capsys):
    from computeatlas.cli import main

    argv = ["rank", "--bbox", "100,30,101,31", "--metros", "Chengdu", "--max-rtt", "60"]
    assert main([*argv, "--heat-price", "20", "--quiet", "--show", "0"]) == 0
    assert capsys.readouterr().out == ""  # --show 0 prints no rows


def test_cli_closed_pipe_ends_quietly():
    proc = subprocess.Popen(
        [sys.executable, "-c", CLI, "metros", "--top", "5000"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    first = proc.stdout.readline()
    proc.stdout.close()  # like `| head -1`
    err = proc.stderr.read().decode()
    proc.wait(timeout=120)
    assert first.startswith(b"Tokyo")  # the largest metro area
    assert "Traceback" not in err and "BrokenPipe" not in err, err
    assert proc.returncode in (0, 141)


@pytest.mark.parametrize(
    "call",
    [
        lambda: presets.Route("r", float("inf"), 2.0),
        lambda: presets.Route("r", 1.5, "2"),
        lambda: presets.AshraeClass("a", 30.0, 20.0, 0.0, 10.0, 80.0),
        lambda: presets.AshraeClass("a", 10.0, float("nan"), 0.0, 10.0, 80.0),
    ],
    ids=["route inf", "route string", "ashrae inverted", "ashrae nan"],
)
def test_route_and_ashrae_objects_are_validated(call):
    with pytest.raises(InputError):
        call()


@pytest.mark.parametrize(
    ("option", "kwargs"),
    [
        ("heat_price", {"heat_price": 1e308, "technology": "direct_liquid_warm_water"}),
        ("carbon_price_usd_per_t", {"carbon_price_usd_per_t": 1e308}),
        ("energy_per_token", {"energy_per_token": 1e308}),
    ],
)
@pytest.mark.filterwarnings("ignore:overflow encountered:RuntimeWarning")
def test_finite_but_overflowing_options_are_refused(option, kwargs):
    # heat_price=1e308 used to rank every heat-selling cell first at -1.8e308 USD/MWh_IT.
    with pytest.raises(InputError, match=f"^{option} is too large"):
        rank_sites((10, 50, 12, 52), ["Berlin"], **kwargs)


def test_more_wrong_types_are_input_errors():
    ranking = rank_sites(BOX, ["Chengdu"], max_rtt_ms=60)
    cases = [
        (lambda: ranking.plot(["pue"]), "variable"),
        (lambda: rank_sites(BOX, [(30.0, 100.0, 0.0), (31.0, 101.0, 0.0)], mode="share"), "zero"),
        (lambda: datasets.read_era5(datasets.climate(), variables=5), "variables"),
        (lambda: datasets.metros(min_population="a"), "min_population"),
    ]
    for call, match in cases:
        with pytest.raises(InputError, match=match):
            call()
