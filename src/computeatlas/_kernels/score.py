"""Fused scoring kernel: a window's layers -> cost, score, tie-break key in one pass (numba).

Units: USD/MWh for prices, costs and credits, 1 for PUE, kgCO2/MWh for carbon
intensity, USD/tCO2 for the carbon price, MWh_IT per million tokens for the token
energy. The equations are those of :mod:`computeatlas.models.energy`; this module
only evaluates them cell by cell, row by row (``prange`` over rows), so memory is
O(cells) and every input is read once.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit, prange

# Slots of the per-row check counts returned by :func:`score_rows`.
NEG_PRICE = 0  # finite price < 0
LOW_PUE = 1  # finite PUE < 1
BIG_CREDIT = 2  # |heat credit| overflowing (inf or >= BIG)
BIG_SCORE = 3  # |score| overflowing
BIG_MTOKEN = 4  # |cost per token| overflowing
N_CHECKS = 5

#: Magnitude from which a value counts as overflowed (np.nan_to_num maps inf to the max).
BIG = np.finfo(np.float64).max / 2


@njit(cache=True)
def _big(x):
    """Whether ``x`` is infinite or within a factor 2 of the float maximum (NaN: no)."""
    return (not math.isnan(x)) and abs(x) >= BIG


@njit(cache=True, parallel=True)
def score_rows(price, pue, credit, carbon, land, carbon_price, mwh_per_mtoken, tie_step):
    """Cost, cost per token, carbon per MWh_IT, score and tie key of every cell.

    All array inputs are (rows, cols) float64 (``land`` bool). Per cell, with the
    operations in the order of the NumPy composition they replace::

        cost   = price * pue - credit
        score  = cost + carbon_price * carbon / 1000 * pue   (carbon_price > 0)
        score  = score if land else NaN
        mtoken = cost * mwh_per_mtoken
        co2_it = carbon * pue
        key    = rint(score / tie_step)       (costs to the tie step; NaN stays NaN)

    Returns ``(cost, mtoken, co2_it, score, key, checks)``; ``checks`` (rows,
    N_CHECKS) counts the cells of each row failing each check (slots above).
    """
    nr, nc = price.shape
    cost = np.empty((nr, nc))
    mtoken = np.empty((nr, nc))
    co2_it = np.empty((nr, nc))
    score = np.empty((nr, nc))
    key = np.empty((nr, nc))
    checks = np.zeros((nr, N_CHECKS), dtype=np.int64)
    with_carbon = carbon_price > 0
    for i in prange(nr):
        for j in range(nc):
            p = price[i, j]
            u = pue[i, j]
            h = credit[i, j]
            ci = carbon[i, j]
            if p < 0 and math.isfinite(p):
                checks[i, NEG_PRICE] += 1
            if u < 1.0 and math.isfinite(u):
                checks[i, LOW_PUE] += 1
            c = p * u - h
            s = c + carbon_price * ci / 1000.0 * u if with_carbon else c
            if not land[i, j]:
                s = math.nan
            m = c * mwh_per_mtoken
            if _big(h):
                checks[i, BIG_CREDIT] += 1
            if _big(s):
                checks[i, BIG_SCORE] += 1
            if _big(m):
                checks[i, BIG_MTOKEN] += 1
            cost[i, j] = c
            mtoken[i, j] = m
            co2_it[i, j] = ci * u
            score[i, j] = s
            key[i, j] = np.rint(s / tie_step)
    return cost, mtoken, co2_it, score, key, checks
