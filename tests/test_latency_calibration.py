"""The fitted routes against measured round trips between Azure regions (issue 19).

The pairs are Microsoft's published median inter-region round trips
(``datasets.latency_pairs``, recipe ``grids/build_latency.py``). The great-circle
``cloud_backbone`` preset is fitted on the ``fit`` pairs; these tests re-run that fit,
score the held-back ``test`` pairs by distance band, and check the docs tables. The
default ``geographic`` preset is tested the same way in ``test_latency_geographic.py``.
"""

import sys
from pathlib import Path

import numpy as np
import pytest

from computeatlas import presets
from computeatlas.datasets import latency_pairs
from computeatlas.models import latency

ROOT = Path(__file__).resolve().parents[1]
BANDS = {"< 500 km": (0, 500), "500-2000 km": (500, 2000), "2000-6000 km": (2000, 6000)}
BANDS["> 6000 km"] = (6000, np.inf)


@pytest.fixture(scope="module")
def pairs():
    return latency_pairs()


@pytest.fixture(scope="module")
def recipe():
    sys.path.insert(0, str(ROOT / "grids"))
    try:
        import build_latency

        yield build_latency
    finally:
        sys.path.remove(str(ROOT / "grids"))
        for name in ("build_latency", "_common", "_writers"):
            sys.modules.pop(name, None)


def abs_errors(df, route="cloud_backbone"):
    model = latency.rtt_ms(df.lat_a, df.lon_a, df.lat_b, df.lon_b, route=route)
    return np.abs(model / df["rtt_ms"].to_numpy() - 1.0)


def band_medians(df, route="cloud_backbone"):
    err = abs_errors(df, route)
    d = df["distance_km"].to_numpy()
    return {name: float(np.median(err[(d >= lo) & (d < hi)])) for name, (lo, hi) in BANDS.items()}


def test_pairs_read_from_the_published_matrix(pairs):
    # Values as published in Microsoft's matrix (rows = source): East US <-> East US 2
    # 10 ms both ways; Australia Central -> Australia Central 2 3 ms, back 4 ms.
    assert len(pairs) == 1226
    assert pairs["region_a"].lt(pairs["region_b"]).all()
    row = pairs[(pairs.region_a == "East US") & (pairs.region_b == "East US 2")].iloc[0]
    assert (row.rtt_ab_ms, row.rtt_ba_ms, row.rtt_ms) == (10.0, 10.0, 10.0)
    row = pairs[(pairs.region_a == "Australia Central") & (pairs.region_b == "Australia Central 2")]
    assert row.iloc[0].rtt_ms == 3.5
    # Distances recomputed with pyproj's ellipsoid agree with the shipped great circles.
    from pyproj import Geod

    _, _, d = Geod(ellps="WGS84").inv(pairs.lon_a, pairs.lat_a, pairs.lon_b, pairs.lat_b)
    far = d > 100e3
    assert np.allclose(pairs.distance_km[far], d[far] / 1000.0, rtol=6e-3)
    # The split is about half and half, and never changes silently.
    assert pairs["split"].value_counts().to_dict() == {"fit": 647, "test": 579}


def test_cloud_backbone_preset_is_the_fit_on_the_fit_pairs(pairs, recipe):
    k, fixed, ramp, _obj = recipe.fit(pairs)
    cb = presets.route("cloud_backbone")
    assert (cb.route_factor, cb.fixed_ms, cb.ramp_km) == (k, fixed, ramp)
    assert cb.access_ms == recipe.ACCESS_MS == 2.0  # cited, not fitted
    # The default is the corridor-path fit (tests/test_latency_geographic.py), the
    # one preset meeting issue 19's targets on the held-back pairs.
    assert presets.route().name == "geographic"


def test_cloud_backbone_held_back_bands_meet_the_25_percent_target(pairs):
    test = pairs[pairs["split"] == "test"]
    med = band_medians(test)
    for name in BANDS:
        assert med[name] <= 0.25, (name, med[name])
    # Measured (docs/models.md): 13.2 % overall (the 12 % target is met by the
    # geographic route only), short band 23.0 %.
    assert float(np.median(abs_errors(test))) <= 0.135


def test_the_ramp_halves_the_short_band_error_of_a_constant_fixed_part(pairs, recipe):
    # Refit with a constant fixed part (ramp 0 only) on the same fit pairs: the
    # ramp from the cited zero-distance round trip is what fixes short pairs.
    saved = recipe.FIT_RAMP_KM
    try:
        recipe.FIT_RAMP_KM = np.array([0.0])
        k, fixed, _ramp, _ = recipe.fit(pairs)
    finally:
        recipe.FIT_RAMP_KM = saved
    flat = presets.Route("flat", k, fixed)
    test = pairs[pairs["split"] == "test"]
    assert band_medians(test, flat)["< 500 km"] > 0.25
    assert band_medians(test)["< 500 km"] < band_medians(test, flat)["< 500 km"] - 0.04


def test_fitted_presets_beat_the_old_conduit_bound_default_in_every_band(pairs):
    test = pairs[pairs["split"] == "test"]
    old = band_medians(test, "conduit_bound")
    for route in ("cloud_backbone", "geographic"):
        new = band_medians(test, route)
        for name in BANDS:
            assert new[name] < old[name], (route, name)
    # The conduit bound is a lower bound: it underestimates most measured round trips.
    model = latency.rtt_ms(test.lat_a, test.lon_a, test.lat_b, test.lon_b, route="conduit_bound")
    assert np.mean(model < test["rtt_ms"].to_numpy()) > 0.85
    floor = latency.rtt_ms(test.lat_a, test.lon_a, test.lat_b, test.lon_b, route="line_of_sight")
    assert np.mean(floor <= test["rtt_ms"].to_numpy()) > 0.99


def test_fixed_part_larger_than_budget_gives_zero_radius():
    # Below the zero-distance round trip (2 ms) nothing is reachable.
    for route in ("cloud_backbone", "geographic"):
        assert float(latency.service_radius_km(2.0, route=route)) == 0.0
        assert float(latency.service_radius_km(1.0, route=route)) == 0.0
    cb = "cloud_backbone"
    # 50 ms beyond the ramp: (50 - 9.2) * 204.2 / (2 * 1.55) km.
    want = 40.8 * 204.2 / 3.10
    assert float(latency.service_radius_km(50.0, route=cb)) == pytest.approx(want, rel=1e-3)
    # 5 ms: on the ramp, (5 - 2) / ((9.2 - 2) / 500 + 3.10 / 204.2) km.
    want = 3.0 / (7.2 / 500.0 + 3.10 / 204.2)
    assert float(latency.service_radius_km(5.0, route=cb)) == pytest.approx(want, rel=1e-3)
    # The default (geographic) at 50 ms: (50 - 13.2) * 204.2 / (2 * 1.33) km of path.
    assert float(latency.service_radius_km(50.0)) == pytest.approx(36.8 * 204.2 / 2.66, rel=1e-3)


def test_rtt_from_km_is_the_documented_ramp():
    r = presets.route("cloud_backbone")
    v = 299792.458 / 1.468 / 1000.0  # light in fibre of group index 1.468 [km/ms]
    # Zero distance: Microsoft's < 2 ms between availability zones of one region.
    assert float(latency.rtt_from_km(0.0, route=r)) == 2.0
    assert float(latency.rtt_from_km(0.0)) == 2.0  # the default too
    # At and beyond the ramp: fixed part plus the fibre term (hand-computed).
    assert float(latency.rtt_from_km(500.0, route=r)) == pytest.approx(9.2 + 1000 * 1.55 / v)
    assert float(latency.rtt_from_km(3000.0, route=r)) == pytest.approx(9.2 + 6000 * 1.55 / v)
    # Half-way up the ramp the fixed part is half-way between 2 and 9.2 ms.
    assert float(latency.rtt_from_km(250.0, route=r)) == pytest.approx(5.6 + 500 * 1.55 / v)
    d = np.linspace(0.0, 20000.0, 4001)
    rtt = latency.rtt_from_km(d, route=r)
    assert np.all(np.diff(rtt) > 0)
    np.testing.assert_allclose(latency.distance_for_rtt_km(rtt, route=r), d, atol=1e-9)
    # A route without access_ms keeps its fixed part at every distance.
    flat = presets.route("public_internet")
    assert float(latency.rtt_from_km(0.0, route=flat)) == flat.fixed_ms == flat.floor_ms


def test_docs_tables_are_generated_from_the_library():
    sys.path.insert(0, str(ROOT / "docs" / "scripts"))
    try:
        import latency_tables
    finally:
        sys.path.remove(str(ROOT / "docs" / "scripts"))
    block = latency_tables.tables()
    doc = (ROOT / "docs" / "models.md").read_text(encoding="utf-8")
    assert block in doc, "docs/models.md is stale: run docs/scripts/latency_tables.py --write"
    sys.modules.pop("latency_tables", None)


@pytest.mark.parametrize("route", presets.names("routes"))
def test_every_consumer_uses_the_same_latency_functions(route):
    import computeatlas

    metros = [(35.68, 139.69, 2.0), (37.57, 126.98, 1.0)]  # Tokyo, Seoul
    ds = computeatlas.latency_field(
        metros, resolution=1.0, bbox=(120, 30, 145, 45), thresholds_ms=(20, 30), route=route
    )
    lat, lon = ds["lat"].values, ds["lon"].values
    ref = np.stack(
        [latency.rtt_ms(lat[:, None], lon[None, :], a, b, route=route) for a, b, _ in metros]
    )
    np.testing.assert_allclose(ds["min_rtt_ms"].values, ref.min(axis=0), atol=1e-9)
    for t in (20, 30):
        brute = ((ref <= t) * np.array([2.0, 1.0])[:, None, None]).sum(axis=0)
        assert np.mean(np.isclose(ds[f"reachable_population_{t}ms"].values, brute)) > 0.99
    ranking = computeatlas.rank_sites((128, 33, 132, 36), metros, max_rtt_ms=30, route=route, top=3)
    g = ranking.grid
    want = np.stack(
        [
            latency.rtt_ms(g.lat.values[:, None], g.lon.values[None, :], a, b, route=route)
            for a, b, _ in metros
        ]
    )
    np.testing.assert_allclose(g["rtt_ms"].values, want, rtol=1e-9)
    assert ds.attrs["fixed_ms"] == presets.route(route).fixed_ms


def test_mean_rtt_on_the_ramp_equals_the_mean_of_round_trips():
    # Sites within the ramp of some metros: the weighted mean is not that of an
    # affine RTT, and must still equal the mean of the per-metro round trips.
    rng = np.random.default_rng(7)
    mlat, mlon = rng.uniform(45, 50, 6), rng.uniform(5, 12, 6)
    w = rng.uniform(0.5, 3, 6)
    lat, lon = rng.uniform(45, 50, 40), rng.uniform(5, 12, 40)
    each = latency.rtt_ms(
        lat[None], lon[None], mlat[:, None], mlon[:, None], route="cloud_backbone"
    )
    gc = latency.great_circle_km(lat[None], lon[None], mlat[:, None], mlon[:, None])
    assert (gc < 500).mean() > 0.5
    got = latency.mean_rtt_ms(lat, lon, mlat, mlon, w, route="cloud_backbone")
    np.testing.assert_allclose(got, (w[:, None] * each).sum(0) / w.sum(), rtol=1e-12)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"access_ms": 12.0, "ramp_km": 500.0}, "access_ms must be a number between 0 and"),
        ({"access_ms": -1.0, "ramp_km": 500.0}, "access_ms"),
        ({"access_ms": 2.0, "ramp_km": 0.0}, "ramp_km a finite number > 0"),
        ({"access_ms": 2.0, "ramp_km": float("inf")}, "ramp_km"),
        ({"ramp_km": 500.0}, "ramp_km needs access_ms"),
    ],
)
def test_bad_ramp_is_refused(kwargs, match):
    from computeatlas.errors import InputError

    with pytest.raises(InputError, match=match):
        presets.Route("x", 1.5, 9.0, **kwargs)


def test_route_survives_the_result_attributes():
    import computeatlas

    ds = computeatlas.latency_field(["Tokyo"], bbox=(135, 33, 141, 37), resolution=1.0)
    r = presets.route_from_attrs(ds.attrs)
    d = np.array([0.0, 100.0, 499.0, 2000.0])
    np.testing.assert_array_equal(latency.rtt_from_km(d, route=r), latency.rtt_from_km(d))


def test_every_entry_point_has_the_same_default_route():
    import inspect

    import computeatlas
    from computeatlas.cli import build_parser
    from computeatlas.scenario import Scenario

    default = presets.route().name
    functions = [computeatlas.rank_sites, computeatlas.site_report, computeatlas.latency_field]
    functions += [Scenario.build, latency.rtt_ms, latency.rtt_from_km, latency.service_radius_km]
    functions += [latency.rtt_field_ms, latency.nearest_rtt_ms, latency.mean_rtt_ms]
    for fn in functions:
        assert inspect.signature(fn).parameters["route"].default == default, fn.__name__
    rank = build_parser().parse_args(["rank", "--bbox", "0,0,1,1", "--metros", "Paris"])
    assert rank.route == default


@pytest.mark.kernel
@pytest.mark.parametrize("route", ["geographic", "cloud_backbone", "public_internet"])
def test_rtt_kernel_gives_the_numbers_of_the_numpy_formula(route):
    # One kernel serves the preset (one route factor for all) and paired draws (a
    # factor per element): both must give the same numbers (inf and NaN included).
    rng = np.random.default_rng(0)
    d = rng.uniform(0, 20000, 10_000)
    d[::7] = rng.uniform(0, 1200, d[::7].size)  # on the ramps
    d[5], d[6] = np.inf, np.nan
    k = presets.route(route).route_factor
    fast = latency.rtt_from_km(d.reshape(100, 100), route=route)
    slow = latency.rtt_from_km(d[:, None], route=route, route_factor=k).reshape(100, 100)
    np.testing.assert_array_equal(fast, slow)


def test_geographic_radius_is_not_capped_at_half_the_circumference():
    # 400 ms on the default reaches paths longer than half the circumference (20,015
    # km); on great circles no distance is longer, so the radius stops there.
    half = np.pi * 6371.0088
    assert float(latency.service_radius_km(400.0)) == pytest.approx(386.8 * 204.2 / 2.66, rel=1e-3)
    assert float(latency.service_radius_km(400.0)) > half
    assert float(latency.service_radius_km(400.0, route="cloud_backbone")) == pytest.approx(half)
