import warnings

import numpy as np
import pytest

from computeatlas import presets
from computeatlas.errors import ComputeAtlasWarning, InputError, UnknownNameError
from computeatlas.models import energy, heat

pytestmark = pytest.mark.kernel


def test_staffell_cop_worked_values():
    # Staffell et al. (2012) fits evaluated by hand:
    # ground source, dT = 25 K: 8.77 - 0.150*25 + 0.000734*625 = 5.47875
    # air source, dT = 40 K: 6.81 - 0.121*40 + 0.000630*1600 = 2.978
    assert float(heat.heat_pump_cop(45.0, 70.0, kind="ground")) == pytest.approx(5.47875)
    assert float(heat.heat_pump_cop(0.0, 40.0, kind="air")) == pytest.approx(2.978)


def test_staffell_against_published_industrial_heat_pumps():
    # Zangeneh & Oi (SIMS conference, Aspen HYSYS): 45 degC data-centre water lifted to
    # 60/70/80 degC, COP 5.5/4.3/3.5 (https://ecp.ep.liu.se/index.php/sims/article/view/747).
    # The domestic ground-source fit stays within 30 % (22-27 % above).
    cop = heat.heat_pump_cop(45.0, np.array([60.0, 70.0, 80.0]), kind="ground")
    np.testing.assert_allclose(cop, [5.5, 4.3, 3.5], rtol=0.30)
    assert np.all(np.diff(cop) < 0)


def test_cop_outside_validity_is_masked():
    with pytest.warns(ComputeAtlasWarning, match="15-60 K"):
        cop = heat.heat_pump_cop(np.array([60.0, 40.0]), 70.0, kind="ground")
    assert np.isnan(cop[0]) and np.isfinite(cop[1])
    with pytest.raises(InputError, match="kind"):
        heat.heat_pump_cop(40.0, 70.0, kind="water")


def test_heating_degree_days_eurostat_convention():
    # Eurostat: HDD = 18 - T on days with T <= 15, else 0. A January at 0 degC gives
    # 31 * 18 = 558; a month at 16 degC gives 0; 15 degC counts (3 per day).
    tm = np.array([0, 16, 15, 30, 30, 30, 30, 30, 30, 30, 30, 30], dtype=float)
    assert float(heat.heating_degree_days(tm)) == pytest.approx(31 * 18 + 31 * 3)


def test_heating_season_fraction_limits():
    assert float(heat.heating_season_fraction(np.full(12, -20.0))) == pytest.approx(1.0)
    assert float(heat.heating_season_fraction(np.full(12, 35.0))) == pytest.approx(0.0, abs=1e-6)
    assert float(heat.heating_season_fraction(np.full(12, 15.0))) == pytest.approx(0.5)


def test_heat_credit_formula_and_bounds():
    # Captured heat 0.8, season 0.5, sink 1; COP 5.47875 (45 -> 70 degC); heat at 40 USD/MWh,
    # electricity 50 USD/MWh: 0.8 * 0.5 * (40 * 5.47875/4.47875 - 50/4.47875).
    cop = 5.47875
    expected = 0.8 * 0.5 * (40 * cop / (cop - 1) - 50 / (cop - 1))
    got = heat.heat_credit(
        recoverable_fraction=0.8,
        heating_season=0.5,
        sink_availability=1.0,
        heat_price_usd_per_mwh=40.0,
        electricity_price_usd_per_mwh=50.0,
        source_c=45.0,
        kind="ground",
    )
    assert float(got) == pytest.approx(expected)
    donated = heat.heat_credit(
        recoverable_fraction=0.8,
        heating_season=0.5,
        sink_availability=1.0,
        heat_price_usd_per_mwh=0.0,
        electricity_price_usd_per_mwh=50.0,
        source_c=45.0,
    )
    assert float(donated) == 0.0  # never negative
    with pytest.raises(InputError, match="within"):
        heat.heat_credit(
            recoverable_fraction=1.2,
            heating_season=0.5,
            sink_availability=1.0,
            heat_price_usd_per_mwh=1.0,
            electricity_price_usd_per_mwh=1.0,
            source_c=45.0,
        )


def test_heat_price_presets():
    assert presets.heat_price().usd_per_mwh_heat == 0.0
    # 21 EUR/MWh at the ECB's 2024 annual-average reference rate, 1.0824 USD per EUR
    # (ECB euro foreign exchange reference rates, annual average 2024).
    assert presets.heat_price("sold").usd_per_mwh_heat == pytest.approx(21.0 * 1.0824, rel=1e-4)
    assert presets.heat_price(12.5).usd_per_mwh_heat == 12.5
    with pytest.raises(InputError):
        presets.heat_price(-1.0)
    with pytest.raises(UnknownNameError):
        presets.heat_price("free")


def test_cost_per_mwh_it_and_per_token():
    c = energy.cost_usd_per_mwh_it(
        100.0, 1.2, 5.0, carbon_price_usd_per_t=50.0, carbon_kg_per_mwh=400.0
    )
    # 100*1.2 - 5 + 50 * 0.4 t/MWh * 1.2 = 120 - 5 + 24 = 139
    assert float(c) == pytest.approx(139.0)
    # 0.12 J/token (ML.ENERGY, H100, 8B, batch 64) = 3.333e-5 MWh per million tokens.
    per_tok = energy.cost_usd_per_mtoken(120.0)
    assert float(per_tok) == pytest.approx(120.0 * 0.12e6 / 3.6e9)
    assert float(energy.cost_usd_per_mtoken(120.0, 1e-4)) == pytest.approx(0.012)
    with pytest.raises(InputError, match="negative"):
        energy.cost_usd_per_mwh_it(-1.0, 1.2)
    with pytest.raises(InputError, match="PUE"):
        energy.cost_usd_per_mwh_it(10.0, 0.9)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(InputError):
            presets.token_energy(0.0)


def test_heating_season_fraction_equals_the_monthly_normal_sum():
    # s = sum_m n_m / 365 Phi((15 - T_m) / 3), here with math.erf cell by cell
    import math

    rng = np.random.default_rng(4)
    tm = rng.uniform(-25.0, 32.0, (3, 5, 12))
    tm[1, 2, 7] = np.nan
    days = np.array([31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31], dtype=float)
    phi = np.vectorize(lambda z: 0.5 * (1.0 + math.erf(z / math.sqrt(2.0))))((15.0 - tm) / 3.0)
    want = (phi * days).sum(axis=-1) / 365.0
    got = heat.heating_season_fraction(tm)
    assert got.shape == (3, 5) and np.isnan(got[1, 2]) and np.isfinite(got).sum() == 14
    np.testing.assert_allclose(got, want, rtol=0, atol=1e-14, equal_nan=True)
