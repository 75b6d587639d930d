"""Shipped layers: shapes, units and values against independent references."""

import numpy as np
import pandas as pd
import pytest

from computeatlas import datasets as ds
from computeatlas.errors import InputError, UnknownNameError
from computeatlas.grid import DEFAULT_GRID, cell_area_km2
from computeatlas.inputs import humidity


@pytest.fixture(scope="module")
def t2m():
    return ds.climate()["t2m"]


def test_climate_layout_and_units(t2m):
    assert t2m.dims == ("month", "lat", "lon")
    assert t2m.shape == (12, DEFAULT_GRID.nlat, DEFAULT_GRID.nlon)
    assert t2m.attrs["units"] == "degC"
    assert t2m.attrs["long_name"]
    np.testing.assert_array_equal(t2m.lat, DEFAULT_GRID.lat)
    np.testing.assert_array_equal(t2m.lon, DEFAULT_GRID.lon)
    assert not bool(t2m.isnull().any())


def test_climate_global_mean(t2m):
    # Global mean 2 m temperature is about 14-15 degC in 2000-2025 (ERA5 climate bulletins).
    w = np.cos(np.deg2rad(t2m.lat))
    assert float(t2m.mean("month").weighted(w).mean()) == pytest.approx(14.5, abs=0.7)


# Japan Meteorological Agency normals 1991-2020, Tokyo (station 47662):
# January 5.4 degC, July 25.7 degC
# (https://www.data.jma.go.jp/obd/stats/etrn/view/nml_sfc_ym.php?prec_no=44&block_no=47662).
def test_tokyo_against_jma_normals(t2m):
    cell = t2m.sel(lat=35.69, lon=139.69, method="nearest")
    assert float(cell.sel(month=1)) == pytest.approx(5.4, abs=1.5)
    assert float(cell.sel(month=7)) == pytest.approx(25.7, abs=1.5)


# ITU-R P.1510-1 monthly mean surface temperature (an independent product, 0.75 deg),
# evaluated with itur 0.4.0 (itu1510.surface_month_mean_temperature) at the city centres.
ITU_1510 = {
    "Moscow": (55.76, 37.62, -7.7, 18.9),
    "Singapore": (1.35, 103.82, 26.1, 27.0),
    "Sydney": (-33.87, 151.21, 21.9, 12.1),
    "Riyadh": (24.69, 46.72, 13.9, 36.0),
    "Helsinki": (60.17, 24.94, -4.0, 17.2),
    "Reykjavik": (64.15, -21.94, -0.2, 10.9),
}


@pytest.mark.parametrize("city", sorted(ITU_1510))
def test_january_july_against_itu_p1510(t2m, city):
    lat, lon, jan, jul = ITU_1510[city]
    cell = t2m.sel(lat=lat, lon=lon, method="nearest")
    assert float(cell.sel(month=1)) == pytest.approx(jan, abs=2.0)
    assert float(cell.sel(month=7)) == pytest.approx(jul, abs=2.0)


def test_elevation_and_land_area():
    e = ds.elevation()
    assert e["elevation"].attrs["units"] == "m"
    land = e["land_fraction"]
    assert float(land.min()) >= 0.0 and float(land.max()) <= 1.0
    area = (cell_area_km2(land.lat.values, 0.25)[:, None] * land.values).sum()
    # Land area of the Earth, including Antarctica and inland water: 148.9 million km^2
    # (CIA World Factbook, "World: Geography").
    assert area / 1e6 == pytest.approx(148.9, rel=0.03)
    # Denver, "the Mile-High City", stands at about 1609 m; La Paz region above 3000 m.
    assert float(e["elevation"].sel(lat=39.75, lon=-105.0)) == pytest.approx(1609, abs=250)
    assert bool(np.isnan(e["elevation"].sel(lat=0.0, lon=-140.0)))  # mid-Pacific


def test_humidity_distribution():
    h = humidity()
    assert h["rho"].attrs["units"] == "g m-3"
    assert h["dew_point"].attrs["units"] == "degC"
    rho = h["rho"]
    assert not bool(rho.isnull().any())
    # Exceeded for more of the year -> smaller value: monotone along exceedance.
    assert bool((rho.diff("exceedance") <= 0).all())
    # Saturation at 35 degC holds 39.6 g/m3 (ideal gas, e_s = 56.2 hPa): no cell may exceed it.
    assert float(rho.max()) < 39.6
    # Median dew point in Singapore is about 24 degC (NEA climate of Singapore); in a
    # dry continental winter climate (Ulaanbaatar) well below zero.
    sg = float(h["dew_point"].sel(exceedance=50, lat=1.25, lon=103.75))
    assert sg == pytest.approx(24.0, abs=1.5)
    ub = float(h["dew_point"].sel(exceedance=50, lat=47.75, lon=107.0))
    assert ub < -5.0


def test_countries():
    c = ds.countries()
    assert c.crs.to_epsg() == 4326
    coded = c[c["iso_a2"] != ""]
    assert len(coded) >= 230
    assert coded["iso_a2"].is_unique and coded["iso_a3"].is_unique
    assert coded["iso_a2"].str.fullmatch(r"[A-Z]{2}").all()
    for iso2, iso3 in [("FR", "FRA"), ("NO", "NOR"), ("CN", "CHN"), ("US", "USA")]:
        assert coded.set_index("iso_a2").at[iso2, "iso_a3"] == iso3
    assert c.geometry.is_valid.all()
    assert set(c.geom_type) <= {"Polygon", "MultiPolygon"}


def test_admin1_coverage():
    a = ds.admin1()
    assert a.crs.to_epsg() == 4326 and a.geometry.is_valid.all()
    assert a["admin1_id"].is_unique
    counts = a[a["iso_3166_2"] != ""].groupby("iso_a2").size()
    # Published counts of first-level divisions with an ISO 3166-2 code (regions without
    # one, e.g. Jervis Bay Territory, are not counted): 50 US states + DC (Puerto
    # Rico is a country of its own in Natural Earth, so it is clipped out of the US),
    # 13 Canadian provinces and territories, 47 Japanese prefectures, 27 Brazilian units,
    # 8 Australian states and territories, 17 Korean divisions, 16 German states.
    for cc, n in {"US": 51, "CA": 13, "JP": 47, "BR": 27, "AU": 8, "KR": 17, "DE": 16}.items():
        assert counts[cc] == n, cc
    for cc in ["CN", "IN", "SE", "NO", "FI", "DK", "IS", "FR", "IT", "ES", "PL"]:
        assert counts[cc] >= 5, cc
    codes = set(a["iso_3166_2"])
    for code in [
        "CN-NM",
        "CN-HE",
        "CN-GZ",
        "CN-GS",
        "CN-NX",
        "CN-QH",
        "CN-BJ",
        "CN-SH",
        "CN-GD",
        "CN-ZJ",
        "US-TX",
        "US-WY",
        "CA-QC",
        "SE-BD",
        "NO-18",
    ]:
        assert code in codes, code
    named = a[a["iso_3166_2"] != ""]
    assert named["iso_3166_2"].is_unique
    assert (named["iso_3166_2"].str.slice(0, 2) == named["iso_a2"]).all()


@pytest.mark.parametrize(("kind", "rows"), [("areas", 3000), ("places", 4000)])
def test_metros_table(kind, rows):
    m = ds.metros(kind=kind)
    assert m.crs.to_epsg() == 4326
    assert (m["population"] >= 100_000).all()
    assert m["population"].is_monotonic_decreasing
    assert {"name", "asciiname", "country", "admin1", "lat", "lon", "population"} <= set(m)
    assert m["lat"].between(-90, 90).all() and m["lon"].between(-180, 180).all()
    assert len(m) > rows
    assert len(ds.metros(min_population=1_000_000, kind=kind)) < len(m)


def test_find_metro_largest_first_and_country_qualifier():
    assert ds.find_metro("Tokyo")["country"] == "JP"
    # Several places are called Portland; the largest (Oregon) wins unless qualified.
    assert ds.find_metro("portland")["admin1"] == "Oregon"
    assert ds.find_metro("Beijing, CN")["admin1_iso"] == "CN-BJ"
    assert ds.find_metro("Sao Paulo")["name"] == "São Paulo"  # accents ignored
    london_ca = ds.find_metro("London, CA")
    assert london_ca["country"] == "CA" and london_ca["population"] < 1e6


@pytest.mark.parametrize("name", ["Tokio", "Nowhereville", "Paris, XX"])
def test_find_metro_unknown(name):
    with pytest.raises(UnknownNameError, match="unknown metro") as info:
        ds.find_metro(name)
    if name == "Tokio":
        assert "Tokyo, JP" in str(info.value)


def test_find_metro_rejects_non_string():
    with pytest.raises(UnknownNameError, match="non-empty string"):
        ds.find_metro("  ")


def test_price_table_contents():
    p = ds.electricity_prices()
    assert p["region_code"].is_unique
    assert (p["price_usd_per_mwh"] > 0).all()
    countries = p[p["level"] == "country"]["region_code"]
    states = p[p["region_code"].str.startswith("US-")]
    # EIA reports all 50 states and DC.
    assert len(states) == 51
    assert {"CA-QC", "CA-BC", "CA-ON", "SE1", "SE4", "NO4", "CN-NM", "CN-GZ"} <= set(
        p["region_code"]
    )
    assert countries.str.fullmatch(r"[A-Z]{2}").all()
    assert p["source_url"].str.startswith("http").all()
    assert p["year"].between(2010, 2026).all()


def test_price_currency_conversion_of_a_published_row():
    p = ds.electricity_prices().set_index("region_code")
    de = p.loc["DE"]
    # Eurostat nrg_pc_205, band ID/IE, 2024-S2: 0.1712 EUR/kWh excl. VAT; FRED DEXUSEU
    # annual average 2024: 1.082 USD per EUR -> 0.1712 * 1000 * 1.082 = 185.24 USD/MWh.
    # The shipped rate is the ECB-derived annual mean, which differs from the New York
    # noon-rate average by a few hundredths of a percent.
    assert de["currency"] == "EUR" and de["unit"] == "per_kWh"
    assert de["fx_source"].startswith("European Central Bank")
    assert de["price_usd_per_mwh"] == pytest.approx(0.1712 * 1000 * 1.082, rel=1e-3)
    tr = p.loc["TR"]  # EPDK 2024: 370.1826 kurus/kWh = 3.701826 TRY/kWh
    rate = ds.exchange_rates().set_index(["currency", "year"]).loc[("TRY", 2024)]
    assert tr["price_usd_per_mwh"] == pytest.approx(3701.826 * rate["usd_per_unit"], abs=0.01)
    tx = p.loc["US-TX"]  # EIA: 6.60 cents/kWh -> 66.0 USD/MWh
    assert tx["price_usd_per_mwh"] == pytest.approx(66.0, abs=0.01)


# US Federal Reserve G.5A annual averages for 2023, release of 2024-02-01
# (https://federalreserve.gov/releases/g5a/20240201), currency units per USD except
# EUR and GBP (USD per unit).
G5A_2023_PER_USD = {
    "CNY": 7.0809,
    "JPY": 140.5001,
    "INR": 82.5708,
    "CAD": 1.3494,
    "SEK": 10.6089,
    "NOK": 10.5659,
    "CHF": 0.8984,
    "KRW": 1306.7637,
}
G5A_2023_USD_PER = {"EUR": 1.0817, "GBP": 1.2440}


def test_exchange_rates_agree_with_federal_reserve_g5a():
    fx = ds.exchange_rates().set_index(["currency", "year"])
    assert fx.index.is_unique
    assert (fx["usd_per_unit"] > 0).all()
    assert fx["source_url"].str.startswith("http").all()
    # ECB 14:15 CET fixings vs New York noon buying rates: within 0.7 % for a year mean.
    for cur, per_usd in G5A_2023_PER_USD.items():
        assert fx.at[(cur, 2023), "units_per_usd"] == pytest.approx(per_usd, rel=7e-3), cur
    for cur, usd in G5A_2023_USD_PER.items():
        assert fx.at[(cur, 2023), "usd_per_unit"] == pytest.approx(usd, rel=7e-3), cur
    # The ECB stopped the rouble reference rate on 2 March 2022: no ECB mean for 2022.
    assert not fx.at[("RUB", 2022), "source_url"].startswith("https://www.ecb")


def test_carbon_intensity_table():
    c = ds.carbon_intensity().set_index("region_code")
    assert c.index.is_unique
    # Zero is a published value (OWID: Central African Republic, all hydro).
    assert (c["kg_co2_per_mwh"] >= 0).all() and (c["kg_co2_per_mwh"] < 1500).all()
    # Hydro-dominated grids are far cleaner than coal-dominated ones.
    assert c.at["NO", "kg_co2_per_mwh"] < 100 < c.at["CN", "kg_co2_per_mwh"]
    assert c.at["CA-QC", "kg_co2_per_mwh"] < c.at["CA-AB", "kg_co2_per_mwh"]
    assert {"US-WY", "CN-NM", "SE1", "FI-ZONE"} <= set(c.index)


def test_district_heating_table():
    d = ds.district_heating().set_index("country_iso2")
    assert d.index.is_unique
    shares = d["dh_share_pct"].dropna()
    assert shares.between(0, 100).all()
    # Denmark and Finland rely on district heating far more than the UK or Italy.
    assert d.at["DK", "dh_share_pct"] > 50 > d.at["GB", "dh_share_pct"]
    priced = d["heat_price_usd_per_mwh"].dropna()
    assert priced.between(20, 350).all()  # NL 2023 crisis price: 66 EUR/GJ


def test_manifest_matches_files():
    import hashlib

    for layer in ds.manifest()["layers"].values():
        for name, meta in layer["files"].items():
            digest = hashlib.sha256(ds.data_path(name).read_bytes()).hexdigest()
            assert digest == meta["sha256"], name
            assert layer["licence"] and layer["source"]


def test_loaders_return_copies():
    a = ds.electricity_prices()
    a.loc[0, "price_usd_per_mwh"] = -1
    assert (ds.electricity_prices()["price_usd_per_mwh"] > 0).all()
    c = ds.climate()
    c["t2m"][:] = 0
    assert float(abs(ds.climate()["t2m"]).max()) > 0


def test_resolve_prices_flags_every_fallback():
    r = ds.resolve_prices()
    allowed = {
        "admin1",
        "bidding_zone",
        "country",
        "fallback:country_admin1_median",
        "fallback:subregion_median",
        "none:no_price_at_any_level",
        "none:permanent_ice",
    }
    assert set(r["price_source"]) <= allowed
    # A price is never silently missing: exactly the "none:*" regions have none.
    unpriced = r["price_source"].str.startswith("none:")
    assert r.loc[unpriced, "price_usd_per_mwh"].isna().all()
    assert (r.loc[~unpriced, "price_usd_per_mwh"] > 0).all()
    by = r.set_index("iso_3166_2")
    assert by.at["US-TX", "price_source"] == "admin1"
    assert by.at["SE-BD", "price_source"] == "bidding_zone"
    assert by.at["SE-BD", "price_region_code"] == "SE1"
    assert by.at["DE-BY", "price_source"] == "country"
    # India's states without a row of their own take the national row.
    assert by.at["IN-UP", "price_source"] == "country"
    # Provenance of the row used travels with it.
    assert by.at["US-TX", "price_year"] == 2023 and by.at["US-TX", "price_basis"] == (
        "all_in_excl_vat"
    )
    assert "EIA" in by.at["US-TX", "price_citation"]
    # Copenhagen (DK-84) takes Denmark's country row: Eurostat 2025-S2, flagged doubtful.
    assert by.at["DK-84", "price_source"] == "country" and by.at["DK-84", "price_year"] == 2025
    assert by.at["DK-84", "price_flags"] == "doubtful_source"
    fallback = r["price_source"].str.startswith("fallback")
    assert (r.loc[fallback, "price_flags"] == "fallback").all()
    assert r.loc[fallback, "price_year"].isna().all()


def test_resolve_prices_admin1_median_fallback():
    # A table with rows for some Indian states only: the other states get their median.
    table = pd.DataFrame(
        {
            "region_code": ["IN-GJ", "IN-KA", "IN-MH", "DE"],
            "price_usd_per_mwh": [100.0, 90.0, 80.0, 150.0],
        }
    )
    r = ds.resolve_prices(table).set_index("iso_3166_2")
    up = r.loc["IN-UP"]
    assert up["price_source"] == "fallback:country_admin1_median"
    assert up["price_usd_per_mwh"] == pytest.approx(90.0)
    assert r.at["IN-GJ", "price_source"] == "admin1"


def test_resolve_prices_admin0_and_user_table():
    table = pd.DataFrame({"region_code": ["DE", "FR"], "price_usd_per_mwh": [100.0, 50.0]})
    r = ds.resolve_prices(table, level="admin0").set_index("iso_a2")
    assert r.at["DE", "price_usd_per_mwh"] == 100.0 and r.at["DE", "price_source"] == "country"
    # Italy has no row and no country of its sub-region (Southern Europe) has one:
    # no price at any level, so it is not ranked (formerly a global median).
    assert r.at["IT", "price_source"] == "none:no_price_at_any_level"
    assert np.isnan(r.at["IT", "price_usd_per_mwh"])
    # Belgium (Western Europe) takes the median of DE and FR.
    assert r.at["BE", "price_source"] == "fallback:subregion_median"
    assert r.at["BE", "price_usd_per_mwh"] == pytest.approx(75.0)


def test_resolve_prices_converts_a_user_table_in_another_currency():
    # 0.10 EUR/kWh in 2023 at the Federal Reserve G.5A 2023 average of 1.0817 USD/EUR.
    table = pd.DataFrame(
        {
            "region_code": ["DE"],
            "price": [0.10],
            "currency": ["EUR"],
            "unit": ["per_kWh"],
            "year": [2023],
        }
    )
    r = ds.resolve_prices(table, level="admin0").set_index("iso_a2")
    assert r.at["DE", "price_usd_per_mwh"] == pytest.approx(108.17, rel=3e-3)
    table["year"] = 1990
    with pytest.raises(InputError, match="no shipped annual exchange rate"):
        ds.resolve_prices(table)
