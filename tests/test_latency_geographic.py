"""The geographic route: corridor paths, their fit and validation and grid use (issue 19).

Reference values: the published lengths of two submarine cables that are sea links
of the corridor graph (MAREA 6,607 km Virginia Beach - Sopela, deia.eus 2017;
EllaLink about 5,900 km main section Sines - Fortaleza, convergedigest 2018), and
Microsoft's measured Azure inter-region round trips (held-back pairs).
"""

import dataclasses
import sys
from pathlib import Path

import numpy as np
import pytest

from computeatlas import presets
from computeatlas.constants import FIBRE_SPEED_KM_PER_MS
from computeatlas.datasets import latency_pairs
from computeatlas.errors import InputError
from computeatlas.models import corridors, latency

ROOT = Path(__file__).resolve().parents[1]
BANDS = {"< 500 km": (0, 500), "500-2000 km": (500, 2000), "2000-6000 km": (2000, 6000)}
BANDS["> 6000 km"] = (6000, np.inf)
GEO = presets.route("geographic")


@pytest.fixture(scope="module")
def pairs():
    return latency_pairs()


def band_medians(df, route):
    model = latency.rtt_ms(df.lat_a, df.lon_a, df.lat_b, df.lon_b, route=route)
    err = np.abs(model / df["rtt_ms"].to_numpy() - 1.0)
    d = df["distance_km"].to_numpy()
    out = {name: float(np.median(err[(d >= lo) & (d < hi)])) for name, (lo, hi) in BANDS.items()}
    out["all"] = float(np.median(err))
    return out


def _hub(name):
    c = presets.corridors()
    i = c.hub_names.index(name)
    return float(c.hub_lat[i]), float(c.hub_lon[i])


@pytest.mark.parametrize(
    ("a", "b", "published_km"),
    [("virginia_beach", "sopela", 6607.0), ("sines", "fortaleza", 5900.0)],
)
def test_sea_links_against_published_cable_lengths(a, b, published_km):
    # A cable is longer than the great circle between its landings, by a few per cent
    # of slack and detours: 1.09 for MAREA, 1.06 for EllaLink.
    gc = float(latency.great_circle_km(*_hub(a), *_hub(b)))
    assert gc <= published_km <= 1.15 * gc
    ia, ib = (presets.corridors().hub_names.index(n) for n in (a, b))
    assert corridors.hub_paths_km()[ia, ib] == pytest.approx(gc, rel=1e-9)


def test_hubs_sit_at_their_geonames_places():
    from computeatlas.datasets import heat_sinks, metros

    places = metros(kind="places")
    towns = heat_sinks()
    c = presets.corridors()
    alias = {"new_york": "New York City", "los_angeles": "Hermosa Beach"}
    checked = 0
    for i, hub in enumerate(c.hub_names):
        name = alias.get(hub, hub.replace("_", " ").title())
        rows = places[places["name"] == name]
        if not len(rows):
            rows = towns[towns["asciiname"] == name]
        if not len(rows):
            continue
        d = latency.great_circle_km(c.hub_lat[i], c.hub_lon[i], rows["lat"], rows["lon"])
        assert float(np.min(d)) < 5.0, hub
        checked += 1
    assert checked == 27


def test_paths_follow_geography():
    london, tokyo = (51.51, -0.13), (35.68, 139.69)
    gc = float(latency.great_circle_km(*london, *tokyo))
    path = float(corridors.path_km(*london, *tokyo))
    # Europe - Japan does not cross Russia: via Suez and Singapore or via North America.
    assert 1.6 * gc < path < 2.0 * gc
    # Within a continent (and between adjacent zones) the path is the great circle.
    for p, q in [((48.85, 2.35), (52.52, 13.40)), ((40.71, -74.0), (-23.55, -46.63))]:
        assert float(corridors.path_km(*p, *q)) == pytest.approx(
            float(latency.great_circle_km(*p, *q)), rel=1e-12
        )
    # Israel reaches the Gulf through the Mediterranean cables only.
    tel_aviv, doha = (32.08, 34.78), (25.29, 51.53)
    assert float(corridors.path_km(*tel_aviv, *doha)) > 3.0 * float(
        latency.great_circle_km(*tel_aviv, *doha)
    )
    # Outside every zone (mid-Pacific, Central Asia) the great circle is kept.
    assert corridors.zone_index(0.0, -140.0) == -1
    assert corridors.zone_index(48.0, 68.0) == -1


@pytest.mark.kernel
def test_path_properties():
    rng = np.random.default_rng(7)
    lat1, lat2 = rng.uniform(-60, 70, (2, 2000))
    lon1, lon2 = rng.uniform(-180, 180, (2, 2000))
    p = corridors.path_km(lat1, lon1, lat2, lon2)
    gc = latency.great_circle_km(lat1, lon1, lat2, lon2)
    assert np.all(p >= gc - 1e-9)  # never shorter than the great circle
    np.testing.assert_allclose(p, corridors.path_km(lat2, lon2, lat1, lon1), rtol=1e-12)
    assert np.isfinite(p).all()
    # 0..360 longitudes give the same zones and paths as -180..180.
    np.testing.assert_allclose(p, corridors.path_km(lat1, lon1 % 360, lat2, lon2 % 360))
    g = corridors.hub_paths_km()
    np.testing.assert_allclose(g, g.T)
    assert np.all(np.diag(g) == 0) and np.isfinite(g).all()


def test_geographic_preset_is_the_fit_on_the_fit_pairs(pairs):
    sys.path.insert(0, str(ROOT / "grids"))
    try:
        import build_latency

        k, fixed, ramp, _ = build_latency.fit(pairs, geographic=True)
    finally:
        sys.path.remove(str(ROOT / "grids"))
        for name in ("build_latency", "_common", "_writers"):
            sys.modules.pop(name, None)
    assert (GEO.route_factor, GEO.fixed_ms, GEO.ramp_km, GEO.geographic) == (k, fixed, ramp, True)
    assert GEO.access_ms == 2.0


def test_geographic_route_on_the_held_back_pairs(pairs):
    test = pairs[pairs["split"] == "test"]
    geo, gc = band_medians(test, "geographic"), band_medians(test, "cloud_backbone")
    # Measured (docs/models.md): 7.6 % overall; bands 7.7, 11.5, 19.5 and 6.2 %.
    # Issue 19's targets: <= 12 % overall and no band worse than 25 %.
    assert geo["all"] <= 0.12
    for name in BANDS:
        assert geo[name] <= 0.25, name
    # Geography is what the great-circle default misses on long paths.
    assert geo["all"] < gc["all"] and geo["2000-6000 km"] < gc["2000-6000 km"]
    assert geo["> 6000 km"] < 0.6 * gc["> 6000 km"]


def test_any_preset_can_be_made_geographic():
    r = dataclasses.replace(presets.route("leased_line"), geographic=True)
    london, singapore = (51.51, -0.13), (1.29, 103.85)
    d = float(corridors.path_km(*london, *singapore))
    want = r.fixed_ms + 2.0 * d * r.route_factor / FIBRE_SPEED_KM_PER_MS
    assert float(latency.rtt_ms(*london, *singapore, route=r)) == pytest.approx(want, rel=1e-12)
    with pytest.raises(InputError, match="geographic"):
        presets.Route("x", 1.5, 2.0, geographic="yes")


@pytest.mark.kernel
def test_grid_functions_agree_with_pairwise_paths():
    # A grid across five zones (Europe, North and sub-Saharan Africa, Gulf, South
    # Asia) and random metros: nearest, per-metro field and reach all match brute force.
    la, lo = np.arange(-10.5, 60, 2.0), np.arange(-21.0, 80, 2.0)  # lon on the global grid
    rng = np.random.default_rng(1)
    ml, mo = rng.uniform(-10, 60, 120), rng.uniform(-20, 80, 120)
    w = rng.uniform(1, 5, 120)
    field = latency.rtt_field_ms(la, lo, ml, mo, route=GEO)
    np.testing.assert_allclose(latency.nearest_rtt_ms(la, lo, ml, mo, route=GEO), field.min(0))
    k = rng.integers(0, 120, 40)
    i, j = rng.integers(0, la.size, 40), rng.integers(0, lo.size, 40)
    np.testing.assert_allclose(
        field[k, i, j], latency.rtt_ms(la[i], lo[j], ml[k], mo[k], route=GEO)
    )
    path = latency.distance_for_rtt_km(field, route=GEO)
    # The grid kernels equal the pairwise corridor paths on every cell.
    glat, glon = np.meshgrid(la, lo, indexing="ij")
    pairwise = corridors.path_field_km(glat.ravel(), glon.ravel(), ml, mo).reshape(path.shape)
    np.testing.assert_allclose(corridors.path_grid_km(la, lo, ml, mo), pairwise, rtol=1e-12)
    np.testing.assert_allclose(path, pairwise, rtol=1e-9)
    np.testing.assert_array_equal(
        corridors.nearest_via_hubs_grid_km(la, lo, ml, mo).ravel(),
        corridors.nearest_via_hubs_km(glat.ravel(), glon.ravel(), ml, mo),
    )
    radii = [1000.0, 2500.0, 4000.0]
    cols = np.round((lo + 179.0) / 2.0).astype(int)
    reach = latency.weight_within_km(
        la, None, ml, mo, w, radii, grid=(-179.0, 2.0, 180, cols), geographic=True
    )
    for r, rad in enumerate(radii):
        brute = ((path <= rad) * w[:, None, None]).sum(axis=0)
        assert np.mean(np.isclose(reach[r], brute)) > 0.999, rad
    pts = latency.weight_within_km(la[i], lo[j], ml, mo, w, radii, geographic=True)
    ppath = path[:, i, j]
    for r, rad in enumerate(radii):
        np.testing.assert_allclose(pts[r], ((ppath <= rad) * w[:, None]).sum(axis=0))
    mean = latency.mean_rtt_ms(la[i], lo[j], ml, mo, w, route=GEO)
    np.testing.assert_allclose(mean, (w @ field[:, i, j]) / w.sum())


def test_rank_sites_and_site_report_use_the_geographic_route():
    import computeatlas

    metros = [(25.29, 51.53, 1.0), (48.85, 2.35, 2.0)]  # Doha, Paris
    ranking = computeatlas.rank_sites((30, 40, 34, 43), metros, max_rtt_ms=80, route=GEO, top=2)
    g = ranking.grid
    want = latency.rtt_field_ms(
        g.lat.values, g.lon.values, [25.29, 48.85], [51.53, 2.35], route=GEO
    )
    np.testing.assert_allclose(g["rtt_ms"].values, want, rtol=1e-9)
    assert g.attrs["route_geographic"] == 1
    report = computeatlas.site_report([(41.0, 32.0)], demand_metros=metros, route="geographic")
    got = report["rtt_ms_point_1"].iloc[0]
    assert got == pytest.approx(float(latency.rtt_ms(41.0, 32.0, 25.29, 51.53, route=GEO)))
    # Ankara - Doha runs by Egypt and the Red Sea, not across Syria and Iraq.
    assert float(corridors.path_km(41.0, 32.0, 25.29, 51.53)) > 1.3 * float(
        latency.great_circle_km(41.0, 32.0, 25.29, 51.53)
    )


def test_china_border_flag():
    flag = latency.crosses_mainland_china_border(
        ["CN", "CN", "HK", "TW", "KR"], ["CN", "HK", "CN", "JP", "CN"]
    )
    assert flag.tolist() == [False, True, True, False, True]


def test_site_report_flags_metros_across_the_mainland_border():
    import computeatlas
    from computeatlas.errors import ComputeAtlasWarning

    metros = [
        (39.90, 116.40, 1.0),
        (37.57, 126.98, 1.0),
        (22.32, 114.17, 1.0),
    ]  # Beijing, Seoul, HK
    with pytest.warns(ComputeAtlasWarning, match="mainland China"):
        report = computeatlas.site_report([(40.84, 111.75), (35.68, 139.69)], demand_metros=metros)
    # Hohhot (CN): Seoul and Hong Kong across the border; Tokyo (JP): Beijing.
    assert report["china_border_metros"].tolist() == [2, 1]


def test_rank_sites_table_flags_metros_across_the_mainland_border():
    import computeatlas

    ranking = computeatlas.rank_sites(
        (110, 38, 114, 42), ["Beijing", "Seoul"], max_rtt_ms=40, top=3, resolution=0.5
    )
    sites = ranking.sites
    assert (sites["iso_a2"] == "CN").all()
    assert (sites["china_border_metros"] == 1).all()  # Seoul


def test_reach_through_hubs_on_a_grid_equals_the_points():
    # The grid kernel (per-hub sorted lists, each metro's least path over the hubs) and
    # the points' min-plus pass are two implementations of weight_via_hubs.
    import computeatlas

    m = computeatlas.datasets.metros(kind="places").nlargest(800, "population")
    ml, mo = m["lat"].to_numpy(float), m["lon"].to_numpy(float)
    w = np.random.default_rng(4).uniform(0.5, 2.0, ml.size)
    la = np.arange(-60.0, 75.0, 1.5)
    lo = np.arange(-179.25, 180.0, 1.5)
    radii = [800.0, 2825.0, 6000.0]
    grid = corridors.weight_via_hubs_grid(la, lo, ml, mo, w, radii)
    glat, glon = np.meshgrid(la, lo, indexing="ij")
    pts = corridors.weight_via_hubs(glat.ravel(), glon.ravel(), ml, mo, w, radii)
    np.testing.assert_allclose(grid.reshape(len(radii), -1), pts, rtol=1e-12, atol=1e-9)
    assert (grid[1] > 0).mean() > 0.02  # the case is not empty: cells reach metros via hubs
