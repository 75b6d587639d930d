"""Psychrometric relations used by computeatlas.

Conventions: temperatures in degC, vapour pressure in hPa, water-vapour
density in g m-3. Functions accept scalars or NumPy arrays and return
arrays (NumPy broadcasting).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from computeatlas.errors import UnitsError

__all__ = [
    "air_pressure",
    "dew_point_from_relative_humidity",
    "dew_point_from_vapour_pressure",
    "relative_humidity",
    "saturation_vapour_pressure",
    "vapour_pressure_from_density",
    "wet_bulb_temperature",
]

# Magnus coefficients over water, Alduchov & Eskridge (1996), their eq. 21 (AERK):
# e_s = 6.1094 exp(17.625 T / (T + 243.04)), T in degC, e_s in hPa.
_MAGNUS_A = 6.1094
_MAGNUS_B = 17.625
_MAGNUS_C = 243.04
# ITU-R P.453-14 eq. (10): e = rho * T / 216.7 (rho g/m3, T K, e hPa); 216.7 = M_w/R in
# the units used (R/M_w = 461.5 J kg-1 K-1 -> 1/4.615 x 1000 / 100).
_ITU_RHO_TO_E = 216.7


def saturation_vapour_pressure(temperature_c: ArrayLike) -> np.ndarray:
    r"""Saturation vapour pressure over liquid water (Magnus form).

    Parameters
    ----------
    temperature_c : array_like
        Air temperature [degC]. Valid from -40 to 50 degC.

    Returns
    -------
    numpy.ndarray
        Saturation vapour pressure [hPa].

    Notes
    -----
    .. math:: e_s(T) = 6.1094 \exp\left(\frac{17.625\,T}{T + 243.04}\right)

    Relative error below 0.4 % over -40..50 degC against the Wexler/Hyland-Wexler
    formulations [1]_.

    References
    ----------
    .. [1] Alduchov, O. A., and R. E. Eskridge, 1996: Improved Magnus form
       approximation of saturation vapor pressure. J. Appl. Meteor., 35, 601-609,
       doi:10.1175/1520-0450(1996)035<0601:IMFAOS>2.0.CO;2
    """
    t = np.asarray(temperature_c, dtype=float)
    return _MAGNUS_A * np.exp(_MAGNUS_B * t / (t + _MAGNUS_C))


def dew_point_from_vapour_pressure(vapour_pressure_hpa: ArrayLike) -> np.ndarray:
    r"""Dew point from water-vapour partial pressure (inverse Magnus form).

    Parameters
    ----------
    vapour_pressure_hpa : array_like
        Partial pressure of water vapour [hPa]; must be positive.

    Returns
    -------
    numpy.ndarray
        Dew-point temperature [degC].

    Raises
    ------
    UnitsError
        If any finite value is zero or negative.

    Notes
    -----
    .. math:: T_d = \frac{243.04\,\ln(e/6.1094)}{17.625 - \ln(e/6.1094)}

    the exact inverse of :func:`saturation_vapour_pressure` [1]_.

    References
    ----------
    .. [1] Alduchov, O. A., and R. E. Eskridge, 1996, J. Appl. Meteor., 35, 601-609.
    """
    e = np.asarray(vapour_pressure_hpa, dtype=float)
    if np.any(e[np.isfinite(e)] <= 0):
        raise UnitsError("vapour pressure must be positive [hPa]")
    x = np.log(e / _MAGNUS_A)
    return _MAGNUS_C * x / (_MAGNUS_B - x)


def vapour_pressure_from_density(rho_g_m3: ArrayLike, temperature_c: ArrayLike) -> np.ndarray:
    r"""Water-vapour partial pressure from water-vapour density (ideal gas).

    Parameters
    ----------
    rho_g_m3 : array_like
        Water-vapour density [g m-3]; must not be negative.
    temperature_c : array_like
        Air temperature [degC].

    Returns
    -------
    numpy.ndarray
        Vapour pressure [hPa].

    Notes
    -----
    ITU-R P.453 [1]_, eq. (10): :math:`e = \rho\,T / 216.7` with :math:`T` in K.

    References
    ----------
    .. [1] Recommendation ITU-R P.453-14 (08/2019), The radio refractive index:
       its formula and refractivity data, eq. (10).
    """
    rho = np.asarray(rho_g_m3, dtype=float)
    if np.any(rho[np.isfinite(rho)] < 0):
        raise UnitsError("water-vapour density must not be negative [g m-3]")
    return rho * (np.asarray(temperature_c, dtype=float) + 273.15) / _ITU_RHO_TO_E


def _check_temperature(t: np.ndarray, name: str) -> None:
    finite = t[np.isfinite(t)]
    if finite.size and (finite.min() < -90.0 or finite.max() > 60.0):
        raise UnitsError(
            f"{name} must be in degC within [-90, 60]; got {finite.min():.1f}..{finite.max():.1f}"
            " (kelvin passed as Celsius?)"
        )


def relative_humidity(temperature_c: ArrayLike, dew_point_c: ArrayLike) -> np.ndarray:
    r"""Relative humidity from temperature and dew point.

    Parameters
    ----------
    temperature_c : array_like
        Dry-bulb temperature [degC].
    dew_point_c : array_like
        Dew-point temperature [degC]; must not exceed the dry bulb.

    Returns
    -------
    numpy.ndarray
        Relative humidity [%] over liquid water.

    Raises
    ------
    UnitsError
        If the dew point exceeds the dry bulb by more than 0.05 K (RH > 100 %)
        or a temperature is outside -90..60 degC.

    Notes
    -----
    :math:`RH = 100\,e_s(T_d)/e_s(T)` with the Magnus form
    (:func:`saturation_vapour_pressure`).
    """
    t = np.asarray(temperature_c, dtype=float)
    td = np.asarray(dew_point_c, dtype=float)
    _check_temperature(t, "temperature_c")
    _check_temperature(td, "dew_point_c")
    if np.any((td - t)[np.isfinite(td - t)] > 0.05):
        raise UnitsError("dew point above dry-bulb temperature: relative humidity above 100 %")
    return np.minimum(100.0 * saturation_vapour_pressure(td) / saturation_vapour_pressure(t), 100.0)


def dew_point_from_relative_humidity(
    temperature_c: ArrayLike, relative_humidity_pct: ArrayLike
) -> np.ndarray:
    r"""Dew point from temperature and relative humidity.

    Parameters
    ----------
    temperature_c : array_like
        Dry-bulb temperature [degC].
    relative_humidity_pct : array_like
        Relative humidity [%], in (0, 100].

    Returns
    -------
    numpy.ndarray
        Dew-point temperature [degC].

    Raises
    ------
    UnitsError
        If RH is not in (0, 100] (a fraction 0..1 passed as percent is caught
        only when all values are <= 1, see Notes) or a temperature is outside
        -90..60 degC.

    Notes
    -----
    :math:`e = RH/100\,e_s(T)`, then :func:`dew_point_from_vapour_pressure`.
    """
    t = np.asarray(temperature_c, dtype=float)
    rh = np.asarray(relative_humidity_pct, dtype=float)
    _check_temperature(t, "temperature_c")
    finite = rh[np.isfinite(rh)]
    if finite.size and (finite.min() <= 0.0 or finite.max() > 100.0):
        raise UnitsError(
            f"relative humidity must be in (0, 100] %; got {finite.min():g}..{finite.max():g}"
        )
    return dew_point_from_vapour_pressure(rh / 100.0 * saturation_vapour_pressure(t))


def air_pressure(elevation_m: ArrayLike) -> np.ndarray:
    r"""Standard-atmosphere air pressure at an elevation.

    Parameters
    ----------
    elevation_m : array_like
        Height above sea level [m]; valid from -500 to 11000 m.

    Returns
    -------
    numpy.ndarray
        Air pressure [kPa].

    Raises
    ------
    UnitsError
        If an elevation is outside -500..11000 m (e.g. kilometres passed).

    Notes
    -----
    ASHRAE Handbook Fundamentals (2017) ch. 1 eq. (3) [1]_:

    .. math:: p = 101.325\,(1 - 2.25577\times10^{-5} Z)^{5.2559}

    References
    ----------
    .. [1] ASHRAE, 2017: Handbook - Fundamentals, chapter 1, Psychrometrics.
    """
    z = np.asarray(elevation_m, dtype=float)
    finite = z[np.isfinite(z)]
    if finite.size and (finite.min() < -500.0 or finite.max() > 11000.0):
        raise UnitsError("elevation_m must be in metres within -500..11000")
    return 101.325 * (1.0 - 2.25577e-5 * z) ** 5.2559


def wet_bulb_temperature(
    temperature_c: ArrayLike, dew_point_c: ArrayLike, pressure_kpa: ArrayLike = 101.325
) -> np.ndarray:
    r"""Thermodynamic wet-bulb temperature from dry bulb, dew point and pressure.

    Parameters
    ----------
    temperature_c : array_like
        Dry-bulb temperature [degC].
    dew_point_c : array_like
        Dew-point temperature [degC]; must not exceed the dry bulb.
    pressure_kpa : array_like, default 101.325
        Air pressure [kPa] (see :func:`air_pressure`).

    Returns
    -------
    numpy.ndarray
        Wet-bulb temperature [degC].

    Raises
    ------
    UnitsError
        As :func:`relative_humidity`, or a pressure outside 30..110 kPa.

    Notes
    -----
    Solves the psychrometric balance of ASHRAE Fundamentals (2017) ch. 1
    eq. (33) for :math:`T_w` by bisection, with the humidity ratio
    :math:`W = 0.621945\,e/(p - e)` (eq. 20) and the Magnus saturation
    pressure. Below 0 degC the liquid-water form is kept (a wet bulb over
    supercooled water); the difference to the ice form is below 0.2 K.
    A numba kernel (``computeatlas._kernels.psychro.wet_bulb``) does the work and
    is the one the cooling model uses. Tested against PsychroLib [1]_ and the
    worked value of Stull (2011) [2]_: 20 degC and 50 % RH give 13.7 degC.

    References
    ----------
    .. [1] Meyer, D., and Thevenard, D., 2019: PsychroLib: a library of
       psychrometric functions to calculate thermodynamic properties of air.
       J. Open Source Softw., 4(33), 1137, doi:10.21105/joss.01137
    .. [2] Stull, R., 2011: Wet-bulb temperature from relative humidity and air
       temperature. J. Appl. Meteor. Climatol., 50, 2267-2269,
       doi:10.1175/JAMC-D-11-0143.1
    """
    from computeatlas._kernels.psychro import wet_bulb_ufunc

    t = np.asarray(temperature_c, dtype=float)
    td = np.asarray(dew_point_c, dtype=float)
    p = np.asarray(pressure_kpa, dtype=float)
    relative_humidity(t, td)  # validates temperatures and RH <= 100 %
    finite = p[np.isfinite(p)]
    if finite.size and (finite.min() < 30.0 or finite.max() > 110.0):
        raise UnitsError("pressure_kpa must be within 30..110 kPa (Pa passed as kPa?)")
    return wet_bulb_ufunc(t, td, p)
