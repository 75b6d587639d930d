"""Prices on one declared basis, provenance with the answer, user overlays, unhostable land."""

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import computeatlas
from computeatlas import datasets as ds
from computeatlas.errors import ComputeAtlasWarning, InputError

EAST_ASIA = (95, 18, 150, 55)
METROS = ["Beijing", "Shanghai", "Seoul", "Tokyo"]
BASES = {
    "all_in_excl_vat",
    "all_in_incl_taxes",
    "all_in_tax_unknown",
    "wholesale_spot",
    "energy_only",
    "energy_only_two_part",
    "tariff_partial",
    "unknown",
}


RAW_PRICES = Path(__file__).parents[1] / "grids" / "sources" / "electricity_prices_raw.csv"


def _rate(currency, year):
    return float(
        ds.exchange_rates().set_index(["currency", "year"]).at[(currency, year), "usd_per_unit"]
    )


def test_every_row_declares_its_basis_and_off_basis_rows_are_flagged():
    p = ds.electricity_prices()
    assert set(p["basis"]) <= BASES and set(p["basis_as_published"]) <= BASES
    assert set(p["use"]) == {"default", "excluded"}
    flags = p["flags"].fillna("")
    off = p["basis"] != "all_in_excl_vat"
    assert flags[off].str.contains("basis:").all()
    assert not flags[~off].str.contains("basis:").any()
    # Energy-only bases are never used by default unless a rule converted them.
    energy_only = {"wholesale_spot", "energy_only", "energy_only_two_part", "tariff_partial"}
    assert (p.loc[p["basis"].isin(energy_only), "use"] == "excluded").all()
    assert (p.loc[p["conversion"].notna(), "use"] == "default").all()
    # Every 2022 row (the energy-crisis year) says so.
    assert flags[p["year"] == 2022].str.contains("crisis_year_2022").all()
    by = p.set_index("region_code")
    assert by.at["CH", "basis"] == "all_in_incl_taxes"  # GlobalPetrolPrices June 2022
    assert by.at["NO4", "use"] == "excluded"  # Norway has no all-in country row


def test_excluded_rows_are_not_used():
    r = ds.resolve_prices().set_index("iso_3166_2")
    # Nordland lies in NO4 (spot only, no all-in Norwegian row): a flagged fallback.
    assert r.at["NO-18", "price_source"] == "fallback:subregion_median"
    # Beijing's July 2024 two-part energy charge lacks its demand charge (excluded); the
    # April 2025 row with its demand charge is used instead (a used row beats an excluded).
    raw = pd.read_csv(RAW_PRICES)
    bj = raw[(raw["region_code"] == "CN-BJ") & (raw["year"] == 2024)]
    assert len(bj) == 1 and pd.isna(bj["demand_charge_per_kw_month"].iloc[0])
    assert r.at["CN-BJ", "price_source"] == "admin1" and r.at["CN-BJ", "price_year"] == 2025


@pytest.mark.parametrize(
    ("cc", "eur_per_mwh", "gpp_2022_eur_per_kwh"),
    [("DK", 121.6, 0.322), ("PL", 193.5, 0.251), ("RO", 188.7, 0.203), ("GR", 173.8, 0.117)],
)
def test_crisis_year_rows_replaced_by_eurostat_2025(cc, eur_per_mwh, gpp_2022_eur_per_kwh):
    # Eurostat nrg_pc_205, 2025-S2, band IC, excl. VAT, as printed in the stored country
    # reports (grids/sources/electricity_prices_raw.csv); GlobalPetrolPrices June 2022
    # business prices incl. taxes (the rows they replace) stay in the raw table.
    p = ds.electricity_prices().set_index("region_code")
    assert p.at[cc, "year"] == 2025 and p.at[cc, "basis"] == "all_in_excl_vat"
    assert p.at[cc, "price_usd_per_mwh"] == pytest.approx(
        eur_per_mwh * _rate("EUR", 2025), abs=0.01
    )
    assert p.at[cc, "flags"] == "doubtful_source"
    raw = pd.read_csv(RAW_PRICES)
    old = raw[(raw["region_code"] == cc) & (raw["year"] == 2022)]
    assert list(old["price"]) == [gpp_2022_eur_per_kwh]


def test_bidding_zone_rule_from_the_published_numbers():
    # zone = country all-in + (zone spot - national average spot), same year (DOMAIN.md 6).
    # Sweden: Eurostat nrg_pc_205 2025-S2 97.0 EUR/MWh excl. VAT; Nord Pool 2023 spot
    # (elmarknad.se) SE1..SE4 = 45.65, 45.66, 59.14, 74.26 ore/kWh; national average =
    # their unweighted mean (no published national average in the sources).
    spot = {"SE1": 45.65, "SE2": 45.66, "SE3": 59.14, "SE4": 74.26}
    mean = sum(spot.values()) / 4
    country = 97.0 * _rate("EUR", 2025)
    p = ds.electricity_prices().set_index("region_code")
    for zone, ore in spot.items():
        expected = country + (ore - mean) * 10.0 * _rate("SEK", 2023)
        assert p.at[zone, "price_usd_per_mwh"] == pytest.approx(expected, abs=0.02), zone
        assert p.at[zone, "basis"] == "all_in_excl_vat"
        assert "national_spot_unweighted_mean" in p.at[zone, "flags"]
    # The spread keeps the zones' order and their mean equals the country price.
    zones = p.loc[list(spot), "price_usd_per_mwh"]
    assert zones.mean() == pytest.approx(country, abs=0.02)


def test_two_part_tariff_rule_from_the_published_numbers():
    # Zhejiang June 2025 110 kV two-part energy charge + maximum-demand charge
    # 41.6 CNY/kW-month at a load factor of 0.8: 41.6 * 12 / (0.8 * 8760) = 0.07123 CNY/kWh.
    p = ds.electricity_prices().set_index("region_code")
    zj = p.loc["CN-ZJ"]
    assert zj["unit"] == "per_kWh" and zj["currency"] == "CNY"
    expected = (zj["price"] + 0.0712329) * 1000 * zj["fx_usd_per_unit"]
    assert zj["price_usd_per_mwh"] == pytest.approx(expected, abs=0.01)
    assert zj["basis_as_published"] == "energy_only_two_part"
    assert "41.6 CNY/kW-month" in zj["conversion"]


@pytest.mark.parametrize(
    ("code", "energy_cny_per_kwh", "demand_cny_per_kw_month"),
    [
        ("CN-GZ", 0.583744, 31.0),  # Guizhou June 2025, 110 kV
        ("CN-JS", 0.5999, 44.8),  # Jiangsu June 2025, 110 kV
        ("CN-BJ", 0.61971175, 48.0),  # Beijing April 2025, 35-110 kV
        ("CN-SD", 0.67486875, 35.2),  # Shandong March 2025, 35 to below 110 kV
        ("CN-NM", 0.442525, 31.2),  # Inner Mongolia (Mengxi grid) June 2025, 110 kV
    ],
)
def test_provincial_tariff_notices_2025(code, energy_cny_per_kwh, demand_cny_per_kw_month):
    # The values of the provincial agency-purchase tariff notices (source register
    # qrlow/compute-cost-curve, audit/source-verification.csv), converted by hand:
    # energy + D * 12 / (0.8 * 8760 h), at the 2025 CNY rate.
    p = ds.electricity_prices().set_index("region_code")
    row = p.loc[code]
    all_in = energy_cny_per_kwh + demand_cny_per_kw_month * 12 / (0.8 * 8760)
    expected = all_in * 1000 * _rate("CNY", 2025)
    assert row["year"] == 2025 and row["basis"] == "all_in_tax_unknown"
    assert row["price_usd_per_mwh"] == pytest.approx(expected, abs=0.01)
    # A converted tariff beats the older press quotes of unknown basis (Guizhou 2021
    # 0.35 CNY/kWh, Inner Mongolia 2022 0.45 CNY/kWh), which stay in the raw table.
    assert "doubtful_source" in row["flags"]


def test_user_rows_overlay_the_shipped_table():
    user = pd.DataFrame(
        {
            "region_code": ["CN-LN", "CN-JL", "CN-HL", "CN-NM"],
            "price_usd_per_mwh": [61.0, 62.0, 63.0, 64.0],
        }
    )
    r = ds.resolve_prices(ds.price_table(user)).set_index("iso_3166_2")
    shipped = ds.resolve_prices().set_index("iso_3166_2")
    assert r.at["CN-LN", "price_usd_per_mwh"] == 61.0
    assert r.at["CN-NM", "price_flags"] == "user_table"
    for other in ("CN-GD", "CN-ZJ", "CN-BJ", "JP-13", "KR-11", "US-TX"):
        assert r.at[other, "price_usd_per_mwh"] == shipped.at[other, "price_usd_per_mwh"]
        assert r.at[other, "price_source"] == shipped.at[other, "price_source"]
    # "replace" keeps the old behaviour: the user's table alone.
    alone = ds.resolve_prices(ds.price_table(user, "replace")).set_index("iso_3166_2")
    assert np.isnan(alone.at["JP-13", "price_usd_per_mwh"])
    assert alone.at["CN-GD", "price_source"] == "fallback:country_admin1_median"
    with pytest.raises(InputError, match="prices_mode"):
        ds.price_table(user, "merge")


def test_east_asia_ranking_keeps_japan_and_korea_with_a_user_table():
    user = pd.DataFrame(
        {
            "region_code": ["CN-LN", "CN-JL", "CN-HL", "CN-NM"],
            "price_usd_per_mwh": [61.0, 62.0, 63.0, 64.0],
        }
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ComputeAtlasWarning)
        r = computeatlas.rank_sites(EAST_ASIA, METROS, max_rtt_ms=40, prices=user, top=20)
    countries = set(r.regions("admin0")["iso_a2"])
    assert {"JP", "KR", "CN"} <= countries
    prov = r.regions("admin1").set_index("iso_3166_2")
    assert prov.at["CN-HE", "price_region_code"] == "CN-HE"  # shipped Hebei row kept
    assert prov.at["CN-LN", "price_flags"] == "user_table"
    assert r.grid.attrs["prices"] == "user, overlay"
    sites = r.sites
    for col in ("priced_by", "price_source", "price_year", "price_basis", "price_flags"):
        assert col in sites.columns


def test_fallback_warning_names_the_countries():
    # Mongolia has no price row: Eastern Asia's median prices it.
    with pytest.warns(ComputeAtlasWarning, match=r"priced by a fallback median.*Mongolia"):
        r = computeatlas.rank_sites((100, 44, 112, 50), [(47.92, 106.92)], max_rtt_ms=15, top=5)
    reg = r.regions("admin0").set_index("iso_a2")
    assert reg.at["MN", "priced_by"] == "fallback" and np.isnan(reg.at["MN", "price_year"])
    assert reg.at["RU", "priced_by"] == "country" and reg.at["RU", "price_year"] == 2022
    # A ranking priced from rows does not warn.
    with warnings.catch_warnings():
        warnings.simplefilter("error", ComputeAtlasWarning)
        computeatlas.rank_sites((-100, 30, -94, 36), ["Dallas"], max_rtt_ms=15, top=5)


def test_antarctica_and_unpriced_land_are_not_ranked():
    a0 = ds.resolve_prices(level="admin0").set_index("iso_a2")
    assert a0.at["AQ", "price_source"] == "none:permanent_ice"
    assert np.isnan(a0.at["AQ", "price_usd_per_mwh"])
    # Northern Africa has one country row (Egypt): one price is not a sub-region median.
    assert a0.at["DZ", "price_source"] == "none:no_price_at_any_level"
    # Eastern Asia has six: Mongolia takes their median (CN, HK, JP, KR, MO, TW rows).
    rows = a0.loc[["CN", "HK", "JP", "KR", "MO", "TW"], "price_usd_per_mwh"]
    assert a0.at["MN", "price_usd_per_mwh"] == pytest.approx(float(np.median(rows)))
    rep = computeatlas.site_report([(-80.0, 0.0), (-75.1, 123.3), (48.1, 11.6)])
    assert list(rep["priced_by"]) == ["none", "none", "country"]
    assert rep["score_usd_per_mwh_it"].isna().tolist() == [True, True, False]
    assert list(rep["price_source"][:2]) == ["none:permanent_ice"] * 2


def test_prices_mode_is_checked_by_both_samplers():
    for call in (
        lambda: computeatlas.site_report([(48.1, 11.6)], prices_mode="merge"),
        lambda: computeatlas.rank_sites((5, 45, 15, 50), ["Munich"], prices_mode="merge"),
    ):
        with pytest.raises(InputError, match="prices_mode must be 'overlay' or 'replace'"):
            call()


def test_cli_prints_the_fallback_warning_as_one_line(capsys):
    from computeatlas.cli import main

    args = ["rank", "--bbox", "100,44,112,50", "--metros", "Ulan Bator", "--max-rtt", "15"]
    assert main([*args, "--top", "3", "--quiet"]) == 0
    err = capsys.readouterr().err
    line = [x for x in err.splitlines() if x.startswith("computeatlas: warning:")]
    assert len(line) == 1 and "Mongolia" in line[0]


def test_greenland_ice_sheet_is_not_ranked():
    import pyproj

    # NASA (climate.nasa.gov, "About Greenland"): the ice sheet covers 1.7 million km2.
    area = abs(pyproj.Geod(ellps="WGS84").geometry_area_perimeter(ds.permanent_ice())[0])
    assert area / 1e6 == pytest.approx(1.7e6, rel=0.05)
    # Summit Station (72.58 N, 38.46 W) is on the ice; Nuuk (64.18 N, 51.72 W) is not.
    rep = computeatlas.site_report([(72.58, -38.46), (64.18, -51.72)])
    assert list(rep["price_source"]) == ["none:permanent_ice", "fallback:subregion_median"]
    assert np.isnan(rep.at[0, "score_usd_per_mwh_it"]) and rep.at[0, "price_flags"] == ""
    assert np.isfinite(rep.at[1, "score_usd_per_mwh_it"])
