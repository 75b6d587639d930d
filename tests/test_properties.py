"""Property tests (hypothesis) and edge geography."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import computeatlas
from computeatlas.models import rtt_ms

lat_s = st.floats(-89.0, 89.0)
lon_s = st.floats(-180.0, 179.9)
metro_s = st.lists(
    st.tuples(lat_s, lon_s, st.floats(0.5, 10.0)),
    min_size=1,
    max_size=6,
    unique_by=lambda m: (round(m[0], 3), round(m[1], 3)),
)


@settings(max_examples=40, deadline=None)
@given(lat=lat_s, lon=lon_s, d1=st.floats(0.01, 80.0), d2=st.floats(0.01, 80.0))
def test_rtt_monotone_in_distance(lat, lon, d1, d2):
    # Along a meridian towards the equator-side, a larger angular step is farther away.
    near, far = sorted([d1, d2])
    sign = -1.0 if lat > 0 else 1.0
    a = float(rtt_ms(lat, lon, lat + sign * near, lon))
    b = float(rtt_ms(lat, lon, lat + sign * far, lon))
    assert b >= a - 1e-9


@settings(max_examples=15, deadline=None)
@given(metros=metro_s, t1=st.floats(5.0, 60.0), dt=st.floats(1.0, 40.0))
def test_reachable_population_monotone_in_threshold(metros, t1, dt):
    ds = computeatlas.latency_field(metros, resolution=5.0, thresholds_ms=(t1, t1 + dt))
    a = ds[f"reachable_population_{t1:g}ms"].values
    b = ds[f"reachable_population_{t1 + dt:g}ms"].values
    assert np.all(b >= a - 1e-9)


@settings(max_examples=15, deadline=None)
@given(metros=metro_s, data=st.data())
def test_latency_field_invariant_to_longitude_convention_and_order(metros, data):
    base = computeatlas.latency_field(metros, resolution=5.0)
    shifted = [(a, b + 360.0 if b < 0 else b, w) for a, b, w in metros]
    perm = data.draw(st.permutations(shifted))
    other = computeatlas.latency_field(list(perm), resolution=5.0)
    np.testing.assert_allclose(
        base["min_rtt_ms"].values, other["min_rtt_ms"].values, rtol=1e-9, atol=1e-9
    )
    for var in ("reachable_population_30ms", "reachable_population_50ms"):
        np.testing.assert_allclose(base[var].values, other[var].values, atol=1e-9)


def test_bbox_touching_the_north_pole():
    r = computeatlas.rank_sites((10, 75, 35, 90), [(69.65, 18.96)], max_rtt_ms=30)  # Tromso
    assert float(r.grid["lat"].max()) == 90.0
    assert int(r.grid["eligible"].sum()) > 0  # Svalbard and northern Norway


def test_one_row_and_one_column_bboxes():
    row = computeatlas.rank_sites((100, 40.0, 120, 40.0), ["Beijing"], max_rtt_ms=30)
    col = computeatlas.rank_sites((116.5, 30, 116.5, 45), ["Beijing"], max_rtt_ms=30)
    assert row.grid.sizes["lat"] == 1 and row.grid.sizes["lon"] > 1
    assert col.grid.sizes["lon"] == 1 and col.grid.sizes["lat"] > 1
    assert int(row.grid["eligible"].sum()) > 0 and int(col.grid["eligible"].sum()) > 0


@pytest.mark.parametrize("metro", [(89.9, 0.0), (-89.9, 45.0), (0.0, 180.0), (65.0, -179.9)])
def test_metros_at_poles_and_dateline_against_reference(metro):
    ds = computeatlas.latency_field([metro], resolution=2.0, thresholds_ms=(30, 80))
    lat, lon = ds["lat"].values, ds["lon"].values
    ref = rtt_ms(lat[:, None], lon[None, :], metro[0], metro[1])
    np.testing.assert_allclose(ds["min_rtt_ms"].values, ref, atol=1e-9)
    for t in (30, 80):
        slow = (ref <= t).astype(float)
        fast = ds[f"reachable_population_{t}ms"].values
        assert np.mean(np.isclose(fast, slow)) > 0.995
