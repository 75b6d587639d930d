"""Cited presets (cooling technologies, ASHRAE classes, fibre routes, token energy, heat prices).

Each preset family lives in a TOML file beside this module with a source for
every number; :func:`cooling`, :func:`ashrae_class`, :func:`route`,
:func:`token_energy` and :func:`heat_price` load them into frozen, validated
dataclasses. An unknown name raises :class:`~computeatlas.errors.UnknownNameError`
listing the known ones.
"""

from __future__ import annotations

import difflib
import tomllib
from dataclasses import dataclass, fields
from functools import cache
from importlib.resources import files
from typing import Any

from computeatlas.errors import InputError, UnknownNameError

__all__ = [
    "AshraeClass",
    "CoolingTechnology",
    "HeatPrice",
    "Route",
    "TokenEnergy",
    "ashrae_class",
    "cooling",
    "heat_price",
    "names",
    "route",
    "token_energy",
]


@cache
def _load(name: str) -> dict[str, Any]:
    text = (files("computeatlas.presets") / f"{name}.toml").read_text(encoding="utf-8")
    return tomllib.loads(text)


def _pick(family: str, key: str, skip: tuple[str, ...] = ()) -> dict[str, Any]:
    table = {k: v for k, v in _load(family).items() if isinstance(v, dict) and k not in skip}
    if not isinstance(key, str) or key not in table:
        close = difflib.get_close_matches(str(key), list(table), n=3, cutoff=0.5)
        hint = f" Did you mean {close[0]!r}?" if close else ""
        raise UnknownNameError(
            f"unknown {family} preset {key!r}; known: {', '.join(sorted(table))}.{hint}"
        )
    return table[key]


def names(family: str) -> list[str]:
    """Names of the presets of one family (``cooling``, ``ashrae``, ``routes``, ...)."""
    table = _load(family).items()
    return sorted(k for k, v in table if isinstance(v, dict) and k not in ("common", "aliases"))


@dataclass(frozen=True)
class AshraeClass:
    """An ASHRAE TC 9.9 (2021) IT inlet envelope.

    Attributes
    ----------
    name : str
    t_min_c, t_max_c : float
        Supply-air dry-bulb limits [degC].
    dp_min_c, dp_max_c : float
        Supply-air dew-point limits [degC].
    rh_max_pct : float
        Upper relative-humidity limit [%].
    """

    name: str
    t_min_c: float
    t_max_c: float
    dp_min_c: float
    dp_max_c: float
    rh_max_pct: float
    source: str = ""

    def __post_init__(self) -> None:
        ok = (
            self.t_min_c < self.t_max_c
            and self.dp_min_c < self.dp_max_c <= self.t_max_c
            and 0.0 < self.rh_max_pct <= 100.0
        )
        if not ok:
            raise InputError(
                f"envelope {self.name!r}: need t_min_c < t_max_c, dp_min_c < dp_max_c <= t_max_c "
                f"and 0 < rh_max_pct <= 100, got {self.t_min_c}, {self.t_max_c}, "
                f"{self.dp_min_c}, {self.dp_max_c}, {self.rh_max_pct}"
            )


def ashrae_class(name: str | AshraeClass = "A1") -> AshraeClass:
    """Return an IT inlet envelope (or pass one through).

    ASHRAE TC 9.9 classes ``recommended``, ``A1`` .. ``A4``, and the
    operator envelope ``ocp_forest_city`` (Facebook/OCP, 2012).
    """
    if isinstance(name, AshraeClass):
        return name
    return AshraeClass(name=name, **_pick("ashrae", name))


@dataclass(frozen=True)
class CoolingTechnology:
    """Parameters of a cooling technology (see ``cooling.toml`` for each source).

    Temperatures in degC, temperature differences in K, pressures in Pa,
    efficiencies and fractions dimensionless (per unit of IT power).
    ``chw_supply_c`` None means the chilled water follows the envelope's
    supply-air limit through ``coil_effectiveness``; ``envelope`` names a
    design envelope (:func:`ashrae_class`) that replaces the scenario's class.
    """

    name: str
    description: str
    economiser: str
    adiabatic: bool
    evap_effectiveness: float
    ups_efficiency: float
    distribution_loss: float
    lighting: float
    fan_pressure_pa: float
    fan_efficiency: float
    air_delta_t_k: float
    chiller_rated_cop: float
    chiller_rated_cond_c: float
    chiller_rated_evap_c: float
    pump_fraction: float
    heat_recovery_fraction: float
    heat_source_c: float
    chw_supply_c: float | None = None
    coil_effectiveness: float = 0.8
    envelope: str = ""
    chw_delta_t_k: float = 6.0
    tower_approach_k: float = 4.75
    hx_approach_k: float = 2.0
    evaporative_fraction: float = 0.0
    liquid_fraction: float = 0.0
    facility_supply_c: float = 40.0
    dry_cooler_approach_k: float = 5.0

    def __post_init__(self) -> None:
        checks = {
            "ups_efficiency": 0.5 < self.ups_efficiency <= 1.0,
            "fan_efficiency": 0.1 < self.fan_efficiency <= 1.0,
            "evap_effectiveness": 0.0 <= self.evap_effectiveness <= 1.0,
            "liquid_fraction": 0.0 <= self.liquid_fraction <= 1.0,
            "heat_recovery_fraction": 0.0 <= self.heat_recovery_fraction <= 1.0,
            "air_delta_t_k": self.air_delta_t_k > 0.0,
            "chiller_rated_cop": self.chiller_rated_cop > 0.0,
            "economiser": self.economiser in ("air", "water", "none", "liquid"),
            "coil_effectiveness": 0.0 < self.coil_effectiveness <= 1.0,
        }
        bad = [k for k, ok in checks.items() if not ok]
        if bad:
            raise InputError(f"cooling preset {self.name!r} has invalid values for {bad}")

    def replace(self, **changes: Any) -> CoolingTechnology:
        """Return a copy with some parameters changed (validated again)."""
        known = {f.name for f in fields(self)}
        unknown = sorted(set(changes) - known)
        if unknown:
            raise InputError(f"unknown cooling parameter(s) {unknown}; known: {sorted(known)}")
        values = {f.name: getattr(self, f.name) for f in fields(self)}
        values.update(changes)
        return CoolingTechnology(**values)


def cooling(name: str | CoolingTechnology = "air_side_fleet") -> CoolingTechnology:
    """Return a cooling technology preset (or pass one through).

    Archetypes: ``air_side_fleet`` (default), ``water_side_best_practice``,
    ``water_side_economiser``, ``direct_evaporative_wide_envelope``,
    ``air_cooled_chiller``, ``direct_liquid_warm_water``. Former names in
    the ``[aliases]`` table of ``cooling.toml`` (``hyperscale_air_economiser``
    = ``air_side_fleet``) return the preset they stand for, under its name.
    """
    if isinstance(name, CoolingTechnology):
        return name
    aliases = _load("cooling").get("aliases", {})
    key = aliases.get(name, name) if isinstance(name, str) else name
    return CoolingTechnology(name=key, **_pick("cooling", key, skip=("common", "aliases")))


def common_constants() -> dict[str, float]:
    """Physical constants used by the cooling model (``[common]`` of ``cooling.toml``)."""
    return dict(_load("cooling")["common"])


@dataclass(frozen=True)
class Route:
    """A fibre-route preset: ``rtt = fixed_ms + 2 d route_factor / v``.

    Attributes
    ----------
    name : str
    route_factor : float
        Fibre path length over great-circle distance [1], >= 1.
    fixed_ms : float
        Fixed round-trip overhead [ms], >= 0.
    description, source : str
    """

    name: str
    route_factor: float
    fixed_ms: float
    description: str = ""
    source: str = ""

    def __post_init__(self) -> None:
        if not (self.route_factor >= 1.0) or not (self.fixed_ms >= 0.0):
            raise InputError(
                f"route {self.name!r}: route_factor must be >= 1 and fixed_ms >= 0, got "
                f"{self.route_factor} and {self.fixed_ms}"
            )


def route(name: str | Route = "cloud_backbone") -> Route:
    """Return a route preset.

    Known: ``line_of_sight``, ``cloud_backbone`` (default), ``public_internet``.
    """
    if isinstance(name, Route):
        return name
    return Route(name=name, **_pick("routes", name))


@dataclass(frozen=True)
class TokenEnergy:
    """IT energy per million tokens [MWh_IT / Mtoken] with its source."""

    name: str
    mwh_per_mtoken: float
    description: str = ""
    source: str = ""

    def __post_init__(self) -> None:
        if not (self.mwh_per_mtoken > 0.0):
            raise InputError(f"energy per token must be positive, got {self.mwh_per_mtoken}")


def token_energy(name: str | float | TokenEnergy = "h100_8b_batch64") -> TokenEnergy:
    """Return an energy-per-token preset, or wrap a number [MWh_IT per million tokens]."""
    if isinstance(name, TokenEnergy):
        return name
    if isinstance(name, (int, float)) and not isinstance(name, bool):
        return TokenEnergy(name="custom", mwh_per_mtoken=float(name), source="user value")
    return TokenEnergy(name=str(name), **_pick("token_energy", str(name)))


@dataclass(frozen=True)
class HeatPrice:
    """A waste-heat price scenario [USD per MWh of heat delivered]."""

    name: str
    usd_per_mwh_heat: float
    description: str = ""
    source: str = ""

    def __post_init__(self) -> None:
        if not (self.usd_per_mwh_heat >= 0.0):
            raise InputError(f"heat price must be >= 0 USD/MWh, got {self.usd_per_mwh_heat}")


def heat_price(name: str | float | HeatPrice = "donated") -> HeatPrice:
    """Return a heat-price scenario: ``donated`` (default, 0), ``sold``, ``avoided_cost``.

    A number is taken as USD per MWh of heat.
    """
    if isinstance(name, HeatPrice):
        return name
    if isinstance(name, (int, float)) and not isinstance(name, bool):
        return HeatPrice(name="custom", usd_per_mwh_heat=float(name), source="user value")
    raw = dict(_pick("heat_prices", str(name)))
    eur = raw.pop("eur_per_mwh_heat")
    rate = raw.pop("usd_per_eur")
    return HeatPrice(name=str(name), usd_per_mwh_heat=eur * rate, **raw)
