"""Recipe: the tabular default layers (prices, FX, district heating, bidding zones).

Inputs (all in ``grids/sources/``, typed in from the cited documents; every
row carries its source URL and a verbatim quote or table reference):

* ``electricity_prices_raw.csv``: industrial / large-consumer electricity
  prices as published (price, currency, unit, year, basis, tax basis);
* ``district_heating_raw.csv``: district-heating share of heat demand and
  a typical consumer heat price per country;
* ``bidding_zones.csv``: admin-1 regions of Denmark, Norway and Sweden mapped
  to Nord Pool bidding zones (a county-level approximation, see its notes).

Exchange rates come from the ``fx`` layer (``exchange_rates.csv``, built by
``build_fx.py`` from the ECB reference rates and the typed-in
``sources/fx_rates.csv``; build it first).

Conversion: ``price_usd_per_mwh = price * unit_factor * usd_per_unit`` with
``unit_factor`` 1000 for per_kWh, 10 for cents_per_kWh and 1 for per_MWh.
The exchange rate is the annual average of the price's year; where the table
has no rate for that year, the nearest year is used and the row is flagged
``fx_year_mismatch``; rows whose source note says DOUBTFUL are flagged
``doubtful_source``. Rows in a currency with no sourced rate are dropped and
listed in ``grids/README.md``.

Basis. The default table is on ONE declared basis, :data:`DEFAULT_BASIS`
(large industrial consumer, all-in: energy + network + non-recoverable
levies, excluding VAT). Every raw row declares its ``basis`` (one of
:data:`BASES`). Rows on a basis that leaves out a bill component are
converted by a documented rule or marked ``use = excluded`` (kept in the
table, never used by default):

* a Chinese two-part tariff (``energy_only_two_part``) whose maximum-demand
  charge ``D`` [CNY/kW-month] is quoted by the same source becomes
  ``energy + 12 * D / (LOAD_FACTOR * 8760 h)`` (``conversion`` says so); one
  without a quoted demand charge is excluded;
* a Nord Pool bidding zone (``wholesale_spot``) becomes the country's all-in
  price + (zone spot - national average spot) of the same year. No national
  average spot was found in the sources, so it is the unweighted mean of the
  country's zones of that year (flag ``national_spot_unweighted_mean``); the
  country row's flags are carried over. A zone whose country has no all-in row
  (Norway) is excluded; Finland's single zone is excluded (its country row is
  the zone);
* ``energy_only`` and ``tariff_partial`` rows are excluded.

``all_in_incl_taxes``, ``all_in_tax_unknown`` and ``unknown`` rows are kept as
flagged fallbacks (flag ``basis:<basis>``); 2022 rows are flagged
``crisis_year_2022``. Where one region has several rows, a used row beats an
excluded one, a row on the default basis beats one that is not, a row converted
by one of the rules above beats one left on another basis (a published two-part
tariff with its demand charge beats a press quote of unstated basis), a row
without ``doubtful_source`` beats a doubtful one, then the most recent year
wins, then the first listed.

Outputs (``src/computeatlas/data/``): ``electricity_prices.csv``,
``district_heating.csv``, ``bidding_zones.csv``.
"""

from __future__ import annotations

import sys

import numpy as np
import pandas as pd

from _common import OUT, SOURCES_DIR
from _writers import write_csv

UNIT_FACTOR = {"per_kWh": 1000.0, "cents_per_kWh": 10.0, "per_MWh": 1.0}

#: The one declared basis of the default price table.
DEFAULT_BASIS = "all_in_excl_vat"
#: Machine-readable price bases a raw row may declare.
BASES = (
    "all_in_excl_vat",  # energy + network + non-recoverable levies, excl. VAT
    "all_in_incl_taxes",  # the same including VAT/all taxes (e.g. GlobalPetrolPrices)
    "all_in_tax_unknown",  # all bill components, tax treatment not stated
    "wholesale_spot",  # day-ahead spot, energy only
    "energy_only",  # energy component only (no network charges)
    "energy_only_two_part",  # energy charge of a two-part tariff, demand charge extra
    "tariff_partial",  # a tariff that leaves out a stated component (fuel surcharge, ...)
    "unknown",
)
#: Bases never used by default unless a rule converts the row.
EXCLUDED_BASES = ("wholesale_spot", "energy_only", "energy_only_two_part", "tariff_partial")
#: Annual load factor (energy / (maximum demand x 8760 h)) used to spread a demand
#: charge over the kWh of a large data centre: a computeatlas assumption (an IT
#: load near its peak all year plus cooling), stated here and in grids/README.md.
LOAD_FACTOR = 0.8
HOURS_PER_YEAR = 8760.0

#: Heat-price units as typed in district_heating_raw.csv -> factor to "per MWh".
HEAT_UNIT_FACTOR = {
    "EUR/MWh": 1.0,
    "SEK/MWh": 1.0,
    "EUR/GJ": 3.6,  # 1 MWh = 3.6 GJ
    "EUR cent/kWh": 10.0,
    "ore/kWh (NOK 0.01 per kWh)": 10.0,
    # Annual bill of the Danish standard house, which the source defines as 18.1 MWh/yr.
    "DKK/year for standard 130 m2 house (18.1 MWh/yr)": 1.0 / 18.1,
}

PRICE_COLUMNS = [
    "region_code",
    "level",
    "country_iso2",
    "region_name",
    "price_usd_per_mwh",
    "price",
    "currency",
    "unit",
    "year",
    "fx_usd_per_unit",
    "fx_year",
    "fx_source",
    "price_basis",
    "tax_basis",
    "basis",
    "basis_as_published",
    "conversion",
    "use",
    "consumer_class",
    "flags",
    "source_name",
    "source_url",
    "source_detail",
]


def fx_table(out_dir=OUT) -> pd.DataFrame:
    """Return the exchange-rate layer (``exchange_rates.csv``); USD needs no row."""
    path = out_dir / "exchange_rates.csv"
    return pd.read_csv(path if path.exists() else OUT / "exchange_rates.csv")


def lookup_fx(fx: pd.DataFrame, currency: str, year: int) -> tuple[float, int, str] | None:
    if currency == "USD":
        return 1.0, year, ""
    rows = fx[fx["currency"] == currency]
    if rows.empty:
        return None
    dist = (rows["year"] - year).abs()
    best = rows.loc[dist.sort_values(kind="stable").index[0]]
    return float(best["usd_per_unit"]), int(best["year"]), str(best["source_name"])


def _row_flags(r, fx_year: int) -> list[str]:
    flags = []
    if fx_year != int(r["year"]) and r["currency"] != "USD":
        flags.append("fx_year_mismatch")
    if int(r["year"]) < 2020:
        flags.append("old_year")
    if int(r["year"]) == 2022:
        flags.append("crisis_year_2022")
    if "DOUBTFUL" in str(r["source_detail"]):
        flags.append("doubtful_source")
    return flags


def _convert_rows(raw: pd.DataFrame, fx: pd.DataFrame) -> tuple[list[dict], list[str]]:
    """Price every raw row in USD/MWh on its published basis (no conversion yet)."""
    rows, dropped = [], []
    for _, r in raw.iterrows():
        if r["unit"] not in UNIT_FACTOR:
            raise RuntimeError(f"{r['region_code']}: unknown unit {r['unit']!r}")
        if r["basis"] not in BASES:
            raise RuntimeError(f"{r['region_code']}: unknown basis {r['basis']!r}")
        hit = lookup_fx(fx, r["currency"], int(r["year"]))
        if hit is None:
            dropped.append(f"{r['region_code']} ({r['currency']} {r['year']})")
            continue
        rate, fx_year, fx_source = hit
        out = r.to_dict()
        out.update(
            price_usd_per_mwh=float(r["price"]) * UNIT_FACTOR[r["unit"]] * rate,
            fx_usd_per_unit=rate,
            fx_year=fx_year,
            fx_source=fx_source,
            flags=_row_flags(r, fx_year),
            basis_as_published=r["basis"],
            conversion="",
            use="default",
        )
        rows.append(out)
    return rows, dropped


def _two_part(row: dict) -> None:
    """Energy charge + maximum-demand charge spread at :data:`LOAD_FACTOR`."""
    demand = row.get("demand_charge_per_kw_month")
    if pd.isna(demand) or str(demand).strip() == "":
        row["use"] = "excluded"
        row["flags"].append("no_demand_charge_in_source")
        return
    per_kwh = 12.0 * float(demand) / (LOAD_FACTOR * HOURS_PER_YEAR)  # currency/kWh
    row["price_usd_per_mwh"] += per_kwh * 1000.0 * row["fx_usd_per_unit"]
    row["basis"] = "all_in_tax_unknown"
    row["conversion"] = (
        f"energy charge + maximum-demand charge {float(demand):g} {row['currency']}/kW-month "
        f"x 12 / ({LOAD_FACTOR:g} load factor x 8760 h)"
    )


def _zone(row: dict, rows: list[dict]) -> None:
    """Country all-in price + (zone spot - national average spot) of the same year."""
    cc, year = row["country_iso2"], int(row["year"])
    country = [
        r
        for r in rows
        if r["level"] == "country" and r["region_code"] == cc and r["basis"] == DEFAULT_BASIS
    ]
    zones = [
        r
        for r in rows
        if r["level"] == "bidding_zone" and r["country_iso2"] == cc and int(r["year"]) == year
    ]
    if cc == "FI" or not country or len(zones) < 2:
        row["use"] = "excluded"
        row["flags"].append("single_zone_country" if cc == "FI" else "no_all_in_country_row")
        return
    base = sorted(country, key=lambda r: -int(r["year"]))[0]
    mean_spot = float(np.mean([r["spot_usd_per_mwh"] for r in zones]))
    row["price_usd_per_mwh"] = base["price_usd_per_mwh"] + row["spot_usd_per_mwh"] - mean_spot
    row["basis"] = DEFAULT_BASIS
    row["flags"] += ["national_spot_unweighted_mean"] + [
        f for f in base["flags"] if f not in row["flags"]
    ]
    if int(base["year"]) != year:
        row["flags"].append("zone_spread_year_differs")
    row["conversion"] = (
        f"{cc} all-in {base['price_usd_per_mwh']:.2f} USD/MWh ({base['year']}) + zone spot "
        f"{row['spot_usd_per_mwh']:.2f} - unweighted mean of {len(zones)} {cc} zones "
        f"{mean_spot:.2f} USD/MWh ({year})"
    )


def _apply_basis_rules(rows: list[dict]) -> None:
    for r in rows:
        r["spot_usd_per_mwh"] = r["price_usd_per_mwh"]
    for r in rows:
        if r["basis"] == "energy_only_two_part":
            _two_part(r)
        elif r["basis"] == "wholesale_spot":
            _zone(r, rows)
        elif r["basis"] in EXCLUDED_BASES:
            r["use"] = "excluded"
        if r["basis"] != DEFAULT_BASIS:
            r["flags"].append(f"basis:{r['basis']}")
        if r["use"] == "excluded":
            r["flags"].append("not_default_basis")


def build_prices(out_dir=OUT):
    raw = pd.read_csv(SOURCES_DIR / "electricity_prices_raw.csv", dtype={"year": int})
    rows, dropped = _convert_rows(raw, fx_table(out_dir))
    _apply_basis_rules(rows)
    for r in rows:
        r["price_usd_per_mwh"] = round(r["price_usd_per_mwh"], 2)
        r["flags"] = ";".join(r["flags"])
    df = pd.DataFrame(rows)[PRICE_COLUMNS]
    df["_order"] = np.arange(len(df))
    df["_excluded"] = df["use"] == "excluded"
    df["_other_basis"] = df["basis"] != DEFAULT_BASIS
    df["_unconverted"] = df["_other_basis"] & (df["conversion"].fillna("") == "")
    df["_doubtful"] = df["flags"].str.contains("doubtful_source")
    keys = ["_excluded", "_other_basis", "_unconverted", "_doubtful"]
    df = df.sort_values(
        ["region_code", *keys, "year", "_order"],
        ascending=[True, True, True, True, True, False, True],
    )
    df = df.drop_duplicates("region_code", keep="first")
    df = df.drop(columns=["_order", *keys])
    df = df.sort_values(["level", "region_code"]).reset_index(drop=True)
    if (df["price_usd_per_mwh"] <= 0).any():
        raise RuntimeError("non-positive price after conversion")
    write_csv(df, out_dir / "electricity_prices.csv")
    # Report only regions left without any row (another row may have covered one).
    kept = set(df["region_code"])
    return [d for d in dropped if d.split(" ", 1)[0] not in kept]


def build_district_heating(out_dir=OUT):
    raw = pd.read_csv(SOURCES_DIR / "district_heating_raw.csv")
    fx = fx_table(out_dir)
    usd = []
    for _, r in raw.iterrows():
        if pd.isna(r["heat_price"]):
            usd.append(np.nan)
            continue
        factor = HEAT_UNIT_FACTOR[r["heat_price_unit"]]
        rate, _year, _src = lookup_fx(fx, r["heat_price_currency"], int(r["heat_price_year"]))
        usd.append(round(float(r["heat_price"]) * factor * rate, 2))
    raw.insert(raw.columns.get_loc("heat_price"), "heat_price_usd_per_mwh", usd)
    raw = raw.sort_values("country_iso2").reset_index(drop=True)
    write_csv(raw, out_dir / "district_heating.csv")


def build_bidding_zones(out_dir=OUT):
    df = pd.read_csv(SOURCES_DIR / "bidding_zones.csv").sort_values("admin1_iso")
    write_csv(df.reset_index(drop=True), out_dir / "bidding_zones.csv")


def build(out_dir=OUT):
    dropped = build_prices(out_dir)
    build_district_heating(out_dir)
    build_bidding_zones(out_dir)
    if dropped:
        print(
            "price rows dropped (no sourced exchange rate): " + ", ".join(dropped), file=sys.stderr
        )
    return out_dir


if __name__ == "__main__":
    print(build())
