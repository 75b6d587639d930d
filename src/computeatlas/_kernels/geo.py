"""Great-circle kernels (numba): haversine distance on a sphere, degrees in, km out."""

from __future__ import annotations

import math

from numba import vectorize

from computeatlas.constants import EARTH_RADIUS_KM


@vectorize(["float64(float64, float64, float64, float64)"], cache=True)
def haversine_km(lat1, lon1, lat2, lon2):
    """Great-circle distance [km] on a sphere of the IUGG mean radius."""
    p1 = math.radians(lat1)
    p2 = math.radians(lat2)
    dp = p2 - p1
    dl = math.radians(lon2 - lon1)
    a = math.sin(0.5 * dp) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(0.5 * dl) ** 2
    return 2.0 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))
