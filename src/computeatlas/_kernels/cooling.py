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
T_MAX = 9  # supply-air upper limit of the envelope
DP_MAX = 10  # supply dew-point cap: the envelope's limit and its RH limit at T_MAX
DP_MIN = 11  # supply dew-point lower limit (humidify below it)
AIR_DT = 12
CHW_S = 13  # chilled-water supply of the water-side plant / chiller evaporator
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
EVAP_AIR = 24  # evaporator of the air-side trim compressor (coil design point)
N_PARAMS = 25

# Operating modes of an hour.
MODE_FREE = 0  # no compressor, no evaporative cooling (humidification allowed)
MODE_ADIABATIC = 1  # evaporative assist, no compressor
MODE_PARTIAL = 2  # compressor trims part of the load
MODE_FULL = 3  # compressor carries the full load
N_MODES = 4

MIN_LIFT_K = 5.0


@njit(cache=True)
def chiller_cop(cond_c, evap_c, P):
    """COP at a heat-rejection temperature: constant Carnot fraction of the rating point."""
    lift = max(cond_c - evap_c, MIN_LIFT_K)
    lift_r = max(P[COND_R] - P[EVAP_R], MIN_LIFT_K)
    cop = P[COP_R] * ((evap_c + 273.15) / lift) / ((P[EVAP_R] + 273.15) / lift_r)
    return min(cop, P[COP_CAP] * P[COP_R])


@njit(cache=True)
def _wet_bulb(t, td, p_kpa, tw):
    """Return ``tw`` when the caller computed the wet bulb already (not NaN), else compute it."""
    return wet_bulb(t, td, p_kpa) if math.isnan(tw) else tw


@njit(cache=True)
def _adiabatic(t, td, p_kpa, eff, tw=math.nan):
    """Supply temperature, supply dew point and added humidity ratio of evaporative cooling."""
    tw = _wet_bulb(t, td, p_kpa, tw)
    ts = t - eff * (t - tw)
    w = humidity_ratio(es_kpa(td), p_kpa)
    # Adiabatic saturation keeps the enthalpy: cp_moist * dT = h_fg * dW.
    dw = (1.006 + 1.86 * w) * (t - ts) / (2501.0 - 2.326 * tw)
    ws = w + dw
    e_new = p_kpa * ws / (EPS + ws)
    return ts, dew_point_from_e(e_new), dw


@njit(cache=True)
def _humidify(t, td, p_kpa, P):
    """Water to lift a dry hour's supply dew point to the envelope's lower limit [kg/kWh_IT].

    Outdoor air is mixed with return air to a supply at ``T_MAX`` (the least
    outdoor air, so the least water): outdoor-air share
    ``f = dT_air / (T_MAX + dT_air - t)``; the exhaust carries the added
    moisture away, ``3600 f (W(DP_MIN) - W(td)) / (cp dT_air)``.
    """
    if td >= P[DP_MIN]:
        return 0.0
    f = min(1.0, P[AIR_DT] / (P[T_MAX] + P[AIR_DT] - t))
    dw = humidity_ratio(es_kpa(P[DP_MIN]), p_kpa) - humidity_ratio(es_kpa(td), p_kpa)
    return 3600.0 * f * dw / (P[CP_AIR] * P[AIR_DT])


@njit(cache=True)
def _evaporative(t, td, p_kpa, P, tw=math.nan):
    """Evaporative assist for an hour above ``T_MAX``: (feasible, water kg/kWh_IT).

    The media are modulated to just reach the supply limit, effectiveness
    ``e = (t - T_MAX)/(t - T_w) <= EVAP_EFF``; the hour is free when the
    supply dew point after adiabatic saturation is within ``DP_MAX`` (the
    dew-point limit and the RH limit at ``T_MAX``).
    """
    tw = _wet_bulb(t, td, p_kpa, tw)
    if t - tw <= 0.0:
        return False, 0.0
    e = (t - P[T_MAX]) / (t - tw)
    if e > P[EVAP_EFF]:
        return False, 0.0
    _ts, tds, dw = _adiabatic(t, td, p_kpa, e, tw)
    if tds > P[DP_MAX]:
        return False, 0.0
    return True, 3600.0 * dw / (P[CP_AIR] * P[AIR_DT])


@njit(cache=True)
def _air_side(t, td, p_kpa, P, fan, tw=math.nan):
    """Air-side economiser hour: (mechanical power, mode, water kg/kWh)."""
    if t <= P[T_MAX] and td <= P[DP_MAX]:
        return 0.0, MODE_FREE, _humidify(t, td, p_kpa, P)
    # Two bounds spare the wet-bulb iteration when evaporation cannot make the hour
    # free: the wet bulb lies in [td, t] (the kernel clamps it there), so even the
    # full effectiveness supplies at least t - eff (t - td) (exact in floating
    # point, every step is monotone); and evaporation only adds water, so the
    # supply dew point is at least td (1e-6 K margin for the vapour-pressure round trip).
    if (
        P[ADIABATIC] > 0.5
        and t > P[T_MAX]
        and t - P[EVAP_EFF] * (t - td) <= P[T_MAX]
        and td <= P[DP_MAX] + 1e-6
    ):
        ok, water = _evaporative(t, td, p_kpa, P, tw)
        if ok:
            return 0.0, MODE_ADIABATIC, water
    t_return = P[T_MAX] + P[AIR_DT]
    if td <= P[DP_MAX] and t < t_return:
        load = (t - P[T_MAX]) / P[AIR_DT]  # outdoor air pre-cools, compressor trims
        mode = MODE_PARTIAL
    else:
        load = 1.0  # closed loop: outdoor air too hot or too humid
        mode = MODE_FULL
    cop = chiller_cop(t, P[EVAP_AIR], P)
    return load * (1.0 + fan) / cop, mode, 0.0


@njit(cache=True)
def _hour_air(t, td, p_kpa, P, tw):
    """Direct air-side economiser (with optional adiabatic assist)."""
    mech_p, mode, water = _air_side(t, td, p_kpa, P, P[FAN], tw)
    return P[ELEC] + P[FAN] + mech_p, mode, water


@njit(cache=True)
def _hour_water(t, td, p_kpa, P, tw):
    """Water-side economiser: cooling tower, plate heat exchanger, trim chiller."""
    fan = P[FAN]
    pump = P[PUMP]
    base = P[ELEC]
    tw = _wet_bulb(t, td, p_kpa, tw)
    tcw = tw + P[TOWER]
    approach = tcw + P[HX]
    if approach <= P[CHW_S]:
        load = 0.0
        mode = MODE_FREE
    elif approach < P[CHW_S] + P[CHW_DT]:
        load = (approach - P[CHW_S]) / P[CHW_DT]
        mode = MODE_PARTIAL
    else:
        load = 1.0
        mode = MODE_FULL
    mech_p = 0.0
    if load > 0.0:
        mech_p = load * (1.0 + fan + pump) / chiller_cop(tcw, P[CHW_S], P)
    rejected = 1.0 + base + fan + pump + mech_p
    water = P[EVAP_FRAC] * 3600.0 * rejected / P[H_FG]
    return base + fan + pump + mech_p, mode, water


@njit(cache=True)
def _hour_chiller(t, td, p_kpa, P):
    """No economiser: an air-cooled chiller runs every hour."""
    fan = P[FAN]
    pump = P[PUMP]
    mech_p = (1.0 + fan + pump) / chiller_cop(t, P[CHW_S], P)
    return P[ELEC] + fan + pump + mech_p, MODE_FULL, 0.0


@njit(cache=True)
def _hour_liquid(t, td, p_kpa, P, tw):
    """Direct liquid cooling on warm water; the residual heat goes by the air side.

    The hour's mode is the more demanding of the two paths.
    """
    fan = P[FAN]
    pump = P[PUMP]
    lf = P[LIQ]
    mode = MODE_FREE
    water = 0.0
    liq_mech = 0.0
    if t + P[DC_APP] > P[FWS]:
        done = False
        t_reject = t + P[DC_APP]
        if P[ADIABATIC] > 0.5:
            ts, _tds, dw = _adiabatic(t, td, p_kpa, P[EVAP_EFF], tw)
            if ts + P[DC_APP] <= P[FWS]:
                water += lf * 3600.0 * dw / (P[CP_AIR] * P[AIR_DT])
                mode = MODE_ADIABATIC
                done = True
            else:
                t_reject = ts + P[DC_APP]
        if not done:
            liq_mech = lf * (1.0 + pump) / chiller_cop(t_reject, P[FWS], P)
            mode = MODE_FULL
    air_mech, air_mode, air_water = _air_side(t, td, p_kpa, P, fan, tw)
    mode = max(mode, air_mode)
    water += (1.0 - lf) * air_water
    overhead = P[ELEC] + (1.0 - lf) * fan + pump + liq_mech + (1.0 - lf) * air_mech
    return overhead, mode, water


@njit(cache=True)
def hour(t, td, p_kpa, P):
    """Cooling and electrical overhead of one hour (dispatch on the economiser).

    Returns
    -------
    overhead : float
        Facility power beyond IT per unit IT power (PUE - 1) [W/W].
    mode : int
        ``MODE_FREE``, ``MODE_ADIABATIC``, ``MODE_PARTIAL`` or ``MODE_FULL``
        (-1 for a NaN input); compressors run when ``mode >= MODE_PARTIAL``.
    water : float
        Water evaporated [kg (about L) per kWh of IT energy].
    """
    return hour_tw(t, td, math.nan, p_kpa, P)


@njit(cache=True)
def hour_tw(t, td, tw, p_kpa, P):
    """:func:`hour` with the hour's wet bulb ``tw`` given (NaN: computed when needed).

    ``tw`` must be ``wet_bulb(t, min(td, t), p_kpa)``; callers that evaluate one
    hour under many parameter vectors compute it once.
    """
    if math.isnan(t) or math.isnan(td):
        return math.nan, -1, math.nan
    if td > t:
        td = t
    econ = int(P[ECON])
    if econ == 0:
        return _hour_air(t, td, p_kpa, P, tw)
    if econ == 1:
        return _hour_water(t, td, p_kpa, P, tw)
    if econ == 2:
        return _hour_chiller(t, td, p_kpa, P)
    return _hour_liquid(t, td, p_kpa, P, tw)


@njit(cache=True)
def surely_free(t, td, P):
    """Tell whether an hour is certainly cooled without compressors, evaporation or humidifying.

    Cheap test that avoids the wet bulb: the wet bulb never exceeds the dry bulb,
    so dry-bulb bounds are sufficient. Such hours all share the overhead and
    water of a free hour (:func:`free_hour`).
    """
    econ = int(P[ECON])
    if econ == 0:
        return t <= P[T_MAX] and P[DP_MIN] <= td <= P[DP_MAX]
    if econ == 1:
        return t + P[TOWER] + P[HX] <= P[CHW_S]
    if econ == 3:
        return t <= P[T_MAX] and P[DP_MIN] <= td <= P[DP_MAX] and t + P[DC_APP] <= P[FWS]
    return False


@njit(cache=True)
def free_hour(P):
    """(overhead, water) of a free hour; the same for every hour :func:`surely_free` accepts.

    Evaluated at a saturated hour at the envelope's lower dew-point limit
    (cold, humid enough not to need humidifying).
    """
    x = min(P[DP_MIN], P[CHW_S] - P[TOWER] - P[HX])
    over, _mode, water = hour(x, x, 101.325, P)
    return over, water


@njit(cache=True, parallel=True)
def annual_from_hourly(t, td, p_kpa, P):
    """Annual PUE, WUE, hours per year by mode and free-cooling days from hourly series.

    ``t`` and ``td`` are (cells, hours); ``p_kpa`` is (cells,). A cell with any
    NaN hour gets NaN. A day is a block of 24 consecutive hours (from the first
    hour) without compressor cooling; free days are scaled to a 365-day year
    (NaN with fewer than 24 hours).
    """
    n, nh = t.shape
    pue = np.empty(n)
    wue = np.empty(n)
    mode_hours = np.empty((n, N_MODES))
    free_days = np.empty(n)
    f_over, f_water = free_hour(P)
    nd = nh // 24
    for i in prange(n):
        s_over = 0.0
        s_water = 0.0
        counts = np.zeros(N_MODES)
        n_free_days = 0.0
        day_free = True
        for h in range(nh):
            th = t[i, h]
            tdh = td[i, h]
            if surely_free(th, min(tdh, th), P):
                over, mode, water = f_over, MODE_FREE, f_water
            else:
                over, mode, water = hour(th, tdh, p_kpa[i], P)
            s_over += over
            s_water += water
            if mode >= 0:
                counts[mode] += 1.0
            day_free = day_free and MODE_FREE <= mode < MODE_PARTIAL
            if h % 24 == 23:
                n_free_days += 1.0 if day_free else 0.0
                day_free = True
        pue[i] = 1.0 + s_over / nh
        wue[i] = s_water / nh
        for m in range(N_MODES):
            mode_hours[i, m] = (
                HOURS_PER_YEAR * counts[m] / nh if math.isfinite(s_over) else math.nan
            )
        free_days[i] = 365.0 * n_free_days / nd if nd > 0 and math.isfinite(s_over) else math.nan
    return pue, wue, mode_hours, free_days


@njit(cache=True, parallel=True)
def hourly_overhead(t, td, p_kpa, P):
    """Hour-by-hour (overhead, mode, water) for (cells, hours) inputs (mode -1 for NaN)."""
    n, nh = t.shape
    over = np.empty((n, nh))
    mode = np.empty((n, nh))
    water = np.empty((n, nh))
    for i in prange(n):
        for h in range(nh):
            o, m, w = hour(t[i, h], td[i, h], p_kpa[i], P)
            over[i, h] = o
            mode[i, h] = m
            water[i, h] = w
    return over, mode, water


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


# The samples of one cell in runs: nine (diurnal level, node) runs over the months. The six
# diurnal hours give three levels (13/17 h and 9/21 h share their cosine exactly, 1/5 h to
# within a unit in the last place); a run holds the first hour of a level, and its partner
# hour's sample index is ``_RUN_DK`` further on.
_RUN_OFF = np.array([0, 1, 2, 6, 7, 8, 9, 10, 11])  # (h * 3 + g) of the run's samples
_RUN_DK = np.array([3, 3, 3, 9, 9, 9, 3, 3, 3])


@njit(cache=True)
def _sample_order(tm_i, temps):
    """Stable argsort of the 216 samples of :func:`_monthly_samples`, exploiting their structure.

    The same permutation as ``np.argsort(temps, kind="mergesort")`` (ascending, ties by
    index), about twice as fast. A sample's temperature rises with its month's mean, so
    each run is ascending when its months are taken in order of their means; a
    nine-way merge of the runs (each representative followed by its partner) is nearly
    sorted, and one insertion pass by (temperature, index) makes it exact whatever the
    rounding (ties, a partner off by a unit in the last place).
    """
    n = temps.size
    for k in range(n):
        if math.isnan(temps[k]):
            return np.argsort(temps, kind="mergesort")
    months = np.empty(12, dtype=np.int64)
    for m in range(12):
        pos = m
        while pos > 0 and tm_i[months[pos - 1]] > tm_i[m]:
            months[pos] = months[pos - 1]
            pos -= 1
        months[pos] = m
    nr = _RUN_OFF.size
    heads = np.zeros(nr, dtype=np.int64)
    order = np.empty(n, dtype=np.int64)
    for q in range(n // 2):
        best = math.inf
        run = 0
        for c in range(nr):
            h = heads[c]
            v = temps[months[h] * 18 + _RUN_OFF[c]] if h < 12 else math.inf
            if v < best:
                best = v
                run = c
        k = months[heads[run]] * 18 + _RUN_OFF[run]
        heads[run] += 1
        order[2 * q] = k
        order[2 * q + 1] = k + _RUN_DK[run]
    for j in range(1, n):
        k = order[j]
        v = temps[k]
        pos = j
        while pos > 0 and (
            temps[order[pos - 1]] > v or (temps[order[pos - 1]] == v and order[pos - 1] > k)
        ):
            order[pos] = order[pos - 1]
            pos -= 1
        order[pos] = k
    return order


@njit(cache=True)
def _dew_point_at(x, exceedance, dq_i, seg):
    """Dew point exceeded ``x`` percent of the year, walking the segment ``seg`` down."""
    while seg > 0 and x < exceedance[seg]:
        seg -= 1
    if x <= exceedance[0]:
        return dq_i[0], seg
    if x >= exceedance[-1]:
        return dq_i[-1], seg
    f = (x - exceedance[seg]) / (exceedance[seg + 1] - exceedance[seg])
    return dq_i[seg] + f * (dq_i[seg + 1] - dq_i[seg]), seg


@njit(cache=True)
def _free_days(free_s):
    """Days per year without compressors.

    A day is one (month, synoptic node) whose diurnal samples are all free of
    compressor cooling.
    """
    nd = _DIURNAL_HOURS.size
    ng = _GH_NODES.size
    days = 0.0
    for m in range(12):
        for g in range(ng):
            ok = True
            for h in range(nd):
                ok = ok and free_s[(m * nd + h) * ng + g]
            if ok:
                days += _DAYS[m] * _GH_WEIGHTS[g]
    return days


@njit(cache=True)
def _water_free_prefix(t_s, td_s, p_kpa, P):
    """Count the leading sorted samples a water-side economiser cools free (by bisection).

    With the samples sorted by temperature and their dew points not falling, the wet
    bulb never falls either, so the free condition of :func:`_hour_water` (tower and
    exchanger approaches within the chilled-water supply) holds on a prefix.
    """
    lo = 0
    hi = t_s.size
    while lo < hi:
        mid = (lo + hi) // 2
        tw = wet_bulb(t_s[mid], min(td_s[mid], t_s[mid]), p_kpa)
        if tw + P[TOWER] + P[HX] <= P[CHW_S]:
            lo = mid + 1
        else:
            hi = mid
    return lo


@njit(cache=True)
def _monthly_cell(tm_i, dq_i, exceedance, dtr, sigma, p_kpa, P, f_over, f_water, hours):
    """One cell of :func:`annual_from_monthly`: (pue, wue, free days); fills ``hours``."""
    temps, weights = _monthly_samples(tm_i, dtr, sigma)
    # A stable order: tied samples (the diurnal cosine repeats values) keep their
    # order, so the result is the same with and without the JIT.
    order = _sample_order(tm_i, temps)
    n = order.size
    free_s = np.zeros(n, dtype=np.bool_)
    # Exceedance falls as we walk up the sorted temperatures, so the interpolation
    # segment only ever moves down: walk it instead of searching each time.
    seg = exceedance.size - 2
    cum = 0.0
    t_s = np.empty(n)
    td_s = np.empty(n)
    for j in range(n):
        k = order[j]
        w = weights[k]
        u = cum + 0.5 * w  # annual non-exceedance probability of this temperature
        cum += w
        # Comonotonic pairing: the warmest hours take the most humid dew points.
        td_s[j], seg = _dew_point_at(100.0 * (1.0 - u), exceedance, dq_i, seg)
        t_s[j] = temps[k]
    # A water side's free samples are a prefix when the dew points do not fall: a free
    # hour's power and water there (what hour() returns for them, bit for bit).
    j0 = _water_free_prefix(t_s, td_s, p_kpa, P) if P[ECON] == 1 and _descending(dq_i) else 0
    s_over = 0.0
    s_water = 0.0
    for j in range(n):
        k = order[j]
        w = weights[k]
        t = t_s[j]
        td = td_s[j]
        if j < j0 or surely_free(t, min(td, t), P):
            over, mode, water = f_over, MODE_FREE, f_water
        else:
            over, mode, water = hour(t, td, p_kpa, P)
        s_over += w * over
        s_water += w * water
        if mode >= 0:
            hours[mode] += w
        free_s[k] = MODE_FREE <= mode < MODE_PARTIAL
    for m in range(N_MODES):
        hours[m] = HOURS_PER_YEAR * hours[m]
    return 1.0 + s_over, s_water, _free_days(free_s)


@njit(cache=True)
def _dry_water(tm_i, dq_i, exceedance, dtr, sigma, p_kpa, P):
    """Humidifying water of an air-side cell free of compressors all year [kg/kWh_IT].

    Only the samples below the envelope's dew-point floor take water (the
    comonotonic dew points rise with the sorted temperatures, so they are a prefix);
    each term is that of :func:`_humidify`, summed in the same order.
    """
    temps, weights = _monthly_samples(tm_i, dtr, sigma)
    order = _sample_order(tm_i, temps)
    w_floor = humidity_ratio(es_kpa(P[DP_MIN]), p_kpa)
    seg = exceedance.size - 2
    cum = 0.0
    s = 0.0
    for j in range(order.size):
        k = order[j]
        w = weights[k]
        u = cum + 0.5 * w
        cum += w
        td, seg = _dew_point_at(100.0 * (1.0 - u), exceedance, dq_i, seg)
        t = temps[k]
        td = min(td, t)
        if td >= P[DP_MIN]:
            break
        f = min(1.0, P[AIR_DT] / (P[T_MAX] + P[AIR_DT] - t))
        dw = w_floor - humidity_ratio(es_kpa(td), p_kpa)
        s += w * (3600.0 * f * dw / (P[CP_AIR] * P[AIR_DT]))
    return s


@njit(cache=True)
def _descending(x):
    """Tell whether ``x`` never increases (dew points by rising exceedance)."""
    for q in range(1, x.size):
        if x[q] > x[q - 1]:
            return False
    return True


@njit(cache=True, parallel=True)
def annual_from_monthly(tm, dq, exceedance, dtr, sigma, p_kpa, P):
    """Annual PUE, WUE, hours per year by mode and free-cooling days from a climatology.

    ``tm`` (cells, 12) monthly mean temperatures; ``dq`` (cells, Q) dew points
    exceeded for ``exceedance`` (Q,) percent of the year (ascending);
    ``dtr`` and ``sigma`` (cells,) diurnal range and synoptic standard
    deviation [K]; ``p_kpa`` (cells,).
    """
    n = tm.shape[0]
    pue = np.empty(n)
    wue = np.empty(n)
    mode_hours = np.zeros((n, N_MODES))
    free_days = np.empty(n)
    f_over, f_water = free_hour(P)
    econ = int(P[ECON])
    for i in prange(n):
        if math.isnan(tm[i, 0]) or math.isnan(dq[i, 0]):
            pue[i] = math.nan
            wue[i] = math.nan
            mode_hours[i, :] = math.nan
            free_days[i] = math.nan
            continue
        # Shortcut: if even the warmest sample with the most humid dew point is free
        # without water, and the driest needs no humidifying, every sample is free.
        t_hi = tm[i, 0]
        t_lo = tm[i, 0]
        for m in range(1, 12):
            t_hi = max(t_hi, tm[i, m])
            t_lo = min(t_lo, tm[i, m])
        t_hi += 0.5 * dtr[i] + _GH_NODES[-1] * sigma[i]
        t_lo -= 0.5 * dtr[i] + _GH_NODES[-1] * sigma[i]
        if econ == 1:
            # Water side: the wet bulb rises with the dry bulb and the dew point, so if the
            # warmest sample with the most humid dew point is free, every sample is, with
            # a free hour's power and tower water throughout.
            td_hi = dq[i, 0]
            for q in range(1, dq.shape[1]):
                td_hi = max(td_hi, dq[i, q])
            over, mode, water = hour(t_hi, min(td_hi, t_hi), p_kpa[i], P)
            if mode == MODE_FREE:
                pue[i] = 1.0 + f_over
                wue[i] = f_water
                mode_hours[i, MODE_FREE] = HOURS_PER_YEAR
                free_days[i] = 365.0
                continue
        if econ == 0 or econ == 3:
            over, mode, water = hour(t_hi, min(dq[i, 0], t_hi), p_kpa[i], P)
            if mode == MODE_FREE:
                # Free of compressors all year: a free hour's power throughout. Without
                # humidifying the water is 0; an air side that humidifies its driest hours
                # sums only those samples (the dew point is clipped to the dry bulb).
                simple = water == 0.0 and min(dq[i, -1], t_lo) >= P[DP_MIN]
                if simple or (econ == 0 and _descending(dq[i])):
                    pue[i] = 1.0 + over
                    wue[i] = (
                        0.0
                        if simple
                        else _dry_water(tm[i], dq[i], exceedance, dtr[i], sigma[i], p_kpa[i], P)
                    )
                    mode_hours[i, MODE_FREE] = HOURS_PER_YEAR
                    free_days[i] = 365.0
                    continue
        pue[i], wue[i], free_days[i] = _monthly_cell(
            tm[i], dq[i], exceedance, dtr[i], sigma[i], p_kpa[i], P, f_over, f_water, mode_hours[i]
        )
    return pue, wue, mode_hours, free_days
