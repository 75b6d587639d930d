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
listed in ``grids/README.md``. Where one region has several rows, a row
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


def build_prices(out_dir=OUT):
    raw = pd.read_csv(SOURCES_DIR / "electricity_prices_raw.csv", dtype={"year": int})
    fx = fx_table(out_dir)
    rows, dropped = [], []
    for _, r in raw.iterrows():
        if r["unit"] not in UNIT_FACTOR:
            raise RuntimeError(f"{r['region_code']}: unknown unit {r['unit']!r}")
        hit = lookup_fx(fx, r["currency"], int(r["year"]))
        if hit is None:
            dropped.append(f"{r['region_code']} ({r['currency']} {r['year']})")
            continue
        rate, fx_year, fx_source = hit
        flags = []
        if fx_year != int(r["year"]) and r["currency"] != "USD":
            flags.append("fx_year_mismatch")
        if int(r["year"]) < 2020:
            flags.append("old_year")
        if "wholesale" in str(r["price_basis"]).lower():
            flags.append("wholesale_only")
        if "DOUBTFUL" in str(r["source_detail"]):
            flags.append("doubtful_source")
        out = r.to_dict()
        out.update(
            price_usd_per_mwh=round(float(r["price"]) * UNIT_FACTOR[r["unit"]] * rate, 2),
            fx_usd_per_unit=rate,
            fx_year=fx_year,
            fx_source=fx_source,
            flags=";".join(flags),
        )
        rows.append(out)
    df = pd.DataFrame(rows)[PRICE_COLUMNS]
    df["_order"] = np.arange(len(df))
    df["_doubtful"] = df["flags"].str.contains("doubtful_source")
    df = df.sort_values(
        ["region_code", "_doubtful", "year", "_order"], ascending=[True, True, False, True]
    )
    df = df.drop_duplicates("region_code", keep="first").drop(columns=["_order", "_doubtful"])
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
