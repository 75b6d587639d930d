"""Ties on cost are broken by what matters: demand-weighted RTT, then reachable demand."""

import numpy as np

import computeatlas
from computeatlas.models import latency, rtt_ms


def test_mean_rtt_equals_weighted_mean_of_rtts():
    rng = np.random.default_rng(3)
    lat, lon = rng.uniform(-60, 70, 50), rng.uniform(-180, 180, 50)
    mlat, mlon, w = rng.uniform(-60, 70, 7), rng.uniform(-180, 180, 7), rng.uniform(0, 5, 7)
    got = latency.mean_rtt_ms(lat, lon, mlat, mlon, w)
    each = rtt_ms(lat[None], lon[None], mlat[:, None], mlon[:, None])
    np.testing.assert_allclose(got, (w[:, None] * each).sum(0) / w.sum(), rtol=1e-12)


def test_equal_costs_are_ordered_by_demand_weighted_rtt():
    r = computeatlas.rank_sites((95, 18, 150, 55), ["Beijing", "Shanghai", "Seoul", "Tokyo"])
    s = r.sites
    cents = np.round(s["score_usd_per_mwh_it"].to_numpy() / 0.01)
    assert np.all(np.diff(cents) >= 0)  # cost first, to the cent
    for _, group in s.groupby(cents):
        if len(group) > 1:
            assert np.all(np.diff(group["rtt_mean_ms"].to_numpy()) >= 0)
    # the old order (latitude within an exact tie) put the budget's edge first; the best
    # site is now the tie member closest to the demand
    best = s.iloc[0]
    tie = s[
        np.round(s["score_usd_per_mwh_it"] / 0.01) == round(best["score_usd_per_mwh_it"] / 0.01)
    ]
    assert best["rtt_mean_ms"] == tie["rtt_mean_ms"].min()
    # site_report gives the same demand-weighted RTT at the cell centre
    rep = computeatlas.site_report(
        [(best["lat"], best["lon"])], demand_metros=["Beijing", "Shanghai", "Seoul", "Tokyo"]
    )
    np.testing.assert_allclose(rep["rtt_mean_ms"].iloc[0], best["rtt_mean_ms"], rtol=1e-12)
