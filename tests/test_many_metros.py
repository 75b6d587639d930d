"""Eligibility and reach for many metros come from the row-interval kernel, not per-metro grids."""

import numpy as np
import pytest

import computeatlas
from computeatlas.models import rtt_ms
from computeatlas.pipeline import MAX_METRO_FIELDS

BBOX = (100, 20, 125, 45)


@pytest.fixture(scope="module")
def metros():
    table = computeatlas.datasets.metros()
    cn = table[table["country"] == "CN"].nlargest(40, "population")
    assert len(cn) > MAX_METRO_FIELDS
    return cn[["name", "lat", "lon", "population"]].reset_index(drop=True)


@pytest.mark.parametrize(("mode", "share", "budget"), [("all", 1.0, 45.0), ("share", 0.6, 25.0)])
def test_eligibility_matches_brute_force(metros, mode, share, budget):
    r = computeatlas.rank_sites(BBOX, metros, max_rtt_ms=budget, mode=mode, min_share=share)
    g = r.grid
    assert "rtt_ms" not in g  # no per-metro fields beyond MAX_METRO_FIELDS
    lat, lon = np.meshgrid(g["lat"].values, g["lon"].values, indexing="ij")
    rtt = rtt_ms(
        lat[None],
        lon[None],
        metros["lat"].to_numpy()[:, None, None],
        metros["lon"].to_numpy()[:, None, None],
    )
    within = rtt <= budget
    w = metros["population"].to_numpy(float)
    if mode == "all":
        expect = within.all(axis=0)
    else:
        expect = np.tensordot(w, within, axes=(0, 0)) / w.sum() >= share
    expect &= np.isfinite(g["score_usd_per_mwh_it"].values)
    np.testing.assert_array_equal(g["eligible"].values, expect)
    assert expect.any()
    np.testing.assert_allclose(g["min_rtt_ms"].values, rtt.min(axis=0), rtol=1e-9, atol=1e-6)
    w30 = np.tensordot(w, rtt <= 30, axes=(0, 0))
    np.testing.assert_allclose(g["reachable_population_30ms"].values, w30)


def test_a_budget_below_the_fixed_overhead_reaches_nothing():
    from computeatlas.presets import Route

    slow = Route("slow", 1.5, 10.0)
    r = computeatlas.rank_sites(BBOX, ["Beijing"], max_rtt_ms=9.0, route=slow)
    assert not r.grid["eligible"].values.any()


def test_share_mode_skips_the_count_and_keeps_the_weight():
    from computeatlas.demand import resolve_metros
    from computeatlas.grid import Window
    from computeatlas.pipeline import evaluate
    from computeatlas.scenario import Scenario

    window = Window.from_bbox((100, 20, 130, 45), 1.0)
    metros = resolve_metros(["Beijing", "Shanghai", "Seoul"])
    kw = dict(metros=metros, weights=np.ones(3), budget_ms=30.0)
    full = evaluate(window, Scenario.build(), **kw)
    lean = evaluate(window, Scenario.build(), count_within=False, **kw)
    assert lean.within_count is None and full.within_count.max() >= 1
    np.testing.assert_array_equal(lean.within_weight, full.within_weight)


@pytest.mark.parametrize("wrap", [True, False])
def test_reach_kernel_latitude_pruning_matches_brute_force(wrap):
    # The row kernel visits only the metros within the radius in latitude; near the poles
    # a cap reaches over the pole, and a radius of half the circumference reaches all.
    from computeatlas.constants import EARTH_RADIUS_KM
    from computeatlas.models import latency
    from computeatlas.models.latency import haversine_km

    rng = np.random.default_rng(3)
    mlat = np.concatenate([rng.uniform(-89.9, 89.9, 300), [89.95, -89.95, 88.0, 0.0]])
    mlon = np.concatenate([rng.uniform(-180, 180, 300), [10.0, -170.0, 179.9, -180.0]])
    w = rng.integers(1, 1000, mlat.size).astype(float)
    res = 2.0
    lat = np.arange(-90.0, 90.0 + res / 2, res)
    cols = np.arange(180) if wrap else np.arange(20, 70)
    lon = -180.0 + res * cols
    radii = np.array([300.0, 2500.0, 9000.0, np.pi * EARTH_RADIUS_KM])
    got = latency.weight_within_km(lat, lon, mlat, mlon, w, radii, grid=(-180.0, res, 180, cols))
    d = np.asarray(haversine_km(lat[:, None, None], lon[None, :, None], mlat, mlon))
    for k, rad in enumerate(radii):
        expect = ((d <= rad) * w).sum(axis=-1)
        # cells within 1e-6 km of a circle may fall either way
        edge = (np.abs(d - rad) < 1e-6).any(axis=-1)
        np.testing.assert_array_equal(got[k][~edge], expect[~edge], err_msg=f"{rad} km")
    np.testing.assert_array_equal(got[-1], w.sum())


@pytest.mark.kernel
def test_reach_kernel_column_wrap_is_python_modulo():
    # the interval ends are reduced to [0, n) by adding or subtracting n, not by dividing
    from computeatlas._kernels.latency import _wrap

    for n in (1, 7, 1440):
        for i in range(-3 * n - 2, 3 * n + 3):
            assert _wrap(i, n) == i % n, (i, n)
