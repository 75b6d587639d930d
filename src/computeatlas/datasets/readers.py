"""Readers for a user's own data: ERA5 NetCDF, GeoTIFF climate layers, price tables, regions.

Every reader validates its input and returns data in the computeatlas
conventions (see ``docs/grid-conventions.md``), or raises a subclass of
:class:`~computeatlas.errors.InputError` that names the problem and the fix.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import xarray as xr

from computeatlas.errors import CRSError, GridError, InputError, UnitsError
from computeatlas.grid import normalize_grid, split_antimeridian
from computeatlas.units import to_celsius

__all__ = ["read_climate_geotiff", "read_era5", "read_price_table", "read_regions"]

PathLike = str | os.PathLike

_TIME_NAMES = ("time", "valid_time", "date")


def _user_file(source: Any, what: str) -> Path:
    """Check that ``source`` names an existing, non-empty regular file.

    Parameters
    ----------
    source : str or os.PathLike
        The path the user gave.
    what : str
        What the file is (``"price table"``), used in the message.

    Returns
    -------
    pathlib.Path

    Raises
    ------
    InputError
        If ``source`` is not a path, or names nothing, a folder or an empty file.
    """
    if not isinstance(source, (str, os.PathLike)) or isinstance(source, bytes):
        raise InputError(
            f"{what} must be a path (str or pathlib.Path) or a table, got {type(source).__name__}"
        )
    if isinstance(source, str) and not source.strip():
        raise InputError(f"{what} path is empty")
    p = Path(source)
    if not p.exists():
        raise InputError(f"{what} not found: {p}")
    if not p.is_file():
        raise InputError(f"{what} {p} is a folder, not a file")
    if p.stat().st_size == 0:
        raise InputError(f"{what} {p} is an empty file")
    return p


def _read_failed(p: Path, what: str, err: Exception) -> InputError:
    """Build the InputError for a file that exists but cannot be parsed."""
    if isinstance(err, UnicodeDecodeError):
        return InputError(
            f"{what} {p.name} is not UTF-8 text (byte {err.start}); re-save it as UTF-8, "
            "or load it yourself and pass the table"
        )
    detail = str(err).splitlines()[0][:200] if str(err) else type(err).__name__
    return InputError(f"cannot read {what} {p.name}: {detail}")


def _open(path: PathLike) -> xr.Dataset:
    p = _user_file(path, "climate file")
    try:
        return xr.open_dataset(p)
    except Exception as err:  # netCDF/HDF5 engines raise many types
        raise InputError(f"cannot read {p} as NetCDF: {err}") from err


def read_era5(
    source: PathLike | xr.Dataset, *, variables: str | tuple[str, ...] = ("t2m", "d2m")
) -> xr.Dataset:
    """Read an ERA5 (or ERA5-Land) NetCDF file of 2 m temperature and dew point.

    Parameters
    ----------
    source : path or xarray.Dataset
        A NetCDF file as downloaded from the Copernicus Climate Data Store,
        hourly or monthly means, or an already opened Dataset.
    variables : sequence of str, default ("t2m", "d2m")
        Variables to read; ``t2m`` is required, ``d2m`` is optional.

    Returns
    -------
    xarray.Dataset
        ``t2m`` and (if present) ``d2m`` [degC] on a ``time`` dimension plus
        ``lat``/``lon`` in the computeatlas conventions. ``attrs['frequency']`` is
        ``"hourly"`` or ``"monthly"``.

    Raises
    ------
    UnitsError
        If a variable is missing its ``units`` or has impossible values.
    GridError
        If coordinates break the grid conventions beyond the documented
        normalisation (see :func:`computeatlas.grid.normalize_grid`).
    InputError
        If ``t2m`` is missing, all values are NaN, or an hourly time axis has
        gaps or duplicates.
    """
    ds = source if isinstance(source, xr.Dataset) else _open(source)
    if "t2m" not in ds.data_vars:
        found = ", ".join(map(str, ds.data_vars)) or "none"
        raise InputError(
            f"ERA5 input has no 't2m' variable (found: {found}); "
            "rename your 2 m temperature to 't2m'"
        )
    if isinstance(variables, str):
        wanted: tuple[str, ...] = (variables,)
    elif isinstance(variables, (list, tuple)) and all(isinstance(v, str) for v in variables):
        wanted = tuple(variables)
    else:
        raise InputError(
            f"read_era5 variables must be a name or a sequence of names, got {variables!r}"
        )
    if "t2m" not in wanted:
        raise InputError(f"read_era5 variables must include 't2m', got {variables!r}")
    names = [v for v in wanted if v in ds.data_vars]
    out = ds[names]
    for extra in ("number", "expver", "surface", "heightAboveGround"):
        if extra in out.coords and out[extra].ndim == 0:
            out = out.drop_vars(extra)
    time_name = next((t for t in _TIME_NAMES if t in out.dims), None)
    if time_name is not None and time_name != "time":
        out = out.rename({time_name: "time"})
    out = normalize_grid(out)
    converted = {}
    for name in names:
        da = out[name]
        if bool(da.isnull().all()):
            raise InputError(f"{name} is all NaN; check the file or the bbox you cut")
        converted[name] = to_celsius(da, name=name)
    result = xr.Dataset(converted, attrs=dict(ds.attrs))
    result["t2m"].attrs.update(long_name="2 m air temperature", standard_name="air_temperature")
    if "d2m" in result:
        result["d2m"].attrs.update(
            long_name="2 m dew point temperature", standard_name="dew_point_temperature"
        )
        if bool((result["d2m"] > result["t2m"] + 0.5).any()):
            raise UnitsError(
                "d2m exceeds t2m by more than 0.5 K somewhere (relative humidity above 100 %); "
                "check that both variables have the right units"
            )
    result.attrs["frequency"] = _frequency(result)
    return result


def _frequency(ds: xr.Dataset) -> str:
    if "time" not in ds.dims:
        return "climatology"
    t = pd.DatetimeIndex(ds["time"].values)
    if len(t) < 2:
        return "single"
    if t.has_duplicates:
        raise InputError("the time axis has duplicate timestamps; drop them first")
    if not t.is_monotonic_increasing:
        raise InputError("the time axis is not sorted; sort it with ds.sortby('time')")
    step = pd.Series(t).diff().dropna()
    median = step.median()
    if median == pd.Timedelta(hours=1):
        gaps = step[step != pd.Timedelta(hours=1)]
        if len(gaps):
            first = t[gaps.index[0] - 1]
            raise InputError(
                f"the hourly time axis has {len(gaps)} gap(s), the first after {first}; "
                "hourly counting of free-cooling hours needs a complete series "
                "(fill or drop the incomplete year)"
            )
        return "hourly"
    if pd.Timedelta(days=27) <= median <= pd.Timedelta(days=32):
        return "monthly"
    raise InputError(f"unsupported time step {median}; computeatlas reads hourly or monthly data")


def read_climate_geotiff(
    path: PathLike, *, units: str, variable: str = "t2m", nodata: float | None = None
) -> xr.Dataset:
    """Read a GeoTIFF climate layer (one band, or 12 monthly bands) in EPSG:4326.

    Parameters
    ----------
    path : path
        GeoTIFF file, e.g. a WorldClim 2.1 monthly mean temperature.
    units : str
        Units of the values (``"degC"``, ``"K"``); GeoTIFF has no standard
        place for them, so they must be given.
    variable : str, default "t2m"
        Name of the returned variable.
    nodata : float, optional
        Value to treat as missing when the file declares none.

    Returns
    -------
    xarray.Dataset
        ``variable`` with dims (``month``, lat, lon) for 12 bands or (lat, lon)
        for one band, in degC.

    Raises
    ------
    CRSError
        If the raster has no CRS or one other than EPSG:4326.
    GridError
        If the raster is rotated or its band count is neither 1 nor 12.
    """
    try:
        import rasterio
    except ImportError as err:  # pragma: no cover - exercised only without the extra
        raise ImportError(
            "reading GeoTIFF needs rasterio: pip install 'computeatlas[geotiff]'"
        ) from err
    p = _user_file(path, "GeoTIFF")
    try:
        src = rasterio.open(p)
    except rasterio.errors.RasterioError as err:
        raise _read_failed(p, "GeoTIFF", err) from err
    with src:
        if src.crs is None:
            raise CRSError(f"{p.name} has no CRS; computeatlas needs EPSG:4326 (lat/lon degrees)")
        if src.crs.to_epsg() != 4326:
            raise CRSError(
                f"{p.name} is in {src.crs.to_string()}; reproject it to EPSG:4326 first "
                "(e.g. gdalwarp -t_srs EPSG:4326)"
            )
        t = src.transform
        if t.b != 0 or t.d != 0:
            raise GridError(f"{p.name} is rotated; warp it to a north-up grid first")
        if src.count not in (1, 12):
            raise GridError(f"{p.name} has {src.count} bands; expected 1 or 12 (monthly)")
        try:
            data = src.read().astype(float)
        except rasterio.errors.RasterioError as err:  # truncated or corrupt tiles
            raise _read_failed(p, "GeoTIFF", err) from err
        fill = src.nodata if src.nodata is not None else nodata
        if fill is not None:
            data[data == fill] = np.nan
        lon = t.c + t.a * (np.arange(src.width) + 0.5)
        lat = t.f + t.e * (np.arange(src.height) + 0.5)
    dims: tuple[str, ...] = ("month", "lat", "lon") if data.shape[0] == 12 else ("lat", "lon")
    values = data if data.shape[0] == 12 else data[0]
    coords: dict[str, Any] = {
        "lat": ("lat", lat, {"units": "degrees_north"}),
        "lon": ("lon", lon, {"units": "degrees_east"}),
    }
    if data.shape[0] == 12:
        coords["month"] = ("month", np.arange(1, 13))
    da = xr.DataArray(values, dims=dims, coords=coords, attrs={"units": units})
    if bool(da.isnull().all()):
        raise InputError(f"{p.name} holds only nodata values")
    da = to_celsius(normalize_grid(da), name=variable)
    return da.to_dataset(name=variable)


_PRICE_REQUIRED = ("region_code", "price_usd_per_mwh")
_PRICE_RAW = ("region_code", "price", "currency", "unit", "year")
_UNIT_FACTOR = {"per_kwh": 1000.0, "cents_per_kwh": 10.0, "per_mwh": 1.0}


def _shipped_rates(currencies: pd.Series, years: pd.Series, fx: str) -> pd.Series:
    """US dollars per unit for each (currency, year) from the shipped table."""
    if fx != "shipped":
        raise InputError(f"fx must be a dict of US dollars per unit or 'shipped', got {fx!r}")
    from computeatlas.datasets._shipped import exchange_rates

    yrs = pd.to_numeric(years, errors="coerce")
    if yrs.isna().any() or (yrs != yrs.round()).any():
        raise InputError("fx='shipped' needs an integer 'year' in every row")
    table = exchange_rates().set_index(["currency", "year"])["usd_per_unit"]
    keys = list(zip(currencies, yrs.astype(int), strict=True))
    missing = sorted({k for k in keys if k[0] != "USD" and k not in table.index})
    if missing:
        have = table.index.get_level_values("year")
        raise InputError(
            f"no shipped annual exchange rate for {missing[:5]} (shipped years "
            f"{have.min()}-{have.max()}; see computeatlas.datasets.exchange_rates()); "
            "pass fx={currency: usd_per_unit} instead"
        )
    return pd.Series([1.0 if c == "USD" else float(table[(c, y)]) for c, y in keys])


def read_price_table(
    source: PathLike | pd.DataFrame, *, fx: dict[str, float] | str | None = None
) -> pd.DataFrame:
    """Read and validate a user's electricity price table.

    Parameters
    ----------
    source : path or pandas.DataFrame
        CSV or Parquet file, or a DataFrame, with either
        ``region_code, price_usd_per_mwh`` or
        ``region_code, price, currency, unit, year`` (units ``per_kWh``,
        ``cents_per_kWh`` or ``per_MWh``). An optional ``level`` column takes
        ``country``, ``admin1`` or ``bidding_zone``; without it the level is
        inferred from the code (``DE`` country, ``US-TX`` admin1, ``SE3`` zone).
    fx : dict or "shipped", optional
        US dollars per unit of each non-USD currency used, e.g.
        ``{"EUR": 1.08}``; or ``"shipped"`` to convert each row with the
        annual-average rate of its ``year`` from
        :func:`computeatlas.datasets.exchange_rates` (ECB reference rates and cited
        annual averages). Required when prices are not in USD.

    Returns
    -------
    pandas.DataFrame
        The table with ``region_code``, ``level`` and ``price_usd_per_mwh``
        [USD/MWh] filled in.

    Raises
    ------
    InputError
        Missing columns, empty table, duplicate region codes, or a currency
        (with ``fx="shipped"``: a currency-year) with no exchange rate.
    UnitsError
        NaN, zero or negative prices, or an unknown unit.
    """
    if isinstance(source, pd.DataFrame):
        df = source.copy()
    else:
        df = _read_price_file(source)
    if df.empty:
        raise InputError("the price table is empty")
    if "region_code" not in df.columns:
        raise InputError(f"the price table needs a 'region_code' column; found {list(df.columns)}")
    df["region_code"] = df["region_code"].astype(str).str.strip().str.upper()
    if "price_usd_per_mwh" not in df.columns:
        missing = [c for c in _PRICE_RAW if c not in df.columns]
        if missing:
            raise InputError(
                f"the price table needs either {list(_PRICE_REQUIRED)} or {list(_PRICE_RAW)}; "
                f"missing {missing}"
            )
        units = df["unit"].astype(str).str.lower()
        bad = sorted(set(units) - set(_UNIT_FACTOR))
        if bad:
            raise UnitsError(f"unknown price unit(s) {bad}; use per_kWh, cents_per_kWh or per_MWh")
        currencies = df["currency"].astype(str).str.upper()
        if isinstance(fx, str):
            per_row = _shipped_rates(currencies, df["year"], fx)
        else:
            rates = dict(fx or {})
            rates["USD"] = 1.0
            no_rate = sorted(set(currencies) - set(rates))
            if no_rate:
                raise InputError(
                    f"no exchange rate for {no_rate}; pass fx={{'{no_rate[0]}': usd_per_unit, "
                    "...}} or fx='shipped'"
                )
            per_row = currencies.map(rates).astype(float)
        df["price_usd_per_mwh"] = (
            pd.to_numeric(df["price"], errors="coerce")
            * units.map(_UNIT_FACTOR).astype(float)
            * per_row.to_numpy()
        )
    values = pd.to_numeric(df["price_usd_per_mwh"], errors="coerce")
    if values.isna().any():
        rows = df.loc[values.isna(), "region_code"].tolist()[:5]
        raise UnitsError(f"price is missing or not a number for region(s) {rows}")
    if (values <= 0).any():
        rows = df.loc[values <= 0, "region_code"].tolist()[:5]
        raise UnitsError(f"prices must be positive; got zero or negative for {rows}")
    if np.isinf(values).any():
        rows = df.loc[np.isinf(values), "region_code"].tolist()[:5]
        raise UnitsError(f"prices must be finite; got an infinite price for {rows}")
    df["price_usd_per_mwh"] = values.astype(float)
    if df["region_code"].duplicated().any():
        dups = sorted(set(df.loc[df["region_code"].duplicated(), "region_code"]))[:5]
        raise InputError(f"duplicate region codes in the price table: {dups}")
    if "level" not in df.columns:
        df["level"] = [_infer_level(c) for c in df["region_code"]]
    else:
        bad = sorted(set(df["level"]) - {"country", "admin1", "bidding_zone"})
        if bad:
            raise InputError(f"unknown level(s) {bad}; use country, admin1 or bidding_zone")
    return df.reset_index(drop=True)


def _read_price_file(source: Any) -> pd.DataFrame:
    p = _user_file(source, "price table")
    suffix = p.suffix.lower()
    if suffix not in (".parquet", ".pq", ".csv", ".txt"):
        raise InputError(f"price table must be .csv or .parquet, got {p.suffix!r}")
    try:
        if suffix in (".parquet", ".pq"):
            return pd.read_parquet(p)
        return pd.read_csv(p, encoding="utf-8")
    except (OSError, ValueError, pd.errors.ParserError) as err:  # ArrowInvalid is a ValueError
        raise _read_failed(p, "price table", err) from err


def _infer_level(code: str) -> str:
    if len(code) == 2 and code.isalpha():
        return "country"
    if "-" in code:
        return "bidding_zone" if code.endswith("-ZONE") else "admin1"
    return "bidding_zone"


def _read_region_file(source: Any) -> Any:
    import geopandas as gpd

    p = _user_file(source, "region file")
    try:
        if p.suffix.lower() in (".parquet", ".geoparquet"):
            return gpd.read_parquet(p)
        return gpd.read_file(p, engine="pyogrio")
    except Exception as err:  # pyogrio/GDAL and arrow raise many types for a bad file
        raise _read_failed(p, "region file", err) from err


def read_regions(source: PathLike | Any, *, name_column: str | None = None) -> Any:
    """Read a region layer (GeoPackage, GeoJSON, Shapefile, GeoParquet or GeoDataFrame).

    Parameters
    ----------
    source : path or geopandas.GeoDataFrame
        Polygons of the regions.
    name_column : str, optional
        Column holding region names; copied into ``name``.

    Returns
    -------
    geopandas.GeoDataFrame
        Valid polygons in EPSG:4326 (inputs in another CRS are reprojected);
        polygons crossing 180 deg are cut into parts either side of it
        (:func:`computeatlas.grid.split_antimeridian`).

    Raises
    ------
    CRSError
        If the layer has no CRS.
    InputError
        If the layer is empty, has non-polygon geometries or lacks
        ``name_column``.
    """
    import geopandas as gpd
    import shapely

    if isinstance(source, gpd.GeoDataFrame):
        gdf = source.copy()
    else:
        gdf = _read_region_file(source)
    if len(gdf) == 0:
        raise InputError("the region layer is empty")
    if gdf.crs is None:
        raise CRSError(
            "the region layer has no CRS; set it, e.g. gdf.set_crs('EPSG:4326') for lon/lat"
        )
    if name_column is not None:
        if name_column not in gdf.columns:
            raise InputError(f"name_column {name_column!r} not in {list(gdf.columns)}")
        gdf["name"] = gdf[name_column].astype(str)
    kinds = set(gdf.geometry.geom_type.dropna())
    if not kinds <= {"Polygon", "MultiPolygon"}:
        raise InputError(f"regions must be polygons; found {sorted(kinds)}")
    if gdf.geometry.isna().any() or gdf.geometry.is_empty.any():
        raise InputError("the region layer has empty or missing geometries; drop them first")
    if not gdf.crs.equals("EPSG:4326"):
        gdf = gdf.to_crs("EPSG:4326")
    gdf["geometry"] = split_antimeridian(gdf.geometry.values)  # before any repair
    invalid = ~gdf.geometry.is_valid
    if invalid.any():
        gdf.loc[invalid, "geometry"] = shapely.make_valid(gdf.geometry[invalid].values)
    bounds = gdf.total_bounds
    if bounds[1] < -90.0001 or bounds[3] > 90.0001:
        raise GridError("region latitudes exceed +-90 deg after reprojection; check the CRS")
    return gdf
