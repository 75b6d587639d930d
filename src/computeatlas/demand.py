"""Parse demand metros given as names, (lat, lon[, weight]) tuples or tables."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd

from computeatlas.errors import CRSError, InputError, UnknownNameError

__all__ = ["WEIGHT_RULES", "check_weight", "resolve_metros", "unique_labels"]

#: Named weight rules; any other string names a column of the user's table.
WEIGHT_RULES = ("population", "equal")


@lru_cache(maxsize=1 << 16)
def _label(name: str) -> str:
    # Accents dropped ("São Paulo" -> "sao_paulo"), then anything not [0-9a-z] -> "_".
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return re.sub(r"[^0-9a-z]+", "_", ascii_name.lower()).strip("_")


def to_wgs84(gdf: Any, what: str) -> Any:
    """Reproject a GeoDataFrame to EPSG:4326, refusing one without a CRS."""
    if gdf.crs is None:
        raise CRSError(f"{what} GeoDataFrame has no CRS; set it (EPSG:4326 for lon/lat)")
    return gdf if gdf.crs.equals("EPSG:4326") else gdf.to_crs("EPSG:4326")


def resolve_metros(demand_metros: Any, *, weight: Any = "population") -> pd.DataFrame:
    """Turn the ``demand_metros`` argument into a table with one weight per metro.

    Parameters
    ----------
    demand_metros : str, sequence or DataFrame
        Names of metro areas (``"Tokyo"``, ``"Beijing, CN"``; see
        :func:`computeatlas.datasets.find_metro`), ``(lat, lon)``,
        ``(lat, lon, weight)``, ``(name, lat, lon)`` or ``(name, lat, lon,
        weight)`` tuples (mixing with names is allowed), or a DataFrame /
        GeoDataFrame with ``lat``/``lon`` columns (or point geometries) and
        optional ``name``, ``weight`` and ``population``.
    weight : str or callable, default "population"
        How demand is weighted (see :func:`check_weight`): ``"population"``
        (a metro's own weight where given, else its population, else 1),
        ``"equal"`` (1 each), the name of a column of the ``demand_metros``
        table, or a callable taking the resolved table and returning one
        number >= 0 per metro.

    Returns
    -------
    pandas.DataFrame
        ``label`` (a unique snake_case key used in column names, from the
        names; ``point_<k>`` for unnamed tuples), ``name``, ``lat``, ``lon``
        [deg], ``weight`` (final, finite, >= 0) and ``population``.

    Raises
    ------
    InputError
        Empty or duplicate metros, bad coordinates or weights, a bad ``weight``.
    UnknownNameError
        A name is not in the metro table (with suggestions).
    """
    check_weight(weight)
    rows: pd.DataFrame | list[dict[str, Any]]
    if isinstance(demand_metros, pd.DataFrame):
        rows = _rows_from_table(demand_metros)
    else:
        rows = _rows_from_items(demand_metros)
    if not len(rows):
        raise InputError("demand_metros is empty; give at least one metro")
    out = _validated(pd.DataFrame(rows).drop(columns="query", errors="ignore"))
    out.insert(0, "label", unique_labels(out.pop("label_base")))
    out["weight"] = _weights(out, demand_metros, weight)
    return out


def check_weight(weight: Any) -> None:
    """Check the ``weight`` option (the one place it is validated).

    Parameters
    ----------
    weight : str or callable
        ``"population"``, ``"equal"``, a column name of the user's table, or a
        callable ``f(table) -> sequence of float``.

    Raises
    ------
    InputError
        Anything else (naming ``weight``).
    """
    if callable(weight):
        return
    if not isinstance(weight, str) or not weight.strip():
        raise InputError(
            f"weight must be 'population', 'equal', a column name of your demand_metros "
            f"table or a callable, got {weight!r}"
        )


def _weights(out: pd.DataFrame, source: Any, weight: str | Callable[..., Any]) -> np.ndarray:
    n = len(out)
    if weight == "population":
        w = out["weight"].to_numpy(float)
        pop = out["population"].to_numpy(float)
        values = np.where(np.isfinite(w), w, np.where(np.isfinite(pop), pop, 1.0))
    elif weight == "equal":
        values = np.ones(n)
    elif callable(weight):
        try:
            got = weight(out.copy())
        except Exception as err:  # the user's function: say where it failed
            raise InputError(f"weight callable raised {type(err).__name__}: {err}") from err
        values = _numbers(got, n, "the weight callable's result")
    else:
        if not isinstance(source, pd.DataFrame):
            raise InputError(
                f"weight={weight!r} names a column, but demand_metros is not a table; use "
                "'population', 'equal', a callable, or pass a DataFrame with that column"
            )
        if weight not in source.columns:
            raise InputError(
                f"weight={weight!r} is not a column of demand_metros (columns: "
                f"{[str(c) for c in source.columns][:12]}); use 'population' or 'equal'"
            )
        values = _numbers(source[weight].to_numpy(), n, f"weight column {weight!r}")
    if not values.sum() > 0:
        raise InputError(
            "demand_metros weights sum to zero; give at least one metro a positive weight"
        )
    return values


def _numbers(got: Any, n: int, what: str) -> np.ndarray:
    try:
        values = np.asarray(got, dtype=float).reshape(-1)
    except (TypeError, ValueError) as err:
        raise InputError(f"weight: {what} must be numbers, got {got!r:.80}") from err
    if values.shape != (n,):
        raise InputError(f"weight: {what} has {values.size} values for {n} demand metros")
    if not np.isfinite(values).all() or (values < 0).any():
        raise InputError(f"weight: {what} must be finite numbers >= 0, got {values[:5].tolist()}")
    return values


def _rows_from_table(df: Any) -> pd.DataFrame:
    if "geometry" in df.columns and hasattr(df, "crs"):
        df = to_wgs84(df, "demand_metros")
        if not set(df.geometry.geom_type) <= {"Point"}:
            raise InputError("demand_metros GeoDataFrame must hold Point geometries")
        if "lat" not in df.columns:
            df = df.assign(lat=df.geometry.y, lon=df.geometry.x)
    if not {"lat", "lon"} <= set(df.columns):
        raise InputError("demand_metros table needs 'lat' and 'lon' columns")
    n = len(df)
    if "name" in df.columns:
        names = [str(v) for v in df["name"].tolist()]
    else:
        names = [f"metro {k + 1}" for k in range(n)]

    def column(col: str) -> Any:
        return df[col].to_numpy() if col in df.columns else np.full(n, np.nan)

    return pd.DataFrame(
        {
            "label_base": names,
            "name": names,
            "lat": column("lat"),
            "lon": column("lon"),
            "weight": column("weight"),
            "population": column("population"),
        }
    )


def _rows_from_items(demand_metros: Any) -> list[dict[str, Any]]:
    items = [demand_metros] if isinstance(demand_metros, str) else demand_metros
    if items is None:
        raise InputError("demand_metros is required: names, (lat, lon) tuples or a table")
    if isinstance(items, (dict, bytes)) or not hasattr(items, "__iter__"):
        raise InputError(
            f"demand_metros must be a list of names or (lat, lon[, weight]) tuples, "
            f"got {type(demand_metros).__name__}"
        )
    rows: list[dict[str, Any]] = []
    for k, item in enumerate(list(items)):
        if isinstance(item, str):
            rows.append(_named_metro(k, item, rows))
        elif isinstance(item, (tuple, list)) and 2 <= len(item) <= 4:
            rows.append(_tuple_row(k, item))
        else:
            raise InputError(
                f"demand_metros[{k}] = {item!r}: use a metro name, (lat, lon), "
                "(lat, lon, weight) or (name, lat, lon[, weight])"
            )
    return rows


def _named_metro(k: int, item: str, rows: list[dict[str, Any]]) -> dict[str, Any]:
    from computeatlas.datasets import find_metro

    try:
        row = find_metro(item)
    except UnknownNameError as err:
        raise UnknownNameError(f"demand_metros[{k}]: {err}") from err
    name = f"{row['name']}, {row['country']}"
    for prev in rows:
        if prev["name"] == name and prev.get("query") is not None:
            raise InputError(
                f"duplicate demand metros: demand_metros[{k}] = {item!r} and {prev['query']!r} "
                "are the same metro area "
                f"({name}, {row['population']:,} people); list it once, or pass "
                "(name, lat, lon, weight) tuples for places inside one area"
            )
    return {
        "label_base": name,
        "name": name,
        "lat": row["lat"],
        "lon": row["lon"],
        "weight": np.nan,
        "population": float(row["population"]),
        "query": item,
    }


def _tuple_row(k: int, item: tuple[Any, ...] | list[Any]) -> dict[str, Any]:
    named = isinstance(item[0], str) and len(item) >= 3
    if not named and len(item) == 4:
        raise InputError(
            f"demand_metros[{k}] = {item!r}: use (lat, lon), (lat, lon, weight) or "
            "(name, lat, lon, weight) with a text name first"
        )
    name, rest = (item[0].strip(), item[1:]) if named else ("", item)
    if named and not name:
        raise InputError(f"demand_metros[{k}] = {item!r}: the name must not be empty")
    lat, lon = rest[0], rest[1]
    weight = rest[2] if len(rest) == 3 else np.nan
    if len(rest) == 3 and _is_number(weight) and not np.isfinite(weight):
        raise InputError(
            f"demand_metros[{k}] = {item!r}: the weight must be a finite number >= 0 "
            "(leave it out to weight by population, else 1)"
        )
    return {
        "label_base": name or f"point {k + 1}",
        "name": name or f"point {k + 1} ({lat}, {lon})",
        "lat": lat,
        "lon": lon,
        "weight": weight,
        "population": np.nan,
        "query": None,
    }


def _is_number(v: Any) -> bool:
    return isinstance(v, (int, float, np.number)) and not isinstance(v, (bool, np.bool_))


def _validated(out: pd.DataFrame) -> pd.DataFrame:
    for col in ("lat", "lon", "weight"):
        dtype = out[col].dtype
        if isinstance(dtype, np.dtype) and dtype.kind in "fiu":  # numbers by construction
            out[col] = out[col].astype(float)
            continue
        numeric = out[col].map(_is_number)
        if not numeric.all():
            raise InputError(
                f"demand_metros {col} values must be numbers, got "
                f"{out.loc[~numeric, col].tolist()[:3]}"
            )
        out[col] = out[col].astype(float)
    out["population"] = pd.to_numeric(out["population"], errors="coerce")
    if not np.isfinite(out[["lat", "lon"]].to_numpy()).all():
        raise InputError("demand_metros coordinates contain NaN or infinite values")
    if (out["lat"].abs() > 90).any() or (out["lon"] < -180).any() or (out["lon"] > 360).any():
        raise InputError(
            "demand_metros latitudes must be within [-90, 90] and longitudes within [-180, 360] deg"
        )
    out["lon"] = ((out["lon"] + 180.0) % 360.0) - 180.0
    w = out["weight"].to_numpy(float)
    if np.isinf(w).any() or (w < 0).any():
        raise InputError("demand_metros weights must be finite and not negative")
    dup = out.duplicated(subset=["lat", "lon"])
    if dup.any():
        raise InputError(f"duplicate demand metros: {out.loc[dup, 'name'].tolist()}")
    return out


def unique_labels(names: Any) -> list[str]:
    """Snake-case column keys for metro names, unique and stable (``_2``, ``_3`` on clashes).

    Parameters
    ----------
    names : iterable of str
        Metro names, in order.

    Returns
    -------
    list of str
        One label per name; a name without any ASCII letter or digit becomes ``metro``.
    """
    labels: list[str] = []
    used: set[str] = set()
    for name in names.tolist() if hasattr(names, "tolist") else names:  # no Arrow scalars
        base = _label(str(name)) or "metro"
        lab, k = base, 1
        while lab in used:
            k += 1
            lab = f"{base}_{k}"
        used.add(lab)
        labels.append(lab)
    return labels
