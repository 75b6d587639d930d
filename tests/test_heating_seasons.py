"""Administrative heating seasons of northern Chinese networks (issue 14, waste heat).

Reference values:
- Beijing: "The capital's heating season is fixed at Nov 15 - March 15" (China Daily,
  13 Nov 2009): 121 days inclusive.
- Harbin: "the stipulated heating period is 183 days in total from 25 October to
  25 April" (Routledge chapter, doi:10.4324/9780203887684-12): checks the day count.
- Hohhot: heating on 15 October, off 15 April (hohhotinfo.com, secondary): 183 days.
"""

import numpy as np
import pytest

from computeatlas import presets, site_report
from computeatlas.errors import InputError
from computeatlas.grid import Window
from computeatlas.inputs import layers
from computeatlas.models import heat
from computeatlas.pipeline import _heating_season

BEIJING = (39.9042, 116.4074)
HOHHOT = (40.8415, 111.7519)
ODENSE = (55.3959, 10.3883)


def test_published_day_counts():
    assert heat.administrative_season_fraction((11, 15), (3, 15)) * 365 == pytest.approx(121)
    assert heat.administrative_season_fraction((10, 25), (4, 25)) * 365 == pytest.approx(183)
    assert heat.administrative_season_fraction((1, 1), (12, 31)) == pytest.approx(1.0)
    assert heat.administrative_season_fraction((3, 1), (3, 31)) * 365 == pytest.approx(31)
    with pytest.raises(InputError, match="start"):
        heat.administrative_season_fraction((2, 30), (3, 15))


def test_preset_table():
    seasons = presets.heating_seasons()
    assert seasons["CN-BJ"].start == (11, 15) and seasons["CN-BJ"].end == (3, 15)
    assert seasons["CN-NM"].start == (10, 15) and seasons["CN-NM"].end == (4, 15)
    assert all(s.source for s in seasons.values())
    with pytest.raises(InputError, match="not a date"):
        presets.HeatingSeason("X", "x", (13, 1), (3, 1), "none")


def test_pipeline_uses_dates_in_china_and_degree_days_elsewhere():
    lat, lon = zip(BEIJING, HOHHOT, ODENSE, strict=True)
    lay = layers(Window.at_points(np.array(lat), np.array(lon)))
    season = _heating_season(lay)
    assert season[0] == pytest.approx(121 / 365)
    assert season[1] == pytest.approx(183 / 365)
    # Degree-day rule kept for Odense; and it is longer than Beijing's published dates
    # (the issue: degree-day seasons are 30-55 % too long in northern China).
    dd = heat.heating_season_fraction(lay.t_monthly)
    assert season[2] == pytest.approx(dd[2])
    assert 1.3 <= dd[0] / season[0] <= 1.6


def test_hohhot_earns_a_credit_in_its_published_season():
    sold = site_report([HOHHOT], heat_price="sold")
    assert float(sold["heat_credit_usd_per_mwh_it"].iloc[0]) > 0
