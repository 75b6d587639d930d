"""Resolve an electricity price for every region, with documented, flagged fallbacks.

Rule (in this order, first hit wins), for each admin-1 region:

1. a row for the region's ISO 3166-2 code (``level == "admin1"``);
2. a row for the Nord Pool bidding zone the region belongs to
   (:func:`~computeatlas.datasets.bidding_zones`);
3. a row for the country (ISO 3166-1 alpha-2);
4. ``fallback:country_admin1_median``: the median of the country's own
   admin-1 rows (e.g. Indian states with a row stand in for the others);
5. ``fallback:subregion_median``: the median of the country prices of the
   country's UN sub-region (Natural Earth ``subregion``), when at least
   :data:`MIN_SUBREGION_ROWS` countries of it have a row;
6. otherwise no price (``none:no_price_at_any_level``): the region is not
   ranked. Antarctica (ISO ``AQ``, permanent ice) never has a price
   (``none:permanent_ice``).

Rows of the shipped table marked ``use == "excluded"`` (a basis that leaves out
part of the bill and that no documented rule converts, see ``grids/README.md``)
are never used. Every result says which rule produced it (``price_source``),
which row (``price_region_code``) and that row's ``price_year``,
``price_basis``, ``price_flags`` and ``price_citation`` (its source).

A user table overlays the shipped one (:func:`price_table`): a user row
replaces the shipped row of the same level and region code; every other
region keeps its shipped row. ``mode="replace"`` uses the user table alone.
"""

from __future__ import annotations

from functools import cache
from typing import Any

import numpy as np
import pandas as pd

from computeatlas.datasets import _shipped
from computeatlas.datasets.readers import read_price_table

__all__ = ["PRICE_MODES", "price_table", "resolve_carbon", "resolve_prices"]

#: How a user price table combines with the shipped one (:func:`price_table`).
PRICE_MODES = ("overlay", "replace")
#: Provenance columns of a resolved price (besides ``price_source``/``price_region_code``).
META = ("price_year", "price_basis", "price_flags", "price_citation")
#: Countries whose land cannot host a data centre: permanent ice.
UNHOSTABLE = {"AQ": "none:permanent_ice"}
_NO_PRICE = "none:no_price_at_any_level"
#: A sub-region median needs at least this many country rows (one country's price is
#: not a median: Northern Africa's only row, Egypt, would price Algeria and Morocco).
MIN_SUBREGION_ROWS = 2


def user_price_table(prices: Any) -> pd.DataFrame:
    """Read the ``prices`` argument once and check that its rows match known regions.

    Parameters
    ----------
    prices : pandas.DataFrame or path
        See :func:`computeatlas.datasets.read_price_table`.

    Returns
    -------
    pandas.DataFrame
        The validated table, prices in USD/MWh.

    Raises
    ------
    InputError
        Naming ``prices``: an unreadable or invalid table, or one whose rows
        match no country, admin-1 region or bidding zone (every cell would
        fall back to no price at all).

    Warns
    -----
    ComputeAtlasWarning
        Listing the rows that match no region (they are ignored).
    """
    import warnings

    from computeatlas.errors import ComputeAtlasWarning, InputError

    try:
        table = read_price_table(prices, fx="shipped")
    except InputError as err:
        raise type(err)(f"prices: {err}") from err
    countries = set(_shipped.region_attributes("admin0")["iso_a2"])
    known = {
        "country": countries,
        "admin1": set(_shipped.region_attributes("admin1")["iso_3166_2"]),
        "bidding_zone": set(_shipped.bidding_zones()["zone"]),
    }
    codes, levels = table["region_code"].to_numpy(str), table["level"].to_numpy(str)
    used = np.array(
        [
            c in known[lv] or (lv == "admin1" and c[:2] in countries)
            for c, lv in zip(codes, levels, strict=True)
        ]
    )
    if not used.any():
        raise InputError(
            f"prices: no row matches a known region (codes {sorted(map(str, codes))[:5]}); use ISO "
            "3166-1 alpha-2 country codes ('DE'), ISO 3166-2 codes ('US-TX') or bidding "
            "zones ('SE3')"
        )
    if not used.all():
        warnings.warn(
            f"prices: {int((~used).sum())} row(s) match no known region and are ignored: "
            f"{sorted(map(str, codes[~used]))[:5]}",
            ComputeAtlasWarning,
            stacklevel=3,
        )
    return table


def price_table(prices: pd.DataFrame | str | None, mode: str = "overlay") -> pd.DataFrame | None:
    """Combine a user price table with the shipped one (the one check of ``prices_mode``).

    Parameters
    ----------
    prices : pandas.DataFrame, path or None
        A user price table (:func:`~computeatlas.datasets.read_price_table`); None
        for the shipped table alone.
    mode : {"overlay", "replace"}, default "overlay"
        ``overlay``: each user row replaces the shipped row of the same
        ``level`` and ``region_code``, every other shipped row is kept;
        ``replace``: the user table alone (regions it lacks take the fallbacks).

    Returns
    -------
    pandas.DataFrame or None
        The table to resolve (None: the shipped table); user rows carry the flag
        ``user_table`` and, without a ``basis`` column, the basis ``user_table``.

    Raises
    ------
    InputError
        An unknown ``mode``, or a bad table (see ``read_price_table``).
    """
    from computeatlas.errors import InputError

    if mode not in PRICE_MODES:
        raise InputError(f"prices_mode must be 'overlay' or 'replace', got {mode!r}")
    if prices is None:
        return None
    user = user_price_table(prices)
    user["use"] = "default"
    if "basis" not in user.columns:
        user["basis"] = "user_table"
    user["basis"] = user["basis"].fillna("user_table")
    if "flags" not in user.columns:
        user["flags"] = ""
    user["flags"] = ("user_table;" + user["flags"].fillna("").astype(str)).str.rstrip(";")
    if "source_name" not in user.columns:
        user["source_name"] = "user table"
    if mode == "replace":
        return user
    shipped = _shipped.electricity_prices()
    key = set(zip(user["level"], user["region_code"], strict=True))
    keep = [k not in key for k in zip(shipped["level"], shipped["region_code"], strict=True)]
    return pd.concat([shipped[keep], user], ignore_index=True)


def _row_meta(table: pd.DataFrame) -> pd.DataFrame:
    """``price_year``/``price_basis``/``price_flags``/``price_citation`` per region code."""
    n = len(table)

    def col(name: str, default: Any) -> pd.Series:
        if name in table.columns:
            return table[name]
        return pd.Series([default] * n, index=table.index)

    return pd.DataFrame(
        {
            "price_year": pd.to_numeric(col("year", np.nan), errors="coerce").to_numpy(float),
            "price_basis": col("basis", "unknown").fillna("unknown").astype(str).to_numpy(),
            "price_flags": col("flags", "").fillna("").astype(str).to_numpy(),
            "price_citation": col("source_name", "").fillna("").astype(str).to_numpy(),
        },
        index=table["region_code"].to_numpy(),
    )


def _fallback_meta(rule: str) -> dict[str, Any]:
    return {
        "price_year": np.nan,
        "price_basis": "median_of_rows" if rule.startswith("fallback") else "",
        "price_flags": "fallback" if rule.startswith("fallback") else "",
        "price_citation": "",
    }


def _country_values(table: pd.DataFrame, countries: pd.DataFrame) -> pd.DataFrame:
    """Price per country code with the rule that produced it (rules 3-6)."""
    direct = table[table["level"] == "country"].set_index("region_code")["price_usd_per_mwh"]
    meta = _row_meta(table)
    sub = table[table["level"] == "admin1"].copy()
    sub["cc"] = sub["region_code"].str.slice(0, 2)
    admin1_median = sub.groupby("cc")["price_usd_per_mwh"].median()
    out = countries[["iso_a2", "subregion"]].copy()
    out = out[out["iso_a2"] != ""].drop_duplicates("iso_a2").set_index("iso_a2")
    out["price_usd_per_mwh"] = np.nan
    out["price_source"] = _NO_PRICE
    out["price_region_code"] = ""
    for name, value in _fallback_meta(_NO_PRICE).items():
        out[name] = value
    has = out.index.intersection(direct.index)
    out.loc[has, "price_usd_per_mwh"] = direct.loc[has].values
    out.loc[has, "price_source"] = "country"
    out.loc[has, "price_region_code"] = has
    for name in META:
        out.loc[has, name] = meta.loc[has, name].values
    todo = out["price_source"] == _NO_PRICE
    med = out.index[todo].intersection(admin1_median.index)
    out.loc[med, "price_usd_per_mwh"] = admin1_median.loc[med].values
    out.loc[med, "price_source"] = "fallback:country_admin1_median"
    out.loc[med, "price_region_code"] = med
    known = out[out["price_source"] == "country"]
    groups = known.groupby("subregion")["price_usd_per_mwh"]
    sub_median = groups.median()[groups.count() >= MIN_SUBREGION_ROWS]
    for cc in out.index[out["price_source"] == _NO_PRICE]:
        region = str(out.at[cc, "subregion"])
        if region in sub_median.index:
            out.at[cc, "price_usd_per_mwh"] = float(sub_median.loc[region])
            out.at[cc, "price_source"] = "fallback:subregion_median"
            out.at[cc, "price_region_code"] = str(region)
    fallback = out["price_source"].str.startswith("fallback")
    for name, value in _fallback_meta("fallback").items():
        out.loc[fallback, name] = value
    for cc, rule in UNHOSTABLE.items():
        if cc in out.index:
            out.at[cc, "price_usd_per_mwh"] = np.nan
            out.at[cc, "price_source"] = rule
            out.at[cc, "price_region_code"] = ""
            for name, value in _fallback_meta(rule).items():
                out.at[cc, name] = value
    return out


def resolve_prices(prices: pd.DataFrame | str | None = None, *, level: str = "admin1") -> Any:
    """Assign an electricity price [USD/MWh] to every admin-1 region or country.

    Parameters
    ----------
    prices : pandas.DataFrame, path or None
        A complete price table (see :func:`~computeatlas.datasets.read_price_table`;
        combine yours with the shipped one first with :func:`price_table`); the
        shipped :func:`~computeatlas.datasets.electricity_prices` when None. Rows
        given as ``price, currency, unit, year`` are converted with the shipped
        annual-average rate of their year (``fx="shipped"``); convert first with
        ``read_price_table(..., fx={...})`` to use other rates.
    level : {"admin1", "admin0"}, default "admin1"
        Resolve for admin-1 regions or for countries.

    Returns
    -------
    geopandas.GeoDataFrame
        The region layer with ``price_usd_per_mwh`` [USD/MWh] (NaN where the
        region has no price: it is not ranked), ``price_source`` (the rule that
        produced it, see module notes), ``price_region_code`` (the row used) and
        that row's ``price_year``, ``price_basis``, ``price_flags`` and
        ``price_citation``.
    """
    from computeatlas.errors import InputError

    if level not in ("admin1", "admin0"):
        raise InputError(f"level must be 'admin1' or 'admin0', got {level!r}")
    if prices is None:
        return _resolve_default(level).copy()
    return _resolve(read_price_table(prices, fx="shipped"), level)


def resolve_price_columns(
    prices: pd.DataFrame | str | None = None, *, level: str = "admin1"
) -> pd.DataFrame:
    """Return :func:`resolve_prices` without the geometry column (what the pipeline reads).

    Parameters
    ----------
    prices : pandas.DataFrame, path or None
        As for :func:`resolve_prices`.
    level : {"admin1", "admin0"}, default "admin1"
        Resolve for admin-1 regions or for countries.

    Returns
    -------
    pandas.DataFrame
        The rows and columns of :func:`resolve_prices` less ``geometry``; no geometry
        is read or decoded.
    """
    from computeatlas.errors import InputError

    if level not in ("admin1", "admin0"):
        raise InputError(f"level must be 'admin1' or 'admin0', got {level!r}")
    if prices is None:
        return _resolve_default(level, geometry=False).copy()
    return _resolve(read_price_table(prices, fx="shipped"), level, geometry=False)


@cache
def _resolve_default(level: str, geometry: bool = True) -> Any:
    return _resolve(_shipped.electricity_prices(), level, geometry)


_COLUMNS = ("price_usd_per_mwh", "price_source", "price_region_code", *META)


def _resolve(table: pd.DataFrame, level: str, geometry: bool = True) -> Any:
    if "use" in table.columns:
        table = table[table["use"].fillna("default") != "excluded"]
    countries = _shipped.countries() if geometry else _shipped.region_attributes("admin0")
    by_country = _country_values(table, countries)
    if level == "admin0":
        out = countries.merge(
            by_country[list(_COLUMNS)], left_on="iso_a2", right_index=True, how="left"
        )
        missing = out["price_source"].isna()
        out.loc[missing, "price_source"] = _NO_PRICE
        for name, value in {"price_region_code": "", **_fallback_meta(_NO_PRICE)}.items():
            out.loc[missing, name] = value
        return out
    return _resolve_admin1(table, by_country, geometry)


def _resolve_admin1(table: pd.DataFrame, by_country: pd.DataFrame, geometry: bool) -> Any:
    regions = _shipped.admin1() if geometry else _shipped.region_attributes("admin1")
    meta = _row_meta(table)
    meta["price_usd_per_mwh"] = table["price_usd_per_mwh"].to_numpy(float)
    codes = {
        lvl: set(table.loc[table["level"] == lvl, "region_code"])
        for lvl in ("admin1", "bidding_zone")
    }
    zones = _shipped.bidding_zones().set_index("admin1_iso")["zone"]
    iso2 = regions["iso_3166_2"].fillna("").astype(str)
    cc = regions["iso_a2"].fillna("").astype(str)
    zone = iso2.map(zones).fillna("")
    hostable = ~cc.isin(list(UNHOSTABLE))
    own = hostable & iso2.isin(codes["admin1"]) & (iso2 != "")
    by_zone = hostable & ~own & zone.isin(codes["bidding_zone"])
    row = pd.Series("", index=regions.index).mask(own, iso2).mask(by_zone, zone)
    nation = by_country.reindex(cc.to_numpy())
    nation.index = regions.index
    for name, value in {"price_source": _NO_PRICE, "price_region_code": ""}.items():
        nation[name] = nation[name].fillna(value)
    picked = meta.reindex(row.to_numpy())
    picked.index = regions.index
    picked["price_source"] = np.where(own, "admin1", "bidding_zone")
    picked["price_region_code"] = row
    mine = own | by_zone
    out = regions.copy()
    for name in _COLUMNS:
        out[name] = nation[name].where(~mine, picked[name])
    out["price_usd_per_mwh"] = out["price_usd_per_mwh"].astype(float)
    out["price_year"] = out["price_year"].astype(float)
    for name in ("price_basis", "price_flags", "price_citation"):
        out[name] = out[name].fillna("").astype(str)
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
    regions = _shipped.admin1()
    values, source = _carbon_columns()
    out = regions.copy()
    out["carbon_kg_per_mwh"] = values.copy()
    out["carbon_source"] = source.copy()
    return out


def carbon_values() -> np.ndarray:
    """Grid carbon intensity [kgCO2/MWh] of every admin-1 region, in layer order.

    Returns
    -------
    numpy.ndarray
        The ``carbon_kg_per_mwh`` column of :func:`resolve_carbon` (no geometry read).
    """
    return _carbon_columns()[0].copy()


@cache
def _carbon_columns() -> tuple[np.ndarray, np.ndarray]:
    """Carbon intensity [kgCO2/MWh] and its rule per admin-1 row, once per process.

    The first rule whose code has a row wins: admin-1, Nordic bidding zone
    (Finland's is ``FI-ZONE``), country.
    """
    table = _shipped.carbon_intensity()
    regions = _shipped.region_attributes("admin1")
    by_code = table.set_index("region_code")["kg_co2_per_mwh"]
    zones = _shipped.bidding_zones().set_index("admin1_iso")["zone"]
    iso2 = regions["iso_3166_2"].fillna("").astype(str)
    zone = iso2.map(zones).fillna("").astype(str).replace({"FI": "FI-ZONE"})
    codes = {
        "admin1": iso2,
        "bidding_zone": zone.where(iso2 != "", ""),
        "country": regions["iso_a2"].fillna("").astype(str),
    }
    values = np.full(len(regions), np.nan)
    source = np.full(len(regions), "missing", dtype=object)
    todo = np.ones(len(regions), dtype=bool)
    for rule, code in codes.items():
        hit = todo & (code != "").to_numpy() & code.isin(by_code.index).to_numpy()
        values[hit] = by_code.reindex(code[hit].to_numpy()).to_numpy(float)
        source[hit] = rule
        todo &= ~hit
    values.setflags(write=False)
    source.setflags(write=False)
    return values, source
