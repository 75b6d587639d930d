"""Psychrometrics against published values and an independent library (PsychroLib)."""

import numpy as np
import pytest

from computeatlas.errors import UnitsError
from computeatlas.models.psychrometrics import (
    dew_point_from_vapour_pressure,
    saturation_vapour_pressure,
    vapour_pressure_from_density,
)


@pytest.fixture
def psychrolib():
    # PsychroLib compiles itself with numba when present, which breaks under
    # NUMBA_DISABLE_JIT=1; it is imported only by the tests that compare against it.
    import psychrolib as lib

    lib.SetUnitSystem(lib.SI)
    return lib


# Saturation vapour pressure over water [hPa], WMO Guide to Instruments and Methods of
# Observation (WMO-No. 8, 2018), Annex 4.B / the Hyland-Wexler values tabulated in
# ASHRAE Handbook Fundamentals (2017) ch. 1 table 3: 0 degC 6.112, 20 degC 23.39,
# 30 degC 42.47, 40 degC 73.85 hPa (ASHRAE: 0.6112, 2.3392, 4.2467, 7.3844 kPa).
@pytest.mark.parametrize(
    ("t", "es"), [(0.0, 6.112), (20.0, 23.392), (30.0, 42.467), (40.0, 73.844)]
)
def test_saturation_vapour_pressure_table(t, es):
    # Alduchov & Eskridge (1996) quote a relative error below 0.4 % over -40..50 degC.
    assert saturation_vapour_pressure(t) == pytest.approx(es, rel=4e-3)


def test_saturation_vapour_pressure_matches_psychrolib(psychrolib):
    t = np.linspace(0.0, 45.0, 46)
    ref = np.array([psychrolib.GetSatVapPres(float(x)) for x in t]) / 100.0  # Pa -> hPa
    np.testing.assert_allclose(saturation_vapour_pressure(t), ref, rtol=4e-3)


def test_dew_point_inverts_and_matches_psychrolib(psychrolib):
    e = np.array([2.0, 6.112, 12.0, 23.39, 40.0])  # hPa
    td = dew_point_from_vapour_pressure(e)
    np.testing.assert_allclose(saturation_vapour_pressure(td), e, rtol=1e-12)
    # PsychroLib switches to saturation over ice below 0 degC (a frost point), so compare
    # above freezing only.
    warm = e >= 6.112
    ref = np.array([psychrolib.GetTDewPointFromVapPres(45.0, float(x) * 100.0) for x in e[warm]])
    np.testing.assert_allclose(td[warm], ref, atol=0.15)
    # Worked value: at 0 degC the saturation pressure is 6.112 hPa, so its dew point is 0 degC.
    assert float(dew_point_from_vapour_pressure(6.1094)) == pytest.approx(0.0, abs=1e-12)


def test_vapour_pressure_from_density_ideal_gas():
    # Independent check with the specific gas constant of water vapour,
    # R_v = 461.5 J kg-1 K-1: e = rho R_v T. ITU-R P.835 reference atmosphere surface
    # values rho = 7.5 g/m3, T = 288.15 K give 9.97 hPa.
    rho, t = 7.5, 15.0
    expected = rho * 1e-3 * 461.5 * (t + 273.15) / 100.0
    assert float(vapour_pressure_from_density(rho, t)) == pytest.approx(expected, rel=2e-3)
    assert float(vapour_pressure_from_density(rho, t)) == pytest.approx(9.97, abs=0.01)


def test_impossible_inputs():
    with pytest.raises(UnitsError, match="positive"):
        dew_point_from_vapour_pressure([-1.0])
    with pytest.raises(UnitsError, match="negative"):
        vapour_pressure_from_density([-0.1], [10.0])


def test_monotone_in_temperature():
    t = np.linspace(-40, 50, 200)
    assert np.all(np.diff(saturation_vapour_pressure(t)) > 0)


# --- wet bulb, relative humidity, pressure -------------------------------------------

from computeatlas.models.psychrometrics import (  # noqa: E402
    air_pressure,
    dew_point_from_relative_humidity,
    relative_humidity,
    wet_bulb_temperature,
)


@pytest.mark.kernel
def test_wet_bulb_stull_worked_value():
    # Stull (2011), J. Appl. Meteor. Climatol. 50:2267: T = 20 degC, RH = 50 % -> Tw = 13.7 degC.
    td = dew_point_from_relative_humidity(20.0, 50.0)
    assert float(wet_bulb_temperature(20.0, td)) == pytest.approx(13.7, abs=0.1)


def test_wet_bulb_matches_psychrolib_above_freezing(psychrolib):
    rng = np.random.default_rng(3)
    t = rng.uniform(5.0, 45.0, 300)
    td = t - rng.uniform(0.0, 25.0, 300)
    td = np.maximum(td, 0.5)
    p = rng.uniform(80.0, 101.325, 300)
    ours = wet_bulb_temperature(t, td, p)
    ref = np.array(
        [
            psychrolib.GetTWetBulbFromTDewPoint(a, b, c * 1000.0)
            for a, b, c in zip(t, td, p, strict=True)
        ]
    )
    np.testing.assert_allclose(ours, ref, atol=0.05)


@pytest.mark.kernel
def test_wet_bulb_bounds_and_saturation():
    t = np.linspace(-20, 45, 50)
    td = t - 8.0
    tw = wet_bulb_temperature(t, td)
    assert np.all(tw <= t + 1e-9) and np.all(tw >= td - 1e-9)
    np.testing.assert_allclose(wet_bulb_temperature(t, t), t)  # saturated air


def test_air_pressure_ashrae_table():
    # ASHRAE Handbook Fundamentals (2017) ch. 1 table 1 (standard atmosphere):
    # 0 m 101.325 kPa, 1500 m 84.556 kPa, 3000 m 70.109 kPa.
    np.testing.assert_allclose(
        air_pressure([0.0, 1500.0, 3000.0]), [101.325, 84.556, 70.109], atol=0.01
    )
    with pytest.raises(UnitsError, match="metres"):
        air_pressure(15_000.0)


def test_relative_humidity_round_trip_and_errors():
    td = dew_point_from_relative_humidity([10.0, 30.0], [40.0, 90.0])
    np.testing.assert_allclose(relative_humidity([10.0, 30.0], td), [40.0, 90.0])
    with pytest.raises(UnitsError, match="above 100"):
        relative_humidity(10.0, 12.0)
    with pytest.raises(UnitsError, match=r"\(0, 100\]"):
        dew_point_from_relative_humidity(10.0, 120.0)
    with pytest.raises(UnitsError, match="kelvin"):
        relative_humidity(300.0, 290.0)
    with pytest.raises(UnitsError, match="kPa"):
        wet_bulb_temperature(20.0, 10.0, 101325.0)
