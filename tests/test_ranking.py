"""rank_sites, latency_field and SiteRanking against slow references and the rules."""

import json

import numpy as np
import pandas as pd
import pytest

import computeatlas
from computeatlas.errors import InputError, UnknownNameError
from computeatlas.ranking import parse_bbox

EAST_ASIA = (110, 30, 130, 45)
METROS = ["Beijing", "Seoul", "Tokyo"]


@pytest.fixture(scope="module")
def ranking():
    return computeatlas.rank_sites(EAST_ASIA, METROS, max_rtt_ms=40, top=20)


def test_grid_variables_units_and_attrs(ranking):
    g = ranking.grid
    for var, units in [
        ("pue", "1"),
        ("price_usd_per_mwh", "USD MWh-1"),
        ("cost_usd_per_mwh_it", "USD MWh-1"),
        ("rtt_ms", "ms"),
        ("score_usd_per_mwh_it", "USD MWh-1"),
        ("free_cooling_hours", "h yr-1"),
        ("free_cooling_days", "d yr-1"),
        ("hours_partial_mechanical", "h yr-1"),
        ("reachable_population_30ms", "1"),
        ("carbon_kg_per_mwh_it", "kg MWh-1"),
    ]:
        assert g[var].attrs["units"] == units, var
        assert g[var].attrs["long_name"]
    assert g["rtt_ms"].dims == ("metro", "lat", "lon")
    assert list(g["metro"].values) == ["beijing_cn", "seoul_kr", "tokyo_jp"]
    assert g.attrs["max_rtt_ms"] == 40 and g.attrs["technology"] == "air_side_fleet"
    assert float(g["lat"].min()) == 30.0 and float(g["lon"].max()) == 130.0


def test_eligibility_and_rank_rules(ranking):
    g = ranking.grid
    elig = g["eligible"].values
    assert elig.any()
    assert np.all(g["rtt_ms"].values[:, elig] <= 40.0)
    rank = g["rank"].values
    assert sorted(rank[elig]) == list(range(1, elig.sum() + 1))
    assert np.all(rank[~elig] == 0)
    score = g["score_usd_per_mwh_it"].values
    lowest = np.min(np.where(elig, score, np.inf))
    first = np.unravel_index(np.argmax(rank == 1), rank.shape)
    # rank 1 holds the lowest cost to the cent (ties within a cent go to the lower RTT)
    assert round(score[first] / 0.01) == round(lowest / 0.01)
    np.testing.assert_allclose(
        g["cost_usd_per_mwh_it"].values[elig],
        (g["price_usd_per_mwh"] * g["pue"] - g["heat_credit_usd_per_mwh_it"]).values[elig],
    )


def test_rtt_matches_model_function(ranking):
    from computeatlas.models import rtt_ms

    g = ranking.grid
    m = ranking.metros.iloc[2]
    expected = rtt_ms(g["lat"].values[:, None], g["lon"].values[None, :], m["lat"], m["lon"])
    np.testing.assert_allclose(g["rtt_ms"].values[2], expected, rtol=1e-9)


def test_sites_table(ranking):
    s = ranking.sites
    assert len(s) == 20 and list(s["rank"]) == list(range(1, 21))
    # cheapest first, to the cent (ties within a cent ordered by demand-weighted RTT)
    assert (s["score_usd_per_mwh_it"] / 0.01).round().is_monotonic_increasing
    assert {"country", "admin1", "pue", "cost_usd_per_mtoken", "rtt_ms_tokyo_jp"} <= set(s)
    assert {"free_cooling_days", "hours_adiabatic", "hours_full_mechanical"} <= set(s)
    assert s.crs.to_epsg() == 4326
    assert (s["country"] != "").all()


def test_regions_table(ranking):
    r = ranking.regions("admin1")
    assert r["best_cost_usd_per_mwh_it"].is_monotonic_increasing
    assert (r["mean_cost_usd_per_mwh_it"] >= r["best_cost_usd_per_mwh_it"] - 1e-9).all()
    assert (r["eligible_area_km2"] > 0).all()
    c = ranking.regions("admin0")
    assert "China" in set(c["name"])
    with pytest.raises(InputError, match="level"):
        ranking.regions("admin2")


def test_deterministic_geojson(tmp_path):
    a = computeatlas.rank_sites(EAST_ASIA, METROS, max_rtt_ms=40, top=20)
    b = computeatlas.rank_sites(EAST_ASIA, list(reversed(METROS)), max_rtt_ms=40, top=20)
    pa = a.to_geojson(tmp_path / "a.geojson")
    pb = b.to_geojson(tmp_path / "b.geojson")
    fa = json.loads(pa.read_text())["features"]
    fb = json.loads(pb.read_text())["features"]
    # Metro order does not change the ranking (only the order of the rtt columns).
    assert [f["properties"]["rank"] for f in fa] == [f["properties"]["rank"] for f in fb]
    assert [f["geometry"] for f in fa] == [f["geometry"] for f in fb]
    pc = a.to_geojson(tmp_path / "c.geojson")
    assert pa.read_bytes() == pc.read_bytes()
    assert (tmp_path / "a.qml").exists()


def test_longitude_convention_does_not_matter():
    a = computeatlas.rank_sites((110, 30, 130, 45), [(39.9, 116.4), (35.7, 139.7)], max_rtt_ms=40)
    b = computeatlas.rank_sites(
        (110, 30, 130, 45), [(39.9, 116.4 - 360 + 360), (35.7, 139.7)], max_rtt_ms=40
    )
    c = computeatlas.rank_sites(
        (110, 30, 130, 45), [(39.9, 116.4), (35.7, -220.3 + 360)], max_rtt_ms=40
    )
    np.testing.assert_array_equal(a.grid["rank"].values, b.grid["rank"].values)
    np.testing.assert_array_equal(a.grid["rank"].values, c.grid["rank"].values)


def test_share_mode_is_looser_than_all():
    all_ = computeatlas.rank_sites(EAST_ASIA, METROS, max_rtt_ms=25)
    share = computeatlas.rank_sites(EAST_ASIA, METROS, max_rtt_ms=25, mode="share", min_share=0.3)
    assert share.grid["eligible"].sum() >= all_.grid["eligible"].sum()


def test_reachable_population_monotone_in_threshold(ranking):
    g = ranking.grid
    assert np.all(g["reachable_population_50ms"].values >= g["reachable_population_30ms"].values)


def test_antimeridian_bbox():
    r = computeatlas.rank_sites((170, 50, -170, 70), [(64.8, -147.7)], max_rtt_ms=50)
    lon = r.grid["lon"].values
    assert np.all(np.diff(lon) > 0)
    assert lon.min() == -180.0 and lon.max() == 179.75
    assert ((lon >= 170) | (lon <= -170)).all()


def test_all_ocean_bbox_gives_empty_result():
    with pytest.warns(computeatlas.ComputeAtlasWarning, match="all ocean"):
        r = computeatlas.rank_sites((-150, -40, -140, -30), [(-33.9, 151.2)], max_rtt_ms=50)
    assert int(r.grid["eligible"].sum()) == 0
    assert len(r.sites) == 0
    assert len(r.regions("admin0")) == 0


def test_user_prices_change_the_answer():
    table = pd.DataFrame(
        {"region_code": ["CN", "KR", "JP"], "price_usd_per_mwh": [500.0, 10.0, 500.0]}
    )
    r = computeatlas.rank_sites(EAST_ASIA, ["Seoul"], max_rtt_ms=30, prices=table, top=5)
    assert (r.sites["iso_a2"] == "KR").all()


@pytest.mark.parametrize(
    ("bbox", "match"),
    [
        ((0, 50, 10, 40), "inverted"),
        ((0, -95, 10, 40), "latitudes"),
        ((0, 10, 10), "four numbers"),
        ((0, np.nan, 10, 20), "NaN"),
        ("europe", "world"),
        ((400, 10, 10, 20), "outside"),
    ],
)
def test_bad_bbox(bbox, match):
    with pytest.raises(InputError, match=match):
        computeatlas.rank_sites(bbox, ["Tokyo"])


@pytest.mark.parametrize("value", [0, -5, float("nan"), "50", None])
def test_bad_max_rtt(value):
    with pytest.raises(InputError, match="max_rtt_ms"):
        computeatlas.rank_sites(EAST_ASIA, ["Tokyo"], max_rtt_ms=value)


def test_bad_options():
    with pytest.raises(UnknownNameError):
        computeatlas.rank_sites(EAST_ASIA, ["Tokyo"], technology="immersion")
    with pytest.raises(UnknownNameError, match="Tokyo, JP"):
        computeatlas.rank_sites(EAST_ASIA, ["Tokio"])
    with pytest.raises(InputError, match="empty"):
        computeatlas.rank_sites(EAST_ASIA, [])
    with pytest.raises(InputError, match="duplicate"):
        computeatlas.rank_sites(EAST_ASIA, ["Tokyo", "Tokyo"])
    with pytest.raises(InputError, match="mode"):
        computeatlas.rank_sites(EAST_ASIA, ["Tokyo"], mode="any")


def test_parse_bbox():
    assert parse_bbox("world") is None and parse_bbox(None) is None
    assert parse_bbox((350, 0, 10, 5)) == (-10.0, 0.0, 10.0, 5.0)


def test_latency_field_against_slow_reference():
    from computeatlas.models import rtt_ms

    rng = np.random.default_rng(4)
    metros = [
        (float(a), float(b), float(w))
        for a, b, w in zip(
            rng.uniform(-60, 70, 40), rng.uniform(-180, 180, 40), rng.uniform(1, 5, 40), strict=True
        )
    ]
    # Great circles here (the geographic default is checked against pairwise paths in
    # tests/test_latency_geographic.py on a smaller grid).
    cb = "cloud_backbone"
    ds = computeatlas.latency_field(metros, resolution=1.0, thresholds_ms=(20, 60), route=cb)
    lat, lon = ds["lat"].values, ds["lon"].values
    mlat = np.array([m[0] for m in metros])
    mlon = np.array([m[1] for m in metros])
    w = np.array([m[2] for m in metros])
    rtt = rtt_ms(
        lat[:, None, None], lon[None, :, None], mlat[None, None, :], mlon[None, None, :], route=cb
    )
    np.testing.assert_allclose(ds["min_rtt_ms"].values, rtt.min(axis=2), rtol=1e-9, atol=1e-9)
    for t in (20, 60):
        slow = ((rtt <= t) * w).sum(axis=2)
        fast = ds[f"reachable_population_{t}ms"].values
        # Cells exactly on a circle may differ by round-off; allow a handful.
        assert np.mean(np.isclose(fast, slow)) > 0.999


def test_latency_field_errors():
    with pytest.raises(InputError, match="thresholds_ms"):
        computeatlas.latency_field(["Tokyo"], thresholds_ms=(0,))
    with pytest.raises(InputError):
        computeatlas.latency_field(["Tokyo"], resolution=0.7)


def test_cli_rank(tmp_path, capsys):
    from computeatlas.cli import main

    out = tmp_path / "sites.geojson"
    assert (
        main(
            [
                "rank",
                "--bbox",
                "110,30,130,45",
                "--metros",
                "Beijing,Seoul",
                "--max-rtt",
                "30",
                "--out",
                str(out),
                "--top",
                "5",
                "--quiet",
            ]
        )
        == 0
    )
    assert "rank" in capsys.readouterr().out
    import pyogrio

    df = pyogrio.read_dataframe(out)
    assert len(df) == 5 and df.crs.to_epsg() == 4326
    assert (
        main(
            [
                "rank",
                "--metros",
                "Tokyo",
                "--out",
                str(tmp_path / "no" / "x.geojson"),
                "--quiet",
                "--bbox",
                "130,30,140,40",
            ]
        )
        == 2
    )
    assert not (tmp_path / "no").exists()


def test_resolution_parameter():
    coarse = computeatlas.rank_sites(EAST_ASIA, METROS, max_rtt_ms=40, resolution=0.5)
    assert coarse.grid.attrs["resolution_deg"] == 0.5
    assert np.allclose(np.diff(coarse.grid["lat"].values), 0.5)
    # Cell (40.0, 115.0) exists on both grids and takes the same 0.25 deg climate.
    base = computeatlas.rank_sites(EAST_ASIA, METROS, max_rtt_ms=40)
    a = float(coarse.grid["pue"].sel(lat=40.0, lon=115.0))
    b = float(base.grid["pue"].sel(lat=40.0, lon=115.0))
    assert a == pytest.approx(b)
    with pytest.raises(InputError, match="resolution"):
        computeatlas.rank_sites(EAST_ASIA, METROS, resolution=0.7)


@pytest.mark.parametrize("tile", [1, 5, 16, 128])
def test_tiled_nearest_search_matches_brute_force(tile):
    from computeatlas._kernels.latency import angles_to, build_bands, min_angle_tiled

    rng = np.random.default_rng(9)
    lat = np.linspace(-90, 90, 37)
    lon = np.linspace(-180, 175, 72)  # 72 columns: tiles that do not divide them too
    clustered = (rng.normal(50, 1, 60), rng.normal(10, 1, 60))  # a dense cluster
    polar = (np.array([89.99, -89.99, 0.0]), np.array([0.0, 120.0, 179.99]))
    cases = [(rng.uniform(-89.9, 89.9, n), rng.uniform(-180, 180, n)) for n in (1, 7, 300)]
    for mlat, mlon in [*cases, clustered, polar]:
        order, offsets = build_bands(mlat, mlon)
        fast = min_angle_tiled(lat, lon, mlat[order], mlon[order], offsets, tile)
        slow = angles_to(lat, lon, mlat, mlon).min(axis=0)
        np.testing.assert_allclose(fast, slow, atol=2e-8)  # acos near 0: ~1e-8 rad (0.1 m)


def test_latency_field_uses_banded_search_for_many_metros():
    metros = computeatlas.datasets.metros().head(1500)
    pts = list(zip(metros["lat"], metros["lon"], strict=True))
    ds = computeatlas.latency_field(pts, resolution=2.0, thresholds_ms=(20,))
    from computeatlas.models import rtt_ms

    ref = rtt_ms(
        ds["lat"].values[:, None, None],
        ds["lon"].values[None, :, None],
        metros["lat"].to_numpy()[None, None, :],
        metros["lon"].to_numpy()[None, None, :],
    )
    np.testing.assert_allclose(ds["min_rtt_ms"].values, ref.min(axis=2), atol=1e-9)


@pytest.mark.parametrize("bbox", [None, (150, -30, -150, 75)], ids=["world", "antimeridian"])
def test_reach_against_brute_force_with_poles_and_wide_radii(bbox):
    """Reach sums (world and a regional window across the antimeridian) equal brute force."""
    from computeatlas.models import rtt_ms

    rng = np.random.default_rng(11)
    n = 300
    mlat = np.r_[rng.uniform(-89.5, 89.5, n), 89.99, -89.99]
    mlon = np.r_[rng.uniform(-180, 180, n), 10.0, -170.0]
    w = np.r_[rng.integers(1, 1000, n).astype(float), 7.0, 3.0]
    metros = [(float(a), float(b), float(c)) for a, b, c in zip(mlat, mlon, w, strict=True)]
    ds = computeatlas.latency_field(metros, resolution=2.0, bbox=bbox, thresholds_ms=(15, 150))
    lat, lon = ds["lat"].values, ds["lon"].values
    rtt = rtt_ms(lat[:, None, None], lon[None, :, None], mlat[None, None, :], mlon[None, None, :])
    for t in (15, 150):
        slow = ((rtt <= t) * w).sum(axis=2)
        fast = ds[f"reachable_population_{t}ms"].values
        assert np.mean(fast == slow) > 0.999, t  # integer weights: exact sums
