"""Small statistical kernels (numba)."""

from __future__ import annotations

import math

import numpy as np
from numba import njit, prange


@njit(cache=True)
def norm_cdf(z):
    """Return the standard normal cumulative distribution function at a scalar ``z``."""
    return 0.5 * (1.0 + math.erf(z / math.sqrt(2.0)))


@njit(cache=True, parallel=True)
def weighted_cdf_sum(tm, days, threshold, sd):
    """``sum_m days[m] * Phi((threshold - tm[i, m]) / sd) / sum(days)`` for each row ``i``.

    ``tm`` is (cells, months) float64, ``days`` (months,) float64; NaN propagates.
    The months are summed in order (left to right).
    """
    n, nm = tm.shape
    total = 0.0
    for m in range(nm):
        total += days[m]
    out = np.empty(n)
    for i in prange(n):
        s = 0.0
        for m in range(nm):
            s += norm_cdf((threshold - tm[i, m]) / sd) * days[m]
        out[i] = s / total
    return out
