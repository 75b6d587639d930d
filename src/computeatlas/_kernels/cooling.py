"""Hour-level cooling-energy kernel and its annual drivers (numba).

Units: degC, kPa, and powers per unit of IT power (W/W). Parameters arrive as
a packed float64 vector built by :func:`computeatlas.models.cooling.pack_parameters`;
the index constants below name its slots. See ``computeatlas.models.cooling`` for
the equations and references.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit, prange

from computeatlas._kernels.psychro import EPS, dew_point_from_e, es_kpa, humidity_ratio, wet_bulb
from computeatlas.constants import HOURS_PER_YEAR

# Slots of the packed parameter vector.
ECON = 0  # 0 air, 1 water, 2 none, 3 liquid
ADIABATIC = 1
EVAP_EFF = 2
ELEC = 3  # (1/ups - 1) + distribution + lighting
FAN = 4  # fan power per unit IT for a fully air-cooled hall
PUMP = 5
COP_R = 6
COND_R = 7
EVAP_R = 8
T_MAX = 9  # supply-air limits from the ASHRAE class
T_MIN = 10
DP_MAX = 11
AIR_DT = 12
CHW_S = 13
CHW_DT = 14
TOWER = 15
HX = 16
EVAP_FRAC = 17
LIQ = 18
FWS = 19
DC_APP = 20
CP_AIR = 21  # kJ/(kg K)
H_FG = 22  # kJ/kg
COP_CAP = 23  # multiple of the rated COP
N_PARAMS = 24

MIN_LIFT_K = 5.0


@njit(cache=True)
def chiller_cop(cond_c, evap_c, P):
    """COP at a heat-rejection temperature: constant Carnot fraction of the rating point."""
    lift = max(cond_c - evap_c, MIN_LIFT_K)
    lift_r = max(P[COND_R] - P[EVAP_R], MIN_LIFT_K)
    cop = P[COP_R] * ((evap_c + 273.15) / lift) / ((P[EVAP_R] + 273.15) / lift_r)
    return min(cop, P[COP_CAP] * P[COP_R])


@njit(cache=True)
def _adiabatic(t, td, p_kpa, eff):
    """Supply temperature, supply dew point and added humidity ratio of evaporative cooling."""
    tw = wet_bulb(t, td, p_kpa)
    ts = t - eff * (t - tw)
    w = humidity_ratio(es_kpa(td), p_kpa)
    # Adiabatic saturation keeps the enthalpy: cp_moist * dT = h_fg * dW.
    dw = (1.006 + 1.86 * w) * (t - ts) / (2501.0 - 2.326 * tw)
    ws = w + dw
    e_new = p_kpa * ws / (EPS + ws)
    return ts, dew_point_from_e(e_new), dw


@njit(cache=True)
def _air_side(t, td, p_kpa, P, fan):
    """Air-side economiser hour: (mechanical power, mechanical-on flag, water kg/kWh)."""
    if t <= P[T_MAX] and td <= P[DP_MAX]:
        return 0.0, 0.0, 0.0
    # Two bounds spare the wet-bulb iteration when evaporation cannot make the hour
    # free: the wet bulb lies in [td, t] (the kernel clamps it there), so the supply
    # temperature is at least t - eff (t - td) (exact in floating point, every step
    # is monotone); and evaporation only adds water, so the supply dew point is at
    # least td (1e-6 K margin for the round trip through the vapour pressure).
    if P[ADIABATIC] > 0.5 and t - P[EVAP_EFF] * (t - td) <= P[T_MAX] and td <= P[DP_MAX] + 1e-6:
        ts, tds, dw = _adiabatic(t, td, p_kpa, P[EVAP_EFF])
        if ts <= P[T_MAX] and tds <= P[DP_MAX]:
            water = 3600.0 * dw / (P[CP_AIR] * P[AIR_DT])
            return 0.0, 0.0, water
    t_return = P[T_MAX] + P[AIR_DT]
    if td <= P[DP_MAX] and t < t_return:
        load = (t - P[T_MAX]) / P[AIR_DT]  # outdoor air pre-cools, compressor trims
    else:
        load = 1.0  # closed loop: outdoor air too hot or too humid
    cop = chiller_cop(t, P[EVAP_R], P)
    return load * (1.0 + fan) / cop, 1.0, 0.0


@njit(cache=True)
def _hour_air(t, td, p_kpa, P):
    """Direct air-side economiser (with optional adiabatic assist)."""
    mech_p, mech, water = _air_side(t, td, p_kpa, P, P[FAN])
    return P[ELEC] + P[FAN] + mech_p, mech, water


@njit(cache=True)
def _hour_water(t, td, p_kpa, P):
    """Water-side economiser: cooling tower, plate heat exchanger, trim chiller."""
    fan = P[FAN]
    pump = P[PUMP]
    base = P[ELEC]
    tw = wet_bulb(t, td, p_kpa)
    tcw = tw + P[TOWER]
    approach = tcw + P[HX]
    if approach <= P[CHW_S]:
        load = 0.0
    elif approach < P[CHW_S] + P[CHW_DT]:
        load = (approach - P[CHW_S]) / P[CHW_DT]
    else:
        load = 1.0
    mech_p = 0.0
    if load > 0.0:
        mech_p = load * (1.0 + fan + pump) / chiller_cop(tcw, P[CHW_S], P)
    rejected = 1.0 + base + fan + pump + mech_p
    water = P[EVAP_FRAC] * 3600.0 * rejected / P[H_FG]
    return base + fan + pump + mech_p, 1.0 if load > 0.0 else 0.0, water


@njit(cache=True)
def _hour_chiller(t, td, p_kpa, P):
    """No economiser: an air-cooled chiller runs every hour."""
    fan = P[FAN]
    pump = P[PUMP]
    mech_p = (1.0 + fan + pump) / chiller_cop(t, P[CHW_S], P)
    return P[ELEC] + fan + pump + mech_p, 1.0, 0.0


@njit(cache=True)
def _hour_liquid(t, td, p_kpa, P):
    """Direct liquid cooling on warm water; the residual heat goes by the air side."""
    fan = P[FAN]
    pump = P[PUMP]
    lf = P[LIQ]
    mech = 0.0
    water = 0.0
    liq_mech = 0.0
    if t + P[DC_APP] > P[FWS]:
        done = False
        t_reject = t + P[DC_APP]
        if P[ADIABATIC] > 0.5:
            ts, _tds, dw = _adiabatic(t, td, p_kpa, P[EVAP_EFF])
            if ts + P[DC_APP] <= P[FWS]:
                water += lf * 3600.0 * dw / (P[CP_AIR] * P[AIR_DT])
                done = True
            else:
                t_reject = ts + P[DC_APP]
        if not done:
            liq_mech = lf * (1.0 + pump) / chiller_cop(t_reject, P[FWS], P)
            mech = 1.0
    air_mech, air_on, air_water = _air_side(t, td, p_kpa, P, fan)
    if air_on > 0.0:
        mech = 1.0
    water += (1.0 - lf) * air_water
    overhead = P[ELEC] + (1.0 - lf) * fan + pump + liq_mech + (1.0 - lf) * air_mech
    return overhead, mech, water


@njit(cache=True)
def hour(t, td, p_kpa, P):
    """Cooling and electrical overhead of one hour (dispatch on the economiser).

    Returns
    -------
    overhead : float
        Facility power beyond IT per unit IT power (PUE - 1) [W/W].
    mech : float
        1.0 if compressors run in this hour, else 0.0.
    water : float
        Water evaporated [kg (about L) per kWh of IT energy].
    """
    if math.isnan(t) or math.isnan(td):
        return math.nan, math.nan, math.nan
    if td > t:
        td = t
    econ = int(P[ECON])
    if econ == 0:
        return _hour_air(t, td, p_kpa, P)
    if econ == 1:
        return _hour_water(t, td, p_kpa, P)
    if econ == 2:
        return _hour_chiller(t, td, p_kpa, P)
    return _hour_liquid(t, td, p_kpa, P)


@njit(cache=True)
def surely_free(t, td, P):
    """Tell whether an hour is certainly cooled without compressors or evaporation.

    Cheap test that avoids the wet bulb: the wet bulb never exceeds the dry bulb,
    so dry-bulb bounds are sufficient. Such hours all share the overhead of a
    free hour (:func:`free_hour`).
    """
    econ = int(P[ECON])
    if econ == 0:
        return t <= P[T_MAX] and td <= P[DP_MAX]
    if econ == 1:
        return t + P[TOWER] + P[HX] <= P[CHW_S]
    if econ == 3:
        return t <= P[T_MAX] and td <= P[DP_MAX] and t + P[DC_APP] <= P[FWS]
    return False


@njit(cache=True)
def free_hour(P):
    """(overhead, water) of a free hour; the same for every free hour of a technology."""
    over, _mech, water = hour(-60.0, -70.0, 101.325, P)
    return over, water


@njit(cache=True, parallel=True)
def annual_from_hourly(t, td, p_kpa, P):
    """Annual PUE, free-cooling hours per year and WUE from hourly series.

    ``t`` and ``td`` are (cells, hours); ``p_kpa`` is (cells,). A cell with any
    NaN hour gets NaN.
    """
    n, nh = t.shape
    pue = np.empty(n)
    free_hours = np.empty(n)
    wue = np.empty(n)
    f_over, f_water = free_hour(P)
    for i in prange(n):
        s_over = 0.0
        s_free = 0.0
        s_water = 0.0
        for h in range(nh):
            th = t[i, h]
            tdh = td[i, h]
            if surely_free(th, min(tdh, th), P):
                s_over += f_over
                s_free += 1.0
                s_water += f_water
                continue
            over, mech, water = hour(th, tdh, p_kpa[i], P)
            s_over += over
            s_free += 1.0 - mech
            s_water += water
        pue[i] = 1.0 + s_over / nh
        free_hours[i] = HOURS_PER_YEAR * s_free / nh
        wue[i] = s_water / nh
    return pue, free_hours, wue


@njit(cache=True, parallel=True)
def hourly_overhead(t, td, p_kpa, P):
    """Hour-by-hour (overhead, mech, water) for (cells, hours) inputs."""
    n, nh = t.shape
    over = np.empty((n, nh))
    mech = np.empty((n, nh))
    water = np.empty((n, nh))
    for i in prange(n):
        for h in range(nh):
            o, m, w = hour(t[i, h], td[i, h], p_kpa[i], P)
            over[i, h] = o
            mech[i, h] = m
            water[i, h] = w
    return over, mech, water


# Days per month of a 365-day year.
_DAYS = np.array([31.0, 28.0, 31.0, 30.0, 31.0, 30.0, 31.0, 31.0, 30.0, 31.0, 30.0, 31.0])
# Three-point Gauss-Hermite rule for a standard normal variable.
_GH_NODES = np.array([-math.sqrt(3.0), 0.0, math.sqrt(3.0)])
_GH_WEIGHTS = np.array([1.0 / 6.0, 2.0 / 3.0, 1.0 / 6.0])
#: Local hours sampled for the diurnal cycle (every 4 h); the daily maximum is at 15 h.
_DIURNAL_HOURS = np.array([1.0, 5.0, 9.0, 13.0, 17.0, 21.0])


@njit(cache=True)
def _monthly_samples(tm, dtr, sigma):
    """Temperatures and weights of the within-month samples of one cell."""
    nd = _DIURNAL_HOURS.size
    ng = _GH_NODES.size
    ns = 12 * nd * ng
    temps = np.empty(ns)
    weights = np.empty(ns)
    k = 0
    for m in range(12):
        wm = _DAYS[m] / 365.0
        for h in range(nd):
            shape = math.cos(2.0 * math.pi * (_DIURNAL_HOURS[h] - 15.0) / 24.0)
            for g in range(ng):
                temps[k] = tm[m] + 0.5 * dtr * shape + sigma * _GH_NODES[g]
                weights[k] = wm * _GH_WEIGHTS[g] / nd
                k += 1
    return temps, weights


@njit(cache=True, parallel=True)
def annual_from_monthly(tm, dq, exceedance, dtr, sigma, p_kpa, P):
    """Annual PUE, free-cooling hours and WUE from monthly means and a dew-point distribution.

    ``tm`` (cells, 12) monthly mean temperatures; ``dq`` (cells, Q) dew points
    exceeded for ``exceedance`` (Q,) percent of the year (ascending);
    ``dtr`` and ``sigma`` (cells,) diurnal range and synoptic standard
    deviation [K]; ``p_kpa`` (cells,).
    """
    n = tm.shape[0]
    pue = np.empty(n)
    free_hours = np.empty(n)
    wue = np.empty(n)
    f_over, f_water = free_hour(P)
    for i in prange(n):
        if math.isnan(tm[i, 0]) or math.isnan(dq[i, 0]):
            pue[i] = math.nan
            free_hours[i] = math.nan
            wue[i] = math.nan
            continue
        # Shortcut: if even the warmest sample with the most humid dew point is cooled for
        # free, every sample is, and all hours share that hour's overhead.
        t_hi = tm[i, 0]
        for m in range(1, 12):
            t_hi = max(t_hi, tm[i, m])
        t_hi += 0.5 * dtr[i] + _GH_NODES[-1] * sigma[i]
        econ = int(P[ECON])
        if econ == 0 or econ == 3:
            over, mech, water = hour(t_hi, min(dq[i, 0], t_hi), p_kpa[i], P)
            if mech == 0.0 and water == 0.0:
                pue[i] = 1.0 + over
                free_hours[i] = HOURS_PER_YEAR
                wue[i] = 0.0
                continue
        temps, weights = _monthly_samples(tm[i], dtr[i], sigma[i])
        # A stable merge sort: about twice as fast as numba's quicksort on these
        # 216 samples, and tied samples (the diurnal cosine repeats values) keep
        # their order, so the result is the same with and without the JIT.
        order = np.argsort(temps, kind="mergesort")
        # Exceedance falls as we walk up the sorted temperatures, so the interpolation
        # segment only ever moves down: walk it instead of searching each time.
        seg = exceedance.size - 2
        cum = 0.0
        s_over = 0.0
        s_free = 0.0
        s_water = 0.0
        for j in range(order.size):
            k = order[j]
            w = weights[k]
            u = cum + 0.5 * w  # annual non-exceedance probability of this temperature
            cum += w
            # Comonotonic pairing: the warmest hours take the most humid dew points.
            x = 100.0 * (1.0 - u)
            while seg > 0 and x < exceedance[seg]:
                seg -= 1
            if x <= exceedance[0]:
                td = dq[i, 0]
            elif x >= exceedance[-1]:
                td = dq[i, -1]
            else:
                f = (x - exceedance[seg]) / (exceedance[seg + 1] - exceedance[seg])
                td = dq[i, seg] + f * (dq[i, seg + 1] - dq[i, seg])
            if surely_free(temps[k], min(td, temps[k]), P):
                s_over += w * f_over
                s_free += w
                s_water += w * f_water
                continue
            over, mech, water = hour(temps[k], td, p_kpa[i], P)
            s_over += w * over
            s_free += w * (1.0 - mech)
            s_water += w * water
        pue[i] = 1.0 + s_over
        free_hours[i] = HOURS_PER_YEAR * s_free
        wue[i] = s_water
    return pue, free_hours, wue
