"""Small statistical kernels (numba)."""

from __future__ import annotations

import math

import numpy as np
from numba import njit, prange


@njit(cache=True)
def norm_cdf(z):
    """Return the standard normal cumulative distribution function at a scalar ``z``."""
    return 0.5 * (1.0 + math.erf(z / math.sqrt(2.0)))


@njit(cache=True)
def _sum12(x):
    """Sum 12 values in NumPy's pairwise order (eight partial sums, then the rest in turn)."""
    s = ((x[0] + x[1]) + (x[2] + x[3])) + ((x[4] + x[5]) + (x[6] + x[7]))
    for m in range(8, 12):
        s += x[m]
    return s


@njit(cache=True, parallel=True)
def weighted_cdf_sum(tm, days, threshold, sd, total):
    """``sum_m Phi((threshold - tm[i, m]) / sd) * days[m] / total`` for each row ``i``.

    ``tm`` is (cells, 12) float64, ``days`` (12,) float64; NaN propagates. The 12
    products are summed in the order NumPy's ``sum(axis=-1)`` uses, so the result is
    the same to the last bit as ``(norm_cdf((threshold - tm) / sd) * days).sum(-1) / total``.
    """
    n = tm.shape[0]
    out = np.empty(n)
    for i in prange(n):
        x = np.empty(12)
        for m in range(12):
            x[m] = norm_cdf((threshold - tm[i, m]) / sd) * days[m]
        out[i] = _sum12(x) / total
    return out
