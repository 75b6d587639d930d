"""Great-circle kernels (numba): haversine distance on a sphere, degrees in, km out.

The ufunc is compiled (or loaded from numba's cache) at its first call, not at import:
the default ranking path never calls it, and an eager compile cost every new process
about a tenth of a second.
"""

from __future__ import annotations

import math
from typing import Any

from numba import vectorize

from computeatlas.constants import EARTH_RADIUS_KM


def _haversine(lat1, lon1, lat2, lon2):
    """Great-circle distance [km] on a sphere of the IUGG mean radius (scalar body)."""
    p1 = math.radians(lat1)
    p2 = math.radians(lat2)
    dp = p2 - p1
    dl = math.radians(lon2 - lon1)
    a = math.sin(0.5 * dp) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(0.5 * dl) ** 2
    return 2.0 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))


_UFUNC: list[Any] = []


def haversine_km(lat1, lon1, lat2, lon2):
    """Great-circle distance [km] on a sphere of the IUGG mean radius (float64 ufunc)."""
    if not _UFUNC:
        _UFUNC.append(
            vectorize(["float64(float64, float64, float64, float64)"], cache=True)(_haversine)
        )
    return _UFUNC[0](lat1, lon1, lat2, lon2)
