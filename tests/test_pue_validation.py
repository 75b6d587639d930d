"""Archetype PUE against Lei & Masanet's published 5th-95th percentile bands, by climate zone.

The bands are the ``UE.csv`` table of Lei & Masanet's public PUE/WUE calculator
(github.com/nuoaleon/UEcalculator_dash_app, commit
2546c9a97cba9ff92141dbad705071ee972acd79, file ``src/data/UE.csv``; the method is
Lei & Masanet 2020, Energy 201:117556, and 2022, Resour. Conserv. Recycl.
182:106323). The repository carries no licence, so the file is not redistributed:
the 60 numbers used here are typed in, rounded to 4 decimals (column ``PUE``,
rows ``Large-scale``, cases 1 and 2, quantiles 5th and 95th).

Each zone is represented by the city the U.S. DOE commercial reference buildings
use for it (Deru et al. 2011, NREL/TP-5500-46861; list at
energy.gov/eere/buildings/commercial-reference-buildings), at its main airport.
Mapping archetype -> calculator system (docs/models.md):

* ``water_side_economiser`` and ``water_side_best_practice`` -> case 2, large-scale
  "Water-cooled chiller (waterside economizer)";
* ``air_side_fleet`` -> case 1, large-scale "Airside economizer & adiabatic cooling".

The calculator samples every parameter over LM2020's ranges; an archetype whose
parameters sit in those ranges should land in the band. ``water_side_best_practice``
uses server-level batteries (0.999), above LM2020's UPS range (0.90-0.99) on
purpose; it is checked with that one value moved to the range bound (the difference
is pure arithmetic on the electrical term, checked separately).
"""

import pytest

import computeatlas
from computeatlas import presets

#: zone: (city, lat, lon) -- DOE reference-building cities, airport coordinates.
CITIES = {
    "1A": ("Miami", 25.79, -80.29),
    "2A": ("Houston", 29.98, -95.36),
    "2B": ("Phoenix", 33.43, -112.02),
    "3A": ("Atlanta", 33.64, -84.43),
    "3B": ("Las Vegas", 36.08, -115.15),
    "3C": ("San Francisco", 37.62, -122.37),
    "4A": ("Baltimore", 39.17, -76.68),
    "4B": ("Albuquerque", 35.04, -106.61),
    "4C": ("Seattle", 47.45, -122.31),
    "5A": ("Chicago", 41.98, -87.90),
    "5B": ("Boulder", 40.02, -105.25),
    "6A": ("Minneapolis", 44.88, -93.23),
    "6B": ("Helena", 46.61, -111.96),
    "7": ("Duluth", 46.84, -92.19),
    "8": ("Fairbanks", 64.80, -147.88),
}

#: UE.csv, PUE (5th, 95th): case 1 large-scale airside economiser & adiabatic cooling.
AIR_SIDE = {
    "1A": (1.1688, 1.3416),
    "2A": (1.1672, 1.3071),
    "2B": (1.1250, 1.2534),
    "3A": (1.1319, 1.2511),
    "3B": (1.1087, 1.2267),
    "3C": (1.0901, 1.2338),
    "4A": (1.1093, 1.2230),
    "4B": (1.0954, 1.1958),
    "4C": (1.0860, 1.2021),
    "5A": (1.0999, 1.2130),
    "5B": (1.0889, 1.1950),
    "6A": (1.1045, 1.2033),
    "6B": (1.0838, 1.1791),
    "7": (1.0994, 1.1991),
    "8": (1.0768, 1.1743),
}
#: UE.csv, PUE (5th, 95th): case 2 large-scale water-cooled chiller (waterside economizer).
WATER_SIDE = {
    "1A": (1.1070, 1.2904),
    "2A": (1.0989, 1.2502),
    "2B": (1.0836, 1.2009),
    "3A": (1.0869, 1.2149),
    "3B": (1.0799, 1.1917),
    "3C": (1.0741, 1.1826),
    "4A": (1.0842, 1.2025),
    "4B": (1.0799, 1.1933),
    "4C": (1.0747, 1.1835),
    "5A": (1.0828, 1.1959),
    "5B": (1.0799, 1.1935),
    "6A": (1.0811, 1.1918),
    "6B": (1.0779, 1.1901),
    "7": (1.0774, 1.1874),
    "8": (1.0746, 1.1837),
}
ZONES = list(CITIES)

ARCHETYPES = {
    "water_side_economiser": (presets.cooling("water_side_economiser"), WATER_SIDE),
    "water_side_best_practice": (
        presets.cooling("water_side_best_practice").replace(ups_efficiency=0.99),
        WATER_SIDE,
    ),
    "air_side_fleet": (presets.cooling("air_side_fleet"), AIR_SIDE),
}
#: Known deviation, documented in docs/models.md: in Phoenix (hot, dry) the adiabatic
#: hall comes out 0.011 below the calculator's 5th percentile. The cause is not
#: established; candidates are the monthly climatology's 10 K diurnal range (Phoenix's
#: is larger), and energy of the evaporative system (pumps, media pressure drop) that
#: the model leaves out.
KNOWN_BELOW = {("air_side_fleet", "2B")}


@pytest.fixture(scope="module")
def pue_by_zone():
    points = [(lat, lon) for _city, lat, lon in CITIES.values()]
    out = {}
    for name, (tech, _band) in ARCHETYPES.items():
        report = computeatlas.site_report(points, technology=tech)
        out[name] = dict(zip(ZONES, report["pue"], strict=True))
    out["shipped_best_practice"] = dict(
        zip(
            ZONES,
            computeatlas.site_report(points, technology="water_side_best_practice")["pue"],
            strict=True,
        )
    )
    return out


@pytest.mark.parametrize("zone", ZONES)
def test_archetypes_within_the_published_band(pue_by_zone, zone):
    for name, (_tech, band) in ARCHETYPES.items():
        lo, hi = band[zone]
        pue = pue_by_zone[name][zone]
        if (name, zone) in KNOWN_BELOW:
            # Still checked: below the band, but by less than 0.02, and never above it.
            assert lo - 0.02 <= pue < lo, (name, zone, pue, band[zone])
            continue
        assert lo <= pue <= hi, (name, zone, CITIES[zone][0], pue, band[zone])


@pytest.mark.parametrize("zone", ZONES)
def test_best_practice_beats_the_band_only_by_its_batteries(pue_by_zone, zone):
    # Server-level batteries (0.999) against the range bound (0.99): 1/0.99 - 1/0.999
    # = 0.0091 lower PUE, the whole difference between the shipped and the checked plant.
    shipped = pue_by_zone["shipped_best_practice"][zone]
    at_bound = pue_by_zone["water_side_best_practice"][zone]
    assert at_bound - shipped == pytest.approx(1 / 0.99 - 1 / 0.999, abs=1e-9)
    assert shipped <= WATER_SIDE[zone][1]


def test_forest_city_summer_without_dx():
    # Lee (2012, OCP blog): with the inlet widened to 85 degF / 90 % RH, Forest City ran
    # through the 2012 summer (the third hottest on record in the U.S.) without its DX
    # coils. Under ASHRAE A1 (dew point <= 17 degC) the same outdoor-air hall would need
    # compressors on humid summer hours.
    site = [(35.33, -81.87)]
    wide = computeatlas.site_report(site, technology="direct_evaporative_wide_envelope")
    a1 = computeatlas.site_report(site, technology="air_side_fleet")
    assert wide.attrs["ashrae_class"] == "ocp_forest_city"
    assert float(wide["hours_partial_mechanical"][0] + wide["hours_full_mechanical"][0]) == 0.0
    assert float(wide["hours_adiabatic"][0]) > 0.0
    assert float(a1["hours_full_mechanical"][0]) > 1000.0


def test_modes_add_up_to_the_year():
    site = [(35.33, -81.87), (40.84, 111.75), (1.35, 103.82)]
    for tech in ("air_side_fleet", "water_side_economiser", "direct_liquid_warm_water"):
        r = computeatlas.site_report(site, technology=tech)
        modes = r[
            ["hours_free", "hours_adiabatic", "hours_partial_mechanical", "hours_full_mechanical"]
        ].sum(axis=1)
        assert modes.to_numpy() == pytest.approx(8760.0), tech
        assert (r["free_cooling_hours"] == r["hours_free"] + r["hours_adiabatic"]).all()
        # A day is free only if all its hours are: days <= hours / 24.
        assert (r["free_cooling_days"] <= r["free_cooling_hours"] / 24 + 1e-9).all(), tech


#: Band validation (issue 16): the p05..p95 PUE band of the draws (presets/uncertainty.toml,
#: LM's calculator ranges) against the calculator's own 5th-95th percentile band, +-0.03.
#: Met at both ends in the zones of BAND_MET; elsewhere our band sits below LM's, by less
#: than 0.08, because the model's hot-climate hall is more efficient than the calculator's
#: (docs/uncertainty.md lists the suspected causes: evaporative media modulated to the
#: supply limit, no latent load (LM's sensible heat ratio 0.95-0.99), no chiller part-load
#: factor). A zone moving out of BAND_MET, or a miss growing past 0.08, fails.
BAND_MET = {
    "air_side_fleet": {"4A", "5A", "5B", "6A", "6B", "7", "8"},
    "water_side_economiser": set(ZONES) - {"1A", "2A"},
}
BAND_DRAWS = 400


@pytest.mark.parametrize("name", sorted(BAND_MET))
def test_draw_bands_against_the_published_bands(name):
    points = [(lat, lon) for _city, lat, lon in CITIES.values()]
    report = computeatlas.site_report(points, technology=name, draws=BAND_DRAWS, seed=0)
    band = dict(ARCHETYPES.items())[name][1]
    for k, zone in enumerate(ZONES):
        lo, hi = band[zone]
        d_lo = report["pue_p05"][k] - lo
        d_hi = report["pue_p95"][k] - hi
        where = (name, zone, CITIES[zone][0], round(d_lo, 3), round(d_hi, 3))
        if zone in BAND_MET[name]:
            assert abs(d_lo) <= 0.03 and abs(d_hi) <= 0.03, where
        else:
            assert -0.08 < min(d_lo, d_hi) and max(d_lo, d_hi) <= 0.03, where
