"""One-pass group statistics (numba)."""

from __future__ import annotations

import math

import numpy as np
from numba import njit


@njit(cache=True)
def group_min_mean(label, values, weights, n_groups):
    """Minimum (with the flat index where it occurs), weighted mean and weight sum per group.

    Cells with label < 0 or a NaN value are skipped. Ties in the minimum keep the
    first cell in flat order, so results are deterministic.
    """
    mn = np.full(n_groups, np.inf)
    am = np.full(n_groups, -1, dtype=np.int64)
    s = np.zeros(n_groups)
    w = np.zeros(n_groups)
    for i in range(label.size):
        g = label[i]
        v = values[i]
        if g < 0 or math.isnan(v):
            continue
        if v < mn[g]:
            mn[g] = v
            am[g] = i
        s[g] += weights[i] * v
        w[g] += weights[i]
    mean = np.full(n_groups, np.nan)
    for g in range(n_groups):
        if w[g] > 0:
            mean[g] = s[g] / w[g]
        if am[g] < 0:
            mn[g] = np.nan
    return mn, am, mean, w
