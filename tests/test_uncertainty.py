"""Monte Carlo bands: the draws kernel, paired draws, cited ranges, p_top/p_best, sensitivity."""

from __future__ import annotations

import dataclasses
import math
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import computeatlas
from computeatlas import presets
from computeatlas.errors import InputError, ResourceError
from computeatlas.models import cooling, uncertainty

ROOT = Path(__file__).resolve().parents[1]

#: A small climatology window with hot, temperate and cold cells.
LAT = np.array([25.8, 40.0, 64.8, 1.3])
LON = np.array([-80.3, 116.4, -147.9, 103.8])


def _layers():
    from computeatlas.grid import Window
    from computeatlas.inputs import layers

    return layers(Window.at_points(LAT, LON))


@pytest.mark.kernel
@pytest.mark.parametrize(
    "tech",
    [
        "air_side_fleet",
        "water_side_economiser",
        "water_side_best_practice",
        "air_cooled_chiller",
        "direct_liquid_warm_water",
        "direct_evaporative_wide_envelope",
    ],
)
def test_one_draw_at_the_preset_is_the_point_kernel(tech):
    # The draws kernel sums the free hours at once and reuses the wet bulb: with the
    # preset's own vector it must give the point kernel's PUE (to rounding).
    lay = _layers()
    kw = dict(land_fraction=lay.land_fraction, elevation_m=lay.elevation_m)
    point = cooling.climatology_cooling(
        lay.t_monthly, lay.dew_point_q, lay.exceedance, technology=tech, **kw
    )["pue"]
    P = cooling.pack_parameters(tech, "A1")[None]
    one = cooling.climatology_pue_draws(lay.t_monthly, lay.dew_point_q, lay.exceedance, P, **kw)
    np.testing.assert_allclose(one[:, 0], point, rtol=1e-12, atol=0)
    # an unchanged draw packs to the preset's vector
    tech_p = presets.cooling(tech)
    same = cooling.pack_draws(
        tech_p, "A1", {"ups_efficiency": np.array([tech_p.ups_efficiency])}, 1
    )
    np.testing.assert_array_equal(same[0], P[0])


def test_draws_do_not_depend_on_threads_and_repeat_with_the_seed():
    import numba

    lay = _layers()
    from computeatlas.scenario import Scenario

    sc = Scenario.build()
    dr = uncertainty.sample(sc.technology, sc.ashrae, sc.route, sc.heat_price, n=24, seed=5)
    PD = cooling.pack_draws(sc.technology, sc.ashrae, dr.cooling, dr.n)
    args = (lay.t_monthly, lay.dew_point_q, lay.exceedance, PD)
    kw = dict(land_fraction=lay.land_fraction, elevation_m=lay.elevation_m)
    before = numba.get_num_threads()
    try:
        numba.set_num_threads(1)
        one = cooling.climatology_pue_draws(*args, **kw)
        numba.set_num_threads(max(2, before))
        two = cooling.climatology_pue_draws(*args, **kw)
    finally:
        numba.set_num_threads(before)
    np.testing.assert_array_equal(one, two)
    again = uncertainty.sample(sc.technology, sc.ashrae, sc.route, sc.heat_price, n=24, seed=5)
    other = uncertainty.sample(sc.technology, sc.ashrae, sc.route, sc.heat_price, n=24, seed=6)
    np.testing.assert_array_equal(again.cooling["ups_efficiency"], dr.cooling["ups_efficiency"])
    assert not np.array_equal(other.cooling["ups_efficiency"], dr.cooling["ups_efficiency"])
    # each parameter has its own stream: the first draws do not depend on how many
    longer = uncertainty.sample(sc.technology, sc.ashrae, sc.route, sc.heat_price, n=48, seed=5)
    np.testing.assert_array_equal(longer.route_factor[:24], dr.route_factor)


def test_every_preset_value_lies_in_its_range():
    table = presets.uncertainty_table("cooling")
    assert set(table) == set(presets.names("cooling"))
    for name, spec in table.items():
        tech = presets.cooling(name)
        env = cooling.envelope_for(tech, "A1")
        assert spec["source"], name
        for key, (lo, hi) in ((k, v) for k, v in spec.items() if k != "source"):
            assert lo < hi, (name, key)
            if key == "chiller_cop_error":
                assert lo < 0 < hi
                continue
            value = getattr(env, key) if key in uncertainty.ENVELOPE_KEYS else getattr(tech, key)
            assert lo <= value <= hi, (name, key, value)
    # heat-price ranges hold the preset midpoints (heat_prices.toml)
    for name, spec in presets.uncertainty_table("heat_price").items():
        lo, hi = spec["usd_per_mwh_heat"]
        assert math.isclose((lo + hi) / 2, presets.heat_price(name).usd_per_mwh_heat, rel_tol=1e-9)


@pytest.mark.parametrize("name", ["geographic", "cloud_backbone"])
def test_route_ranges_are_what_the_azure_pairs_imply(name):
    # Independent check of the typed ranges: derived again from the shipped pairs.
    sys.path.insert(0, str(ROOT / "grids"))
    try:
        from build_uncertainty import preset_ranges
    finally:
        sys.path.pop(0)
    r = presets.route(name)
    k, f = preset_ranges(name)
    spec = presets.uncertainty_table("route")[name]
    np.testing.assert_allclose(spec["route_factor"], k, atol=0.005)
    np.testing.assert_allclose(spec["fixed_ms"], f, atol=0.05)
    assert spec["route_factor"][0] < r.route_factor < spec["route_factor"][1]
    assert spec["fixed_ms"][0] < r.fixed_ms < spec["fixed_ms"][1]


def test_price_ranges_follow_basis_flags_and_fallbacks():
    assert uncertainty.price_range("all_in_excl_vat", "", "country") == (-0.10, 0.10)
    lo, hi = uncertainty.price_range("energy_only", "", "admin1")
    assert lo == 0.0 and hi > 0  # network charges missing: the all-in price is higher
    lo, hi = uncertainty.price_range("all_in_incl_taxes", "crisis_year_2022", "country")
    assert (lo, hi) == pytest.approx((-0.55, 0.05))
    assert uncertainty.price_range("median_of_rows", "fallback", "fallback:x") == (-0.30, 0.30)
    table = pd.DataFrame(
        {
            "price_region_code": ["CN", "CN", "SE3", ""],
            "price_basis": ["unknown", "unknown", "all_in_excl_vat", ""],
            "price_flags": ["", "", "", ""],
            "price_source": ["country", "country", "bidding_zone", "none:no_price"],
        }
    )
    f = uncertainty.price_factors(table, n=500, seed=1)
    np.testing.assert_array_equal(f[0], f[1])  # one price row, one factor per draw
    assert f[0].min() >= 0.75 and f[0].max() <= 1.25
    assert f[2].min() >= 0.90 and f[2].max() <= 1.10
    np.testing.assert_array_equal(f[3], 1.0)
    assert abs(np.corrcoef(f[0], f[2])[0, 1]) < 0.15  # rows drawn independently


def test_ishigami_first_order_indices():
    # Saltelli et al. (2008), Global Sensitivity Analysis: The Primer, section 4.2: the
    # Ishigami function (a = 7, b = 0.1) has S1 = 0.3139, S2 = 0.4424, S3 = 0.
    rng = np.random.default_rng(0)
    x = rng.uniform(-np.pi, np.pi, size=(20000, 3))
    y = np.sin(x[:, 0]) + 7 * np.sin(x[:, 1]) ** 2 + 0.1 * x[:, 2] ** 4 * np.sin(x[:, 0])
    s = uncertainty.first_order_indices(x, y)
    np.testing.assert_allclose(s, [0.3139, 0.4424, 0.0], atol=0.02)
    with pytest.raises(InputError):
        uncertainty.first_order_indices(x[:, 0], y)


def test_top_shares_and_best():
    score = np.array([[1.0, 5.0, 1.0], [2.0, 1.0, 2.0], [3.0, 2.0, np.nan], [4.0, 3.0, 4.0]])
    elig = np.array([[True, True, False], [True, True, True], [True, True, True], [True] * 3])
    p_top, best = uncertainty.top_shares(score, elig, top=2, tiebreak=np.arange(4.0))
    # draw 0: cells 0, 1; draw 1: cells 1, 2; draw 2: cell 0 ineligible, 2 NaN -> 1, 3
    np.testing.assert_allclose(p_top, [1 / 3, 1.0, 1 / 3, 1 / 3])
    np.testing.assert_array_equal(best, [0, 1, 1])
    assert p_top.sum() == pytest.approx(2.0)
    # ties (to the cent) go by the tie-break key
    tied = np.array([[1.001], [1.004]])
    _, best = uncertainty.top_shares(tied, None, top=1, tiebreak=np.array([2.0, 1.0]))
    np.testing.assert_array_equal(best, [1])


@pytest.fixture(scope="module")
def east_asia():
    return computeatlas.rank_sites(
        (110, 35, 125, 45), ["Beijing", "Seoul"], max_rtt_ms=40, draws=32, seed=3, top=20
    )


def test_rank_sites_bands_p_top_and_p_best(east_asia):
    g = east_asia.grid
    for var in ("pue", "cost_usd_per_mwh_it", "cost_usd_per_mtoken"):
        lo, mid, hi = (g[f"{var}_{k}"].values for k in ("p05", "p50", "p95"))
        ok = np.isfinite(mid)
        assert ok.any()
        assert np.all(lo[ok] <= mid[ok]) and np.all(mid[ok] <= hi[ok])
        assert g[f"{var}_p50"].attrs["units"] == g[var].attrs["units"]
    # every draw has >= top eligible cells here: the top shares sum to top
    assert g["p_top"].values.sum() == pytest.approx(20.0)
    assert np.all(g["best_cell_by_draw"].values >= 0)
    sites = east_asia.sites
    assert {"pue_p05", "cost_usd_per_mwh_it_p95", "p_top"} <= set(sites.columns)
    for level in ("admin0", "admin1"):
        reg = east_asia.regions(level)
        assert reg["p_best"].sum() == pytest.approx(1.0)
        assert reg["rank_by_p_best"].min() == 1
        top = reg.sort_values("rank_by_p_best").iloc[0]
        # the region holding the cheapest cell most often has its cheapest cell in it
        best = g["best_cell_by_draw"].values
        lab = g[f"{level}_index"].values.reshape(-1)[best]
        counts = np.bincount(lab[lab >= 0])
        assert counts.max() / best.size == pytest.approx(top["p_best"])
    assert g.attrs["draws"] == 32 and g.attrs["seed"] == 3


def test_site_report_draws_pair_with_the_grid(east_asia):
    # Common random numbers: at cell centres the point sampler gives the grid's bands.
    g = east_asia.grid
    r, c = np.argwhere(np.isfinite(g["pue_p50"].values))[[0, 40, -1]].T
    pts = list(zip(g["lat"].values[r], g["lon"].values[c], strict=True))
    rep = computeatlas.site_report(pts, draws=32, seed=3)
    for name in ("pue_p05", "pue_p95", "cost_usd_per_mwh_it_p50", "cost_usd_per_mtoken_p95"):
        np.testing.assert_allclose(rep[name].to_numpy(), g[name].values[r, c], rtol=1e-12)
    other = computeatlas.site_report(pts, draws=32, seed=4)
    assert not np.allclose(other["pue_p95"], rep["pue_p95"])
    none = computeatlas.site_report(pts, draws=0)
    assert "pue_p05" not in none.columns


def test_sensitivity_names_what_drives_a_site():
    s = computeatlas.sensitivity([(40.8, 111.7), (25.8, -80.3)], draws=256, seed=0)
    assert list(s.columns[:4]) == ["site", "parameter", "first_order", "noise_floor"]
    assert set(s["site"]) == {0, 1}
    assert "fixed_ms" not in set(s["parameter"])  # routes move eligibility, not cost
    assert 0 < s["noise_floor"].max() < 0.1
    # the price factor dominates the cost of energy where the price row is uncertain
    top = s[s["site"] == 0].sort_values("first_order").iloc[-1]
    assert top["parameter"] == "price_factor"
    pue = computeatlas.sensitivity([(25.8, -80.3)], variable="pue", draws=256, seed=0)
    # Lei & Masanet 2020: UPS efficiency is among the most important parameters
    assert pue.sort_values("first_order").iloc[-1]["parameter"] == "cooling.ups_efficiency"


def test_latency_field_route_bands():
    ds = computeatlas.latency_field(["Tokyo"], bbox=(125, 30, 130, 40), draws=16, seed=2)
    lo, mid, hi = (ds[f"min_rtt_ms_{k}"].values for k in ("p05", "p50", "p95"))
    assert np.all(lo <= mid) and np.all(mid <= hi) and np.all(hi > lo)
    # No draw goes below the zero-distance round trip, which is not varied.
    assert lo.min() >= presets.route().floor_ms
    spec = presets.uncertainty_table("route")["geographic"]
    assert hi.max() > lo.max() + 0.5 * (spec["fixed_ms"][1] - spec["fixed_ms"][0])
    fixed = computeatlas.latency_field(
        ["Tokyo"], bbox=(125, 30, 130, 40), route="line_of_sight", draws=8
    )
    np.testing.assert_allclose(fixed["min_rtt_ms_p95"], fixed["min_rtt_ms"])


def test_draws_refuse_what_they_cannot_do(monkeypatch):
    with pytest.raises(InputError, match="draws"):
        computeatlas.rank_sites(
            (100, 30, 101, 31), ["Chengdu"], climate=_hourly(), max_rtt_ms=60, draws=4
        )
    monkeypatch.setenv("COMPUTEATLAS_MAX_MEMORY", str(2 * 2**30))
    with pytest.raises(ResourceError, match="fewer draws"):
        computeatlas.rank_sites("world", ["Tokyo"], draws=5000)
    many = np.column_stack([np.linspace(-60, 70, 50_000), np.linspace(-180, 179, 50_000)])
    with pytest.raises(ResourceError, match="site_report.*draws=0"):
        computeatlas.site_report(many, draws=1000)


def _hourly():
    import xarray as xr

    from computeatlas.grid import Window

    w = Window.from_bbox((100, 30, 101, 31), None)
    shape = (w.lat.size, w.lon.size, 48)
    t = np.full(shape, 20.0)
    return xr.Dataset(
        {
            "t2m": (("lat", "lon", "time"), t, {"units": "degC"}),
            "d2m": (("lat", "lon", "time"), t - 5, {"units": "degC"}),
        },
        coords={
            "lat": w.lat,
            "lon": w.lon,
            "time": pd.date_range("2020-01-01", periods=48, freq="h"),
        },
    )


def test_geographic_route_draws_use_the_same_paths():
    # A route without ranges is fixed: every draw's eligibility is the point eligibility,
    # which holds only if the draws keep the corridor paths of the geographic flag.
    route = dataclasses.replace(presets.route("leased_line"), geographic=True)
    assert "leased_line" not in presets.uncertainty_table("route")
    r = computeatlas.rank_sites(
        (20, 20, 60, 45), ["Dubai", "Frankfurt"], max_rtt_ms=90, route=route, draws=4
    )
    g = r.grid
    elig = g["eligible"].values.reshape(-1)
    best = g["best_cell_by_draw"].values
    assert np.all(elig[best])
    assert g["p_top"].values.sum() == pytest.approx(min(100, int(elig.sum())))


def test_draws_in_row_bands_match_the_in_memory_draws():
    kw = dict(max_rtt_ms=30, draws=8, seed=1, top=10)
    box, metros = (100, 35, 112, 42), ["Beijing"]
    whole = computeatlas.rank_sites(box, metros, **kw)
    bands = computeatlas.rank_sites(box, metros, band_rows=7, **kw)
    for name in ("pue_p95", "cost_usd_per_mwh_it_p05", "p_top"):
        np.testing.assert_array_equal(bands.grid[name].values, whole.grid[name].values)
    np.testing.assert_array_equal(
        bands.grid["best_cell_by_draw"].values, whole.grid["best_cell_by_draw"].values
    )
