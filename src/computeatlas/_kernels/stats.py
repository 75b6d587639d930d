"""Small statistical kernels (numba)."""

from __future__ import annotations

import math

from numba import vectorize


@vectorize(["float64(float64)"], cache=True)
def norm_cdf(z):
    """Return the standard normal cumulative distribution function at ``z``."""
    return 0.5 * (1.0 + math.erf(z / math.sqrt(2.0)))
