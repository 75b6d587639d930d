"""Heat recovery in air-cooled halls through water coils (issue 14, waste heat).

Reference values:
- Meta Odense: server air passes over water coils (Facebook Engineering, 26 Apr 2018,
  https://tech.facebook.com/engineering/2018/4/odense-dc/); Fjernvarme Fyn receives
  27 degC cooling water and lifts it to 75 degC with nine heat pumps (DBDH,
  https://dbdh.dk/facebook-heating-up-7000-homes-in-denmark/).
- Coil effectiveness 0.7-0.9 (Lei & Masanet 2020, Energy 201:117556, parameter ranges).
- Staffell et al. 2012 ground-source fit: 8.77 - 0.150 dT + 0.000734 dT^2.
"""

import numpy as np
import pytest

from computeatlas import presets, site_report
from computeatlas.models import heat

AIR_COOLED = ("air_side_fleet", "direct_evaporative_wide_envelope")
HOHHOT = (40.8415, 111.7519)


@pytest.mark.parametrize("name", AIR_COOLED)
def test_air_cooled_halls_recover_through_27c_coils(name: str) -> None:
    tech = presets.cooling(name)
    assert tech.heat_source_c == 27.0  # Meta Odense's cooling water (DBDH)
    assert 0.7 <= tech.heat_recovery_fraction <= 0.9  # coil effectiveness, LM2020 range
    # The legacy room still recovers nothing.
    assert presets.cooling("air_cooled_chiller").heat_recovery_fraction == 0.0


def test_coil_water_lift_is_inside_the_cop_fit() -> None:
    # 27 degC to the 70 degC network: dT = 43 K, inside Staffell's 15-60 K;
    # 8.77 - 0.150*43 + 0.000734*43^2 = 3.677166.
    lift = heat.DH_SUPPLY_C - presets.cooling().heat_source_c
    assert lift == 43.0
    assert float(heat.heat_pump_cop(27.0, heat.DH_SUPPLY_C, kind="ground")) == pytest.approx(
        3.677166
    )
    # A warmer source is worth more: 45 degC liquid loops beat 27 degC coils (both models).
    for kind in ("ground", "industrial"):
        assert heat.heat_pump_cop(45.0, 70.0, kind=kind) > heat.heat_pump_cop(27.0, 70.0, kind=kind)


def test_default_hall_earns_a_credit_only_when_heat_is_sold() -> None:
    sold = site_report([HOHHOT], heat_price="sold")
    donated = site_report([HOHHOT])
    assert float(sold["heat_credit_usd_per_mwh_it"].iloc[0]) > 0
    assert float(donated["heat_credit_usd_per_mwh_it"].iloc[0]) == 0
    # The credit lowers the cost of IT energy by exactly its size.
    diff = donated["cost_usd_per_mwh_it"] - sold["cost_usd_per_mwh_it"]
    np.testing.assert_allclose(diff, sold["heat_credit_usd_per_mwh_it"], rtol=1e-12)
