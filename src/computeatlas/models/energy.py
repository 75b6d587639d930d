r"""Electricity cost of IT energy and of tokens.

.. math::

    c_{IT} = p_{el}\,\mathrm{PUE} - C_{heat} + p_{CO_2}\,I_{CO_2}\,\mathrm{PUE}/1000
    \quad [\mathrm{USD/MWh_{IT}}]

    c_{tok} = c_{IT}\,e_{tok} \quad [\mathrm{USD/Mtoken}]

with :math:`p_{el}` the electricity price [USD/MWh], :math:`C_{heat}` the heat
credit [USD/MWh_IT], :math:`p_{CO_2}` a carbon price [USD/tCO2],
:math:`I_{CO_2}` the grid intensity [kgCO2/MWh] and :math:`e_{tok}` the IT
energy per million tokens [MWh_IT/Mtoken] (presets in
:func:`computeatlas.presets.token_energy`). Only the energy part of a token's cost
is modelled; add capital costs yourself.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from computeatlas.errors import InputError
from computeatlas.presets import TokenEnergy, token_energy

__all__ = ["cost_usd_per_mtoken", "cost_usd_per_mwh_it"]


def cost_usd_per_mwh_it(
    price_usd_per_mwh: ArrayLike,
    pue: ArrayLike,
    heat_credit_usd_per_mwh_it: ArrayLike = 0.0,
    *,
    carbon_price_usd_per_t: float = 0.0,
    carbon_kg_per_mwh: ArrayLike = np.nan,
) -> np.ndarray:
    """All-in electricity cost of one MWh of IT energy: the one score of computeatlas.

    Parameters
    ----------
    price_usd_per_mwh : array_like
        Electricity price [USD/MWh]; must not be negative.
    pue : array_like
        Power usage effectiveness [1]; must be >= 1.
    heat_credit_usd_per_mwh_it : array_like, default 0
        Waste-heat revenue [USD/MWh_IT].
    carbon_price_usd_per_t : float, default 0
        Carbon price [USD/tCO2].
    carbon_kg_per_mwh : array_like, default NaN
        Grid carbon intensity [kgCO2/MWh]; read only when the carbon price is
        positive.

    Returns
    -------
    numpy.ndarray
        Cost [USD/MWh_IT].

    Notes
    -----
    Missing-data policy: a sample that lacks an input the score needs (price,
    PUE, heat credit, or the carbon intensity when the carbon price is
    positive) gets NaN and is not ranked; nothing is zero-filled.
    """
    price = np.asarray(price_usd_per_mwh, dtype=float)
    p = np.asarray(pue, dtype=float)
    if np.any(price[np.isfinite(price)] < 0):
        raise InputError("electricity prices must not be negative [USD/MWh]")
    if np.any(p[np.isfinite(p)] < 1.0):
        raise InputError("PUE must be >= 1")
    if not carbon_price_usd_per_t >= 0:
        raise InputError("carbon_price_usd_per_t must not be negative")
    cost = price * p - np.asarray(heat_credit_usd_per_mwh_it, dtype=float)
    if carbon_price_usd_per_t > 0:
        ci = np.asarray(carbon_kg_per_mwh, dtype=float)
        cost = cost + carbon_price_usd_per_t * ci / 1000.0 * p
    return np.asarray(cost)


def cost_usd_per_mtoken(
    cost_usd_per_mwh_it_: ArrayLike, energy_per_token: str | float | TokenEnergy = "h100_8b_batch64"
) -> np.ndarray:
    """Electricity cost of a million tokens.

    Parameters
    ----------
    cost_usd_per_mwh_it_ : array_like
        Cost of IT energy [USD/MWh_IT] (:func:`cost_usd_per_mwh_it`).
    energy_per_token : str, float or TokenEnergy, default "h100_8b_batch64"
        Preset name, or IT energy [MWh_IT per million tokens].

    Returns
    -------
    numpy.ndarray
        Cost [USD per million tokens].
    """
    e = token_energy(energy_per_token)
    return np.asarray(cost_usd_per_mwh_it_, dtype=float) * e.mwh_per_mtoken
