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

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from computeatlas.errors import InputError
from computeatlas.presets import TokenEnergy, token_energy

__all__ = ["SiteScores", "cost_usd_per_mtoken", "cost_usd_per_mwh_it", "site_scores"]


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


@dataclass(frozen=True, eq=False)
class SiteScores:
    """What :func:`site_scores` computes in one pass over a window.

    Attributes
    ----------
    values : dict of numpy.ndarray
        ``cost_usd_per_mwh_it`` [USD/MWh_IT], ``cost_usd_per_mtoken`` [USD/Mtoken],
        ``carbon_kg_per_mwh_it`` [kgCO2/MWh_IT] and ``score_usd_per_mwh_it``
        [USD/MWh_IT] (NaN off land), each of the broadcast input shape.
    tie_key : numpy.ndarray
        The score in whole tie steps, ``rint(score / tie_step)`` [1] (NaN where the
        score is): cells with equal keys are cost ties.
    overflow : tuple of str
        Names of the variables (``heat_credit_usd_per_mwh_it`` included) holding an
        infinite or near-maximum value; empty when none does.
    """

    values: dict[str, np.ndarray]
    tie_key: np.ndarray
    overflow: tuple[str, ...]


#: Variables checked for overflow, in the order of the kernel's check slots.
_OVERFLOW_VARS = ("heat_credit_usd_per_mwh_it", "score_usd_per_mwh_it", "cost_usd_per_mtoken")


def _as_rows(a: ArrayLike, shape: tuple[int, ...], dtype: type) -> np.ndarray:
    """Return ``a`` broadcast to ``shape`` and laid out as contiguous (rows, columns)."""
    full: np.ndarray = np.broadcast_to(np.asarray(a, dtype=dtype), shape)
    cols = shape[-1] if shape else 1
    return np.ascontiguousarray(full).reshape(-1, max(cols, 1))


def site_scores(
    price_usd_per_mwh: ArrayLike,
    pue: ArrayLike,
    heat_credit_usd_per_mwh_it: ArrayLike,
    *,
    carbon_kg_per_mwh: ArrayLike,
    land: ArrayLike = True,
    carbon_price_usd_per_t: float = 0.0,
    energy_per_token: str | float | TokenEnergy = "h100_8b_batch64",
    tie_step_usd_per_mwh: float = 0.01,
) -> SiteScores:
    """Cost, score, tie-break key and site variables of every cell, fused in one pass.

    The same numbers as :func:`cost_usd_per_mwh_it` (without and with the carbon
    price), :func:`cost_usd_per_mtoken`, ``carbon_kg_per_mwh * pue`` and
    ``rint(score / tie_step)``, from a numba kernel that visits each cell once, row by
    row in parallel; memory O(cells).

    Parameters
    ----------
    price_usd_per_mwh : array_like
        Electricity price [USD/MWh]; must not be negative.
    pue : array_like
        Power usage effectiveness [1]; must be >= 1.
    heat_credit_usd_per_mwh_it : array_like
        Waste-heat revenue [USD/MWh_IT].
    carbon_kg_per_mwh : array_like
        Grid carbon intensity [kgCO2/MWh].
    land : array_like of bool, default True
        Cells that may be scored; the score is NaN elsewhere.
    carbon_price_usd_per_t : float, default 0
        Carbon price [USD/tCO2] added to the score (not to the cost).
    energy_per_token : str, float or TokenEnergy, default "h100_8b_batch64"
        Preset name, or IT energy [MWh_IT per million tokens].
    tie_step_usd_per_mwh : float, default 0.01
        Cost step [USD/MWh_IT] below which two scores are a tie (the tie key).

    Returns
    -------
    SiteScores

    Notes
    -----
    Missing data propagate as NaN (see :func:`cost_usd_per_mwh_it`).
    """
    from computeatlas._kernels.score import BIG_CREDIT, LOW_PUE, N_CHECKS, NEG_PRICE, score_rows

    if not carbon_price_usd_per_t >= 0:
        raise InputError("carbon_price_usd_per_t must not be negative")
    if not tie_step_usd_per_mwh > 0:
        raise InputError("tie_step_usd_per_mwh must be positive [USD/MWh_IT]")
    inputs = (price_usd_per_mwh, pue, heat_credit_usd_per_mwh_it, carbon_kg_per_mwh, land)
    shape = np.broadcast_shapes(*(np.shape(a) for a in inputs))
    rows = [_as_rows(a, shape, float) for a in inputs[:4]]
    cost, mtoken, co2, score, key, checks = score_rows(  # type: ignore[call-arg]
        *rows,
        _as_rows(land, shape, bool),
        float(carbon_price_usd_per_t),
        float(token_energy(energy_per_token).mwh_per_mtoken),
        float(tie_step_usd_per_mwh),
    )
    failed = checks.sum(axis=0) if checks.size else np.zeros(N_CHECKS, dtype=np.int64)
    if failed[NEG_PRICE]:
        raise InputError("electricity prices must not be negative [USD/MWh]")
    if failed[LOW_PUE]:
        raise InputError("PUE must be >= 1")
    values = {
        "cost_usd_per_mwh_it": cost.reshape(shape),
        "cost_usd_per_mtoken": mtoken.reshape(shape),
        "carbon_kg_per_mwh_it": co2.reshape(shape),
        "score_usd_per_mwh_it": score.reshape(shape),
    }
    overflow = tuple(v for v, n in zip(_OVERFLOW_VARS, failed[BIG_CREDIT:], strict=True) if n)
    return SiteScores(values, key.reshape(shape), overflow)
