"""Derive the fibre-route ranges of ``presets/uncertainty.toml`` from the shipped Azure pairs.

``python grids/build_uncertainty.py`` prints, for the ``geographic`` (default) and
``cloud_backbone`` presets,
the 25th-75th percentile of the route factor implied by each calibration
(``fit``) pair of at least ``max(1000 km, 2 x ramp)`` with the fixed part held at
the preset, and of the long-route fixed part implied by each ``fit`` pair from the
preset's ramp distance (beyond it the fixed part is whole) to that split, with the
route factor held at the preset. The zero-distance round trip and the ramp are not varied.
The values are typed into ``presets/uncertainty.toml`` (rounded to 2 and 1
decimals); ``tests/test_uncertainty.py`` checks them.
Source data: ``data/latency_pairs.csv`` (``grids/build_latency.py``; Microsoft
Azure network round-trip latency statistics).
"""

from __future__ import annotations

import numpy as np

#: Distance separating the pairs that inform the route factor from those that inform
#: the fixed part [km].
SPLIT_KM = 1000.0


def route_ranges(
    pairs,
    route_factor: float,
    fixed_ms: float,
    v_km_per_ms: float,
    ramp_km: float = 0.0,
    geographic: bool = False,
):
    """(route_factor range, fixed_ms range) from the ``fit`` pairs of a pair table.

    With ``geographic`` the distance of a pair is its corridor path length
    (:func:`computeatlas.models.corridors.path_km`), as in the route's model.
    """
    fit = pairs[pairs["split"] == "fit"]
    d = fit["distance_km"].to_numpy(float)
    if geographic:
        from computeatlas.models.corridors import path_km

        d = path_km(fit.lat_a, fit.lon_a, fit.lat_b, fit.lon_b)
    rtt = fit["rtt_ms"].to_numpy(float)
    split = max(SPLIT_KM, 2.0 * ramp_km)
    far, near = d >= split, (d >= ramp_km) & (d < split)
    k = (rtt[far] - fixed_ms) / (2.0 * d[far] / v_km_per_ms)
    f = rtt[near] - route_factor * 2.0 * d[near] / v_km_per_ms
    return tuple(np.percentile(k, [25, 75])), tuple(np.percentile(f, [25, 75]))


def preset_ranges(name: str) -> tuple[tuple[float, ...], tuple[float, ...]]:
    """:func:`route_ranges` of a shipped route preset on the shipped Azure pairs."""
    from computeatlas import datasets, presets
    from computeatlas.constants import FIBRE_SPEED_KM_PER_MS

    r = presets.route(name)
    return route_ranges(
        datasets.latency_pairs(),
        r.route_factor,
        r.fixed_ms,
        FIBRE_SPEED_KM_PER_MS,
        r.ramp_km,
        r.geographic,
    )


def main() -> None:
    for name in ("geographic", "cloud_backbone"):
        k, f = preset_ranges(name)
        print(f"[route.{name}]")
        print(f"route_factor = [{k[0]:.2f}, {k[1]:.2f}]")
        print(f"fixed_ms = [{f[0]:.1f}, {f[1]:.1f}]")


if __name__ == "__main__":
    main()
