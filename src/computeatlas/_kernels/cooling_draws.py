"""Annual PUE for many parameter draws at once, from a monthly climatology (numba).

The climate of a cell (its 216 within-year temperature samples, their weights,
the comonotonic dew points and the wet bulbs) is built once and reused by every draw; each
draw is one packed parameter vector (a row of ``PD``). With a single draw
equal to the point parameters the result is that of
:func:`computeatlas._kernels.cooling.annual_from_monthly`, bit for bit.
Parallel over cells only, so the result does not depend on the thread count.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit, prange

from computeatlas._kernels.cooling import (
    CHW_S,
    DP_MAX,
    ECON,
    ELEC,
    FAN,
    HX,
    PUMP,
    T_MAX,
    TOWER,
    _descending,
    _dew_point_at,
    _monthly_samples,
    _sample_order,
    hour_tw,
)
from computeatlas._kernels.psychro import wet_bulb


@njit(cache=True)
def _sorted_climate(tm_i, dq_i, exceedance, dtr, sigma, p_kpa):
    """Temperatures, weights, dew points and wet bulbs of one cell's samples, warmest last."""
    temps, weights = _monthly_samples(tm_i, dtr, sigma)
    order = _sample_order(tm_i, temps)
    n = order.size
    t_s = np.empty(n)
    w_s = np.empty(n)
    td_s = np.empty(n)
    tw_s = np.empty(n)
    seg = exceedance.size - 2
    cum = 0.0
    for j in range(n):
        k = order[j]
        w = weights[k]
        u = cum + 0.5 * w
        cum += w
        td, seg = _dew_point_at(100.0 * (1.0 - u), exceedance, dq_i, seg)
        t_s[j] = temps[k]
        w_s[j] = w
        td_s[j] = td
        tw_s[j] = wet_bulb(t_s[j], min(td, t_s[j]), p_kpa)
    return t_s, w_s, td_s, tw_s


@njit(cache=True)
def _free_prefix(t_s, td_s, tw_s, P):
    """(j, overhead): samples ``< j`` are free hours with that overhead, by bisection.

    Samples are sorted warmest last and their dew points (hence wet bulbs) are
    comonotonic, so the free condition of the air side (dry bulb within the supply
    limit and dew point within its cap; humidifying costs water, not power) and of
    the water side (wet bulb plus approaches within the chilled-water supply) holds
    on a prefix. Other economisers return j = 0 (every sample evaluated).
    """
    econ = int(P[ECON])
    n = t_s.size
    if econ == 0:
        over = P[ELEC] + P[FAN]
    elif econ == 1:
        over = P[ELEC] + P[FAN] + P[PUMP]
    else:
        return 0, 0.0
    lo = 0
    hi = n
    while lo < hi:  # first sample that is not free
        mid = (lo + hi) // 2
        if econ == 0:
            free = t_s[mid] <= P[T_MAX] and min(td_s[mid], t_s[mid]) <= P[DP_MAX]
        else:
            free = tw_s[mid] + P[TOWER] + P[HX] <= P[CHW_S]
        if free:
            lo = mid + 1
        else:
            hi = mid
    return lo, over


@njit(cache=True, parallel=True)
def annual_pue_draws(tm, dq, exceedance, dtr, sigma, p_kpa, PD):
    """Annual PUE (cells, draws) for the packed parameter vectors ``PD`` (draws, N_PARAMS).

    Inputs as :func:`computeatlas._kernels.cooling.annual_from_monthly`.
    """
    n = tm.shape[0]
    nd = PD.shape[0]
    out = np.empty((n, nd))
    for i in prange(n):
        if math.isnan(tm[i, 0]) or math.isnan(dq[i, 0]):
            out[i, :] = math.nan
            continue
        t_s, w_s, td_s, tw_s = _sorted_climate(tm[i], dq[i], exceedance, dtr[i], sigma[i], p_kpa[i])
        cum_w = np.zeros(t_s.size + 1)
        for j in range(t_s.size):
            cum_w[j + 1] = cum_w[j] + w_s[j]
        monotone = _descending(dq[i])  # then the sorted samples' dew points never fall
        for d in range(nd):
            P = PD[d]
            j0, over = _free_prefix(t_s, td_s, tw_s, P) if monotone else (0, 0.0)
            s = cum_w[j0] * over
            for j in range(j0, t_s.size):
                s += w_s[j] * hour_tw(t_s[j], td_s[j], tw_s[j], p_kpa[i], P)[0]
            out[i, d] = 1.0 + s
    return out
