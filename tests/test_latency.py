import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pyproj import Geod

from computeatlas.errors import InputError, UnknownNameError
from computeatlas.models import latency

pytestmark = pytest.mark.kernel


def test_against_pyproj_geod():
    rng = np.random.default_rng(11)
    lat1, lat2 = rng.uniform(-80, 80, (2, 500))
    lon1, lon2 = rng.uniform(-180, 180, (2, 500))
    _, _, d_ellipsoid = Geod(ellps="WGS84").inv(lon1, lat1, lon2, lat2)
    ours = latency.great_circle_km(lat1, lon1, lat2, lon2)
    far = d_ellipsoid > 1000.0
    # A sphere of the mean radius cannot match the WGS84 ellipsoid better than this: a degree
    # of meridian is 110.57 km at the equator and 111.69 km at the poles against 111.19 km
    # on the sphere (-0.56 % .. +0.45 %). Typical paths are well inside 0.5 %.
    rel = np.abs(ours[far] / (d_ellipsoid[far] / 1000.0) - 1.0)
    assert rel.max() < 5.6e-3
    assert np.median(rel) < 2.5e-3
    assert np.mean(rel < 5e-3) > 0.99


def _haversine_numpy(lat1, lon1, lat2, lon2):
    """The haversine formula written with NumPy's own broadcasting (an independent reference)."""
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dl = np.radians(np.asarray(lon2) - np.asarray(lon1))
    a = np.sin(0.5 * (p2 - p1)) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(0.5 * dl) ** 2
    return 2.0 * 6371.0088 * np.arcsin(np.minimum(1.0, np.sqrt(a)))


@pytest.mark.parametrize(
    "shapes",
    [
        ((), (), (), ()),
        ((7,), (), (), (7,)),
        ((5, 1), (1, 6), (6,), ()),
        ((3, 1, 1), (1, 4, 1), (5,), (1, 1, 5)),
        ((2, 3, 1, 1), (1, 1, 4, 1), (4, 5), ()),
        ((0, 3), (), (), ()),
    ],
)
def test_haversine_broadcasts_like_a_ufunc(shapes):
    from computeatlas._kernels.geo import haversine_km

    rng = np.random.default_rng(len(shapes[0]))
    args = [
        rng.uniform(-90, 90, s) if i % 2 == 0 else rng.uniform(-180, 180, s)
        for i, s in enumerate(shapes)
    ]
    args[1] = np.asfortranarray(args[1]) if np.ndim(args[1]) == 2 else args[1]
    got = haversine_km(*args)
    want = _haversine_numpy(*args)
    assert np.shape(got) == np.shape(want)
    assert isinstance(got, np.ndarray) == bool(np.ndim(want))
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-9)


def test_london_new_york():
    # Great-circle distance Heathrow (51.4700, -0.4543) - JFK (40.6413, -73.7781):
    # 5555 km on the WGS84 ellipsoid (pyproj.Geod); the sphere is within 0.5 %.
    d = latency.great_circle_km(51.4700, -0.4543, 40.6413, -73.7781)
    assert float(d) == pytest.approx(5555, rel=5e-3)


def test_rtt_formula_and_presets():
    # 1000 km along the great circle: light in fibre (204.2 km/ms) needs 2 * 1000 / 204.2 ms.
    lat2 = np.rad2deg(1000.0 / 6371.0088)
    assert float(latency.rtt_ms(0, 0, lat2, 0, route="line_of_sight")) == pytest.approx(
        2000.0 / 204.2, rel=1e-3
    )
    # public_internet: Bozkurt et al.'s 2.1 rule of thumb plus a 4 ms fixed part.
    assert float(latency.rtt_ms(0, 0, lat2, 0, route="public_internet")) == pytest.approx(
        4.0 + 2.1 * 2000.0 / 204.2, rel=1e-3
    )
    # conduit_bound: the 1.3 shortest-conduit factor, no fixed part (a lower bound).
    assert float(latency.rtt_ms(0, 0, lat2, 0, route="conduit_bound")) == pytest.approx(
        1.3 * 2000.0 / 204.2, rel=1e-3
    )
    with pytest.raises(UnknownNameError, match="public_internet"):
        latency.rtt_ms(0, 0, 1, 1, route="internet")


def test_service_radius_inverts_rtt():
    r = latency.service_radius_km(50.0)
    lat2 = np.rad2deg(float(r) / 6371.0088)
    assert float(latency.rtt_ms(0, 0, lat2, 0)) == pytest.approx(50.0)
    for bad in (0.0, -1.0, np.nan):
        with pytest.raises(InputError, match="positive"):
            latency.service_radius_km(bad)


@settings(max_examples=100, deadline=None)
@given(st.floats(-89, 89), st.floats(-180, 180), st.floats(-89, 89), st.floats(-180, 180))
def test_rtt_symmetric_and_nonnegative(a, b, c, d):
    forward = float(latency.rtt_ms(a, b, c, d))
    assert forward == pytest.approx(float(latency.rtt_ms(c, d, a, b)), abs=1e-9)
    assert forward >= 0


def test_antimeridian_and_poles():
    assert float(latency.great_circle_km(0, 179.5, 0, -179.5)) == pytest.approx(111.2, rel=1e-3)
    assert float(latency.great_circle_km(90, 0, 90, 120)) == pytest.approx(0.0, abs=1e-9)
    assert float(latency.great_circle_km(0, 0, 0, 360)) == pytest.approx(0.0, abs=1e-6)


def test_bad_coordinates():
    with pytest.raises(InputError, match="latitude"):
        latency.great_circle_km(95, 0, 0, 0)
    with pytest.raises(InputError, match="NaN"):
        latency.rtt_ms(np.nan, 0, 0, 0)
