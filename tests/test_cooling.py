"""Cooling model: component physics against worked values, bounds, and climate behaviour."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from computeatlas import presets
from computeatlas.errors import InputError, UnitsError, UnknownNameError
from computeatlas.models import cooling

TECHS = presets.names("cooling")


def test_presets_known_and_validated():
    assert set(TECHS) == {
        "air_side_fleet",
        "water_side_best_practice",
        "water_side_economiser",
        "direct_evaporative_wide_envelope",
        "air_cooled_chiller",
        "direct_liquid_warm_water",
    }
    # The former default's name is an alias of air_side_fleet.
    assert presets.cooling("hyperscale_air_economiser") == presets.cooling("air_side_fleet")
    with pytest.raises(InputError, match="envelope"):
        presets.AshraeClass("bad", 20.0, 15.0, -9.0, 15.0, 80.0)
    with pytest.raises(UnknownNameError, match="unknown cooling preset 'hyperscale'"):
        presets.cooling("hyperscale")
    with pytest.raises(UnknownNameError, match="A5"):
        presets.ashrae_class("A5")
    tech = presets.cooling("water_side_economiser")
    with pytest.raises(InputError, match="fan_efficiency"):
        tech.replace(fan_efficiency=1.5)
    with pytest.raises(InputError, match="unknown cooling parameter"):
        tech.replace(colour="blue")


def test_fan_power_worked_example():
    # 1 kW of heat with a 10 K rise needs 1/(1.2 * 1006 * 10) = 0.0828 m3/s; at 500 Pa and
    # 50 % efficiency the fan draws 0.0828 * 500 / 0.5 = 82.8 W: 0.0828 W/W.
    assert cooling.fan_power_fraction(500.0, 0.5, 10.0) == pytest.approx(0.08284, rel=1e-3)


def test_chiller_cop_rating_points():
    # ASHRAE 90.1-2019 Table 6.8.1-3: water-cooled centrifugal 0.560 kW/ton; air-cooled
    # 10.100 EER. 1 ton = 3.517 kW; EER [Btu/Wh] / 3.412 = COP.
    assert float(cooling.chiller_cop(29.44, technology="water_side_economiser")) == pytest.approx(
        3.517 / 0.560, rel=2e-3
    )
    assert float(cooling.chiller_cop(35.0, technology="air_cooled_chiller")) == pytest.approx(
        10.1 / 3.412, rel=2e-3
    )


def test_chiller_cop_falls_with_condenser_temperature_and_is_capped():
    cond = np.linspace(5, 45, 41)
    cop = cooling.chiller_cop(cond, technology="water_side_economiser")
    assert np.all(np.diff(cop) <= 1e-12)
    assert cop.max() <= 2.5 * 6.28 + 1e-9


@pytest.mark.kernel
@pytest.mark.parametrize("tech", TECHS)
def test_hourly_bounds(tech):
    t = np.linspace(-30, 45, 76)
    td = t - 6.0
    r = cooling.hourly_pue(t, td, technology=tech)
    assert np.all(r["pue"] >= 1.0) and np.all(r["pue"] < 2.5)
    assert set(np.unique(r["mechanical"])) <= {0.0, 1.0}
    assert np.all(r["water_l_per_kwh_it"] >= 0)
    # In cold air every technology with an economiser runs without compressors.
    if tech != "air_cooled_chiller":
        assert r["mechanical"][0] == 0.0


@pytest.mark.kernel
@settings(max_examples=60, deadline=None)
@given(
    t=st.floats(-30, 45), dt=st.floats(0.1, 10), dd=st.floats(0, 20), tech=st.sampled_from(TECHS)
)
def test_pue_monotone_in_temperature_and_dew_point(t, dt, dd, tech):
    td = t - dd
    base = cooling.hourly_pue([t], [td], technology=tech)["pue"][0]
    warmer = cooling.hourly_pue([t + dt], [td], technology=tech)["pue"][0]
    more_humid = cooling.hourly_pue([t], [min(td + dt, t)], technology=tech)["pue"][0]
    assert warmer >= base - 1e-9
    assert more_humid >= base - 1e-9


@pytest.mark.kernel
@settings(max_examples=300, deadline=None)
@given(
    t=st.floats(-10, 50),
    dd=st.floats(0, 40),
    p=st.floats(60, 105),
    ashrae=st.sampled_from(["A1", "A2", "A4"]),
)
def test_wet_bulb_skip_in_air_side_is_exact(t, dd, p, ashrae):
    # The air-side kernel skips the wet-bulb iteration when a bound proves that
    # evaporation cannot make the hour free; evaluating the evaporative branch in full
    # must give the same answer.
    from computeatlas._kernels import cooling as k

    P = cooling.pack_parameters("air_side_fleet", ashrae)
    td = t - dd
    fan = P[k.FAN]
    got = k._air_side(t, td, p, P, fan)
    if t <= P[k.T_MAX] and td <= P[k.DP_MAX]:
        assert got == (0.0, k.MODE_FREE, k._humidify(t, td, p, P))
        return
    ok, water = k._evaporative(t, td, p, P) if t > P[k.T_MAX] else (False, 0.0)
    if ok:
        # Evaporation makes the hour free: the skip must not have been taken.
        assert got == (0.0, k.MODE_ADIABATIC, water)
    else:
        assert got[1] >= k.MODE_PARTIAL and got[0] > 0.0 and got[2] == 0.0


def test_evaporative_assist_uses_water_and_avoids_compressors():
    # 36 degC, dew point 0 degC (hot and dry): above A1's 32 degC. The wet bulb is about
    # 16.6 degC (PsychroLib: 16.6); media modulated to just reach 32 degC need an
    # effectiveness of (36 - 32)/(36 - 16.6) = 0.21 (< 0.85) and evaporate
    # cp (36 - 32)/h_fg = 1.006 * 4 / 2462 = 1.63 g per kg of air, i.e.
    # 3600 * 0.00163 / (1.006 * 16.65) = 0.35 L per kWh of IT heat.
    r = cooling.hourly_pue([36.0], [0.0])
    assert r["mechanical"][0] == 0.0 and r["mode"][0] == 1.0
    assert r["water_l_per_kwh_it"][0] == pytest.approx(0.35, rel=0.03)
    # Evaporating 0.82 g/kg into air at a 16.5 degC dew point (W = 11.8 g/kg) lifts the
    # supply dew point to about 17.6 degC, above A1's 17 degC: the compressor trims.
    humid = cooling.hourly_pue([34.0], [16.5])
    assert humid["mechanical"][0] == 1.0 and humid["mode"][0] == 2.0
    dry = cooling.hourly_pue(
        [36.0],
        [0.0],
        technology=presets.cooling("air_side_fleet").replace(adiabatic=False),
    )
    assert dry["mechanical"][0] == 1.0 and dry["pue"][0] > r["pue"][0]


def test_dew_point_cap_honours_the_rh_limit():
    # A1: 32 degC at 80 % RH is a 28.2 degC dew point, above the 17 degC limit, which binds.
    assert cooling.supply_dew_point_cap(presets.ashrae_class("A1")) == 17.0
    # Forest City: 29.44 degC at 90 % RH; e_s(29.44) = 4.113 kPa (Magnus), e = 3.702 kPa,
    # dew point 27.7 degC (ASHRAE 2017 Fundamentals table 3: e_s(29 degC) = 4.008 kPa,
    # e_s(28 degC) = 3.782 kPa, e_s(27 degC) = 3.567 kPa -> 27.6 degC).
    cap = cooling.supply_dew_point_cap(presets.ashrae_class("ocp_forest_city"))
    assert cap == pytest.approx(27.6, abs=0.15)
    rh_only = presets.ashrae_class("A1").__class__("x", 15.0, 32.0, -12.0, 30.0, 50.0)
    # 32 degC at 50 % RH: e = 0.5 * 4.76 kPa = 2.38 kPa -> dew point 20.2 degC.
    assert cooling.supply_dew_point_cap(rh_only) == pytest.approx(20.2, abs=0.2)
    # The class's RH limit changes the hour: 30 degC, dew point 21 degC is free under a
    # 30 degC dew-point limit, but not when 50 % RH at 32 degC caps it at 20.2 degC.
    wide = rh_only.__class__("y", 15.0, 32.0, -12.0, 30.0, 100.0)
    assert cooling.hourly_pue([30.0], [21.0], ashrae=wide)["mode"][0] == 0.0
    assert cooling.hourly_pue([30.0], [21.0], ashrae=rh_only)["mode"][0] >= 2.0


def test_coil_ties_chilled_water_to_the_envelope():
    from computeatlas._kernels import cooling as k

    # eps = dT / (T_ra - T_chw): 16.65 / (48.65 - T_chw) = 0.8 -> T_chw = 27.84 degC.
    assert cooling.coil_water_temperature(32.0, 16.65, 0.8) == pytest.approx(27.84, abs=0.01)
    assert 16.65 / (32.0 + 16.65 - cooling.coil_water_temperature(32.0, 16.65, 0.8)) == (
        pytest.approx(0.8)
    )
    for cls, t_max in [("recommended", 27.0), ("A1", 32.0), ("A3", 40.0)]:
        P = cooling.pack_parameters("water_side_best_practice", cls)
        assert P[k.CHW_S] == pytest.approx(t_max - 16.65 * 0.25)
        assert P[k.EVAP_AIR] == P[k.CHW_S]
    # A legacy room keeps its fixed 7 degC chilled water.
    assert cooling.pack_parameters("air_cooled_chiller", "A3")[k.CHW_S] == 7.0
    with pytest.raises(InputError, match="coil_effectiveness"):
        presets.cooling("air_side_fleet").replace(coil_effectiveness=1.2)
    # The wide-envelope archetype runs in its own envelope whatever the class.
    P = cooling.pack_parameters("direct_evaporative_wide_envelope", "A4")
    assert P[k.T_MAX] == 29.44


def test_trim_compressor_follows_the_supply_air():
    # A humid 40 degC hour (dew point 25 degC) runs the closed loop at full load on the
    # air-cooled DX trim (rated COP 2.96 at 35 degC condensing / 6.67 degC evaporating,
    # ASHRAE 90.1-2019). The evaporator sits at the coil temperature of the class,
    # T_max - 16.65 (1/0.8 - 1): 27.84 degC for A1, 22.84 degC for recommended, instead
    # of the 6.67 degC rating water. Constant Carnot fraction:
    # COP = 2.96 * (T_e / (40 - T_e)) / (279.82 / 28.33), capped at 2.5 x 2.96 = 7.4
    # (A1: 7.42 -> 7.4; recommended: 5.23).
    fan = cooling.fan_power_fraction(650.0, 0.775, 16.65)
    base = 1.0 / 0.945 - 1.0 + 0.01 + fan
    for cls, t_evap in [("A1", 27.8375), ("recommended", 22.8375)]:
        cop = min(2.96 * ((t_evap + 273.15) / (40.0 - t_evap)) / (279.82 / 28.33), 7.4)
        got = cooling.hourly_pue([40.0], [25.0], ashrae=cls)
        assert got["mode"][0] == 3.0
        assert got["pue"][0] == pytest.approx(1.0 + base + (1.0 + fan) / cop, rel=1e-6), cls
    # With the rating water the same hour would cost (1 + fan) / 2.52: 0.13 more PUE.
    a1 = cooling.hourly_pue([40.0], [25.0])["pue"][0]
    assert a1 < 1.0 + base + (1.0 + fan) / 2.52 - 0.25


def test_dry_air_is_humidified_to_the_lower_dew_point():
    # -20 degC outdoor air with a -30 degC dew point under A1 (lower limit -12 degC): the
    # outdoor-air share mixing to a 32 degC supply is 16.65 / (48.65 + 20) = 0.2425; it
    # needs W(-12) - W(-30) = 1.509 - 0.313 = 1.196 g/kg (saturation over supercooled
    # water 0.2445 and 0.0509 kPa, WMO 2008 / Alduchov & Eskridge), so
    # 3600 * 0.2425 * 0.001196 / (1.006 * 16.65) = 0.062 L per kWh of IT energy.
    r = cooling.hourly_pue([-20.0], [-30.0])
    assert r["mode"][0] == 0.0
    assert r["water_l_per_kwh_it"][0] == pytest.approx(0.062, rel=0.03)
    assert cooling.hourly_pue([-5.0], [-10.0])["water_l_per_kwh_it"][0] == 0.0


def test_ashrae_class_widens_free_cooling():
    t = np.linspace(20, 40, 81)
    fc = {
        c: (cooling.hourly_pue(t, t - 15.0, ashrae=c)["mechanical"] == 0).sum()
        for c in ["recommended", "A1", "A2", "A3", "A4"]
    }
    assert fc["recommended"] <= fc["A1"] <= fc["A2"] <= fc["A3"] <= fc["A4"]


def test_hourly_input_errors():
    with pytest.raises(UnitsError, match="kelvin"):
        cooling.hourly_pue([300.0], [290.0])
    with pytest.raises(UnitsError, match="relative humidity > 100"):
        cooling.hourly_pue([10.0], [15.0])
    with pytest.raises(InputError, match="shapes differ"):
        cooling.hourly_pue([10.0, 11.0], [5.0])
    with pytest.raises(UnknownNameError):
        cooling.hourly_pue([10.0], [5.0], technology="immersion")


def test_nan_hours_give_nan():
    r = cooling.hourly_pue([np.nan, 10.0], [0.0, 0.0])
    assert np.isnan(r["pue"][0]) and np.isfinite(r["pue"][1])


def _synthetic_year(tm, dtr, sigma, td):
    """An hourly year built from the same assumptions as the climatology path."""
    rng = np.random.default_rng(7)
    days = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
    temps = []
    for m, nd in enumerate(days):
        daily = tm[m] + sigma * rng.standard_normal(nd)
        for d in range(nd):
            hours = np.arange(24)
            temps.append(daily[d] + 0.5 * dtr * np.cos(2 * np.pi * (hours - 15) / 24))
    t = np.concatenate(temps)
    return t, np.minimum(np.full_like(t, td), t)


@pytest.mark.kernel
def test_monthly_path_agrees_with_hourly_path():
    from computeatlas._kernels import cooling as k

    tm = np.array([-3, -2, 2, 7, 12, 16, 19, 18, 14, 9, 4, 0], dtype=float)
    t, td = _synthetic_year(tm, 10.0, 3.0, 8.0)
    for tech in TECHS:
        P = cooling.pack_parameters(tech)
        hourly = k.annual_from_hourly(t[None, :], td[None, :], np.array([101.325]), P)
        dq = np.full((1, 3), 8.0)
        monthly = k.annual_from_monthly(
            tm[None, :],
            dq,
            np.array([1.0, 50.0, 99.0]),
            np.array([10.0]),
            np.array([3.0]),
            np.array([101.325]),
            P,
        )
        assert monthly[0][0] == pytest.approx(hourly[0][0], abs=0.01), tech
        free_m = monthly[2][0, 0] + monthly[2][0, 1]
        free_h = hourly[2][0, 0] + hourly[2][0, 1]
        assert free_m == pytest.approx(free_h, rel=0.05, abs=60), tech
        assert monthly[2][0].sum() == pytest.approx(8760.0)
        assert monthly[3][0] == pytest.approx(hourly[3][0], rel=0.1, abs=15), tech


@pytest.fixture(scope="module")
def global_pue():
    from computeatlas import datasets, inputs

    clim, hum, elev = datasets.climate(), inputs.humidity(), datasets.elevation()
    # The global grid for the original four archetypes (the two new ones are checked
    # per zone in test_pue_validation.py); keeps the suite fast.
    techs = [
        "air_side_fleet",
        "water_side_economiser",
        "air_cooled_chiller",
        "direct_liquid_warm_water",
    ]
    return {tech: cooling.annual_cooling(clim, hum, elev, technology=tech) for tech in techs}


CITIES = {
    "lulea": (65.5, 22.25),
    "singapore": (1.25, 103.75),
    "frankfurt": (50.0, 8.75),
    "phoenix": (33.5, -112.0),
}


def _at(ds, city):
    lat, lon = CITIES[city]
    return ds.sel(lat=lat, lon=lon)


def test_annual_pue_against_lei_masanet_ranges(global_pue):
    # Lei & Masanet (2020): 5th-95th percentile annual PUE of large air-side-economiser
    # facilities 1.08-1.17 in subarctic climates (ASHRAE zone 8) and 1.17-1.34 in hot
    # humid ones (zone 1A). Our single configuration should fall inside, allowing 0.02.
    air = global_pue["air_side_fleet"]
    assert 1.06 <= float(_at(air, "lulea").pue) <= 1.17
    assert 1.15 <= float(_at(air, "singapore").pue) <= 1.36
    for tech, ds in global_pue.items():
        assert float(_at(ds, "singapore").pue) >= float(_at(ds, "lulea").pue), tech
    legacy = global_pue["air_cooled_chiller"]
    assert float(_at(legacy, "frankfurt").pue) > float(_at(air, "frankfurt").pue) + 0.15


def test_annual_outputs_and_attrs(global_pue):
    ds = global_pue["water_side_economiser"]
    assert ds["pue"].attrs["units"] == "1"
    assert ds["free_cooling_hours"].attrs["units"] == "h yr-1"
    assert ds.attrs["technology"] == "water_side_economiser" and ds.attrs["ashrae_class"] == "A1"
    fch = ds["free_cooling_hours"]
    assert float(fch.min()) >= 0 and float(fch.max()) <= 8760
    # Cooling towers evaporate about 1.5 L per kWh of heat (3600 kJ / 2450 kJ/kg).
    w = float(_at(ds, "frankfurt").water_l_per_kwh_it)
    assert 1.4 < w < 2.0
    air = global_pue["air_side_fleet"]
    assert float(_at(air, "singapore").free_cooling_hours) == 0.0  # dew point above 17 degC
    assert float(_at(air, "lulea").free_cooling_hours) > 8600
    assert bool(np.isnan(air["pue"].sel(lat=0.0, lon=-140.0)))  # open ocean skipped


def test_annual_cooling_hourly_input(era5_like):
    from computeatlas.datasets import read_era5

    ds = cooling.annual_cooling(read_era5(era5_like))
    assert ds["pue"].shape == (3, 4)
    assert "hourly (48 hours)" in ds.attrs["input_path"]
    with pytest.raises(InputError, match="d2m"):
        cooling.annual_cooling(read_era5(era5_like).drop_vars("d2m"))


@pytest.mark.kernel
def test_hourly_free_days_and_modes_by_hand():
    from computeatlas._kernels import cooling as k

    # Two days: the first all at 5 degC (free), the second with one humid 35 degC hour
    # (dew point 25 degC: closed loop, full compressor) -> 1 free day of 2 = 182.5 d/yr,
    # 47 free hours of 48 = 8577.5 h/yr, 1 full-mechanical hour = 182.5 h/yr.
    t = np.full((1, 48), 5.0)
    td = np.full((1, 48), 0.0)
    t[0, 30], td[0, 30] = 35.0, 25.0
    P = cooling.pack_parameters("air_side_fleet")
    _pue, _wue, hours, days = k.annual_from_hourly(t, td, np.array([101.325]), P)
    assert days[0] == pytest.approx(182.5)
    assert hours[0, k.MODE_FREE] == pytest.approx(8760.0 * 47 / 48)
    assert hours[0, k.MODE_FULL] == pytest.approx(8760.0 / 48)
    assert hours[0].sum() == pytest.approx(8760.0)


@pytest.mark.kernel
@settings(max_examples=300, deadline=None)
@given(
    t=st.floats(-60, 50),
    dd=st.floats(0, 40),
    p=st.floats(60, 105),
    tech=st.sampled_from(TECHS),
    ashrae=st.sampled_from(["recommended", "A1", "A3"]),
)
def test_surely_free_skip_is_exact(t, dd, p, tech, ashrae):
    # The annual loops replace hour() by the free hour's constants wherever surely_free
    # holds; that must be exactly what hour() would have returned.
    from computeatlas._kernels import cooling as k

    P = cooling.pack_parameters(tech, ashrae)
    td = t - dd
    if k.surely_free(t, td, P):
        over, water = k.free_hour(P)
        assert k.hour(t, td, p, P) == (over, k.MODE_FREE, water)


@pytest.mark.kernel
def test_cold_cell_shortcut_equals_the_sample_walk():
    # An air-side cell free of compressors all year but humidifying (dry or very cold
    # hours, the dew point clipped to the dry bulb) takes a shortcut: its power is a free
    # hour's, its water that of the dry samples alone. It must give what the full
    # 216-sample walk (_monthly_cell) gives.
    from computeatlas._kernels import cooling as K

    P = cooling.pack_parameters("air_side_fleet", "A1")
    exc = np.array([1.0, 10.0, 50.0, 90.0, 99.0])
    cells = [
        (np.linspace(-22, 6, 12), np.array([14.9, 12.0, 2.0, -6.0, -8.0])),  # clipped td
        (np.linspace(-30, -5, 12), np.array([-2.0, -8.0, -15.0, -25.0, -30.0])),  # dry
        (np.linspace(5, 20, 12), np.array([15.0, 12.0, 8.0, 2.0, 0.0])),  # no water
    ]
    for tm, dq in cells:
        tm2, dq2 = tm[None, :], dq[None, :]
        out = K.annual_from_monthly(tm2, dq2, exc, np.array([10.0]), np.array([3.0]),
                                    np.array([101.325]), P)  # fmt: skip
        hours = np.zeros(K.N_MODES)
        f_over, f_water = K.free_hour(P)
        walk = K._monthly_cell(tm, dq, exc, 10.0, 3.0, 101.325, P, f_over, f_water, hours)
        assert out[0][0] == pytest.approx(walk[0], abs=1e-15)
        assert out[1][0] == walk[1]  # the water, term by term in the same order
        assert out[3][0] == pytest.approx(walk[2])
        np.testing.assert_allclose(out[2][0], hours, atol=1e-9)


@pytest.mark.kernel
@pytest.mark.parametrize(
    "tm, dtr, sigma",
    [
        (np.linspace(-22.0, 31.0, 12), 10.0, 3.0),  # a land cell
        (np.full(12, 4.0), 10.0, 3.0),  # every month alike: ties across months
        (np.round(np.sin(np.arange(12)) * 3.0), 0.0, 0.0),  # no spread: 18 equal per month
        (np.array([5.0, 5.0, 6.0, 5.0, 9.0, 9.0, 1.0, 5.0, 6.0, 5.0, 2.0, 5.0]), 2.0, 1.0),
        (np.linspace(30.0, -30.0, 12), 1.0, 6.0),  # sea-like diurnal range, wide synoptic
    ],
)
def test_sample_order_is_the_stable_sort(tm, dtr, sigma):
    # The structured merge must give exactly numpy's stable order (ascending, ties by
    # index): the comonotonic dew points, and so every output, depend on it.
    from computeatlas._kernels import cooling as K

    temps, _w = K._monthly_samples(tm, dtr, sigma)
    np.testing.assert_array_equal(K._sample_order(tm, temps), np.argsort(temps, kind="stable"))


@pytest.mark.kernel
def test_sample_order_random_cells_and_nan():
    from computeatlas._kernels import cooling as K

    rng = np.random.default_rng(11)
    for _ in range(300):
        tm = np.round(rng.uniform(-30.0, 35.0, 12), int(rng.integers(0, 3)))
        temps, _w = K._monthly_samples(tm, float(rng.uniform(0, 15)), float(rng.uniform(0, 6)))
        np.testing.assert_array_equal(K._sample_order(tm, temps), np.argsort(temps, kind="stable"))
    temps = np.arange(216.0)[::-1].copy()
    temps[7] = np.nan  # not from _monthly_samples: any input still sorts as numpy does
    np.testing.assert_array_equal(
        K._sample_order(np.zeros(12), temps), np.argsort(temps, kind="stable")
    )


@pytest.mark.kernel
def test_water_side_cell_free_all_year_takes_the_shortcut_exactly():
    # A water-side cell whose warmest sample with its most humid dew point is free needs
    # no walk: a free hour's power and tower water all year. It must give what the
    # 216-sample walk gives; a warmer cell must still walk (and use its compressor).
    from computeatlas._kernels import cooling as K

    P = cooling.pack_parameters("water_side_economiser")
    exc = np.array([1.0, 10.0, 50.0, 90.0, 99.0])
    f_over, f_water = K.free_hour(P)
    cells = [
        (np.linspace(-25.0, -2.0, 12), np.array([-3.0, -6.0, -12.0, -20.0, -26.0])),
        (np.linspace(-8.0, 3.0, 12), np.array([2.0, 0.0, -4.0, -9.0, -12.0])),
        (np.linspace(-4.0, 14.0, 12), np.array([12.0, 9.0, 3.0, -2.0, -6.0])),
        (np.linspace(5.0, 28.0, 12), np.array([22.0, 18.0, 10.0, 4.0, 0.0])),  # not free
    ]
    walked = []
    for tm, dq in cells:
        out = K.annual_from_monthly(tm[None], dq[None], exc, np.array([10.0]), np.array([3.0]),
                                    np.array([101.325]), P)  # fmt: skip
        hours = np.zeros(K.N_MODES)
        walk = K._monthly_cell(tm, dq, exc, 10.0, 3.0, 101.325, P, f_over, f_water, hours)
        assert out[0][0] == pytest.approx(walk[0], abs=1e-15)
        assert out[1][0] == pytest.approx(walk[1], rel=1e-14)
        assert out[3][0] == pytest.approx(walk[2])
        np.testing.assert_allclose(out[2][0], hours, atol=1e-9)
        walked.append(hours[K.MODE_FREE] < 8760.0 - 1e-6)
    assert walked == [False, False, False, True]


def _reference_walk(tm, dq, exc, dtr, sigma, p, P):
    """The 216-sample walk hour by hour (every sample through hour()), in Python."""
    from computeatlas._kernels import cooling as K

    temps, weights = K._monthly_samples(tm, dtr, sigma)
    order = np.argsort(temps, kind="stable")
    seg, cum, s_over, s_water = exc.size - 2, 0.0, 0.0, 0.0
    hours = np.zeros(K.N_MODES)
    for k in order:
        u = cum + 0.5 * weights[k]
        cum += weights[k]
        td, seg = K._dew_point_at(100.0 * (1.0 - u), exc, dq, seg)
        over, mode, water = K.hour(temps[k], td, p, P)
        s_over += weights[k] * over
        s_water += weights[k] * water
        hours[mode] += weights[k]
    return 1.0 + s_over, s_water, 8760.0 * hours


@pytest.mark.kernel
@pytest.mark.parametrize("tech", ["water_side_economiser", "air_side_fleet"])
def test_walk_shortcuts_equal_every_sample_through_hour(tech):
    # The free prefix of the water side (bisection on the wet bulb) and the surely-free
    # test skip hour() for free samples: the sums must be those of hour() on every sample.
    from computeatlas._kernels import cooling as K

    P = cooling.pack_parameters(tech)
    exc = np.array([0.5, 5.0, 20.0, 50.0, 80.0, 95.0, 99.5])
    rng = np.random.default_rng(8)
    for _ in range(40):
        tm = np.sort(rng.uniform(-5.0, 32.0, 12))[rng.permutation(12)]
        dq = np.sort(rng.uniform(-15.0, 26.0, exc.size))[::-1]  # descending by exceedance
        f_over, f_water = K.free_hour(P)
        hours = np.zeros(K.N_MODES)
        got = K._monthly_cell(tm, dq, exc, 10.0, 3.0, 95.0, P, f_over, f_water, hours)
        pue, wue, ref_hours = _reference_walk(tm, dq, exc, 10.0, 3.0, 95.0, P)
        assert got[0] == pue and got[1] == wue  # bit for bit
        np.testing.assert_array_equal(hours, ref_hours)
