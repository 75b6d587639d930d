"""Scalar psychrometric kernels (degC, kPa, kg/kg), compiled with numba.

Saturation pressure: Magnus form of Alduchov & Eskridge (1996). Humidity
ratio and the wet-bulb balance: ASHRAE Handbook Fundamentals (2017), ch. 1,
eqs. (20) and (33)/(35).
"""

from __future__ import annotations

import math

from numba import njit, vectorize

# Magnus coefficients over water (Alduchov & Eskridge 1996, AERK), e_s in kPa.
MAGNUS_A_KPA = 0.61094
MAGNUS_B = 17.625
MAGNUS_C = 243.04
#: Ratio of the molar masses of water vapour and dry air (ASHRAE 2017 ch. 1 eq. 20).
EPS = 0.621945


@njit(cache=True, fastmath=False)
def es_kpa(t_c):
    """Saturation vapour pressure over water [kPa] at ``t_c`` [degC]."""
    return MAGNUS_A_KPA * math.exp(MAGNUS_B * t_c / (t_c + MAGNUS_C))


@njit(cache=True)
def dew_point_from_e(e_kpa):
    """Dew point [degC] from vapour pressure [kPa] (inverse Magnus)."""
    x = math.log(e_kpa / MAGNUS_A_KPA)
    return MAGNUS_C * x / (MAGNUS_B - x)


@njit(cache=True)
def humidity_ratio(e_kpa, p_kpa):
    """Humidity ratio [kg water / kg dry air] (ASHRAE 2017 ch. 1 eq. 20)."""
    return EPS * e_kpa / (p_kpa - e_kpa)


@njit(cache=True)
def _w_from_wet_bulb(t_c, tw_c, p_kpa):
    """Humidity ratio implied by a wet bulb (ASHRAE 2017 ch. 1 eq. 33, tw >= 0 degC)."""
    ws = humidity_ratio(es_kpa(tw_c), p_kpa)
    return ((2501.0 - 2.326 * tw_c) * ws - 1.006 * (t_c - tw_c)) / (
        2501.0 + 1.86 * t_c - 4.186 * tw_c
    )


@njit(cache=True)
def wet_bulb(t_c, td_c, p_kpa):
    """Thermodynamic wet-bulb temperature [degC]: Newton's method on ASHRAE eq. (33).

    Starts from ``t - (t - td)/3`` and iterates until the step is below 1e-6 K
    (at most 8 steps; 3-4 in practice), keeping the iterate within [td, t].
    Returns NaN for NaN inputs; the dew point is clipped to the dry bulb.
    """
    if math.isnan(t_c) or math.isnan(td_c) or math.isnan(p_kpa):
        return math.nan
    if td_c >= t_c:
        return t_c
    w = humidity_ratio(es_kpa(td_c), p_kpa)
    tw = t_c - (t_c - td_c) / 3.0
    for _ in range(8):
        es = es_kpa(tw)
        des = es * MAGNUS_B * MAGNUS_C / ((tw + MAGNUS_C) * (tw + MAGNUS_C))
        ws = EPS * es / (p_kpa - es)
        dws = EPS * p_kpa * des / ((p_kpa - es) * (p_kpa - es))
        num = (2501.0 - 2.326 * tw) * ws - 1.006 * (t_c - tw)
        den = 2501.0 + 1.86 * t_c - 4.186 * tw
        dnum = -2.326 * ws + (2501.0 - 2.326 * tw) * dws + 1.006
        f = num / den - w
        df = (dnum * den + 4.186 * num) / (den * den)
        step = f / df
        tw -= step
        if tw < td_c:
            tw = td_c
        elif tw > t_c:
            tw = t_c
        if abs(step) < 1e-6:
            break
    return tw


@vectorize(cache=True)  # compiled (or loaded from the cache) at the first call, not at import
def wet_bulb_ufunc(t_c, td_c, p_kpa):
    """Element-wise :func:`wet_bulb` (callers pass float64 arrays)."""
    return wet_bulb(t_c, td_c, p_kpa)
