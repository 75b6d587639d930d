"""Psychrometric relations used by wattlas.

Conventions: temperatures in degC, vapour pressure in hPa, water-vapour
density in g m-3. Functions accept scalars or NumPy arrays and return
arrays (NumPy broadcasting).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from wattlas.errors import UnitsError

__all__ = [
    "dew_point_from_vapour_pressure",
    "saturation_vapour_pressure",
    "vapour_pressure_from_density",
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
