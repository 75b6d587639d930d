r"""Cooling energy and PUE: an hour-resolved mechanistic model per cooling technology.

For each hour the model decides how the heat leaves the building (free
cooling, evaporative assist, partial or full mechanical cooling) from the
outdoor dry bulb :math:`T`, dew point :math:`T_d` and pressure :math:`p`,
then adds up the power of everything that is not IT, per unit of IT power:

.. math::

    \mathrm{PUE}(t) = 1 + \underbrace{(1/\eta_{UPS} - 1) + \ell_{dist} + \ell_{light}}_{electrical}
        + f_{fan} + f_{pump} + P_{mech}(t)

with the fan term :math:`f_{fan} = \Delta p / (\eta_{fan}\,\rho\,c_p\,\Delta T_{air})`
(air moved per unit heat, :math:`\dot V = P_{IT}/(\rho c_p \Delta T)`, times the
pressure rise over the fan efficiency) and the mechanical term
:math:`P_{mech} = L\,(1 + f_{fan} + f_{pump})/\mathrm{COP}(T_{cond})`, where the
compressor load share :math:`L \in [0, 1]` depends on the economiser:

* **air** (direct air-side economiser): free while :math:`T \le T_{max}` and
  :math:`T_d \le T_{d,cap}`, the envelope's dew-point limit or, if lower, the
  dew point of its RH limit at :math:`T_{max}` (colder air is mixed with
  return air; air drier than :math:`T_{d,min}` is humidified, water counted);
  otherwise evaporative media modulated to just reach :math:`T_{max}`
  (effectiveness :math:`(T - T_{max})/(T - T_w) \le \varepsilon`) make the hour
  adiabatic if the supply dew point after adiabatic saturation stays within
  :math:`T_{d,cap}`; otherwise the compressor trims
  :math:`L = (T - T_{max})/\Delta T_{air}` while outdoor air is cooler than the
  return air and dry enough, else :math:`L = 1` (closed loop);
* **water** (chilled water with a water-side economiser): condenser water
  :math:`T_{cw} = T_w + a_{tower}`; free while :math:`T_{cw} + a_{hx} \le T_{chw}`,
  partial up to :math:`T_{chw} + \Delta T_{chw}`, then full chiller;
* **none** (air-cooled chiller): :math:`L = 1` every hour;
* **liquid** (direct liquid cooling on warm water): a share :math:`f_{liq}` of
  the heat goes to a facility-water loop at :math:`T_{fws}` rejected by dry
  coolers (free while :math:`T + a_{dc} \le T_{fws}`, with evaporative assist
  otherwise, chiller trim last); the rest follows the air-side logic.

The chilled water and the evaporator of any trim compressor that cools air
follow the envelope: a coil of effectiveness :math:`\varepsilon_c` cooling
return air :math:`T_{max} + \Delta T_{air}` to :math:`T_{max}` needs
:math:`T_{chw} = T_{max} - \Delta T_{air}(1/\varepsilon_c - 1)`
(:func:`coil_water_temperature`). Each hour is in one of the :data:`MODES`
free, adiabatic, partial or full mechanical.

Chiller COP keeps the Carnot fraction of its rating point,
:math:`\mathrm{COP} = \mathrm{COP}_r \frac{T_e/(T_c - T_e)}{T_{e,r}/(T_{c,r} - T_{e,r})}`
(temperatures in K, lift at least 5 K, capped at 2.5 x the rated COP), with
the rated values of ASHRAE 90.1-2019. Water evaporated [kg/kWh_IT] is
:math:`3600\,\Delta W/(c_p \Delta T_{air})` for evaporative assist and
:math:`3600\,Q_{rej}/h_{fg}` for cooling towers (drift and blowdown excluded).

Annual PUE is the energy-weighted mean over the hours (IT load constant, so
the mean of the hourly PUE); free-cooling hours are the hours without
compressors (free and adiabatic), free-cooling days the days without any
compressor hour, per year.

Two input paths:

* **hourly** (ERA5 ``t2m``, ``d2m``): every hour is counted exactly;
* **monthly climatology**: within each month the hourly temperature is
  modelled as the monthly mean plus a diurnal cosine (maximum at 15 h, full
  range ``diurnal_range_k``, sampled every 4 h) plus synoptic weather
  variability (normal, standard deviation ``synoptic_sd_k``, three-point
  Gauss-Hermite rule): 216 weighted samples a year. Dew points come from the
  cell's annual distribution (ITU-R P.836-6), paired comonotonically with
  temperature (the warmest hours take the most humid dew points, a
  conservative pairing) and capped at the dry bulb. The default diurnal
  range (10 K over land, 1 K over sea) and synoptic spread (3 K) are
  modelling assumptions, stated as such; use hourly data to remove them.

References
----------
.. [1] Lei, N., and Masanet, E., 2020: Statistical analysis for predicting
   location-specific data center PUE and its improvement potential. Energy,
   201, 117556, doi:10.1016/j.energy.2020.117556
.. [2] ASHRAE TC 9.9, 2021: Thermal Guidelines for Data Processing
   Environments, 5th ed.
.. [3] ASHRAE, 2019: Standard 90.1-2019, Energy Standard for Buildings
   Except Low-Rise Residential Buildings, Table 6.8.1-3.
.. [4] ASHRAE, 2017: Handbook - Fundamentals, chapter 1 (psychrometrics).
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import xarray as xr
from numpy.typing import ArrayLike

from computeatlas._kernels import cooling as _k
from computeatlas._kernels import psychro as _psy
from computeatlas.constants import HOURS_PER_YEAR
from computeatlas.errors import ComputeAtlasWarning, InputError, UnitsError
from computeatlas.presets import AshraeClass, CoolingTechnology, ashrae_class, common_constants
from computeatlas.presets import cooling as cooling_preset

__all__ = [
    "MODES",
    "annual_cooling",
    "chiller_cop",
    "climatology_cooling",
    "coil_water_temperature",
    "envelope_for",
    "fan_power_fraction",
    "hourly_pue",
    "pack_parameters",
    "supply_dew_point_cap",
]

_ECON = {"air": 0, "water": 1, "none": 2, "liquid": 3}
#: Operating modes of an hour, in kernel order; ``hours_<mode>`` outputs [h/yr].
MODES = ("free", "adiabatic", "partial_mechanical", "full_mechanical")
#: Outputs of the annual kernels, in the order of the stacked block.
_STATS = (
    "pue",
    "free_cooling_hours",
    "free_cooling_days",
    "water_l_per_kwh_it",
    *(f"hours_{m}" for m in MODES),
)
_COP_CAP = 2.5
#: Default within-month variability of the climatology path (assumptions, see module notes).
DIURNAL_RANGE_LAND_K = 10.0
DIURNAL_RANGE_SEA_K = 1.0
SYNOPTIC_SD_K = 3.0


def fan_power_fraction(pressure_pa: float, efficiency: float, delta_t_k: float) -> float:
    r"""Fan power per unit of heat removed by air.

    Parameters
    ----------
    pressure_pa : float
        Total pressure rise of the air path [Pa].
    efficiency : float
        Fan and motor efficiency [1], in (0, 1].
    delta_t_k : float
        Air temperature rise across the IT equipment [K].

    Returns
    -------
    float
        Fan power over heat load [W/W].

    Notes
    -----
    :math:`P_{fan}/Q = \Delta p / (\eta\,\rho\,c_p\,\Delta T)` with
    :math:`\rho = 1.2` kg m-3 and :math:`c_p = 1006` J kg-1 K-1 (ASHRAE 2017
    Fundamentals ch. 1): the volume flow that carries the heat,
    :math:`\dot V = Q/(\rho c_p \Delta T)`, times :math:`\Delta p/\eta`.
    """
    if not (efficiency > 0 and efficiency <= 1):
        raise InputError(f"fan efficiency must be in (0, 1], got {efficiency}")
    if not (delta_t_k > 0 and pressure_pa >= 0):
        raise InputError("delta_t_k must be > 0 K and pressure_pa >= 0 Pa")
    c = common_constants()
    rho, cp = c["air_density_kg_m3"], c["air_cp_kj_kgk"] * 1000.0
    return float(pressure_pa / (efficiency * rho * cp * delta_t_k))


def envelope_for(
    technology: str | CoolingTechnology, ashrae: str | AshraeClass = "A1"
) -> AshraeClass:
    """Return the envelope a technology runs in: its own if it names one, else ``ashrae``.

    Parameters
    ----------
    technology : str or CoolingTechnology
        Cooling preset; ``direct_evaporative_wide_envelope`` carries the
        Facebook/OCP Forest City envelope.
    ashrae : str or AshraeClass, default "A1"
        The scenario's IT inlet class.

    Returns
    -------
    AshraeClass
    """
    tech = cooling_preset(technology)
    if tech.envelope:
        return ashrae_class(tech.envelope)
    return ashrae if isinstance(ashrae, AshraeClass) else ashrae_class(ashrae)


def supply_dew_point_cap(env: AshraeClass) -> float:
    r"""Highest supply dew point an envelope admits at its supply-air limit [degC].

    Parameters
    ----------
    env : AshraeClass
        IT inlet envelope.

    Returns
    -------
    float
        :math:`\min(T_{d,max},\ T_d(T_{max}, RH_{max}))` [degC].

    Notes
    -----
    The economiser supplies at the limit :math:`T_{max}` (outdoor air mixed
    with return air, or evaporation modulated to just reach it), where the
    relative humidity is lowest for a given moisture content; the RH limit
    then caps the dew point at :math:`T_d = T_d(e_s(T_{max})\,RH_{max}/100)`
    (Magnus, Alduchov & Eskridge 1996). For the ASHRAE classes the dew-point
    limit binds (A1: 17 degC against 28.2 degC); for the Forest City
    envelope (29.44 degC, 90 % RH) the RH limit does (27.6 degC).
    """
    e = _psy.es_kpa(env.t_max_c) * env.rh_max_pct / 100.0
    return float(min(env.dp_max_c, _psy.dew_point_from_e(e)))


def coil_water_temperature(
    supply_air_c: float, air_delta_t_k: float, coil_effectiveness: float
) -> float:
    r"""Chilled water (or evaporator) temperature that cools return air to the supply limit [degC].

    Parameters
    ----------
    supply_air_c : float
        Supply-air temperature [degC] (the envelope's upper limit).
    air_delta_t_k : float
        Air temperature rise across the IT equipment [K].
    coil_effectiveness : float
        Coil effectiveness [1], in (0, 1] (Lei & Masanet 2020: 0.7-0.9).

    Returns
    -------
    float
        :math:`T_{chw} = T_s - \Delta T_{air}(1/\varepsilon - 1)` [degC].

    Notes
    -----
    Effectiveness of the coil whose air side is the smaller heat-capacity
    stream: :math:`\varepsilon = (T_{ra} - T_s)/(T_{ra} - T_{chw})` with
    return air :math:`T_{ra} = T_s + \Delta T_{air}` [1]_.
    """
    if not (0.0 < coil_effectiveness <= 1.0):
        raise InputError(f"coil_effectiveness must be in (0, 1], got {coil_effectiveness}")
    return float(supply_air_c - air_delta_t_k * (1.0 / coil_effectiveness - 1.0))


def pack_parameters(
    technology: str | CoolingTechnology = "air_side_fleet",
    ashrae: str | AshraeClass = "A1",
) -> np.ndarray:
    """Pack a technology and an envelope into the kernel's parameter vector.

    Parameters
    ----------
    technology : str or CoolingTechnology, default "air_side_fleet"
    ashrae : str or AshraeClass, default "A1"
        Replaced by the technology's own envelope where it names one
        (:func:`envelope_for`).

    Returns
    -------
    numpy.ndarray
        The parameter vector (slots named in ``computeatlas._kernels.cooling``).
    """
    tech = cooling_preset(technology)
    env = envelope_for(tech, ashrae)
    c = common_constants()
    coil_c = coil_water_temperature(env.t_max_c, tech.air_delta_t_k, tech.coil_effectiveness)
    P = np.zeros(_k.N_PARAMS)
    P[_k.ECON] = _ECON[tech.economiser]
    P[_k.ADIABATIC] = 1.0 if tech.adiabatic else 0.0
    P[_k.EVAP_EFF] = tech.evap_effectiveness
    P[_k.ELEC] = 1.0 / tech.ups_efficiency - 1.0 + tech.distribution_loss + tech.lighting
    P[_k.FAN] = fan_power_fraction(tech.fan_pressure_pa, tech.fan_efficiency, tech.air_delta_t_k)
    P[_k.PUMP] = tech.pump_fraction
    P[_k.COP_R] = tech.chiller_rated_cop
    P[_k.COND_R] = tech.chiller_rated_cond_c
    P[_k.EVAP_R] = tech.chiller_rated_evap_c
    P[_k.T_MAX] = env.t_max_c
    P[_k.DP_MAX] = supply_dew_point_cap(env)
    P[_k.DP_MIN] = env.dp_min_c
    P[_k.AIR_DT] = tech.air_delta_t_k
    P[_k.CHW_S] = coil_c if tech.chw_supply_c is None else tech.chw_supply_c
    P[_k.CHW_DT] = tech.chw_delta_t_k
    P[_k.TOWER] = tech.tower_approach_k
    P[_k.HX] = tech.hx_approach_k
    P[_k.EVAP_FRAC] = tech.evaporative_fraction
    P[_k.LIQ] = tech.liquid_fraction if tech.economiser == "liquid" else 0.0
    P[_k.FWS] = tech.facility_supply_c
    P[_k.DC_APP] = tech.dry_cooler_approach_k
    P[_k.CP_AIR] = c["air_cp_kj_kgk"]
    P[_k.H_FG] = c["latent_heat_kj_kg"]
    P[_k.COP_CAP] = _COP_CAP
    P[_k.EVAP_AIR] = coil_c
    return P


def chiller_cop(
    condenser_c: ArrayLike,
    evaporator_c: ArrayLike | None = None,
    *,
    technology: str | CoolingTechnology = "water_side_economiser",
) -> np.ndarray:
    r"""Chiller coefficient of performance at a heat-rejection temperature.

    Parameters
    ----------
    condenser_c : array_like
        Heat-rejection temperature [degC]: entering condenser water for
        water-cooled chillers, outdoor dry bulb for air-cooled ones.
    evaporator_c : array_like, optional
        Chilled-water (evaporator) temperature [degC]; the rating value when
        omitted.
    technology : str or CoolingTechnology
        Preset holding the rated COP and rating temperatures.

    Returns
    -------
    numpy.ndarray
        COP [W cooling / W electric].

    Notes
    -----
    Constant Carnot fraction of the rating point (see module notes), lift
    floored at 5 K and COP capped at 2.5 x rated. At the AHRI 550/590 rating
    point it returns the ASHRAE 90.1-2019 minimum (6.28 water-cooled
    centrifugal, 2.96 air-cooled).
    """
    P = pack_parameters(technology)
    cond = np.asarray(condenser_c, dtype=float)
    evap = (
        np.full_like(cond, P[_k.EVAP_R])
        if evaporator_c is None
        else np.broadcast_to(np.asarray(evaporator_c, dtype=float), cond.shape)
    )
    out = np.empty(cond.shape)
    flat_c, flat_e, flat_o = cond.ravel(), np.ascontiguousarray(evap).ravel(), out.ravel()
    for i in range(flat_c.size):
        flat_o[i] = _k.chiller_cop(flat_c[i], flat_e[i], P)
    return flat_o.reshape(cond.shape)


def _validate_temps(t: np.ndarray, td: np.ndarray) -> None:
    finite_t = t[np.isfinite(t)]
    if finite_t.size and (finite_t.min() < -90.0 or finite_t.max() > 60.0):
        raise UnitsError("temperatures must be degC within -90..60 (kelvin passed as Celsius?)")
    diff = td - t
    if np.any(diff[np.isfinite(diff)] > 0.5):
        raise UnitsError("dew point above dry bulb by more than 0.5 K (relative humidity > 100 %)")


def hourly_pue(
    temperature_c: ArrayLike,
    dew_point_c: ArrayLike,
    *,
    pressure_kpa: ArrayLike = 101.325,
    technology: str | CoolingTechnology = "air_side_fleet",
    ashrae: str | AshraeClass = "A1",
) -> dict[str, np.ndarray]:
    """Hour-by-hour PUE, compressor state and water use.

    Parameters
    ----------
    temperature_c : array_like
        Outdoor dry bulb [degC], shape (..., hours).
    dew_point_c : array_like
        Outdoor dew point [degC], same shape.
    pressure_kpa : array_like, default 101.325
        Air pressure [kPa], broadcastable to the leading shape.
    technology : str or CoolingTechnology, default "air_side_fleet"
    ashrae : str or AshraeClass, default "A1"

    Returns
    -------
    dict of numpy.ndarray
        ``pue`` [1], ``mode`` (index into :data:`MODES`: 0 free, 1 adiabatic,
        2 partial and 3 full mechanical; NaN for a NaN hour), ``mechanical``
        (1 when compressors run) and ``water_l_per_kwh_it`` [L/kWh_IT], each
        of the input shape.
    """
    t = np.atleast_1d(np.asarray(temperature_c, dtype=float))
    td = np.atleast_1d(np.asarray(dew_point_c, dtype=float))
    if t.shape != td.shape:
        raise InputError(f"temperature {t.shape} and dew point {td.shape} shapes differ")
    _validate_temps(t, td)
    P = pack_parameters(technology, ashrae)
    t2 = t.reshape(-1, t.shape[-1])
    td2 = td.reshape(-1, t.shape[-1])
    p = np.broadcast_to(np.asarray(pressure_kpa, dtype=float), t.shape[:-1]).reshape(-1)
    p = np.ascontiguousarray(p) if p.size else np.full(t2.shape[0], 101.325)
    over, mode, water = _k.hourly_overhead(t2, td2, p, P)
    mode = np.where(mode < 0, np.nan, mode)
    return {
        "pue": (1.0 + over).reshape(t.shape),
        "mode": mode.reshape(t.shape),
        "mechanical": np.where(np.isnan(mode), np.nan, mode >= _k.MODE_PARTIAL).reshape(t.shape),
        "water_l_per_kwh_it": water.reshape(t.shape),
    }


def _pressure_from_elevation(elevation: np.ndarray | None, shape: tuple[int, ...]) -> np.ndarray:
    if elevation is None:
        return np.full(shape, 101.325)
    from computeatlas.models.psychrometrics import air_pressure

    z = np.nan_to_num(np.asarray(elevation, dtype=float), nan=0.0).clip(-500.0, 8000.0)
    return air_pressure(z).reshape(shape)


def _stack(pue: np.ndarray, wue: np.ndarray, hours: np.ndarray, days: np.ndarray) -> np.ndarray:
    """Kernel results as (n, len(_STATS)) in the order of :data:`_STATS`."""
    # Free-cooling hours: free and adiabatic; the sum of the sample weights can exceed
    # one by rounding (1e-15), so the total is held to the year.
    free = np.minimum(hours[:, _k.MODE_FREE] + hours[:, _k.MODE_ADIABATIC], HOURS_PER_YEAR)
    return np.column_stack([pue, free, days, wue, hours])


def _hourly_block(t: np.ndarray, td: np.ndarray, p: np.ndarray, *, P: np.ndarray) -> np.ndarray:
    """Kernel call on one block: (..., time) inputs -> (..., len(_STATS)) outputs."""
    lead = t.shape[:-1]
    t2 = np.ascontiguousarray(t, dtype=float).reshape(-1, t.shape[-1])
    td2 = np.ascontiguousarray(td, dtype=float).reshape(-1, t.shape[-1])
    _validate_temps(t2, td2)
    res = _k.annual_from_hourly(t2, td2, np.ascontiguousarray(p, dtype=float).reshape(-1), P)
    return _stack(*res).reshape(*lead, len(_STATS))


def _monthly_cells(
    tm: np.ndarray,
    dq: np.ndarray,
    dtr: np.ndarray,
    p: np.ndarray,
    *,
    exceedance: np.ndarray,
    sigma: float,
    P: np.ndarray,
) -> np.ndarray:
    """Kernel call on (cells, 12), (cells, q), (cells,), (cells,) -> (cells, len(_STATS))."""
    res = _k.annual_from_monthly(
        np.ascontiguousarray(tm, dtype=float),
        np.ascontiguousarray(dq, dtype=float),
        exceedance,
        np.ascontiguousarray(dtr, dtype=float),
        np.full(tm.shape[0], sigma),
        np.ascontiguousarray(p, dtype=float),
        P,
    )
    return _stack(*res)


def _monthly_block(
    tm: np.ndarray,
    dq: np.ndarray,
    dtr: np.ndarray,
    p: np.ndarray,
    todo: np.ndarray,
    *,
    exceedance: np.ndarray,
    sigma: float,
    P: np.ndarray,
) -> np.ndarray:
    """Kernel call on one block of the climatology path; cells not in ``todo`` are NaN."""
    lead = tm.shape[:-1]
    n = int(np.prod(lead))
    out = np.full((n, len(_STATS)), np.nan)
    idx = np.flatnonzero(np.asarray(todo).reshape(-1))
    if idx.size:
        out[idx] = _monthly_cells(
            tm.reshape(n, -1)[idx],
            dq.reshape(n, -1)[idx],
            dtr.reshape(-1)[idx],
            p.reshape(-1)[idx],
            exceedance=exceedance,
            sigma=sigma,
            P=P,
        )
    return out.reshape(*lead, len(_STATS))


def _diurnal_range(land_fraction: np.ndarray, diurnal_range_k: float | None) -> np.ndarray:
    lf = np.nan_to_num(np.asarray(land_fraction, dtype=float), nan=0.0)
    if diurnal_range_k is None:
        return lf * DIURNAL_RANGE_LAND_K + (1.0 - lf) * DIURNAL_RANGE_SEA_K
    return np.full(lf.shape, float(diurnal_range_k))


def climatology_cooling(
    monthly_mean_c: np.ndarray,
    dew_point_quantiles_c: np.ndarray,
    exceedance_pct: np.ndarray,
    *,
    land_fraction: np.ndarray,
    elevation_m: np.ndarray,
    technology: str | CoolingTechnology = "air_side_fleet",
    ashrae: str | AshraeClass = "A1",
    diurnal_range_k: float | None = None,
    synoptic_sd_k: float = SYNOPTIC_SD_K,
    todo: np.ndarray | None = None,
) -> dict[str, np.ndarray]:
    """Annual PUE, free-cooling hours and water use from a monthly climatology (arrays).

    Parameters
    ----------
    monthly_mean_c : numpy.ndarray
        Monthly mean dry bulb [degC], shape (..., 12).
    dew_point_quantiles_c : numpy.ndarray
        Dew point exceeded for ``exceedance_pct`` of the year [degC], shape (..., q).
    exceedance_pct : numpy.ndarray
        Exceedance levels [%], shape (q,).
    land_fraction : numpy.ndarray
        Land fraction [1], shape (...): sets the diurnal range (10 K land, 1 K sea).
    elevation_m : numpy.ndarray
        Elevation [m], shape (...); NaN counts as sea level.
    technology : str or CoolingTechnology, default "air_side_fleet"
        Cooling preset.
    ashrae : str or AshraeClass, default "A1"
        IT inlet envelope.
    diurnal_range_k : float, optional
        Full diurnal range [K] instead of the land/sea blend.
    synoptic_sd_k : float, default 3
        Day-to-day standard deviation around the monthly mean [K].
    todo : numpy.ndarray of bool, optional
        Samples to compute (others NaN); default all.

    Returns
    -------
    dict of numpy.ndarray
        ``pue`` [1], ``free_cooling_hours`` [h/yr] (free and adiabatic
        hours), ``free_cooling_days`` [d/yr] (days without any compressor
        hour), ``water_l_per_kwh_it`` [L/kWh] and the hours by mode
        ``hours_free``, ``hours_adiabatic``, ``hours_partial_mechanical``,
        ``hours_full_mechanical`` [h/yr], each of shape (...).

    Notes
    -----
    The climatology path of the module notes; :func:`annual_cooling` runs the
    same computation on xarray (and dask) inputs.
    """
    tm = np.asarray(monthly_mean_c)
    lead = tm.shape[:-1]
    n = int(np.prod(lead))
    exc = np.asarray(exceedance_pct, dtype=float)
    order = np.argsort(exc)
    # Only the cells to compute are gathered (a world window is two-thirds ocean).
    mask = np.ones(n, dtype=bool) if todo is None else np.broadcast_to(todo, lead).reshape(-1)
    idx = np.flatnonzero(mask)
    dq = np.asarray(dew_point_quantiles_c).reshape(n, -1)[idx]
    if not np.array_equal(order, np.arange(order.size)):
        dq = dq[:, order]
    lf = np.broadcast_to(land_fraction, lead).reshape(-1)[idx]
    elev = np.broadcast_to(elevation_m, lead).reshape(-1)[idx]
    res = _monthly_cells(
        tm.reshape(n, -1)[idx],
        dq,
        _diurnal_range(lf, diurnal_range_k),
        _pressure_from_elevation(elev, (idx.size,)),
        exceedance=exc[order],
        sigma=float(synoptic_sd_k),
        P=pack_parameters(technology, ashrae),
    )
    outputs = {}
    for k, name in enumerate(_STATS):
        full = np.full(n, np.nan)
        full[idx] = res[:, k]
        outputs[name] = full.reshape(lead)
    if np.isnan(res[:, 0]).all():
        warnings.warn(
            "climatology_cooling: every sample is NaN (all ocean or missing data)",
            ComputeAtlasWarning,
            stacklevel=2,
        )
    return outputs


def annual_cooling(
    climate: xr.Dataset,
    humidity: xr.Dataset | None = None,
    elevation: xr.Dataset | None = None,
    *,
    technology: str | CoolingTechnology = "air_side_fleet",
    ashrae: str | AshraeClass = "A1",
    diurnal_range_k: float | None = None,
    synoptic_sd_k: float = SYNOPTIC_SD_K,
    land_only: bool = True,
) -> xr.Dataset:
    """Annual PUE, free-cooling hours and water use on a grid.

    Parameters
    ----------
    climate : xarray.Dataset
        Either the monthly climatology (``t2m`` with a ``month`` dimension, as
        :func:`computeatlas.datasets.climate`), or hourly data with ``t2m`` and
        ``d2m`` on a ``time`` dimension (as :func:`computeatlas.datasets.read_era5`).
        Temperatures are converted to degC by their ``units`` attribute
        (K, degC, degF); a variable without units is taken as degC.
    humidity : xarray.Dataset, optional
        Dew-point distribution (``dew_point`` with an ``exceedance``
        dimension) for the monthly path (required there), e.g.
        :func:`computeatlas.inputs.humidity`.
    elevation : xarray.Dataset, optional
        ``elevation`` [m] (and ``land_fraction``) on the same grid; sets the
        air pressure and, for the monthly path, the diurnal range over land
        and sea; sea level and land everywhere when omitted.
    technology : str or CoolingTechnology, default "air_side_fleet"
    ashrae : str or AshraeClass, default "A1"
    diurnal_range_k : float, optional
        Full diurnal temperature range [K] of the monthly path; default 10 K
        over land and 1 K over sea, blended by land fraction.
    synoptic_sd_k : float, default 3
        Standard deviation of day-to-day temperature around the monthly mean [K].
    land_only : bool, default True
        Monthly path on the default grid: compute cells with land only (others NaN).

    Returns
    -------
    xarray.Dataset
        ``pue`` [1], ``free_cooling_hours`` [h/yr], ``free_cooling_days``
        [d/yr], ``water_l_per_kwh_it`` [L/kWh] and the hours by mode
        ``hours_free``, ``hours_adiabatic``, ``hours_partial_mechanical``,
        ``hours_full_mechanical`` [h/yr] on (lat, lon), with the technology and
        the envelope used (``ashrae_class``) recorded in ``attrs``.
    """
    from computeatlas.grid import normalize_grid
    from computeatlas.units import require_celsius

    tech = cooling_preset(technology)
    env = envelope_for(tech, ashrae)
    P = pack_parameters(tech, env)
    if not isinstance(climate, xr.Dataset):
        raise InputError(
            f"climate must be an xarray.Dataset with 't2m', got {type(climate).__name__}"
        )
    climate = normalize_grid(climate)
    if "t2m" not in climate:
        raise InputError("climate must contain a 't2m' variable [degC]")
    climate = require_celsius(climate, ("t2m", "d2m"), what="climate")
    lat, lon = climate["lat"], climate["lon"]
    shape = (lat.size, lon.size)
    n = shape[0] * shape[1]
    p = _pressure_from_elevation(
        None if elevation is None else elevation["elevation"].values, shape
    ).reshape(n)
    hourly = "time" in climate["t2m"].dims
    p_da = xr.DataArray(p.reshape(shape), dims=("lat", "lon"))
    lazy = climate["t2m"].chunks is not None
    if hourly:
        args, core, func, kwargs, path = _hourly_inputs(climate, p_da, lazy, P)
    else:
        args, core, func, kwargs, path = _monthly_inputs(
            climate, humidity, elevation, p_da, diurnal_range_k, synoptic_sd_k, land_only, P
        )
    if lazy:
        chunks = {d: c for d, c in climate["t2m"].chunksizes.items() if d in ("lat", "lon")}
        args = [a.chunk(chunks) for a in args]
    out = xr.apply_ufunc(
        func,
        *args,
        input_core_dims=core,
        output_core_dims=[["stat"]],
        dask="parallelized",
        output_dtypes=[float],
        kwargs=kwargs,
        dask_gufunc_kwargs={"output_sizes": {"stat": len(_STATS)}},
    )
    data = {name: out.isel(stat=k).data for k, name in enumerate(_STATS)}
    if not lazy and np.isnan(data["pue"]).all():
        warnings.warn(
            "annual_cooling: every cell is NaN (all ocean or missing data)",
            ComputeAtlasWarning,
            stacklevel=2,
        )
    attrs = {"technology": tech.name, "ashrae_class": env.name, "input_path": path}
    return _cooling_dataset(data, {"lat": lat, "lon": lon}, attrs)


_Inputs = tuple[list[Any], list[list[str]], Callable[..., np.ndarray], dict[str, Any], str]


def _hourly_inputs(climate: xr.Dataset, p_da: xr.DataArray, lazy: bool, P: np.ndarray) -> _Inputs:
    """Arguments of the hourly block for :func:`xarray.apply_ufunc`."""
    if "d2m" not in climate:
        raise InputError("hourly climate input needs 'd2m' (dew point) as well as 't2m'")
    t2m = climate["t2m"].transpose("lat", "lon", "time")
    d2m = climate["d2m"].transpose("lat", "lon", "time")
    if not lazy:  # dask blocks are validated as they are computed
        _validate_temps(t2m.values, d2m.values)
    path = f"hourly ({climate.sizes['time']} hours)"
    return [t2m, d2m, p_da], [["time"], ["time"], []], _hourly_block, {"P": P}, path


def _monthly_inputs(
    climate: xr.Dataset,
    humidity: xr.Dataset | None,
    elevation: xr.Dataset | None,
    p_da: xr.DataArray,
    diurnal_range_k: float | None,
    synoptic_sd_k: float,
    land_only: bool,
    P: np.ndarray,
) -> _Inputs:
    """Arguments of the climatology block for :func:`xarray.apply_ufunc`."""
    from computeatlas.grid import normalize_grid

    shape = p_da.shape
    if "month" not in climate["t2m"].dims or climate.sizes["month"] != 12:
        raise InputError("monthly climate input needs 't2m' with a 12-long 'month' dimension")
    if humidity is None:
        raise InputError(
            "the monthly path needs humidity (a dew-point distribution); pass "
            "humidity=computeatlas.inputs.humidity() for the shipped ITU-R layer"
        )
    humidity = normalize_grid(humidity)
    if humidity.sizes["lat"] != shape[0] or humidity.sizes["lon"] != shape[1]:
        raise InputError("humidity must be on the same grid as climate")
    exc = humidity["exceedance"].values.astype(float)
    order = np.argsort(exc)
    dq = humidity["dew_point"].isel(exceedance=order).transpose("lat", "lon", "exceedance")
    dq = dq.drop_vars("exceedance")
    lf = np.ones(shape)
    has_lf = elevation is not None and "land_fraction" in elevation
    if elevation is not None and has_lf:
        lf = np.nan_to_num(np.asarray(elevation["land_fraction"].values), nan=0.0)
    dtr = _diurnal_range(lf, diurnal_range_k)
    todo = (lf > 0) if (has_lf and land_only) else np.ones(shape, dtype=bool)
    args = [
        climate["t2m"].transpose("lat", "lon", "month"),
        dq,
        xr.DataArray(dtr, dims=("lat", "lon")),
        p_da,
        xr.DataArray(todo, dims=("lat", "lon")),
    ]
    core = [["month"], ["exceedance"], [], [], []]
    kwargs = {"exceedance": exc[order], "sigma": float(synoptic_sd_k), "P": P}
    dtr_text = "land 10 K / sea 1 K" if diurnal_range_k is None else f"{diurnal_range_k} K"
    path = f"monthly climatology, diurnal range {dtr_text}, synoptic sd {synoptic_sd_k} K"
    return args, core, _monthly_block, kwargs, path


#: CF attributes of the cooling outputs.
_ATTRS = {
    "pue": ("annual power usage effectiveness", "1"),
    "free_cooling_hours": ("hours per year without compressor cooling", "h yr-1"),
    "free_cooling_days": ("days per year without any compressor hour", "d yr-1"),
    "water_l_per_kwh_it": ("water evaporated per kWh of IT energy", "L kWh-1"),
    "hours_free": ("hours per year cooled by outdoor air or water alone", "h yr-1"),
    "hours_adiabatic": ("hours per year with evaporative assist, no compressor", "h yr-1"),
    "hours_partial_mechanical": ("hours per year with compressor trim", "h yr-1"),
    "hours_full_mechanical": ("hours per year with full compressor cooling", "h yr-1"),
}


def _cooling_dataset(
    data: dict[str, Any], coords: dict[str, Any], attrs: dict[str, Any]
) -> xr.Dataset:
    dims = ("lat", "lon")
    return xr.Dataset(
        {
            name: (dims, data[name], {"long_name": _ATTRS[name][0], "units": _ATTRS[name][1]})
            for name in _STATS
        },
        coords=coords,
        attrs=attrs,
    )


def pack_draws(
    technology: str | CoolingTechnology,
    ashrae: str | AshraeClass,
    values: dict[str, np.ndarray],
    n: int,
) -> np.ndarray:
    """Pack ``n`` parameter draws into kernel vectors, one row per draw.

    Parameters
    ----------
    technology : str or CoolingTechnology
        Cooling preset the draws perturb.
    ashrae : str or AshraeClass
        Envelope (the technology's own where it names one).
    values : dict of numpy.ndarray
        Parameter -> (n,) values: CoolingTechnology fields, envelope limits
        (``t_max_c``, ``dp_max_c``, ``dp_min_c``, ``rh_max_pct``) and
        ``chiller_cop_error`` (relative error of the rated COP [1]).
    n : int
        Number of draws.

    Returns
    -------
    numpy.ndarray
        Shape (n, N_PARAMS); row ``k`` is :func:`pack_parameters` of draw ``k``,
        so derived slots (fan power, chilled-water supply, dew-point cap) follow.
    """
    from dataclasses import replace

    tech = cooling_preset(technology)
    env = envelope_for(tech, ashrae)
    env_keys = ("t_max_c", "dp_max_c", "dp_min_c", "rh_max_pct")
    out = np.empty((int(n), _k.N_PARAMS))
    for d in range(int(n)):
        changes = {
            k: float(v[d])
            for k, v in values.items()
            if k not in env_keys and k != "chiller_cop_error"
        }
        if "chiller_cop_error" in values:
            err = float(values["chiller_cop_error"][d])
            changes["chiller_rated_cop"] = tech.chiller_rated_cop * (1.0 + err)
        env_changes: dict[str, Any] = {k: float(values[k][d]) for k in env_keys if k in values}
        e = replace(env, **env_changes)
        out[d] = pack_parameters(tech.replace(**changes, envelope=""), e)
    return out


def climatology_pue_draws(
    monthly_mean_c: np.ndarray,
    dew_point_quantiles_c: np.ndarray,
    exceedance_pct: np.ndarray,
    PD: np.ndarray,
    *,
    land_fraction: np.ndarray,
    elevation_m: np.ndarray,
    todo: np.ndarray | None = None,
) -> np.ndarray:
    """Annual PUE of every sample under each packed parameter draw (climatology path).

    Parameters
    ----------
    monthly_mean_c, dew_point_quantiles_c, exceedance_pct, land_fraction, elevation_m
        As :func:`climatology_cooling` [degC, degC, %, 1, m].
    PD : numpy.ndarray
        Packed draws (:func:`pack_draws`), shape (draws, N_PARAMS).
    todo : numpy.ndarray of bool, optional
        Samples to compute (others NaN); default all.

    Returns
    -------
    numpy.ndarray
        PUE [1], shape (..., draws). With one draw equal to
        :func:`pack_parameters` it equals ``climatology_cooling(...)["pue"]``.
    """
    from computeatlas._kernels.cooling_draws import annual_pue_draws

    tm = np.asarray(monthly_mean_c, dtype=float)
    lead = tm.shape[:-1]
    n = int(np.prod(lead))
    exc = np.asarray(exceedance_pct, dtype=float)
    order = np.argsort(exc)
    dq = np.asarray(dew_point_quantiles_c, dtype=float)[..., order]
    dtr = _diurnal_range(np.broadcast_to(land_fraction, lead), None).reshape(-1)
    p = _pressure_from_elevation(np.broadcast_to(elevation_m, lead), lead).reshape(-1)
    mask = np.ones(n, bool) if todo is None else np.broadcast_to(todo, lead).reshape(-1)
    idx = np.flatnonzero(mask)
    out = np.full((n, PD.shape[0]), np.nan)
    if idx.size:
        out[idx] = annual_pue_draws(
            np.ascontiguousarray(tm.reshape(n, -1)[idx]),
            np.ascontiguousarray(dq.reshape(n, -1)[idx]),
            exc[order],
            np.ascontiguousarray(dtr[idx]),
            np.full(idx.size, SYNOPTIC_SD_K),
            np.ascontiguousarray(p[idx]),
            np.ascontiguousarray(PD, dtype=float),
        )
    return out.reshape(*lead, PD.shape[0])
