"""Parse demand metros given as names, (lat, lon[, weight]) tuples or tables."""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import pandas as pd

from computeatlas.errors import CRSError, InputError

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
    from computeatlas.datasets import find_metro

    rows: list[dict[str, Any]] = []
    if isinstance(demand_metros, pd.DataFrame):
        df: Any = demand_metros
        if "geometry" in df.columns and hasattr(df, "crs"):
            df = to_wgs84(df, "demand_metros")
            if "lat" not in df.columns:
                df = df.assign(lat=df.geometry.y, lon=df.geometry.x)
        if not {"lat", "lon"} <= set(df.columns):
            raise InputError("demand_metros table needs 'lat' and 'lon' columns")
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
    else:
        items = [demand_metros] if isinstance(demand_metros, str) else demand_metros
        if items is None:
            raise InputError("demand_metros is required: names, (lat, lon) tuples or a table")
        try:
            items = list(items)
        except TypeError as err:
            raise InputError(
                f"demand_metros must be a list, got {type(demand_metros).__name__}"
            ) from err
        for k, item in enumerate(items):
            if isinstance(item, str):
                row = find_metro(item)
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
                weight = item[2] if len(item) == 3 else np.nan
                rows.append(
                    {
                        "name": f"point {k + 1} ({lat}, {lon})",
                        "lat": lat,
                        "lon": lon,
                        "weight": weight,
                        "population": np.nan,
                    }
                )
            else:
                raise InputError(
                    f"demand_metros[{k}] = {item!r}: use a metro name, (lat, lon) or "
                    "(lat, lon, weight)"
                )
    if not rows:
        raise InputError("demand_metros is empty; give at least one metro")
    out = pd.DataFrame(rows)
    for col in ("lat", "lon"):
        numeric = out[col].map(
            lambda v: isinstance(v, (int, float, np.number)) and not isinstance(v, bool)
        )
        if not numeric.all():
            raise InputError(
                f"demand_metros {col} values must be numbers, got "
                f"{out.loc[~numeric, col].tolist()[:3]}"
            )
        out[col] = out[col].astype(float)
    for col in ("weight", "population"):
        out[col] = pd.to_numeric(out[col], errors="coerce")
    if out[["lat", "lon"]].isna().any().any():
        raise InputError("demand_metros coordinates contain NaN")
    if (out["lat"].abs() > 90).any() or (out["lon"] < -180).any() or (out["lon"] > 360).any():
        raise InputError(
            "demand_metros latitudes must be within [-90, 90] and longitudes within [-180, 360] deg"
        )
    out["lon"] = ((out["lon"] + 180.0) % 360.0) - 180.0
    if (out["weight"] < 0).any():
        raise InputError("demand_metros weights must not be negative")
    dup = out.duplicated(subset=["lat", "lon"])
    if dup.any():
        raise InputError(f"duplicate demand metros: {out.loc[dup, 'name'].tolist()}")
    labels = [_label(n) for n in out["name"]]
    seen: dict[str, int] = {}
    for i, lab in enumerate(labels):
        if lab in seen:
            seen[lab] += 1
            labels[i] = f"{lab}_{seen[lab]}"
        else:
            seen[lab] = 1
    out.insert(0, "label", labels)
    return out
