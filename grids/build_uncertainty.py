"""Derive the fibre-route ranges of ``presets/uncertainty.toml`` from the shipped Azure pairs.

``python grids/build_uncertainty.py`` prints, for the ``cloud_backbone`` preset,
the 25th-75th percentile of the route factor implied by each calibration
(``fit``) pair of at least 1000 km with the fixed part held at the preset, and of
the long-route fixed part implied by each ``fit`` pair from the preset's ramp
distance (beyond it the fixed part is whole) to 1000 km, with the route factor
held at the preset. The zero-distance round trip and the ramp are not varied.
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
    pairs, route_factor: float, fixed_ms: float, v_km_per_ms: float, ramp_km: float = 0.0
):
    """(route_factor range, fixed_ms range) from the ``fit`` pairs of a pair table."""
    fit = pairs[pairs["split"] == "fit"]
    d = fit["distance_km"].to_numpy(float)
    rtt = fit["rtt_ms"].to_numpy(float)
    far, near = d >= SPLIT_KM, (d >= ramp_km) & (d < SPLIT_KM)
    k = (rtt[far] - fixed_ms) / (2.0 * d[far] / v_km_per_ms)
    f = rtt[near] - route_factor * 2.0 * d[near] / v_km_per_ms
    return tuple(np.percentile(k, [25, 75])), tuple(np.percentile(f, [25, 75]))


def main() -> None:
    from computeatlas import datasets, presets
    from computeatlas.constants import FIBRE_SPEED_KM_PER_MS

    r = presets.route("cloud_backbone")
    k, f = route_ranges(
        datasets.latency_pairs(), r.route_factor, r.fixed_ms, FIBRE_SPEED_KM_PER_MS, r.ramp_km
    )
    print(f"route_factor = [{k[0]:.2f}, {k[1]:.2f}]")
    print(f"fixed_ms = [{f[0]:.1f}, {f[1]:.1f}]")


if __name__ == "__main__":
    main()
