"""Resolve an electricity price for every region, with documented, flagged fallbacks.

Rule (in this order, first hit wins), for each admin-1 region:

1. a row for the region's ISO 3166-2 code (``level == "admin1"``);
2. a row for the Nord Pool bidding zone the region belongs to
   (:func:`~computeatlas.datasets.bidding_zones`);
3. a row for the country (ISO 3166-1 alpha-2);
4. ``fallback:country_admin1_median``: the median of the country's own
   admin-1 rows (e.g. Indian states with a row stand in for the others);
5. ``fallback:subregion_median``: the median of the country prices of the
   country's UN sub-region (Natural Earth ``subregion``);
6. ``fallback:global_median``: the median of all country prices.

A price is never silently zero: every result says which rule produced it
(``price_source``) and which row (``price_region_code``).
"""

from __future__ import annotations

from functools import cache
from typing import Any

import numpy as np
import pandas as pd

from computeatlas.datasets import _shipped
from computeatlas.datasets.readers import read_price_table

__all__ = ["resolve_carbon", "resolve_prices"]


def _country_values(table: pd.DataFrame, countries: pd.DataFrame) -> pd.DataFrame:
    """Price per country code with the rule that produced it (rules 3-6)."""
    direct = table[table["level"] == "country"].set_index("region_code")["price_usd_per_mwh"]
    sub = table[table["level"] == "admin1"].copy()
    sub["cc"] = sub["region_code"].str.slice(0, 2)
    admin1_median = sub.groupby("cc")["price_usd_per_mwh"].median()
    out = countries[["iso_a2", "subregion"]].copy()
    out = out[out["iso_a2"] != ""].drop_duplicates("iso_a2").set_index("iso_a2")
    out["price_usd_per_mwh"] = np.nan
    out["price_source"] = ""
    out["price_region_code"] = ""
    has = out.index.intersection(direct.index)
    out.loc[has, "price_usd_per_mwh"] = direct.loc[has].values
    out.loc[has, "price_source"] = "country"
    out.loc[has, "price_region_code"] = has
    todo = out["price_source"] == ""
    med = out.index[todo].intersection(admin1_median.index)
    out.loc[med, "price_usd_per_mwh"] = admin1_median.loc[med].values
    out.loc[med, "price_source"] = "fallback:country_admin1_median"
    out.loc[med, "price_region_code"] = med
    known = out[out["price_source"] == "country"]
    sub_median = known.groupby("subregion")["price_usd_per_mwh"].median()
    global_median = float(known["price_usd_per_mwh"].median()) if len(known) else np.nan
    for cc in out.index[out["price_source"] == ""]:
        region = str(out.at[cc, "subregion"])
        if region in sub_median.index:
            out.at[cc, "price_usd_per_mwh"] = float(sub_median.loc[region])
            out.at[cc, "price_source"] = "fallback:subregion_median"
            out.at[cc, "price_region_code"] = str(region)
        else:
            out.at[cc, "price_usd_per_mwh"] = global_median
            out.at[cc, "price_source"] = "fallback:global_median"
            out.at[cc, "price_region_code"] = "world"
    return out


def resolve_prices(prices: pd.DataFrame | str | None = None, *, level: str = "admin1") -> Any:
    """Assign an electricity price [USD/MWh] to every admin-1 region or country.

    Parameters
    ----------
    prices : pandas.DataFrame, path or None
        A price table (see :func:`~computeatlas.datasets.read_price_table`); the
        shipped :func:`~computeatlas.datasets.electricity_prices` when None. Rows
        given as ``price, currency, unit, year`` are converted with the shipped
        annual-average rate of their year (``fx="shipped"``); convert first with
        ``read_price_table(..., fx={...})`` to use other rates.
    level : {"admin1", "admin0"}, default "admin1"
        Resolve for admin-1 regions or for countries.

    Returns
    -------
    geopandas.GeoDataFrame
        The region layer with ``price_usd_per_mwh`` [USD/MWh],
        ``price_source`` (the rule that produced it, see module notes) and
        ``price_region_code`` (the row used).
    """
    from computeatlas.errors import InputError

    if level not in ("admin1", "admin0"):
        raise InputError(f"level must be 'admin1' or 'admin0', got {level!r}")
    if prices is None:
        return _resolve_default(level).copy()
    return _resolve(read_price_table(prices, fx="shipped"), level)


@cache
def _resolve_default(level: str) -> Any:
    return _resolve(_shipped.electricity_prices(), level)


def _resolve(table: pd.DataFrame, level: str) -> Any:
    countries = _shipped.countries()
    by_country = _country_values(table, countries)
    if level == "admin0":
        out = countries.merge(
            by_country[["price_usd_per_mwh", "price_source", "price_region_code"]],
            left_on="iso_a2",
            right_index=True,
            how="left",
        )
        missing = out["price_source"].isna()
        out.loc[missing, "price_usd_per_mwh"] = float(
            by_country.loc[by_country["price_source"] == "country", "price_usd_per_mwh"].median()
        )
        out.loc[missing, "price_source"] = "fallback:global_median"
        out.loc[missing, "price_region_code"] = "world"
        return out
    regions = _shipped.admin1()
    admin1_rows = table[table["level"] == "admin1"].set_index("region_code")["price_usd_per_mwh"]
    zone_rows = table[table["level"] == "bidding_zone"].set_index("region_code")[
        "price_usd_per_mwh"
    ]
    zones = _shipped.bidding_zones().set_index("admin1_iso")["zone"]
    price = np.full(len(regions), np.nan)
    source = np.empty(len(regions), dtype=object)
    code = np.empty(len(regions), dtype=object)
    for i, (iso2, cc) in enumerate(zip(regions["iso_3166_2"], regions["iso_a2"], strict=True)):
        if iso2 and iso2 in admin1_rows.index:
            price[i], source[i], code[i] = admin1_rows[iso2], "admin1", iso2
        elif iso2 and iso2 in zones.index and zones[iso2] in zone_rows.index:
            zone = zones[iso2]
            price[i], source[i], code[i] = zone_rows[zone], "bidding_zone", zone
        elif cc in by_country.index:
            row = by_country.loc[cc]
            price[i], source[i], code[i] = (
                row["price_usd_per_mwh"],
                row["price_source"],
                row["price_region_code"],
            )
        else:
            known = by_country[by_country["price_source"] == "country"]["price_usd_per_mwh"]
            price[i], source[i], code[i] = float(known.median()), "fallback:global_median", "world"
    out = regions.copy()
    out["price_usd_per_mwh"] = price
    out["price_source"] = source
    out["price_region_code"] = code
    return out


def resolve_carbon() -> Any:
    """Grid carbon intensity [kgCO2/MWh] for every admin-1 region.

    Rule: the region's own row (US states, Chinese and Canadian provinces), then
    its Nordic bidding zone, then its country; NaN where none exists (the
    column ``carbon_source`` says which rule applied, or ``missing``).

    Returns
    -------
    geopandas.GeoDataFrame
        The admin-1 layer with ``carbon_kg_per_mwh`` and ``carbon_source``.
    """
    table = _shipped.carbon_intensity()
    regions = _shipped.admin1()
    by_code = table.set_index("region_code")["kg_co2_per_mwh"]
    zones = _shipped.bidding_zones().set_index("admin1_iso")["zone"]
    values = np.full(len(regions), np.nan)
    source = np.full(len(regions), "missing", dtype=object)
    for i, (iso2, cc) in enumerate(zip(regions["iso_3166_2"], regions["iso_a2"], strict=True)):
        zone = zones.get(iso2) if iso2 else None
        if zone == "FI":
            zone = "FI-ZONE"
        for code, rule in ((iso2, "admin1"), (zone, "bidding_zone"), (cc, "country")):
            if code and code in by_code.index:
                values[i], source[i] = float(by_code[code]), rule
                break
    out = regions.copy()
    out["carbon_kg_per_mwh"] = values
    out["carbon_source"] = source
    return out
