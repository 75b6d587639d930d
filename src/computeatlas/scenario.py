"""``Scenario``: every option of a question, validated once, typed, recorded in outputs.

``rank_sites`` and ``site_report`` build one :class:`Scenario` from their keyword
arguments and hand it to the pipeline; no option is validated or looked up
anywhere else. ``Scenario.attrs()`` is what every output records.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from numbers import Real
from typing import Any, ClassVar

import numpy as np

from computeatlas import presets
from computeatlas.errors import InputError
from computeatlas.models.heat import HEAT_PUMP_KINDS
from computeatlas.presets import AshraeClass, CoolingTechnology, HeatPrice, Route, TokenEnergy

__all__ = ["Scenario", "check_number"]


def check_number(
    name: str,
    value: Any,
    *,
    minimum: float | None = None,
    maximum: float | None = None,
    strict_minimum: bool = False,
    integer: bool = False,
    unit: str = "",
) -> float:
    """Validate one scalar option and return it as a float.

    Parameters
    ----------
    name : str
        Parameter name, used in the error message.
    value : object
        A real number (Python or NumPy scalar); bools, strings, None and
        non-finite values are refused.
    minimum, maximum : float, optional
        Allowed range (inclusive; ``strict_minimum`` excludes the minimum).
    integer : bool, default False
        Require a whole number.
    unit : str, optional
        Unit shown in the message, e.g. ``"ms"``.

    Returns
    -------
    float

    Raises
    ------
    InputError
        Naming ``name`` and what to pass instead.
    """
    suffix = f" [{unit}]" if unit else ""
    kind = "a whole number" if integer else "a number"
    if isinstance(value, (bool, np.bool_)) or not isinstance(
        value, (Real, np.integer, np.floating)
    ):
        raise InputError(f"{name} must be {kind}{suffix}, got {value!r} ({type(value).__name__})")
    x = float(value)
    if not math.isfinite(x):
        raise InputError(f"{name} must be a finite number{suffix}, got {value!r}")
    if integer and x != round(x):
        raise InputError(f"{name} must be a whole number, got {value!r}")
    if minimum is not None and (x < minimum or (strict_minimum and x == minimum)):
        rel = ">" if strict_minimum else ">="
        raise InputError(f"{name} must be {rel} {minimum:g}{suffix}, got {value!r}")
    if maximum is not None and x > maximum:
        raise InputError(f"{name} must be <= {maximum:g}{suffix}, got {value!r}")
    return x


def _preset(name: str, loader: Any, value: Any) -> Any:
    """Look a preset up, accepting NumPy scalars where a number is allowed."""
    if isinstance(value, (np.integer, np.floating)):
        value = float(value)
    if isinstance(value, float) and not math.isfinite(value):
        raise InputError(f"{name} must be a finite number or a preset name, got {value!r}")
    try:
        return loader(value)
    except InputError as err:
        raise type(err)(f"{name}: {err}") from err


def _heat_pump(value: Any) -> str:
    """Validate the heat-pump COP model name."""
    if not (isinstance(value, str) and value in HEAT_PUMP_KINDS):
        raise InputError(
            f"heat_pump must be one of {', '.join(HEAT_PUMP_KINDS)} "
            f"(the heat-pump COP model), got {value!r}"
        )
    return value


@dataclass(frozen=True, kw_only=True)
class Scenario:
    """The technology, prices and fibre assumptions of one question.

    Attributes
    ----------
    technology : CoolingTechnology
        Cooling preset (:func:`computeatlas.presets.cooling`).
    ashrae : AshraeClass
        IT inlet envelope (:func:`computeatlas.presets.ashrae_class`); the
        technology's own design envelope where it names one.
    heat_price : HeatPrice
        Waste-heat price scenario [USD/MWh_heat].
    route : Route
        Fibre route preset (route factor, fixed overhead).
    energy_per_token : TokenEnergy
        IT energy per million tokens [MWh_IT/Mtoken].
    carbon_price_usd_per_t : float
        Carbon price [USD/tCO2], >= 0.
    it_mw : float
        IT load [MW], > 0: sizes the heat offered to a district-heating network.
    heat_pump : str
        Heat-pump COP model of the heat credit
        (:func:`computeatlas.models.heat_pump_cop` ``kind``): ``industrial``
        (Jensen et al. 2018, default), ``ground`` or ``air`` (Staffell et al. 2012).
    """

    #: Keyword arguments of :meth:`build` (the options ``rank_sites`` and ``site_report`` share).
    OPTIONS: ClassVar[tuple[str, ...]] = (
        "technology",
        "ashrae_class",
        "heat_price",
        "route",
        "energy_per_token",
        "carbon_price_usd_per_t",
        "it_mw",
        "heat_pump",
    )

    technology: CoolingTechnology
    ashrae: AshraeClass
    heat_price: HeatPrice
    route: Route
    energy_per_token: TokenEnergy
    carbon_price_usd_per_t: float = 0.0
    it_mw: float = 100.0
    heat_pump: str = "industrial"

    @classmethod
    def build(
        cls,
        *,
        technology: str | CoolingTechnology = "air_side_fleet",
        ashrae_class: str | AshraeClass = "A1",
        heat_price: str | float | HeatPrice = "donated",
        route: str | Route = "geographic",
        energy_per_token: str | float | TokenEnergy = "h100_8b_batch64",
        carbon_price_usd_per_t: float = 0.0,
        it_mw: float = 100.0,
        heat_pump: str = "industrial",
    ) -> Scenario:
        """Validate the options of ``rank_sites``/``site_report`` into a Scenario.

        Parameters
        ----------
        technology, ashrae_class, heat_price, route, energy_per_token
            Preset names or objects (numbers for ``heat_price`` [USD/MWh_heat]
            and ``energy_per_token`` [MWh_IT/Mtoken]).
        carbon_price_usd_per_t : float, default 0
            Carbon price [USD/tCO2].
        it_mw : float, default 100
            IT load [MW].
        heat_pump : {"industrial", "ground", "air"}, default "industrial"
            Heat-pump COP model of the heat credit.

        Returns
        -------
        Scenario
        """
        tech = _preset("technology", presets.cooling, technology)
        env = _preset("ashrae_class", presets.ashrae_class, ashrae_class)
        return cls(
            technology=tech,
            # A technology with its own design envelope runs in it (recorded in attrs).
            ashrae=presets.ashrae_class(tech.envelope) if tech.envelope else env,
            heat_price=_preset("heat_price", presets.heat_price, heat_price),
            route=_preset("route", presets.route, route),
            energy_per_token=_preset("energy_per_token", presets.token_energy, energy_per_token),
            carbon_price_usd_per_t=check_number(
                "carbon_price_usd_per_t", carbon_price_usd_per_t, minimum=0.0, unit="USD/tCO2"
            ),
            it_mw=check_number("it_mw", it_mw, minimum=0.0, strict_minimum=True, unit="MW"),
            heat_pump=_heat_pump(heat_pump),
        )

    @property
    def sells_heat(self) -> bool:
        """Whether any heat can earn a credit (recovering technology and a price > 0)."""
        return self.technology.heat_recovery_fraction > 0 and self.heat_price.sells

    def attrs(self) -> dict[str, Any]:
        """Return the scenario as flat attributes for a Dataset or DataFrame."""
        return {
            "technology": self.technology.name,
            "ashrae_class": self.ashrae.name,
            "heat_price": self.heat_price.name,
            "heat_price_usd_per_mwh": self.heat_price.usd_per_mwh_heat,
            "heat_price_by_country": self.heat_price.by_country_text(),
            "heat_pump": self.heat_pump,
            "route": self.route.name,
            "route_factor": self.route.route_factor,
            "fixed_ms": self.route.fixed_ms,
            "access_ms": self.route.floor_ms,
            "ramp_km": self.route.ramp_km,
            "route_geographic": int(self.route.geographic),
            "energy_per_token": self.energy_per_token.name,
            "energy_per_token_mwh_per_mtoken": self.energy_per_token.mwh_per_mtoken,
            "carbon_price_usd_per_t": self.carbon_price_usd_per_t,
            "it_mw": self.it_mw,
        }
