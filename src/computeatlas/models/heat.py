r"""Waste-heat value: heating season, heat-pump COP and the heat credit per MWh of IT energy.

A share :math:`f_{rec}` of the IT energy can be captured at the technology's
source temperature :math:`T_{src}` (warm-water loops; see the cooling
presets). A heat pump lifts it to the district-heating supply temperature
:math:`T_{sup}`; per unit of captured heat it delivers :math:`COP/(COP-1)`
units of heat and uses :math:`1/(COP-1)` units of electricity. Heat is sold
only on heating days and only as far as the network can absorb it:

.. math::

    C_{heat} = f_{rec}\,s\,a\,\max\left(0,\;
        p_{heat}\frac{COP}{COP-1} - p_{el}\frac{1}{COP-1}\right)
    \quad [\mathrm{USD\ per\ MWh_{IT}}]

with :math:`s` the heating-season share of the year (days with a daily mean
at or below 15 degC, the Eurostat heating-day criterion) and :math:`a` the
sink availability (district-heating demand within reach over the heat
offered, capped at 1). Where the heat-pump lift is beyond the validity of
the COP fit the credit is NaN with a warning, never extrapolated.

References
----------
.. [1] Staffell, I., Brett, D., Brandon, N., and Hawkes, A., 2012: A review of
   domestic heat pumps. Energy Environ. Sci., 5, 9291-9306,
   doi:10.1039/C2EE22653G (quadratic COP fits, valid for a temperature lift
   of 15-60 K).
.. [3] Jensen, J. K., Ommen, T., Reinholdt, L., Markussen, W. B., and Elmegaard,
   B., 2018: Heat pump COP, part 2: Generalized COP estimation of heat pump
   processes. Proc. 13th IIR Gustav Lorentzen Conference on Natural
   Refrigerants, Valencia, doi:10.18462/iir.gl.2018.1386 (the ``industrial`` COP).
.. [2] Eurostat, nrg_chdd metadata: heating degree days
   HDD = 18 degC - T_mean on days with T_mean <= 15 degC.
"""

from __future__ import annotations

import warnings

import numpy as np
from numpy.typing import ArrayLike

from computeatlas.errors import ComputeAtlasWarning, InputError

__all__ = [
    "DH_RETURN_C",
    "DH_SUPPLY_C",
    "HEAT_DEMAND_MWH_PER_CAPITA",
    "HEAT_NETWORK_CAP_MWH",
    "HEAT_PUMP_KINDS",
    "HEAT_REACH_KM",
    "administrative_season_fraction",
    "delivered_heat_mwh_per_mw_it",
    "heat_credit",
    "heat_pump_cop",
    "heating_degree_days",
    "heating_season_fraction",
    "network_heat_demand_mwh",
    "sink_availability",
    "sink_availability_from_demand",
    "site_heat_credit",
]

_DAYS = np.array([31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31], dtype=float)
#: Staffell et al. (2012) quadratic fits COP = c0 + c1 dT + c2 dT^2, dT in K.
STAFFELL = {"air": (6.81, -0.121, 0.000630), "ground": (8.77, -0.150, 0.000734)}
STAFFELL_VALID_K = (15.0, 60.0)
#: COP models of :func:`heat_pump_cop`; ``industrial`` (the default) is Jensen et al. (2018).
HEAT_PUMP_KINDS = ("industrial", "ground", "air")
#: District-heating return temperature [degC]: Fjernvarme Fyn's Tietgen heat centre
#: takes "35-40 degrees return water" and lifts it to 75 degC with Meta Odense's 27 degC
#: water (DBDH, https://dbdh.dk/facebook-heating-up-7000-homes-in-denmark/); upper end.
DH_RETURN_C = 40.0
#: Cooling of the heat source across the evaporator [K]: PyPSA-Eur's default
#: ``sector: district_heating: heat_source_cooling: 6`` (config.default.yaml,
#: github.com/PyPSA/pypsa-eur at 16ed084e), used with the same COP method.
SOURCE_COOLING_K = 6.0
#: Jensen et al. (2018) process parameters, as PyPSA-Eur applies them to district-heating
#: heat pumps (``heat_pump_cop_approximation``, after Pieper et al. 2020): ammonia,
#: pinch point 5 K, isentropic compressor efficiency 0.8, no heat loss; below a 10 K
#: lift (Zajacs et al. 2020, after Meggers et al. 2010) no heat pump runs.
JENSEN_AMMONIA = {"pinch_k": 5.0, "eta_is": 0.8, "heat_loss": 0.0, "min_lift_k": 10.0}
#: Jensen et al. (2018) fits for ammonia: dT_r,sink = a (T_sink,out - T_source,out +
#: 2 dT_pp) + b dT_sink + c and, of the same form, the ratio of expansion loss to
#: compression work w.
_JENSEN_DT_SINK = (0.2, 0.2, 0.016)
_JENSEN_W = (0.0014, -0.0015, 0.039)
_ZERO_C = 273.15


def heat_pump_cop(
    source_c: ArrayLike,
    sink_c: ArrayLike,
    *,
    kind: str = "industrial",
    sink_return_c: ArrayLike = DH_RETURN_C,
    source_cooling_k: float = SOURCE_COOLING_K,
) -> np.ndarray:
    r"""Heat-pump coefficient of performance (heating) from the source and sink temperatures.

    Parameters
    ----------
    source_c : array_like
        Heat-source inlet temperature [degC] (data-centre water or air).
    sink_c : array_like
        Supply (outlet) temperature to the heating network [degC].
    kind : {"industrial", "ground", "air"}, default "industrial"
        ``industrial``: Jensen et al. (2018) for a large ammonia heat pump [3]_;
        ``ground``/``air``: the Staffell et al. (2012) domestic fits for a liquid
        or an air source [1]_.
    sink_return_c : array_like, default :data:`DH_RETURN_C`
        Network return (sink inlet) temperature [degC]; ``industrial`` only.
    source_cooling_k : float, default :data:`SOURCE_COOLING_K`
        Cooling of the source across the evaporator [K]; ``industrial`` only.

    Returns
    -------
    numpy.ndarray
        COP [W heat / W electricity]; NaN (with a :class:`ComputeAtlasWarning`)
        outside the model's validity: a lift outside 15-60 K for the Staffell
        fits, a lift (``sink_c - source_c``) under 10 K for ``industrial``.

    Notes
    -----
    ``industrial`` [3]_ [4]_ (temperatures in K, :math:`\bar T` logarithmic means
    of inlet and outlet, :math:`\Delta T_{pp}` the pinch point):

    .. math::

        COP = COP_{Lor}\,\frac{1 + (\Delta T_{r,sink} + \Delta T_{pp})/\bar T_{sink}}
              {1 + (\Delta T_{r,sink} + \Delta T_{r,src} + 2\Delta T_{pp})/\Delta\bar T_{lift}}
              \,\eta_{is}(1 - w) + 1 - \eta_{is} - f_Q,
        \qquad COP_{Lor} = \frac{\bar T_{sink}}{\bar T_{sink} - \bar T_{src}}

    with :math:`\Delta T_{r,src}` half the source cooling and
    :math:`\Delta T_{r,sink}`, :math:`w` the ammonia fits of :data:`JENSEN_AMMONIA`.
    Staffell: :math:`COP = c_0 + c_1\Delta T + c_2\Delta T^2`,
    :math:`\Delta T = T_{sink} - T_{source}`; ground: 8.77, -0.150, 0.000734;
    air: 6.81, -0.121, 0.000630 [1]_.

    References
    ----------
    .. [1] Staffell et al., 2012, Energy Environ. Sci., 5, 9291, doi:10.1039/C2EE22653G
    .. [3] Jensen et al., 2018, 13th IIR Gustav Lorentzen Conference,
       doi:10.18462/iir.gl.2018.1386
    .. [4] Pieper, H., Ommen, T., Jensen, J. K., Elmegaard, B., and Markussen, W. B.,
       2020: Comparison of COP estimation methods for large-scale heat pumps used
       in energy planning. Energy, 205, 117994 (the method against a detailed
       thermodynamic model of district-heating heat pumps).
    """
    if kind not in HEAT_PUMP_KINDS:
        raise InputError(f"kind must be one of {HEAT_PUMP_KINDS}, got {kind!r}")
    src = np.asarray(source_c, dtype=float)
    sink = np.asarray(sink_c, dtype=float)
    if kind == "industrial":
        return _jensen_cop(src, sink, np.asarray(sink_return_c, dtype=float), source_cooling_k)
    c0, c1, c2 = STAFFELL[kind]
    dt = sink - src
    lo, hi = STAFFELL_VALID_K
    outside = (dt < lo) | (dt > hi)
    if np.any(outside):
        warnings.warn(
            f"heat-pump lift outside {lo:g}-{hi:g} K (Staffell et al. 2012 validity); "
            "masked to NaN",
            ComputeAtlasWarning,
            stacklevel=2,
        )
    cop = c0 + c1 * dt + c2 * dt**2
    return np.where(outside, np.nan, cop)


def _log_mean(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Logarithmic mean of two absolute temperatures [K] (their value where equal)."""
    with np.errstate(invalid="ignore", divide="ignore"):
        lm = (a - b) / np.log(a / b)
    return np.where(np.isclose(a, b), 0.5 * (a + b), lm)


def _jensen_cop(
    src_c: np.ndarray, sink_c: np.ndarray, return_c: np.ndarray, cooling_k: float
) -> np.ndarray:
    """Jensen et al. (2018) COP of an ammonia heat pump; NaN below the minimum lift."""
    if not (np.isfinite(cooling_k) and cooling_k >= 0):
        raise InputError(f"source_cooling_k must be a finite number >= 0 [K], got {cooling_k!r}")
    if np.any(return_c >= sink_c):
        raise InputError("sink_return_c must be below the supply temperature sink_c [degC]")
    p = JENSEN_AMMONIA
    t_si, t_ko, t_ki = src_c + _ZERO_C, sink_c + _ZERO_C, return_c + _ZERO_C
    t_so = t_si - cooling_k
    t_sink, t_src = _log_mean(t_ko, t_ki), _log_mean(t_si, t_so)
    lift = t_sink - t_src
    span = t_ko - t_so + 2 * p["pinch_k"]
    dt_r_sink = _JENSEN_DT_SINK[0] * span + _JENSEN_DT_SINK[1] * (t_ko - t_ki) + _JENSEN_DT_SINK[2]
    w = _JENSEN_W[0] * span + _JENSEN_W[1] * (t_ko - t_ki) + _JENSEN_W[2]
    too_small = ((sink_c - src_c) < p["min_lift_k"]) | (lift <= 0)
    if np.any(too_small):
        warnings.warn(
            f"heat-pump lift under {p['min_lift_k']:g} K (Jensen et al. 2018 as applied by "
            "PyPSA-Eur); masked to NaN",
            ComputeAtlasWarning,
            stacklevel=3,
        )
    with np.errstate(invalid="ignore", divide="ignore"):
        factor = (1 + (dt_r_sink + p["pinch_k"]) / t_sink) / (
            1 + (dt_r_sink + cooling_k / 2 + 2 * p["pinch_k"]) / lift
        )
        cop = (t_sink / lift) * factor * p["eta_is"] * (1 - w) + 1 - p["eta_is"] - p["heat_loss"]
    return np.where(too_small, np.nan, cop)


def heating_degree_days(
    monthly_mean_c: ArrayLike, *, base_c: float = 18.0, threshold_c: float = 15.0
) -> np.ndarray:
    """Annual heating degree days from monthly mean temperatures (Eurostat convention).

    Parameters
    ----------
    monthly_mean_c : array_like
        Monthly mean temperatures [degC], last axis of length 12 (January first).
    base_c : float, default 18
        Base temperature [degC].
    threshold_c : float, default 15
        Heating threshold [degC]: a day counts when its mean is at or below it.

    Returns
    -------
    numpy.ndarray
        Heating degree days [K day per year].

    Notes
    -----
    Eurostat (nrg_chdd): ``HDD = sum over days of (18 - T_mean)`` for days
    with ``T_mean <= 15`` degC, else 0. Applied here to monthly means (every
    day of a month takes the monthly mean), which undercounts months whose
    mean is just above the threshold.
    """
    tm = np.asarray(monthly_mean_c, dtype=float)
    if tm.shape[-1] != 12:
        raise InputError("monthly_mean_c needs a last axis of length 12")
    per_day = np.where(tm <= threshold_c, base_c - tm, 0.0)
    return (per_day * _DAYS).sum(axis=-1)


def heating_season_fraction(
    monthly_mean_c: ArrayLike, *, synoptic_sd_k: float = 3.0, threshold_c: float = 15.0
) -> np.ndarray:
    r"""Share of the year's days whose mean temperature is at or below the heating threshold.

    Parameters
    ----------
    monthly_mean_c : array_like
        Monthly mean temperatures [degC], last axis 12.
    synoptic_sd_k : float, default 3
        Day-to-day standard deviation of daily means around the monthly mean [K]
        (the same assumption as the cooling model's climatology path).
    threshold_c : float, default 15
        Heating threshold [degC] (Eurostat).

    Returns
    -------
    numpy.ndarray
        Fraction of the year [1].

    Notes
    -----
    :math:`s = \sum_m \frac{n_m}{365}\,\Phi\left(\frac{15 - \bar T_m}{\sigma}\right)`.
    """
    tm = np.asarray(monthly_mean_c, dtype=float)
    if tm.shape[-1] != 12:
        raise InputError("monthly_mean_c needs a last axis of length 12")
    if not synoptic_sd_k > 0:
        raise InputError("synoptic_sd_k must be positive")
    from computeatlas._kernels.stats import weighted_cdf_sum

    flat = np.ascontiguousarray(tm.reshape(-1, 12))
    out = weighted_cdf_sum(flat, _DAYS, float(threshold_c), float(synoptic_sd_k), 365.0)
    return out.reshape(tm.shape[:-1])


def administrative_season_fraction(start: tuple[int, int], end: tuple[int, int]) -> float:
    """Share of the year between published heating-season dates.

    Parameters
    ----------
    start, end : tuple of int
        (month, day) of the first and last heating day, both inclusive; the
        season may run over the new year (``end`` before ``start``).

    Returns
    -------
    float
        Fraction of a 365-day year [1].

    Notes
    -----
    Days counted inclusive on a 365-day calendar (29 February ignored).
    Beijing, 15 November - 15 March: 121 days, 0.3315. Harbin's stipulated
    period "183 days in total from 25 October to 25 April" [1]_ checks the count.

    References
    ----------
    .. [1] Harbin case-study chapter, Routledge (Taylor & Francis),
       doi:10.4324/9780203887684-12,
       https://www.taylorfrancis.com/books/e/9781134042043/chapters/10.4324%2F9780203887684-12
    """
    cum = np.concatenate([[0], np.cumsum(_DAYS)]).astype(int)
    doy = []
    for label, (month, day) in (("start", start), ("end", end)):
        if not (1 <= month <= 12 and 1 <= day <= _DAYS[month - 1]):
            raise InputError(f"{label} must be a (month, day) date, got {(month, day)!r}")
        doy.append(int(cum[month - 1]) + day)
    days = doy[1] - doy[0] + 1 if doy[1] >= doy[0] else 365 - doy[0] + 1 + doy[1]
    return days / 365.0


def delivered_heat_mwh_per_mw_it(
    *,
    recoverable_fraction: ArrayLike,
    heating_season: ArrayLike,
    sink_availability: ArrayLike,
    cop: ArrayLike,
) -> np.ndarray:
    r"""Heat delivered to district heating per MW of IT load.

    Parameters
    ----------
    recoverable_fraction : array_like
        Share of IT energy captured as useful heat [1].
    heating_season : array_like
        Share of the year a network takes heat [1].
    sink_availability : array_like
        Share of the offered heat the networks absorb [1].
    cop : array_like
        Heat-pump COP [1] (:func:`heat_pump_cop`); NaN (lift outside the fit)
        delivers nothing.

    Returns
    -------
    numpy.ndarray
        Delivered heat [MWh_heat per MW_IT per year], at the network's supply
        temperature (recovered heat plus the heat pump's electricity).

    Notes
    -----
    :math:`Q = 8760\,f_{rec}\,s\,a\,\frac{COP}{COP - 1}`: the heat pump
    delivers :math:`COP` units of heat per unit of electricity, of which
    :math:`COP - 1` come from the recovered heat (the basis of :func:`heat_credit`).
    Multiply by 3.6 for GJ.
    """
    from computeatlas.constants import HOURS_PER_YEAR

    c = np.asarray(cop, dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        lift = np.where(np.isfinite(c) & (c > 1.0), c / (c - 1.0), 0.0)
    return (
        HOURS_PER_YEAR
        * np.asarray(recoverable_fraction, dtype=float)
        * np.asarray(heating_season, dtype=float)
        * np.asarray(sink_availability, dtype=float)
        * lift
    )


def heat_credit(
    *,
    recoverable_fraction: ArrayLike,
    heating_season: ArrayLike,
    sink_availability: ArrayLike,
    heat_price_usd_per_mwh: ArrayLike,
    electricity_price_usd_per_mwh: ArrayLike,
    source_c: ArrayLike,
    supply_c: float = 70.0,
    kind: str = "industrial",
) -> np.ndarray:
    """Heat credit per MWh of IT energy.

    Parameters
    ----------
    recoverable_fraction : array_like
        Share of IT energy captured as useful heat [1] (technology preset).
    heating_season : array_like
        Share of the year heat can be sold [1] (:func:`heating_season_fraction`).
    sink_availability : array_like
        Share of the offered heat the network can absorb [1].
    heat_price_usd_per_mwh : array_like
        Price paid for delivered heat [USD/MWh_heat]; 0 when donated.
    electricity_price_usd_per_mwh : array_like
        Price of the heat pump's electricity [USD/MWh].
    source_c : array_like
        Heat-source temperature [degC].
    supply_c : float, default 70
        District-heating supply temperature [degC] (typical 3rd-generation
        networks run at 55-80 degC, shared/DOMAIN.md section 4).
    kind : str, default "industrial"
        Heat-pump COP model (:func:`heat_pump_cop`).

    Returns
    -------
    numpy.ndarray
        Heat credit [USD per MWh_IT], >= 0; NaN where the COP model is not valid.
    """
    prices = np.asarray(heat_price_usd_per_mwh, dtype=float)
    if np.any(prices < 0) or np.any(np.asarray(electricity_price_usd_per_mwh) < 0):
        raise InputError("heat and electricity prices must not be negative")
    for name, v in (
        ("recoverable_fraction", recoverable_fraction),
        ("heating_season", heating_season),
        ("sink_availability", sink_availability),
    ):
        a = np.asarray(v, dtype=float)
        if np.any((a < 0) | (a > 1)):
            raise InputError(f"{name} must be within [0, 1]")
    cop = heat_pump_cop(source_c, supply_c, kind=kind)
    margin = prices * cop / (cop - 1.0) - np.asarray(electricity_price_usd_per_mwh) / (cop - 1.0)
    credit = (
        np.asarray(recoverable_fraction, dtype=float)
        * np.asarray(heating_season, dtype=float)
        * np.asarray(sink_availability, dtype=float)
        * np.maximum(margin, 0.0)
    )
    return np.where(np.isnan(cop), np.nan, credit)


#: District-heating supply temperature assumed for the heat pump [degC]
#: (3rd-generation networks run at 55-80 degC, shared/DOMAIN.md section 4).
DH_SUPPLY_C = 70.0
#: Pipe reach from a site to a heating network [km] (assumption).
HEAT_REACH_KM = 30.0
#: Heat demand per inhabitant served by district heating [MWh/yr] (order-of-magnitude
#: assumption for space and water heating, see docs/models.md; Greater Copenhagen's
#: integrated network sells 8,500 GWh/yr to about 1 million residents, 8.5 MWh per
#: resident including commerce: State of Green, 2020).
HEAT_DEMAND_MWH_PER_CAPITA = 5.0
#: Network-size cap [MWh/yr]: the most heat the networks within reach of one site
#: are counted to take, the annual heat sale of Greater Copenhagen's integrated
#: system (CTR, VEKS, HOFOR, Vestforbraending; 8,500 GWh/yr, 1 million residents),
#: one of the largest district-heating systems in the world. Source: State of Green,
#: "The integrated district heating system in greater Copenhagen", 1 April 2020,
#: https://stateofgreen.com/en/news/the-integrated-district-heating-system-in-greater-copehagen/
HEAT_NETWORK_CAP_MWH = 8.5e6
_NO_NETWORK_MWH = 1e-3


def network_heat_demand_mwh(population: ArrayLike, district_heating_share: ArrayLike) -> np.ndarray:
    r"""Annual heat demand of a place's district-heating network.

    Parameters
    ----------
    population : array_like
        Inhabitants of the place [persons].
    district_heating_share : array_like
        Share of the country's heat demand served by district heating [1];
        NaN (no data) counts as 0.

    Returns
    -------
    numpy.ndarray
        Network demand [MWh/yr].

    Notes
    -----
    :math:`D = N\,s_{DH}\,q` with :math:`q` = :data:`HEAT_DEMAND_MWH_PER_CAPITA`:
    the national district-heating share applied to the town's population, an
    estimate (no per-network register is shipped). Hamina (GeoNames: 19,305
    people, Finland 39 %) gives 38 GWh/yr.
    """
    pop = np.asarray(population, dtype=float)
    share = np.nan_to_num(np.asarray(district_heating_share, dtype=float), nan=0.0)
    if np.any(pop < 0) or np.any((share < 0) | (share > 1)):
        raise InputError(
            "population must be >= 0 and district_heating_share within [0, 1] (a fraction)"
        )
    return pop * share * HEAT_DEMAND_MWH_PER_CAPITA


def sink_availability_from_demand(
    demand_within_reach_mwh: ArrayLike,
    *,
    it_mw: float,
    recoverable_fraction: float,
    cap_mwh: float = HEAT_NETWORK_CAP_MWH,
) -> np.ndarray:
    r"""Share of the offered heat the networks within reach can absorb.

    Parameters
    ----------
    demand_within_reach_mwh : array_like
        Summed network demand of the places within :data:`HEAT_REACH_KM`
        [MWh/yr] (:func:`network_heat_demand_mwh`).
    it_mw : float
        IT load [MW].
    recoverable_fraction : float
        Share of IT energy captured as useful heat [1].
    cap_mwh : float, default :data:`HEAT_NETWORK_CAP_MWH`
        Network-size cap [MWh/yr].

    Returns
    -------
    numpy.ndarray
        Availability [1] in [0, 1]; 0 when nothing is offered.

    Notes
    -----
    :math:`a = \min(1, \min(D, D_{cap}) / (P_{IT}\,8760\,f_{rec}))`.
    """
    from computeatlas.constants import HOURS_PER_YEAR

    if not cap_mwh > 0:
        raise InputError(f"cap_mwh must be positive [MWh/yr], got {cap_mwh!r}")
    # Prefix-sum kernels leave +-1e-9-sized residues where nothing is in reach; a network
    # of under 1 kWh a year is none (the smallest place counted demands tens of MWh).
    demand = np.asarray(demand_within_reach_mwh, dtype=float)
    demand = np.where(demand < _NO_NETWORK_MWH, 0.0, np.minimum(demand, cap_mwh))
    offered = float(it_mw) * HOURS_PER_YEAR * float(recoverable_fraction)  # MWh/yr
    if offered <= 0:
        return np.zeros(demand.shape)
    return np.minimum(1.0, demand / offered)


def sink_availability(
    population_within_reach: ArrayLike,
    district_heating_share: ArrayLike,
    *,
    it_mw: float,
    recoverable_fraction: float,
) -> np.ndarray:
    r"""Share of the offered heat a district-heating network nearby can absorb.

    Parameters
    ----------
    population_within_reach : array_like
        People living within :data:`HEAT_REACH_KM` [persons].
    district_heating_share : array_like
        Share of the country's heat demand served by district heating [1];
        NaN (no data) counts as 0.
    it_mw : float
        IT load [MW].
    recoverable_fraction : float
        Share of IT energy captured as useful heat [1].

    Returns
    -------
    numpy.ndarray
        Availability [1] in [0, 1]; 0 when nothing is offered.

    Notes
    -----
    :func:`sink_availability_from_demand` of :func:`network_heat_demand_mwh`:
    :math:`a = \min(1, \min(N\,s_{DH}\,q, D_{cap}) / (P_{IT}\,8760\,f_{rec}))`.
    """
    pop = np.asarray(population_within_reach, dtype=float)
    share = np.asarray(district_heating_share, dtype=float)
    demand = network_heat_demand_mwh(*np.broadcast_arrays(pop, share))
    return sink_availability_from_demand(
        demand, it_mw=it_mw, recoverable_fraction=recoverable_fraction
    )


def site_heat_credit(
    *,
    recoverable_fraction: float,
    source_c: float,
    heat_price_usd_per_mwh: ArrayLike,
    heating_season: ArrayLike,
    sink_availability: ArrayLike,
    electricity_price_usd_per_mwh: ArrayLike,
    kind: str = "industrial",
) -> np.ndarray:
    """Heat credit of a site [USD/MWh_IT], 0 where no heat can be sold.

    Parameters
    ----------
    recoverable_fraction : float
        Share of IT energy captured as useful heat [1] (technology preset).
    source_c : float
        Heat-source temperature [degC] (technology preset).
    heat_price_usd_per_mwh : array_like
        Price of delivered heat [USD/MWh_heat]: one number, or one per sample
        (the ``market`` preset prices heat by country).
    heating_season : array_like
        Share of the year heat can be sold [1].
    sink_availability : array_like
        Share of the offered heat the network can absorb [1] (:func:`sink_availability`).
    electricity_price_usd_per_mwh : array_like
        Electricity price [USD/MWh]; NaN (unpriced) gives NaN.
    kind : str, default "industrial"
        Heat-pump COP model (:func:`heat_pump_cop`).

    Returns
    -------
    numpy.ndarray
        Credit [USD/MWh_IT]: :func:`heat_credit` with a :data:`DH_SUPPLY_C`
        network; 0 when the technology recovers nothing, heat is donated or
        the heat-pump lift is outside the COP model (no sale possible).
    """
    price = np.asarray(electricity_price_usd_per_mwh, dtype=float)
    heat_price = np.asarray(heat_price_usd_per_mwh, dtype=float)
    shape = np.broadcast(np.asarray(heating_season), price, heat_price).shape
    if not (recoverable_fraction > 0 and np.any(heat_price > 0)):
        return np.where(np.isnan(price), np.nan, np.zeros(shape))
    credit = heat_credit(
        recoverable_fraction=recoverable_fraction,
        heating_season=heating_season,
        sink_availability=sink_availability,
        heat_price_usd_per_mwh=heat_price,
        electricity_price_usd_per_mwh=np.nan_to_num(price, nan=0.0),
        source_c=source_c,
        supply_c=DH_SUPPLY_C,
        kind=kind,
    )
    credit = np.nan_to_num(np.broadcast_to(credit, shape).astype(float), nan=0.0)
    return np.where(np.isnan(price), np.nan, credit)
