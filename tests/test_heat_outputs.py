"""Waste-heat outputs: delivered heat per MW of IT and the share of the year it is taken.

Reference values:
- 1 MWh = 3.6 GJ (SI: 1 Wh = 3600 J).
- A heat pump delivers COP units of heat per unit of electricity, COP - 1 of them from
  the source (first law), so recovered heat R becomes R * COP / (COP - 1) delivered.
- Meta Odense recovers about 100,000 MWh/yr (Facebook Engineering, 7 Jul 2020,
  https://tech.facebook.com/engineering/2020/07/odense-data-center-2/).
"""

import numpy as np
import pytest

from computeatlas import rank_sites, schema, site_report
from computeatlas.models import heat

ODENSE = (55.3959, 10.3883)
HOHHOT = (40.8415, 111.7519)
COLUMNS = ["heat_delivered_mwh_per_mw_it", "heat_delivered_gj_per_mw_it", "heat_season_share"]


def test_delivered_heat_by_hand():
    # 8760 h x 0.8 x 0.5 x 1 x 4/3 = 4672 MWh per MW-year.
    q = heat.delivered_heat_mwh_per_mw_it(
        recoverable_fraction=0.8, heating_season=0.5, sink_availability=1.0, cop=4.0
    )
    assert float(q) == pytest.approx(4672.0)
    # No valid COP, no sale: nothing delivered.
    nan = heat.delivered_heat_mwh_per_mw_it(
        recoverable_fraction=0.8, heating_season=0.5, sink_availability=1.0, cop=np.nan
    )
    assert float(nan) == 0.0


def test_outputs_declared_in_schema():
    names = {v.name: v for v in schema.VARIABLES}
    assert names["heat_delivered_mwh_per_mw_it"].units == "MWh MW-1 yr-1"
    assert names["heat_delivered_gj_per_mw_it"].units == "GJ MW-1 yr-1"
    assert names["heat_season_share"].units == "1"


def test_odense_and_hohhot_report_delivered_heat():
    rep = site_report([ODENSE, HOHHOT], heat_price="sold")
    mwh = rep["heat_delivered_mwh_per_mw_it"].to_numpy(float)
    np.testing.assert_allclose(rep["heat_delivered_gj_per_mw_it"], mwh * 3.6, rtol=1e-12)
    assert np.all(mwh > 0)
    # Bounded by the first law: 8760 h x 80 % recovered x COP/(COP-1) at 27 -> 70 degC.
    cop = float(heat.heat_pump_cop(27.0, 70.0))
    assert np.all(mwh <= 8760 * 0.8 * cop / (cop - 1) + 1e-9)
    share = rep["heat_season_share"].to_numpy(float)
    assert share[1] == pytest.approx(183 / 365)  # Hohhot's published season
    assert 0.5 < share[0] < 1.0  # Odense: the degree-day season
    # Donated heat is delivered all the same (Meta gives Odense's heat away).
    donated = site_report([ODENSE, HOHHOT])
    np.testing.assert_allclose(donated[COLUMNS], rep[COLUMNS], rtol=1e-12)
    # Meta Odense's ~100,000 MWh/yr would take an IT load of this order [MW]:
    implied_mw = 100_000 / mwh[0]
    assert 5 < implied_mw < 100


def test_grid_and_sites_carry_the_heat_outputs():
    r = rank_sites((9, 54, 12, 57), ["Copenhagen"], heat_price="sold", max_rtt_ms=20)
    for col in COLUMNS:
        assert col in r.grid and col in r.sites.columns
        assert r.grid[col].attrs["units"] == schema.attrs(col)["units"]
    assert float(r.grid["heat_delivered_mwh_per_mw_it"].max()) > 0
