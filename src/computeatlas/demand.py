"""Parse demand metros given as names, (lat, lon[, weight]) tuples or tables."""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import pandas as pd

from computeatlas.errors import CRSError, InputError, UnknownNameError

__all__ = ["resolve_metros"]


def _label(name: str) -> str:
    return re.sub(r"[^0-9a-z]+", "_", name.lower()).strip("_")


def to_wgs84(gdf: Any, what: str) -> Any:
    """Reproject a GeoDataFrame to EPSG:4326, refusing one without a CRS."""
    if gdf.crs is None:
        raise CRSError(f"{what} GeoDataFrame has no CRS; set it (EPSG:4326 for lon/lat)")
    return gdf if gdf.crs.equals("EPSG:4326") else gdf.to_crs("EPSG:4326")


def resolve_metros(demand_metros: Any) -> pd.DataFrame:
    """Turn the ``demand_metros`` argument into a table.

    Parameters
    ----------
    demand_metros : str, sequence or DataFrame
        Names from the metro table (``"Tokyo"``, ``"Beijing, CN"``), a
        comma-free single name, ``(lat, lon)`` or ``(lat, lon, weight)``
        tuples (mixing with names is allowed), or a DataFrame / GeoDataFrame
        with ``lat``/``lon`` columns (or point geometries) and optional
        ``name``, ``weight`` and ``population``.

    Returns
    -------
    pandas.DataFrame
        ``label`` (a unique snake_case key used in column names), ``name``,
        ``lat``, ``lon`` [deg], ``weight`` and ``population``.

    Raises
    ------
    InputError
        Empty or duplicate metros, bad coordinates or weights.
    UnknownNameError
        A name is not in the metro table (with suggestions).
    """
    if isinstance(demand_metros, pd.DataFrame):
        rows = _rows_from_table(demand_metros)
    else:
        rows = _rows_from_items(demand_metros)
    if not rows:
        raise InputError("demand_metros is empty; give at least one metro")
    out = _validated(pd.DataFrame(rows))
    out.insert(0, "label", unique_labels(out["name"]))
    return out


def _rows_from_table(df: Any) -> list[dict[str, Any]]:
    if "geometry" in df.columns and hasattr(df, "crs"):
        df = to_wgs84(df, "demand_metros")
        if not set(df.geometry.geom_type) <= {"Point"}:
            raise InputError("demand_metros GeoDataFrame must hold Point geometries")
        if "lat" not in df.columns:
            df = df.assign(lat=df.geometry.y, lon=df.geometry.x)
    if not {"lat", "lon"} <= set(df.columns):
        raise InputError("demand_metros table needs 'lat' and 'lon' columns")
    rows = []
    for k, r in enumerate(df.itertuples(index=False)):
        rec = r._asdict()
        rows.append(
            {
                "name": str(rec.get("name", f"metro {k + 1}")),
                "lat": rec["lat"],
                "lon": rec["lon"],
                "weight": rec.get("weight", np.nan),
                "population": rec.get("population", np.nan),
            }
        )
    return rows


def _rows_from_items(demand_metros: Any) -> list[dict[str, Any]]:
    from computeatlas.datasets import find_metro

    items = [demand_metros] if isinstance(demand_metros, str) else demand_metros
    if items is None:
        raise InputError("demand_metros is required: names, (lat, lon) tuples or a table")
    if isinstance(items, (dict, bytes)) or not hasattr(items, "__iter__"):
        raise InputError(
            f"demand_metros must be a list of names or (lat, lon[, weight]) tuples, "
            f"got {type(demand_metros).__name__}"
        )
    rows = []
    for k, item in enumerate(list(items)):
        if isinstance(item, str):
            try:
                row = find_metro(item)
            except UnknownNameError as err:
                raise UnknownNameError(f"demand_metros[{k}]: {err}") from err
            rows.append(
                {
                    "name": f"{row['name']}, {row['country']}",
                    "lat": row["lat"],
                    "lon": row["lon"],
                    "weight": np.nan,
                    "population": float(row["population"]),
                }
            )
        elif isinstance(item, (tuple, list)) and len(item) in (2, 3):
            lat, lon = item[0], item[1]
            if len(item) == 3 and _is_number(item[2]) and not np.isfinite(item[2]):
                raise InputError(
                    f"demand_metros[{k}] = {item!r}: the weight must be a finite number >= 0 "
                    "(leave it out to weight by population, else 1)"
                )
            rows.append(
                {
                    "name": f"point {k + 1} ({lat}, {lon})",
                    "lat": lat,
                    "lon": lon,
                    "weight": item[2] if len(item) == 3 else np.nan,
                    "population": np.nan,
                }
            )
        else:
            raise InputError(
                f"demand_metros[{k}] = {item!r}: use a metro name, (lat, lon) or (lat, lon, weight)"
            )
    return rows


def _is_number(v: Any) -> bool:
    return isinstance(v, (int, float, np.number)) and not isinstance(v, (bool, np.bool_))


def _validated(out: pd.DataFrame) -> pd.DataFrame:
    for col in ("lat", "lon", "weight"):
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
    for name in names:
        base = _label(str(name)) or "metro"
        lab, k = base, 1
        while lab in used:
            k += 1
            lab = f"{base}_{k}"
        used.add(lab)
        labels.append(lab)
    return labels
